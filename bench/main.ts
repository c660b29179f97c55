/**
 * The benchmark (bench/README.md): runs the scenarios with each tool and cost setting, then writes
 * the report to bench/results/<date>-<machine>.md and the raw results next to it (.json).
 * Started by bench/run.sh, which provides the Pulumi CLI, Ansible and a lab; by hand:
 *   node dist/bench/main.js [--scenarios hub-10,hub-50,story,spokes-20,hub-200] [--tools provider,ansible,null]
 *                           [--cost off,on] [--parallel 1024|default] [--step-limit-min 30] [--out FILE.md] [--keep]
 *   node dist/bench/main.js --report FILE.json     (remakes FILE.md from the raw results)
 * Needs PULUMI_BIN (the folder scripts/pulumi-cli.sh prints); the story and spokes-K need LAB_DIR (a lab
 * that is up, whose `lab.sh up --spokes K` this program runs for spokes-K, and `--spokes 0` after).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { COST_DEFAULTS } from "../emulator/ios/cost";
import { REPO } from "./device";
import { Machine, renderReport, Results, RunResult, Tool, TOOLS } from "./report";
import {
    emulatorHasCostModel,
    hubNull,
    hubWithAnsible,
    hubWithProvider,
    labSpokes,
    nullStack,
    RunContext,
    STORY_WITHOUT_ANSIBLE,
    spokesWithProvider,
    storyWithProvider,
} from "./runs";
import { runCommand } from "./process";

interface Options {
    scenarios: string[];
    tools: Tool[];
    costs: Array<"off" | "on">;
    stepLimitMin: number;
    /** Pulumi's `--parallel` for this provider and the null provider; undefined: Pulumi's default (4 x cores). */
    parallel?: number;
    out?: string;
    keep: boolean;
}

/** hub-200 last: with the cost model on it is the longest, and every run's results are saved as it ends. */
const ALL_SCENARIOS = ["hub-10", "hub-50", "story", "spokes-20", "hub-200"];

/**
 * The engine runs at most `--parallel` resource operations at once (Pulumi's default: 4 x cores, 8
 * on a 2-core machine), so a wave of 50 objects on one router would reach it 8 at a time, in 7
 * batches with a configuration read and a save each. The benchmark lets whole waves through, for
 * this provider and the null provider alike; `--parallel default` measures Pulumi's default.
 */
const DEFAULT_PARALLEL = 1024;

function parseArgs(argv: string[]): Options | { report: string } {
    const o: Options = { scenarios: ALL_SCENARIOS, tools: TOOLS, costs: ["off", "on"], stepLimitMin: 30, parallel: DEFAULT_PARALLEL, keep: false };
    for (let i = 0; i < argv.length; i++) {
        const value = () => {
            const v = argv[++i];
            if (v === undefined) throw new Error(`${argv[i - 1]} needs a value`);
            return v;
        };
        const list = () => value().split(",").map((s) => s.trim()).filter(Boolean);
        switch (argv[i]) {
            case "--scenarios":
                o.scenarios = list();
                for (const s of o.scenarios) if (!/^(hub|spokes)-\d+$/.test(s) && s !== "story") throw new Error(`unknown scenario ${s} (hub-N, story or spokes-K)`);
                break;
            case "--tools":
                o.tools = list().map((t) => {
                    if (!(TOOLS as string[]).includes(t)) throw new Error(`unknown tool ${t} (${TOOLS.join(", ")})`);
                    return t as Tool;
                });
                break;
            case "--cost":
                o.costs = list().map((c) => {
                    if (c !== "off" && c !== "on") throw new Error(`--cost takes off and/or on, not ${c}`);
                    return c;
                });
                break;
            case "--step-limit-min":
                o.stepLimitMin = Number(value());
                if (!(o.stepLimitMin > 0)) throw new Error("--step-limit-min needs a positive number");
                break;
            case "--parallel": {
                const v = value();
                o.parallel = v === "default" ? undefined : Number(v);
                if (o.parallel !== undefined && !(Number.isInteger(o.parallel) && o.parallel > 0)) throw new Error("--parallel needs a positive integer or default");
                break;
            }
            case "--out":
                o.out = path.resolve(value());
                break;
            case "--keep":
                o.keep = true;
                break;
            case "--report":
                return { report: path.resolve(value()) };
            default:
                throw new Error(`unknown argument ${argv[i]} (see the comment at the top of bench/main.ts)`);
        }
    }
    return o;
}

function sh(command: string, args: string[]): string {
    try {
        return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    } catch {
        return "unknown";
    }
}

function machine(pulumiBin: string): Machine {
    const cpu = /^model name\s*:\s*(.*)$/m.exec(fs.readFileSync("/proc/cpuinfo", "utf8"))?.[1].trim() ?? "unknown CPU";
    const dirty = sh("git", ["-C", REPO, "status", "--porcelain", "--", ".", ":!bench/results"]) !== "";
    // The benchmark's own commits (and the test runner's) change nothing it measures: name the last commit that did.
    const measured = sh("git", ["-C", REPO, "log", "-1", "--format=%h %s", "--", "provider", "emulator", "lab", "examples", "scripts", ":!scripts/test.sh", "tools", "package-lock.json"]);
    const head = sh("git", ["-C", REPO, "log", "-1", "--format=%h"]);
    const commit = `${measured} (checkout ${head}${dirty ? ", plus uncommitted changes" : ""})`;
    const collection = /cisco\.ios\s+(\S+)/.exec(sh("/usr/bin/ansible-galaxy", ["collection", "list", "cisco.ios"]))?.[1] ?? "unknown";
    const versions: Record<string, string> = {
        "Pulumi CLI": sh(path.join(pulumiBin, "pulumi"), ["version"]),
        "@pulumi/pulumi": JSON.parse(fs.readFileSync(path.join(REPO, "node_modules", "@pulumi", "pulumi", "package.json"), "utf8")).version,
        Node: process.version,
        Ansible: `${/core ([\d.]+)/.exec(sh("/usr/bin/ansible", ["--version"]))?.[1] ?? "unknown"} (ansible-core), cisco.ios ${collection}`,
    };
    return {
        date: new Date().toISOString().slice(0, 10),
        cores: os.cpus().length,
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        cpu,
        kernel: os.release(),
        commit,
        versions,
    };
}

function defaultOut(m: Machine): string {
    const cpu = m.cpu.toLowerCase().replace(/\(r\)|\(tm\)|cpu|processor|@.*$/g, "").trim().split(/\s+/).slice(0, 3).join("-");
    // The commit measured in the name: runs of different code on the same day and machine are different files.
    const measured = m.commit.split(" ")[0];
    return path.join(REPO, "bench", "results", `${m.date}-${m.cores}core-${m.memoryGiB}g-${cpu}-${measured}.md`);
}

async function main(): Promise<void> {
    const parsed = parseArgs(process.argv.slice(2));
    if ("report" in parsed) {
        const results: Results = JSON.parse(fs.readFileSync(parsed.report, "utf8"));
        fs.writeFileSync(parsed.report.replace(/\.json$/, ".md"), renderReport(results) + "\n");
        return;
    }
    const options = parsed;
    // PulumiStack passes this process's environment to the CLI: PULUMI_PARALLEL is its --parallel.
    if (options.parallel === undefined) delete process.env.PULUMI_PARALLEL;
    else process.env.PULUMI_PARALLEL = String(options.parallel);
    const pulumiBin = process.env.PULUMI_BIN;
    if (!pulumiBin) throw new Error("PULUMI_BIN is not set: run bench/run.sh, or set it to the folder `bash scripts/pulumi-cli.sh` prints last");
    const started = Date.now();
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "ikev2-bench-"));
    const say = (line: string) => process.stderr.write(`[bench] ${line}\n`);
    const results: Results = {
        machine: machine(pulumiBin),
        seconds: 0,
        options: {
            "arguments of bench/run.sh": process.argv.length > 2 ? `\`${process.argv.slice(2).join(" ")}\`` : "none (the full set)",
            "step time limit": `${options.stepLimitMin} min`,
            "Pulumi --parallel (this provider, null provider)":
                options.parallel === undefined ? `Pulumi's default, 4 x cores = ${4 * os.cpus().length}` : `${options.parallel} (PULUMI_PARALLEL)`,
            "load average at start (1, 5, 15 min)": os.loadavg().map((l) => l.toFixed(2)).join(", "),
        },
        runs: [],
        notes: [],
    };
    const out = options.out ?? defaultOut(results.machine);
    let runNumber = 0;
    const context = (label: string): RunContext => {
        const dir = path.join(work, `${String(++runNumber).padStart(2, "0")}-${label}`);
        fs.mkdirSync(dir, { mode: 0o700 });
        say(`${label} (files in ${dir})`);
        return { dir, pulumiBin, limitMs: options.stepLimitMin * 60000, say };
    };
    const save = () => {
        results.seconds = (Date.now() - started) / 1000;
        fs.mkdirSync(path.dirname(out), { recursive: true });
        fs.writeFileSync(out.replace(/\.md$/, ".json"), JSON.stringify(results, null, 1) + "\n");
        fs.writeFileSync(out, renderReport(results) + "\n");
    };
    const record = (run: RunResult) => {
        results.runs.push(run);
        save();
    };

    const costs = [...options.costs];
    if (costs.includes("on")) {
        if (await emulatorHasCostModel(path.join(work, "probe"))) {
            const defaults = Object.entries(COST_DEFAULTS).map(([k, v]) => `${k} ${v}`).join(", ");
            results.options["cost model (on)"] = `the emulator's defaults: ${defaults} (assumptions, emulator/ios/README.md, "Cost model")`;
        } else {
            costs.splice(costs.indexOf("on"), 1);
            results.notes.push("Cost model on: not measured, the emulator of this commit has no cost model (emulator/ios/README.md, \"Cost model\", once it has).");
        }
    }
    for (const scenario of options.scenarios) {
        const hub = /^hub-(\d+)$/.exec(scenario);
        if (hub) {
            const n = Number(hub[1]);
            if (options.tools.includes("null")) record(await hubNull(context(`${scenario}-null`), n));
            for (const cost of costs) {
                if (options.tools.includes("provider")) record(await hubWithProvider(context(`${scenario}-provider-cost-${cost}`), { n, cost }));
                if (options.tools.includes("ansible")) record(await hubWithAnsible(context(`${scenario}-ansible-cost-${cost}`), { n, cost }));
            }
            continue;
        }
        // The story and the spokes, on the lab.
        const labDir = process.env.LAB_DIR;
        if (!labDir || !fs.existsSync(path.join(labDir, "lab.json"))) {
            results.notes.push(`${scenario}: not run, no lab is up (LAB_DIR=${labDir ?? "unset"}); bench/run.sh brings one up`);
            continue;
        }
        const spokes = /^spokes-(\d+)$/.exec(scenario);
        if (spokes) {
            await runSpokes(Number(spokes[1]), labDir);
            continue;
        }
        if (options.tools.includes("ansible")) results.notes.push(`story without Ansible: ${STORY_WITHOUT_ANSIBLE}.`);
        results.notes.push("story: the lab's routers run with the lab's cost model setting; the table says which.");
        if (!options.tools.includes("provider")) continue;
        const story = await storyWithProvider(context("story-provider"), labDir);
        record(story.run);
        if (options.tools.includes("null")) {
            if (story.graph && story.changed) record(await nullStack(context("story-null"), "story", story.graph, story.changed));
            else results.notes.push("story with the null provider: not run, its resource graphs come from the provider's state after create and after change, which failed");
        }
    }
    async function runSpokes(k: number, labDir: string): Promise<void> {
        if (!options.tools.includes("provider")) return;
        const up = await runCommand("bash", [path.join(REPO, "lab", "lab.sh"), "up", "--spokes", String(k)], {
            cwd: REPO,
            env: process.env,
            limitMs: 600000,
            log: path.join(work, `lab-up-spokes-${k}.log`),
        });
        const available = up.status === 0 ? labSpokes(labDir).length : 0;
        if (available < k) {
            results.notes.push(
                `spokes-${k}: not run, the lab could not bring up ${k} strongSwan spokes (\`lab.sh up --spokes ${k}\` ${up.status === 0 ? `gave ${available}: this lab.sh has no spokes` : `exited ${up.status}`})`,
            );
            return;
        }
        results.notes.push(`spokes-${k}: \`lab.sh up --spokes ${k}\` took ${up.seconds.toFixed(1)} s; the hub is the lab's home router with the lab's cost model setting.`);
        if (options.tools.includes("ansible")) results.notes.push(`spokes-${k} without Ansible: the spokes are strongSwan hosts and their tunnels are proven, which ios_config does not do.`);
        try {
            const hub = await spokesWithProvider(context(`spokes-${k}-provider`), labDir, k);
            record(hub.run);
            if (options.tools.includes("null") && hub.graph && hub.changed) record(await nullStack(context(`spokes-${k}-null`), `spokes-${k}`, hub.graph, hub.changed, k));
        } finally {
            await runCommand("bash", [path.join(REPO, "lab", "lab.sh"), "up", "--spokes", "0"], { cwd: REPO, env: process.env, limitMs: 600000, log: path.join(work, "lab-up-spokes-0.log") });
        }
    }

    save();
    say(`report: ${out} (${((Date.now() - started) / 60000).toFixed(1)} min)`);
    if (options.keep) say(`the runs' files are kept in ${work}`);
    else fs.rmSync(work, { recursive: true, force: true });
}

main().catch((e: Error) => {
    process.stderr.write(`[bench] ${e.stack ?? e.message}\n`);
    process.exit(1);
});
