/**
 * The fault campaign (issue 9, item 2): for every IOS resource kind and for create, update and
 * delete, the connection is dropped after line N for every N the operation sends, and IOS refuses
 * line N for every configuration line N. Each time the object must end exactly as before or exactly
 * as intended (read from the device, not from the provider), a failure must name the command and
 * say which of the two, and the following apply must converge. The counts are printed at the end.
 *
 * The emulator runs in-process: `dropAfterLines` drops a connection when line N+1 arrives (before
 * it runs), and the test clears the fault at that moment, so that the provider's restore over a new
 * connection meets a working network (one fault per case). A refusal is IOS's `% Invalid input`
 * for exactly the N-th configuration line.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ApplyError } from "../../provider/drivers/driver";
import { handlersFor } from "../../provider/dynamic/handlers";
import { registry } from "../../provider/dynamic/registry";
import { inputsFromModel } from "../../provider/dynamic/wire";
import { z } from "zod";
import { parseConfigTree, renderConfigTree } from "../../provider/ios/config-tree";
import { iosObjects } from "../../provider/ios/objects";
import { IosKind, IosModels, iosSchemas } from "../../provider/schema/ios";
import { SshPool } from "../../provider/ssh/pool";
import { storyInputs } from "../fixtures/ios/story-hub";
import { Shell } from "../emulator/helpers";
import { EmulatedRouter, PASSWORD, startRouter } from "../helpers/ios-lab";

type Props = Record<string, unknown>;

/** For each kind: the object as created, and an update that adds, changes and removes lines. */
const CHANGES: { [K in IosKind]: { created: Props; updated: Props } } = {
    IkeV2Proposal: {
        created: storyInputs.IkeV2Proposal[0],
        updated: { name: "PROP-AES256", encryption: ["aes-cbc-128", "aes-cbc-256"], integrity: ["sha384"], groups: [19, 14] },
    },
    IkeV2Policy: {
        created: storyInputs.IkeV2Policy[0],
        updated: { name: "POL-1", proposals: ["PROP-AES256", "PROP-OTHER"], matchAddressLocal: "198.51.100.1" },
    },
    IkeV2Keyring: {
        created: storyInputs.IkeV2Keyring[0],
        updated: {
            name: "KR",
            peers: [
                { name: "vps", address: "203.0.113.7", preSharedKey: "vps-Key-2025!y" },
                { name: "branch", address: "203.0.113.9", localPreSharedKey: "branch-Local-1", remotePreSharedKey: "branch-Remote-2" },
            ],
        },
    },
    IkeV2KeyringPeer: {
        created: storyInputs.IkeV2KeyringPeer[0],
        updated: { keyring: "KR-HUB", name: "branch", description: "branch office, new line", address: "203.0.113.10", preSharedKey: "branch-Key#10" },
    },
    IkeV2Profile: {
        created: storyInputs.IkeV2Profile[0],
        updated: {
            name: "PROF-VPS",
            matchIdentityRemote: [{ address: "203.0.113.8" }],
            identityLocal: { address: "198.51.100.2" },
            keyring: "KR",
            lifetime: 3600,
            dpd: { interval: 30, retry: 5, mode: "periodic" },
        },
    },
    IpsecTransformSet: {
        created: storyInputs.IpsecTransformSet[0],
        updated: { name: "TS-AES256", encryption: "esp-aes-192", integrity: "esp-sha512-hmac", mode: "transport" },
    },
    IpsecProfile: {
        created: storyInputs.IpsecProfile[0],
        updated: { name: "IPSEC-VPS", transformSets: ["TS-AES256", "TS-OTHER"], ikev2Profile: "PROF-OTHER", pfsGroup: 19, lifetimeSeconds: 1800 },
    },
    TunnelInterface: {
        created: storyInputs.TunnelInterface[0],
        updated: {
            number: 1,
            description: "to the new VPS",
            ipAddress: { address: "172.16.0.9", mask: "255.255.255.252" },
            tunnelSource: "GigabitEthernet1",
            tunnelDestination: "203.0.113.8",
            protectionProfile: "IPSEC-VPS",
            tcpAdjustMss: 1300,
            routes: [{ destination: "10.2.1.0/24" }, { destination: "10.2.2.0/24", distance: 10 }],
        },
    },
};

/** The schema table seen per kind, so that a generic kind knows its model type (as the registry does). */
const schemas: { [K in IosKind]: z.ZodType<IosModels[K]> } = iosSchemas;

type Operation = "create" | "update" | "delete";

/** How a faulted run ended: with its error, or without one. */
interface Outcome {
    error?: unknown;
}

/** Matches exactly the n-th configuration line the emulator checks (0-based), and remembers it. */
class NthConfigLine extends RegExp {
    private seen = 0;
    refused?: string;

    constructor(private readonly n: number) {
        super("(?!)");
    }

    override test(line: string): boolean {
        const hit = this.seen++ === this.n;
        if (hit) this.refused = line;
        return hit;
    }
}

/**
 * The two kinds of router the provider meets: one without the safety net, where the provider's own
 * restore does all the work, and one with a configuration archive and exclusive mode, where every
 * session runs under a revert timer and the lock (a lost session is reverted through the router).
 */
const ROUTERS = [
    { name: "a router without archive or exclusive mode", config: "", safetyNet: false },
    { name: "a router with the safety net (archive, exclusive mode)", config: "archive\n path flash:pulumi-$h\n maximum 2\n!\nconfiguration mode exclusive manual\n", safetyNet: true },
];
const WATCHER = { username: "watcher", password: "Watcher-Pw-9", privilege: 15 as const };

for (const kindOfRouter of ROUTERS) describe(`fault campaign on ${kindOfRouter.name}: a dropped connection after every line and a refusal of every line, for every IOS kind`, function () {
    this.timeout(30 * 60 * 1000);
    const counts = { drops: 0, refusals: 0, endedAsBefore: 0, endedAsIntended: 0 };
    const perOperation: string[] = [];
    let router: EmulatedRouter;
    /** Lines the emulator received, with their connection and prompt: `[3] admin@home(config)# exit`. */
    const log: string[] = [];
    /** Called by the emulator's log when it drops a connection (fault injection). */
    let onDrop: (() => void) | undefined;
    let journalDir: string;

    before(async () => {
        journalDir = fs.mkdtempSync(path.join(os.tmpdir(), "ikev2-journal-"));
        process.env.PULUMI_IKEV2_JOURNAL_DIR = journalDir;
        router = await startRouter({
            // A revert timer of the provider's default 5 minutes would take 30 s here; none may be left pending anyway.
            timerScale: 0.1,
            users: [{ username: "admin", password: PASSWORD, privilege: 1 }, WATCHER],
            log: (line) => {
                log.push(line);
                if (/dropping the connection after \d+ lines/.test(line)) onDrop?.();
            },
        });
        if (kindOfRouter.config) router.emulator.loadRunningConfig(kindOfRouter.config);
    });
    after(async () => {
        await SshPool.shared.closeAll();
        await router.emulator.close();
        delete process.env.PULUMI_IKEV2_JOURNAL_DIR;
        fs.rmSync(journalDir, { recursive: true, force: true });
        console.log(
            `      fault campaign on ${kindOfRouter.name}: ${counts.drops} dropped connections + ${counts.refusals} refused lines = ${counts.drops + counts.refusals} faults; ` +
                `the object ended as before ${counts.endedAsBefore} times and as intended ${counts.endedAsIntended} times\n` +
                perOperation.map((l) => `        ${l}`).join("\n"),
        );
    });

    const inputs = (kind: IosKind, props: Props): Props => ({
        connection: router.connection,
        credentials: router.credentials,
        ...inputsFromModel(registry[kind].secrets, structuredClone(props)),
    });

    /** The provider never leaves a revert timer pending or the lock held once it has answered. */
    async function noTimerNorLock(what: string): Promise<void> {
        const sh = await Shell.open(router.emulator.port, WATCHER.username, WATCHER.password);
        try {
            await sh.cmd("terminal length 0");
            assert.match(await sh.out("show archive config rollback timer"), /No Rollback Confirmed Change pending/, `${what}: a revert timer is left pending`);
            assert.match(await sh.out("show configuration lock"), /State\s+: FREE/, `${what}: the configuration lock is still held`);
        } finally {
            sh.close();
        }
    }

    /** True when the device holds the object exactly as `props` declare it (absent for undefined), read from its running-config. */
    function deviceHolds<K extends IosKind>(kind: K, props: Props | undefined): boolean {
        const handler = iosObjects[kind];
        const nodes = handler.extract(parseConfigTree(router.emulator.runningConfig()), schemas[kind].parse(CHANGES[kind].created));
        if (!props) return nodes === undefined;
        return nodes !== undefined && handler.sameConfig(nodes, handler.render(schemas[kind].parse(props)));
    }

    /** The object's lines on the device, for assertion messages. */
    function shown(kind: IosKind): string {
        const nodes = iosObjects[kind].extract(parseConfigTree(router.emulator.runningConfig()), schemas[kind].parse(CHANGES[kind].created));
        return nodes ? renderConfigTree(nodes).join("\n") : "(absent)";
    }

    for (const kind of Object.keys(CHANGES) as IosKind[]) {
        for (const op of ["create", "update", "delete"] as Operation[]) {
            it(`${kind} ${op}`, async () => {
                const { created, updated } = CHANGES[kind];
                const h = handlersFor(kind);
                const pristine = router.emulator.runningConfig();
                // The state before the operation, and what the engine holds for it.
                let outs: Props = {};
                let id = "";
                if (op !== "create") {
                    const r = await h.create(inputs(kind, created));
                    outs = r.outs;
                    id = r.id;
                }
                const start = router.emulator.runningConfig();
                const pre = op === "create" ? undefined : created;
                const post = op === "delete" ? undefined : op === "create" ? created : updated;
                const run = () =>
                    op === "create" ? h.create(inputs(kind, created)) : op === "update" ? h.update(id, outs, inputs(kind, updated)) : h.delete(id, outs);
                /** The apply that must converge after a fault: the same intent again (an update once the object is recorded). */
                const converge = (succeeded: boolean) =>
                    op === "create" && succeeded ? h.update("", {}, inputs(kind, created)) : run();
                const reset = async () => {
                    await SshPool.shared.closeAll();
                    router.emulator.setFaults({ dropAfterLines: undefined, rejectCommands: [] });
                    router.emulator.loadRunningConfig(start);
                };

                /** Checks one faulted run and the apply after it; returns whether the run failed. */
                const judge = async (what: string, outcome: Outcome) => {
                    if (outcome.error === undefined) {
                        assert.ok(deviceHolds(kind, post), `${what}: succeeded, but the object is not as intended:\n${shown(kind)}`);
                        counts.endedAsIntended++;
                    } else {
                        const e = outcome.error;
                        assert.ok(e instanceof ApplyError, `${what}: not an ApplyError: ${(e as Error).stack}`);
                        assert.ok(["unchanged", "restored", "removed"].includes(e.rollback.status), `${what}: ${e.rollback.status}: ${e.message}`);
                        assert.ok(deviceHolds(kind, pre), `${what}: failed, but the object is not as before: ${e.message}\n${shown(kind)}`);
                        assert.match(e.message, /(while running|refused command \d+ of \d+,) `?\S/, `${what}: the error names no command: ${e.message}`);
                        assert.match(e.message, /Nothing was changed|previous configuration was restored|partial configuration was removed; the device is as before|The router reverted the session to the configuration it archived when the session began/, `${what}: ${e.message}`);
                        counts.endedAsBefore++;
                    }
                    router.emulator.setFaults({ dropAfterLines: undefined, rejectCommands: [] });
                    if (kindOfRouter.safetyNet) await noTimerNorLock(what);
                    await converge(outcome.error === undefined);
                    assert.ok(deviceHolds(kind, post), `${what}: the apply after the fault did not converge:\n${shown(kind)}`);
                };

                // Every N from 0 (the first line of the login) until the operation runs without a drop.
                let drops = 0;
                for (let n = 0; ; n++) {
                    await reset();
                    let dropped = false;
                    onDrop = () => {
                        dropped = true;
                        router.emulator.setFaults({ dropAfterLines: undefined });
                    };
                    router.emulator.setFaults({ dropAfterLines: n });
                    const outcome: Outcome = await run().then(() => ({}), (error: unknown) => ({ error }));
                    onDrop = undefined;
                    if (!dropped) {
                        assert.strictEqual(outcome.error, undefined, `without a fault the ${op} failed`);
                        break;
                    }
                    drops++;
                    await judge(`drop after line ${n}`, outcome);
                }

                // The configuration lines the operation sends, from a run without faults.
                await reset();
                const from = log.length;
                await run();
                if (kindOfRouter.safetyNet) {
                    const sent = log.slice(from).join("\n");
                    for (const line of ["configure terminal revert timer 5", "configure terminal lock", "configure confirm"]) {
                        assert.ok(sent.includes(`# ${line}`), `the ${op} did not use the safety net: '${line}' is missing`);
                    }
                }
                const configLines = log
                    .slice(from)
                    .map((l) => /^\[\d+\] \S+?\([^)]+\)# (.*)$/.exec(l)?.[1])
                    .filter((l): l is string => l !== undefined);
                let refusals = 0;
                for (let n = 0; n < configLines.length; n++) {
                    // IOS refuses configuration lines; it never refuses leaving a mode or an EXEC read through `do`.
                    if (/^(exit|end|do .*)$/.test(configLines[n].trim())) continue;
                    await reset();
                    const matcher = new NthConfigLine(n);
                    router.emulator.setFaults({ rejectCommands: [matcher] });
                    const outcome: Outcome = await run().then(() => ({}), (error: unknown) => ({ error }));
                    assert.ok(matcher.refused !== undefined, `line ${n} was never sent`);
                    assert.ok(outcome.error !== undefined, `IOS refused ${matcher.refused}, but the ${op} succeeded`);
                    refusals++;
                    await judge(`refusal of line ${n} (${matcher.refused})`, outcome);
                }

                counts.drops += drops;
                counts.refusals += refusals;
                perOperation.push(`${kind} ${op}: ${drops} drops, ${refusals} refusals`);
                await reset();
                router.emulator.loadRunningConfig(pristine);
            });
        }
    }
});
