/**
 * One run = one tool through the six steps on one scenario: preview, create, no-op `up`, the
 * one-property change, refresh, destroy. Around each command the routers' counters are read; after
 * the create, change and destroy steps the routers' configuration is checked (not timed), so a
 * result stands for a deployment that really happened. A step that fails or runs over the time
 * limit ends the run; the later steps are reported as not run.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { randomBytes } from "crypto";
import { parseConfigTree } from "../provider/ios/config-tree";
import { iosObjects } from "../provider/ios/objects";
import { AnsibleRouter } from "./ansible";
import { BenchRouter, counterSourceName, DeviceWork, readWork, REPO, RouterAccess, runningConfig, WorkSource, workBetween } from "./device";
import { HubObject, hubObjects, syntheticSpokes, withKeys } from "./hub";
import { ansibleCreateText, ansibleDestroyText, renderObject } from "./hub-lines";
import { ExportedDeployment, graphOfHub, graphOfState, NullGraph, NullNode } from "./null-graph";
import type { LabSpoke } from "./programs/spokes";
import { PulumiRun, PulumiStack } from "./pulumi";
import { Cost, RunResult, StepName, StepResult } from "./report";
import { canonicalJson } from "../provider/canonical-json";

export interface RunContext {
    /** Folder (0700) for this run's files. */
    dir: string;
    /** scripts/pulumi-cli.sh's folder. */
    pulumiBin: string;
    /** Time limit of one step. */
    limitMs: number;
    /** Progress lines. */
    say: (line: string) => void;
}

/** What a step's command did, judged against what it should have done. */
interface StepOutcome {
    seconds: number;
    /** Each run's time, when the step is repeated (seconds is then their median). */
    runs?: number[];
    failed?: string;
    outcome?: string;
}

type Step = { step: StepName; notApplicable: string } | { step: StepName; run: () => Promise<StepOutcome>; check?: () => Promise<string> };

/** The emulator rewrites its counters file at most 50 ms after a change. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

/** Runs the steps in order, measuring the routers' work around each command. */
async function runSteps(ctx: RunContext, devices: Record<string, WorkSource>, steps: Step[], checks: string[]): Promise<StepResult[]> {
    const results: StepResult[] = [];
    let broken: string | undefined;
    for (const s of steps) {
        if ("notApplicable" in s) {
            results.push({ step: s.step, notApplicable: s.notApplicable });
            continue;
        }
        if (broken) {
            results.push({ step: s.step, failed: `not run: ${broken}` });
            continue;
        }
        await settle(); // so that the work of a check just before is in the counters already
        const before: Record<string, DeviceWork> = {};
        for (const [label, src] of Object.entries(devices)) before[label] = readWork(src);
        const outcome = await s.run();
        await settle();
        const work: Record<string, DeviceWork> = {};
        for (const [label, src] of Object.entries(devices)) work[label] = workBetween(before[label], readWork(src));
        results.push({ step: s.step, seconds: outcome.seconds, runs: outcome.runs, failed: outcome.failed, outcome: outcome.outcome, work });
        ctx.say(`  ${s.step}: ${outcome.seconds.toFixed(1)} s${outcome.failed ? ` FAILED: ${outcome.failed}` : ""}`);
        if (outcome.failed) {
            broken = `${s.step} failed`;
            continue;
        }
        if (s.check) {
            try {
                checks.push(`after ${s.step}: ${await s.check()}`);
            } catch (e) {
                checks.push(`after ${s.step}: CHECK FAILED: ${(e as Error).message}`);
                broken = `the check after ${s.step} failed`;
            }
        }
    }
    return results;
}

function loadAverage(): number {
    return os.loadavg()[0];
}


/** How many times the no-op `up` runs, for this provider and the null provider; its time is their median. */
export const NO_OP_RUNS = 3;

/** Judges a Pulumi step by its exit status and the CLI's resource summary. */
function pulumiOutcome(run: PulumiRun, expect: Record<string, number>): StepOutcome {
    const outcome = Object.entries(run.summary)
        .map(([k, v]) => `${v} ${k}`)
        .join(", ");
    const lastError = run.output.split("\n").filter((l) => /error:/i.test(l)).slice(-1)[0]?.trim();
    if (run.stopped) {
        const done = (run.output.match(/ (created|updated|deleted|refreshed|read) \(/g) ?? []).length;
        return { seconds: run.seconds, failed: `stopped at the time limit, ${done} resources done by then`, outcome };
    }
    if (run.status !== 0) return { seconds: run.seconds, failed: `exit ${run.status}${lastError ? `: ${lastError.slice(0, 300)}` : ""}`, outcome };
    const wrong = Object.entries(expect).filter(([k, v]) => run.summary[k] !== v);
    if (wrong.length) return { seconds: run.seconds, failed: `expected ${wrong.map(([k, v]) => `${v} ${k}`).join(", ")}, the CLI says: ${outcome || "nothing"}`, outcome };
    return { seconds: run.seconds, outcome };
}

/** The Pulumi steps of a stack whose change step is made by `change()`. */
function pulumiSteps(
    ctx: RunContext,
    stack: PulumiStack,
    resources: number,
    change: () => Promise<void>,
    checks: Partial<Record<StepName, () => Promise<string>>>,
    /** Resources the change step updates: the changed one, and tunnel checks triggered by it. */
    changeUpdates = 1,
): Step[] {
    const log = (step: string) => path.join(ctx.dir, `${step.replace(/\W+/g, "-")}.log`);
    const limitMs = ctx.limitMs;
    // The CLI counts the stack itself as one more resource created and deleted.
    return [
        { step: "preview", run: async () => pulumiOutcome(await stack.step("preview", { limitMs, log: log("preview") }), { create: resources + 1 }), check: checks.preview },
        { step: "create", run: async () => pulumiOutcome(await stack.step("up", { limitMs, log: log("create") }), { created: resources + 1 }), check: checks.create },
        {
            step: "no-op up",
            run: async () => {
                // The shortest step, so the most at the mercy of the machine's load: the median of a few.
                const runs: StepOutcome[] = [];
                for (let i = 1; i <= NO_OP_RUNS; i++) {
                    runs.push(pulumiOutcome(await stack.step("up", { limitMs, log: log(`no-op-${i}`), expectNoChanges: true }), { unchanged: resources + 1 }));
                }
                const failed = runs.find((r) => r.failed);
                if (failed) return failed;
                const seconds = runs.map((r) => r.seconds).sort((a, b) => a - b)[Math.floor(NO_OP_RUNS / 2)];
                return { seconds, runs: runs.map((r) => r.seconds), outcome: runs[0].outcome };
            },
            check: checks["no-op up"],
        },
        {
            step: "change",
            run: async () => {
                await change();
                return pulumiOutcome(await stack.step("up", { limitMs, log: log("change") }), { updated: changeUpdates });
            },
            check: checks.change,
        },
        { step: "refresh", run: async () => pulumiOutcome(await stack.step("refresh", { limitMs, log: log("refresh") }), {}), check: checks.refresh },
        { step: "destroy", run: async () => pulumiOutcome(await stack.step("destroy", { limitMs, log: log("destroy") }), { deleted: resources + 1 }), check: checks.destroy },
    ];
}

// ---------------------------------------------------------------------------------------------
// Checks of a router's configuration

function refOf(o: HubObject): { name: string } | { number: number } {
    return o.kind === "TunnelInterface" ? { number: o.input.number } : { name: o.input.name };
}

/** Every object is on the router exactly as the provider renders it (and so as Ansible's file has it). */
export async function checkHub(access: RouterAccess, objects: HubObject[]): Promise<string> {
    const tree = parseConfigTree(await runningConfig(access, "hub"));
    const wrong: string[] = [];
    for (const o of objects) {
        const handler = iosObjects[o.kind];
        const found = handler.extract(tree, refOf(o));
        if (!found) wrong.push(`${handler.describe(refOf(o))} is missing`);
        else if (!handler.sameConfig(found, renderObject(o))) wrong.push(`${handler.describe(refOf(o))} differs from the intent`);
    }
    if (wrong.length) throw new Error(`${wrong.length} of ${objects.length} objects are wrong: ${wrong.slice(0, 5).join("; ")}`);
    return `the router holds all ${objects.length} objects as rendered`;
}

async function checkPristine(access: RouterAccess, label: string, pristine: string): Promise<string> {
    const now = await runningConfig(access, label);
    if (now !== pristine) throw new Error(`${label}'s running-config differs from before the run`);
    return `${label}'s running-config is as before the run`;
}

// ---------------------------------------------------------------------------------------------
// Hub of N tunnels on a router of the benchmark's own

export interface HubRunOptions {
    n: number;
    cost: "off" | "on";
}

const HUB = { hubWan: "198.51.100.1", tunnelSource: "GigabitEthernet1" };

/** The hub's resource count: 3N + 4. */
export function hubResourceCount(n: number): number {
    return hubObjects({ ...HUB, spokes: syntheticSpokes(n) }).length;
}

async function withRouter<T>(ctx: RunContext, cost: "off" | "on", fn: (router: BenchRouter) => Promise<T>): Promise<T> {
    const router = await BenchRouter.start(path.join(ctx.dir, "router"), "hub", cost === "on");
    try {
        return await fn(router);
    } finally {
        await router.stop();
    }
}

/** Whether this checkout's emulator has a cost model (it writes its counters file when it does). */
export async function emulatorHasCostModel(dir: string): Promise<boolean> {
    const router = await BenchRouter.start(dir, "probe", true);
    await router.stop();
    return router.costModel;
}

export async function hubWithProvider(ctx: RunContext, o: HubRunOptions): Promise<RunResult> {
    const spokes = syntheticSpokes(o.n);
    const objects = hubObjects({ ...HUB, spokes });
    const changed = hubObjects({ ...HUB, spokes, changed: true });
    return withRouter(ctx, o.cost, async (router) => {
        const load0 = loadAverage();
        const pristine = await runningConfig(router.access, "hub");
        const seed = randomBytes(24).toString("base64url");
        const stack = new PulumiStack(path.join(ctx.dir, "pulumi"), path.join(REPO, "dist", "bench", "programs", "hub.js"), ctx.pulumiBin);
        const a = router.access;
        await stack.init(
            { host: a.host, port: a.port, user: a.username, hostKey: a.hostKey, n: o.n, hubWan: HUB.hubWan, tunnelSource: HUB.tunnelSource, changed: false },
            { password: a.password, enableSecret: a.enableSecret, pskSeed: seed },
        );
        const checks: string[] = [];
        const steps = await runSteps(
            ctx,
            { hub: router },
            pulumiSteps(ctx, stack, objects.length, () => stack.setConfig({ changed: true }), {
                create: () => checkHub(a, withKeys(objects, seed)),
                change: () => checkHub(a, withKeys(changed, seed)),
                refresh: () => checkHub(a, withKeys(changed, seed)),
                destroy: () => checkPristine(a, "hub", pristine),
            }),
            checks,
        );
        return { scenario: `hub-${o.n}`, n: o.n, resources: objects.length, tool: "provider", cost: o.cost, counters: counterSourceName(router), steps, checks, load: [load0, loadAverage()] };
    });
}

const ANSIBLE_NO_REFRESH = "Ansible keeps no state to refresh; each play reads the running-config itself";

/** Judges a play by its exit status and the recap's `changed=`. */
function playOutcome(run: { seconds: number; status?: number; stopped: boolean; changed?: number; output: string }, changed: number): StepOutcome {
    if (run.stopped) return { seconds: run.seconds, failed: "stopped at the time limit" };
    const failedTask = /fatal: \[router\][^\n]*\n?[^\n]*/.exec(run.output)?.[0].replace(/\s+/g, " ").slice(0, 300);
    if (run.status !== 0) return { seconds: run.seconds, failed: `exit ${run.status}${failedTask ? `: ${failedTask}` : ""}` };
    if (run.changed !== changed) return { seconds: run.seconds, failed: `expected changed=${changed}, the recap says changed=${run.changed}`, outcome: `changed=${run.changed}` };
    return { seconds: run.seconds, outcome: `changed=${run.changed}` };
}

export async function hubWithAnsible(ctx: RunContext, o: HubRunOptions): Promise<RunResult> {
    const spokes = syntheticSpokes(o.n);
    const seed = randomBytes(24).toString("base64url");
    const objects = withKeys(hubObjects({ ...HUB, spokes }), seed);
    const changed = withKeys(hubObjects({ ...HUB, spokes, changed: true }), seed);
    return withRouter(ctx, o.cost, async (router) => {
        const load0 = loadAverage();
        const pristine = await runningConfig(router.access, "hub");
        const files = path.join(ctx.dir, "ansible-files");
        fs.mkdirSync(files, { mode: 0o700 });
        const file = (name: string, text: string) => {
            const f = path.join(files, name);
            fs.writeFileSync(f, text, { mode: 0o600 });
            return f;
        };
        const create = file("create.cfg", ansibleCreateText(objects));
        const change = file("change.cfg", ansibleCreateText(changed));
        const destroy = file("destroy.cfg", ansibleDestroyText(changed));
        const ansible = new AnsibleRouter(path.join(ctx.dir, "ansible"), router.access);
        const play = (src: string, step: string, check = false) => ansible.play(src, { check, limitMs: ctx.limitMs, log: path.join(ctx.dir, `${step}.log`) });
        const a = router.access;
        const checks: string[] = [];
        const steps = await runSteps(
            ctx,
            { hub: router },
            [
                { step: "preview", run: async () => playOutcome(await play(create, "preview", true), 1), check: () => checkPristine(a, "hub", pristine) },
                { step: "create", run: async () => playOutcome(await play(create, "create"), 1), check: () => checkHub(a, objects) },
                { step: "no-op up", run: async () => playOutcome(await play(create, "no-op"), 0) },
                { step: "change", run: async () => playOutcome(await play(change, "change"), 1), check: () => checkHub(a, changed) },
                { step: "refresh", notApplicable: ANSIBLE_NO_REFRESH },
                { step: "destroy", run: async () => playOutcome(await play(destroy, "destroy"), 1), check: () => checkPristine(a, "hub", pristine) },
            ],
            checks,
        );
        return { scenario: `hub-${o.n}`, n: o.n, resources: objects.length, tool: "ansible", cost: o.cost, counters: counterSourceName(router), steps, checks, load: [load0, loadAverage()] };
    });
}

/** The null stack of a resource graph (the change step switches to `changed`, which differs in one resource). */
export async function nullStack(ctx: RunContext, scenario: string, graph: NullGraph, changed: NullGraph, n?: number): Promise<RunResult> {
    const load0 = loadAverage();
    const graphFile = path.join(ctx.dir, "graph.json");
    const changedFile = path.join(ctx.dir, "graph-changed.json");
    fs.writeFileSync(graphFile, JSON.stringify(graph));
    fs.writeFileSync(changedFile, JSON.stringify(changed));
    const stack = new PulumiStack(path.join(ctx.dir, "pulumi"), path.join(REPO, "dist", "bench", "programs", "null.js"), ctx.pulumiBin);
    await stack.init({ graph: graphFile }, {});
    const checks: string[] = [];
    // What the null provider's diff compares, by name: a state export may list resources, keys and dependencies in another order after a change.
    const properties = (node: NullNode) => canonicalJson({ inputs: node.inputs, wire: node.wire });
    const changedByName = new Map(changed.nodes.map((node) => [node.name, properties(node)]));
    const updates = graph.nodes.filter((node) => properties(node) !== changedByName.get(node.name)).length;
    const steps = await runSteps(ctx, {}, pulumiSteps(ctx, stack, graph.nodes.length, () => stack.setConfig({ graph: changedFile }), {}, updates), checks);
    return { scenario, n, resources: graph.nodes.length, tool: "null", cost: "n/a", steps, checks, load: [load0, loadAverage()] };
}

/** The connection settings of the hub program's device (programs/hub.ts, credentials apart), as the null resources carry them. */
const NULL_HUB_CONNECTION = { host: "127.0.0.1", port: 40022, username: "admin", hostKey: `SHA256:${"A".repeat(43)}`, commandTimeoutMs: 600000 };

export function hubNull(ctx: RunContext, n: number): Promise<RunResult> {
    const spokes = syntheticSpokes(n);
    const graph = (changed: boolean) => graphOfHub(hubObjects({ ...HUB, spokes, changed }), NULL_HUB_CONNECTION);
    return nullStack(ctx, `hub-${n}`, graph(false), graph(true), n);
}

// ---------------------------------------------------------------------------------------------
// The story (examples/story) on the lab

interface LabIos {
    access: RouterAccess;
    work: WorkSource;
    costModel: boolean;
}

/** An IOS site of the lab (LAB_DIR/lab.json): how to log in and where its counters are. */
export function labIos(labDir: string, site: string): LabIos {
    const lab = JSON.parse(fs.readFileSync(path.join(labDir, "lab.json"), "utf8"));
    const h = lab.hosts[site];
    if (!h || h.kind !== "ios") throw new Error(`the lab at ${labDir} has no IOS site ${site}`);
    const read = (f: string) => fs.readFileSync(f, "utf8").trim();
    const siteDir = path.dirname(h.emulatorConfig);
    const work = { statsFile: path.join(h.stateDir, "emulator-stats.json"), logFile: path.join(siteDir, "emulator.out") };
    const emulatorConfig = JSON.parse(fs.readFileSync(h.emulatorConfig, "utf8"));
    return {
        access: {
            host: h.ssh.host,
            port: h.ssh.port,
            username: h.ssh.username,
            password: read(h.ssh.passwordFile),
            enableSecret: read(h.ssh.enableSecretFile),
            hostKey: h.ssh.hostKey,
            hostPublicKey: read(h.ssh.hostPublicKeyFile).split(/\s+/).slice(0, 2).join(" "),
        },
        work,
        costModel: Boolean(emulatorConfig.costModel) && fs.existsSync(work.statsFile),
    };
}

/**
 * After a run on the lab that did not get to a successful destroy, destroys what the stack still
 * has (not measured), so that the next scenario finds the lab's routers as they were.
 */
async function cleanUpLab(ctx: RunContext, stack: PulumiStack, steps: StepResult[], checks: string[]): Promise<void> {
    const destroy = steps.find((s) => s.step === "destroy");
    if (destroy && destroy.seconds !== undefined && !destroy.failed) return;
    const run = await stack.step("destroy", { limitMs: ctx.limitMs, log: path.join(ctx.dir, "cleanup-destroy.log") });
    checks.push(`cleanup after the failed run: pulumi destroy ${run.status === 0 ? "succeeded" : `failed (see ${ctx.dir}/cleanup-destroy.log)`}`);
}

/** The story stack's resources besides the stack: its dynamic resources, two IosRouters and two SiteToSiteTunnels (COUNT - 1 in tests/e2e/story.test.ts). */
export const STORY_RESOURCE_COUNT = 29;
/** What the story's one-property change (the VPS tunnel's DPD interval) updates: the profile, the connection, the tunnel's cross-end check and its two proofs. */
export const STORY_CHANGE_UPDATES = 5;

/** The story with this provider; also returns its resource graph (from the state after create) for the null stack. */
export async function storyWithProvider(ctx: RunContext, labDir: string): Promise<{ run: RunResult; graph?: NullGraph; changed?: NullGraph }> {
    const load0 = loadAverage();
    const home = labIos(labDir, "home");
    const parents = labIos(labDir, "parents");
    const pristine = { home: await runningConfig(home.access, "home"), parents: await runningConfig(parents.access, "parents") };
    const stack = new PulumiStack(path.join(ctx.dir, "pulumi"), path.join(REPO, "examples", "story"), ctx.pulumiBin);
    await stack.init({}, {});
    await stack.script(path.join(REPO, "scripts", "lab-stack.sh"), { LAB_DIR: labDir });
    let graph: NullGraph | undefined;
    let changed: NullGraph | undefined;
    const checks: string[] = [];
    const proven = async () => {
        const up = (await stack.cli(["stack", "output", "tunnelsUp", "--json"])).trim();
        if (JSON.stringify(JSON.parse(up)) !== "[true,true]") throw new Error(`tunnelsUp is ${up}`);
        return "both tunnels proven from both ends (tunnelsUp = [true, true])";
    };
    const steps = await runSteps(
        ctx,
        { home: home.work, parents: parents.work },
        pulumiSteps(
            ctx,
            stack,
            STORY_RESOURCE_COUNT,
            () => stack.setConfig({ vpsDpdDelay: 20 }),
            {
                create: async () => {
                    graph = graphOfState((await stack.exportState()) as ExportedDeployment);
                    return proven();
                },
                change: async () => {
                    changed = graphOfState((await stack.exportState()) as ExportedDeployment);
                    return proven();
                },
                destroy: async () => `${await checkPristine(home.access, "home", pristine.home)}; ${await checkPristine(parents.access, "parents", pristine.parents)}`,
            },
            STORY_CHANGE_UPDATES,
        ),
        checks,
    );
    await cleanUpLab(ctx, stack, steps, checks);
    const cost: Cost = home.costModel ? "on" : "off";
    const run: RunResult = { scenario: "story", resources: STORY_RESOURCE_COUNT, tool: "provider", cost, counters: counterSourceName(home.work), steps, checks, load: [load0, loadAverage()] };
    if (!graph || !changed) return { run };
    return { run, graph, changed };
}

export const STORY_WITHOUT_ANSIBLE =
    "the story also configures a strongSwan host and proves its tunnels, which ios_config does not do; Ansible is compared on the hubs";

// ---------------------------------------------------------------------------------------------
// The lab's home router as the hub of K real strongSwan spokes (lab.sh up --spokes K)

/** The lab's spokes (`spoke1` ...), as lab.json lists them; empty when the lab has none. */
export function labSpokes(labDir: string): LabSpoke[] {
    const lab = JSON.parse(fs.readFileSync(path.join(labDir, "lab.json"), "utf8"));
    const names: string[] = Array.isArray(lab.spokes) ? lab.spokes : [];
    return names.map((name) => {
        const h = lab.hosts[name];
        return { name, host: h.ssh.host, port: h.ssh.port, user: h.ssh.username, hostKey: h.ssh.hostKey, wan: h.wan, lan: h.lan, lanAddress: h.lanAddress };
    });
}

/** The hub with K spokes, with this provider; also returns its resource graph for the null stack. */
export async function spokesWithProvider(ctx: RunContext, labDir: string, k: number): Promise<{ run: RunResult; graph?: NullGraph; changed?: NullGraph }> {
    const load0 = loadAverage();
    const lab = JSON.parse(fs.readFileSync(path.join(labDir, "lab.json"), "utf8"));
    const spokes = labSpokes(labDir).slice(0, k);
    if (spokes.length < k) throw new Error(`the lab has ${spokes.length} spokes, not ${k}`);
    const home = labIos(labDir, "home");
    const pristine = await runningConfig(home.access, "home");
    const stack = new PulumiStack(path.join(ctx.dir, "pulumi"), path.join(REPO, "dist", "bench", "programs", "spokes.js"), ctx.pulumiBin);
    const h = home.access;
    const privateKey = fs.readFileSync(lab.hosts[spokes[0].name].ssh.privateKeyFile, "utf8");
    await stack.init(
        {
            homeHost: h.host,
            homePort: h.port,
            homeUser: h.username,
            homeHostKey: h.hostKey,
            homeWan: lab.hosts.home.wan,
            homeLan: lab.hosts.home.lan,
            homeLanAddress: lab.hosts.home.lanAddress,
            spokes: JSON.stringify(spokes),
            changed: false,
        },
        { homePassword: h.password, homeEnableSecret: h.enableSecret, spokePrivateKey: privateKey, pskSeed: randomBytes(24).toString("base64url") },
    );
    const resources = 5 * k + 4;
    let graph: NullGraph | undefined;
    const checks: string[] = [];
    const steps = await runSteps(
        ctx,
        { home: home.work },
        pulumiSteps(
            ctx,
            stack,
            resources,
            () => stack.setConfig({ changed: true }),
            {
                create: async () => {
                    graph = graphOfState((await stack.exportState()) as ExportedDeployment);
                    const up: boolean[] = JSON.parse(await stack.cli(["stack", "output", "tunnelsUp", "--json"]));
                    if (up.length !== k || !up.every(Boolean)) throw new Error(`tunnelsUp is ${JSON.stringify(up)}`);
                    return `all ${k} StrongSwanTunnelChecks proved their tunnel to the hub`;
                },
                destroy: () => checkPristine(home.access, "home", pristine),
            },
            2,
        ),
        checks,
    );
    await cleanUpLab(ctx, stack, steps, checks);
    const run: RunResult = {
        scenario: `spokes-${k}`,
        n: k,
        resources,
        tool: "provider",
        cost: home.costModel ? "on" : "off",
        counters: counterSourceName(home.work),
        steps,
        checks,
        load: [load0, loadAverage()],
    };
    if (!graph) return { run };
    const changed: NullGraph = {
        nodes: graph.nodes.map((n) =>
            n.name === `${spokes[0].name}-tunnel` || n.name === `${spokes[0].name}-proves-hub` ? { ...n, inputs: { ...n.inputs, changed: true } } : n,
        ),
    };
    return { run, graph, changed };
}
