/**
 * The benchmark's results: what one run of a tool through the steps measured, and the Markdown
 * report made of all runs (tables per scenario, growth in N, the issue's goals as ratios).
 * Pure functions of the results, so the report can be checked and remade from the JSON.
 */
import { DeviceWork } from "./device";

export const STEPS = ["preview", "create", "no-op up", "change", "refresh", "destroy"] as const;
export type StepName = (typeof STEPS)[number];
export type Tool = "provider" | "ansible" | "null";
export const TOOLS: Tool[] = ["provider", "ansible", "null"];
/** Cost model of the emulated routers: off, on (emulator defaults), or not applicable (null provider). */
export type Cost = "off" | "on" | "n/a";

export interface StepResult {
    step: StepName;
    /** Wall time of the command (of a repeated step: the median of its runs). */
    seconds?: number;
    /** Wall time of each run of a repeated step (the no-op up of this provider and the null provider). */
    runs?: number[];
    /** Why this tool has no such step. */
    notApplicable?: string;
    /** Why the step failed or was not run (an earlier step failed, the time limit). */
    failed?: string;
    /** Work per router (label -> counters), measured around the command. */
    work?: Record<string, DeviceWork>;
    /** Pulumi's resource summary, or Ansible's `changed=` count. */
    outcome?: string;
}

export interface RunResult {
    scenario: string;
    /** Tunnels on the hub (hub scenarios). */
    n?: number;
    /** Resources in the stack besides the stack itself. */
    resources: number;
    tool: Tool;
    cost: Cost;
    /** Where the router counters came from: `emulator counters` or `session log`. */
    counters?: string;
    steps: StepResult[];
    /** Checks of the routers' configuration after the steps (not timed): what was verified, or what was wrong. */
    checks: string[];
    /** Load average (1 min) before and after the run. */
    load: [number, number];
}

export interface Machine {
    date: string;
    cores: number;
    memoryGiB: number;
    cpu: string;
    kernel: string;
    commit: string;
    versions: Record<string, string>;
}

export interface Results {
    machine: Machine;
    /** Total wall time of the benchmark. */
    seconds: number;
    /** The options the benchmark ran with (scenarios, tools, cost, time limit). */
    options: Record<string, string>;
    runs: RunResult[];
    /** Scenarios left out, and why. */
    notes: string[];
}

const TOOL_NAMES: Record<Tool, string> = { provider: "this provider", ansible: "Ansible ios_config", null: "null provider" };

function fmtSeconds(s: number): string {
    return s < 10 ? s.toFixed(2) : s < 100 ? s.toFixed(1) : s.toFixed(0);
}

function fmtBytes(b: number): string {
    return b < 1024 ? `${b} B` : b < 1 << 20 ? `${(b / 1024).toFixed(1)} KiB` : `${(b / (1 << 20)).toFixed(1)} MiB`;
}

/** `12.3 s`, then per router: logins, shell sessions, whole-configuration generations, saves, bytes read. */
export function formatCell(r: StepResult | undefined): string {
    if (!r) return "";
    if (r.notApplicable) return `n/a (${r.notApplicable})`;
    if (r.failed && r.seconds === undefined) return `- (${r.failed})`;
    const parts = [r.failed ? `**${fmtSeconds(r.seconds!)} s: ${r.failed}**` : `${fmtSeconds(r.seconds!)} s`];
    for (const [device, w] of Object.entries(r.work ?? {})) {
        const items = [`${w.logins} login${w.logins === 1 ? "" : "s"}`];
        if (w.shellSessions !== undefined) items.push(`${w.shellSessions} sh`);
        items.push(`${w.wholeConfigGenerations} gen`, `${w.saves} sav`);
        if (w.bytesSent !== undefined) items.push(fmtBytes(w.bytesSent));
        parts.push(`${Object.keys(r.work!).length > 1 ? `${device}: ` : ""}${items.join(" · ")}`);
    }
    return parts.join("<br>");
}

function stepOf(run: RunResult | undefined, step: StepName): StepResult | undefined {
    return run?.steps.find((s) => s.step === step);
}

function secondsOf(run: RunResult | undefined, step: StepName): number | undefined {
    const s = stepOf(run, step);
    return s && !s.failed && !s.notApplicable ? s.seconds : undefined;
}

function findRun(results: Results, scenario: string, tool: Tool, cost: Cost): RunResult | undefined {
    return results.runs.find((r) => r.scenario === scenario && r.tool === tool && (tool === "null" || r.cost === cost));
}

function ratio(a: number | undefined, b: number | undefined): string {
    return a === undefined || b === undefined || b === 0 ? "-" : (a / b).toFixed(2);
}

/** One table per scenario and cost setting: a row per step, a column per tool. */
function scenarioTables(results: Results): string[] {
    const out: string[] = [];
    const scenarios = [...new Set(results.runs.map((r) => r.scenario))];
    for (const scenario of scenarios) {
        const runs = results.runs.filter((r) => r.scenario === scenario);
        const costs = [...new Set(runs.filter((r) => r.tool !== "null").map((r) => r.cost))];
        for (const cost of costs.length ? costs : (["n/a"] as Cost[])) {
            const byTool = TOOLS.map((t) => findRun(results, scenario, t, cost));
            const present = TOOLS.filter((_, i) => byTool[i]);
            const first = runs[0];
            out.push(`### ${scenario}${first.n ? ` (N = ${first.n})` : ""}, ${first.resources} resources, cost model ${cost}`, "");
            out.push(`| step | ${present.map((t) => TOOL_NAMES[t]).join(" | ")} |`, `|---|${present.map(() => "---|").join("")}`);
            for (const step of STEPS) {
                out.push(`| ${step} | ${present.map((t) => formatCell(stepOf(byTool[TOOLS.indexOf(t)], step))).join(" | ")} |`);
            }
            const notes = present.flatMap((t) => {
                const run = byTool[TOOLS.indexOf(t)]!;
                const outcomes = run.steps
                    .filter((s) => s.outcome)
                    .map((s) => `${s.step}: ${s.outcome}${s.runs ? ` (${s.runs.length} runs: ${s.runs.map((r) => `${r.toFixed(2)} s`).join(", ")}; the table has their median)` : ""}`);
                return [
                    `${TOOL_NAMES[t]}: load average ${run.load[0].toFixed(2)} at the start, ${run.load[1].toFixed(2)} at the end${run.counters ? `; router counters from the ${run.counters}` : ""}`,
                    ...(outcomes.length ? [`${TOOL_NAMES[t]}, what each step reported: ${outcomes.join("; ")}`] : []),
                    ...(run.checks.length ? [`${TOOL_NAMES[t]}, checked on the router: ${run.checks.join("; ")}`] : []),
                ];
            });
            out.push("", ...notes.map((n) => `- ${n}`), "");
        }
    }
    return out;
}

/** Hub scenarios by N, for the growth table and the goals. */
function hubRuns(results: Results): number[] {
    return [...new Set(results.runs.filter((r) => r.n !== undefined && r.scenario.startsWith("hub")).map((r) => r.n!))].sort((a, b) => a - b);
}

function growthTable(results: Results): string[] {
    const ns = hubRuns(results);
    if (ns.length < 2) return [];
    const out = [
        "## Growth in N",
        "",
        `Time of each step at N = ${ns.join(", ")}, and the time ratio between consecutive N next to the ratio of N (linear growth: equal ratios; the engine's fixed start-up cost makes small N look cheaper).`,
        "",
        `| tool | cost | step | ${ns.map((n) => `N=${n}`).join(" | ")} | ${ns.slice(1).map((n, i) => `${ns[i]}->${n} (N x${(n / ns[i]).toFixed(0)})`).join(" | ")} |`,
        `|---|---|---|${ns.map(() => "---|").join("")}${ns.slice(1).map(() => "---|").join("")}`,
    ];
    for (const tool of TOOLS) {
        const costs = tool === "null" ? (["n/a"] as Cost[]) : (["off", "on"] as Cost[]);
        for (const cost of costs) {
            for (const step of STEPS) {
                const times = ns.map((n) => secondsOf(findRun(results, `hub-${n}`, tool, cost), step));
                if (times.every((t) => t === undefined)) continue;
                const ratios = ns.slice(1).map((_, i) => ratio(times[i + 1], times[i]));
                out.push(`| ${TOOL_NAMES[tool]} | ${cost} | ${step} | ${times.map((t) => (t === undefined ? "-" : `${fmtSeconds(t)} s`)).join(" | ")} | ${ratios.join(" | ")} |`);
            }
        }
    }
    return [...out, ""];
}

/**
 * The issue's goals (stated at N = 50 with the cost model on) as measured ratios, for one cost
 * setting: with the cost model off they are a reference, not the goal.
 */
export function goals(results: Results, cost: "on" | "off" = "on", n = 50): Array<{ goal: string; measured: string; target: string }> {
    const scenario = `hub-${n}`;
    const provider = findRun(results, scenario, "provider", cost);
    const ansible = findRun(results, scenario, "ansible", cost);
    const nul = findRun(results, scenario, "null", "n/a");
    const refresh = stepOf(provider, "refresh");
    const refreshReads = refresh?.work && !refresh.failed ? Object.values(refresh.work).map((w) => w.wholeConfigGenerations) : undefined;
    const ns = hubRuns(results);
    const [lo, hi] = [ns[0], ns[ns.length - 1]];
    const create = (m: number) => secondsOf(findRun(results, `hub-${m}`, "provider", cost), "create");
    const linearity =
        lo !== undefined && hi !== undefined && lo !== hi && create(lo) !== undefined && create(hi) !== undefined
            ? `${(create(hi)! / create(lo)!).toFixed(1)}x time for ${(hi / lo).toFixed(0)}x N (${((create(hi)! / create(lo)!) / (hi / lo)).toFixed(2)} of linear)`
            : "-";
    return [
        { goal: `create: this provider / Ansible (N = ${n})`, measured: ratio(secondsOf(provider, "create"), secondsOf(ansible, "create")), target: "<= 0.5" },
        { goal: `no-op up: this provider / null provider (N = ${n})`, measured: ratio(secondsOf(provider, "no-op up"), secondsOf(nul, "no-op up")), target: "<= 1.2" },
        { goal: `refresh: whole-configuration reads per router (N = ${n})`, measured: refreshReads ? refreshReads.join(", ") : "-", target: "<= 1" },
        { goal: `create time from N = ${lo} to N = ${hi} (this provider)`, measured: linearity, target: "linear (1.00 of linear)" },
    ];
}

export function renderReport(results: Results): string {
    const m = results.machine;
    const out = [
        `# Benchmark ${m.date}`,
        "",
        "Made by `bash bench/run.sh` (bench/README.md says what each column means). One run, one machine: compare ratios within this file, not seconds across files.",
        "",
        "| | |",
        "|---|---|",
        `| date | ${m.date} |`,
        `| machine | ${m.cores} cores, ${m.memoryGiB} GiB RAM, ${m.cpu}, Linux ${m.kernel} |`,
        `| commit measured | ${m.commit} |`,
        ...Object.entries(m.versions).map(([k, v]) => `| ${k} | ${v} |`),
        ...Object.entries(results.options).map(([k, v]) => `| ${k} | ${v} |`),
        `| benchmark wall time | ${(results.seconds / 60).toFixed(1)} min |`,
        "",
    ];
    const on = goals(results, "on");
    const off = goals(results, "off");
    if ([...on, ...off].some((x) => x.measured !== "-")) {
        out.push(
            "## The issue's goals",
            "",
            "Stated at N = 50 with the cost model on; the same ratios with the cost model off are a reference.",
            "",
            "| goal | target | cost model on | cost model off |",
            "|---|---|---|---|",
            ...on.map((x, i) => `| ${x.goal} | ${x.target} | ${x.measured} | ${off[i].measured} |`),
            "",
        );
    }
    if (results.notes.length) out.push("## Notes", "", ...results.notes.map((n) => `- ${n}`), "");
    out.push(
        "## Results",
        "",
        "Each cell: wall time; then per router: SSH logins, shell sessions (`sh`), whole-configuration generations (`gen`: `show running-config` with or without a filter, saves), saves (`sav`: `write memory` / `copy running-config startup-config`), bytes the router sent (what the client read). A cell without `sh` or bytes was counted from the emulator's session log, which cannot tell them.",
        "",
        ...scenarioTables(results),
        ...growthTable(results),
    );
    return out.join("\n");
}
