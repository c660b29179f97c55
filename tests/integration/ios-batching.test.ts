/**
 * Device work grows with the deployment's dependency waves, not with its objects (issue 11, item 2).
 * A hub of N tunnels is deployed, refreshed and destroyed as the Pulumi engine runs it: every object
 * of a wave at once (they do not depend on each other), the next wave once the previous one is done.
 * The emulator's counters (emu.stats(): SSH logins, CLI shells, whole-configuration generations,
 * saves) must be the same for N = 2 and N = 8: one login and one shell per deployment and device,
 * per wave one configuration session (a revert-timer archive, a read before, a read-back, a save),
 * and one read for a whole refresh. Counters only: nothing here measures time.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ApplyError } from "../../provider/drivers/driver";
import { handlersFor } from "../../provider/dynamic/handlers";
import { ResourceKind } from "../../provider/dynamic/registry";
import { SshPool } from "../../provider/ssh/pool";
import { EmulatedRouter, routerWork, startRouter } from "../helpers/ios-lab";

type Props = Record<string, unknown>;

const ARCHIVE = "archive\n path flash:pulumi-$h\n maximum 3\n!\nconfiguration mode exclusive manual\n";

/** A hub of n tunnels, in the dependency waves the engine sees (each wave depends on the one before). */
function hubWaves(n: number): [ResourceKind, Props][][] {
    const spokes = Array.from({ length: n }, (_, i) => i + 1);
    return [
        [
            ["IkeV2Proposal", { name: "PROP", encryption: ["aes-cbc-256"], integrity: ["sha256"], groups: [14] }],
            [
                "IkeV2Keyring",
                { name: "KR", peers: spokes.map((i) => ({ name: `spoke${i}`, address: `192.0.2.${i}`, preSharedKey: `Spoke-Key-${i}!` })) },
            ],
            ["IpsecTransformSet", { name: "TS", encryption: "esp-aes-256", integrity: "esp-sha256-hmac" }],
        ],
        [
            ["IkeV2Policy", { name: "POL", proposals: ["PROP"] }],
            ...spokes.map((i): [ResourceKind, Props] => [
                "IkeV2Profile",
                { name: `PROF-${i}`, matchIdentityRemote: [{ address: `192.0.2.${i}` }], identityLocal: { address: "198.51.100.1" }, keyring: "KR" },
            ]),
        ],
        spokes.map((i): [ResourceKind, Props] => ["IpsecProfile", { name: `IPSEC-${i}`, transformSets: ["TS"], ikev2Profile: `PROF-${i}` }]),
        spokes.map((i): [ResourceKind, Props] => [
            "TunnelInterface",
            {
                number: i,
                ipAddress: { address: `172.16.${i}.1`, mask: "255.255.255.252" },
                tunnelSource: "GigabitEthernet1",
                tunnelDestination: `192.0.2.${i}`,
                protectionProfile: `IPSEC-${i}`,
                routes: [{ destination: `10.${i}.0.0/24` }],
            },
        ]),
    ];
}

interface Deployed {
    kind: ResourceKind;
    id: string;
    outs: Props;
}

describe("device work grows with dependency waves, not with objects (emulator counters)", function () {
    this.timeout(180000);
    let router: EmulatedRouter;
    let journalDir: string;

    beforeEach(() => {
        journalDir = fs.mkdtempSync(path.join(os.tmpdir(), "ikev2-journal-"));
        process.env.PULUMI_IKEV2_JOURNAL_DIR = journalDir;
    });
    afterEach(async () => {
        await SshPool.shared.closeAll();
        await router?.emulator.close();
        delete process.env.PULUMI_IKEV2_JOURNAL_DIR;
        fs.rmSync(journalDir, { recursive: true, force: true });
    });

    const inputs = (props: Props): Props => ({ connection: router.connection, credentials: router.credentials, ...props });

    /** Creates each wave's objects at once, as the engine does, wave after wave. */
    async function deploy(waves: [ResourceKind, Props][][]): Promise<Deployed[][]> {
        const deployed: Deployed[][] = [];
        for (const wave of waves) {
            const created = await Promise.all(
                wave.map(async ([kind, props]) => {
                    const h = handlersFor(kind);
                    const checked = await h.check({}, inputs(props));
                    assert.deepStrictEqual(checked.failures, [], `${kind} check failures`);
                    const result = await h.create(checked.inputs);
                    return { kind, id: result.id, outs: result.outs as Props };
                }),
            );
            deployed.push(created);
        }
        return deployed;
    }

    async function measured<T>(work: () => Promise<T>): Promise<{ value: T; work: ReturnType<typeof routerWork> }> {
        const before = router.emulator.stats();
        const value = await work();
        // Saves and their counters are done before the promises resolve.
        return { value, work: routerWork(router.emulator.stats(), before) };
    }

    /** Deploys, refreshes, changes one property in every object of the last wave, and destroys a hub of n tunnels. */
    async function lifecycle(n: number) {
        router = await startRouter();
        router.emulator.loadRunningConfig(ARCHIVE);
        const waves = hubWaves(n);
        const create = await measured(() => deploy(waves));
        const deployed = create.value.flat();
        assert.strictEqual(deployed.length, waves.flat().length);
        const refresh = await measured(() => Promise.all(deployed.map((d) => handlersFor(d.kind).read(d.id, d.outs))));
        for (const [i, r] of refresh.value.entries()) assert.ok(r.props, `${deployed[i].kind} ${deployed[i].id} is missing after the deployment`);
        const tunnels = create.value[3];
        const change = await measured(() =>
            Promise.all(tunnels.map((t, i) => handlersFor("TunnelInterface").update(t.id, t.outs, inputs({ ...waves[3][i][1], ipMtu: 1400 })))),
        );
        const destroy = await measured(async () => {
            for (const wave of [...create.value].reverse()) await Promise.all(wave.map((d) => handlersFor(d.kind).delete(d.id, d.outs)));
        });
        assert.doesNotMatch(router.emulator.runningConfig(), /crypto ikev2|interface Tunnel/, "the hub is gone after destroy");
        return { create: create.work, refresh: refresh.work, change: change.work, destroy: destroy.work, objects: deployed.length };
    }

    it("the same logins, shells, whole-configuration reads and saves for a hub of 2 tunnels and one of 8", async () => {
        const small = await lifecycle(2);
        await SshPool.shared.closeAll();
        await router.emulator.close();
        const large = await lifecycle(8);
        assert.ok(large.objects > 2 * small.objects, `${large.objects} objects against ${small.objects}`);
        const waves = 4;
        // Per wave: the revert timer's archive copy, the read before the lines, the read-back, the save.
        const perWave = { wholeConfigGenerations: 4, saves: 1 };
        for (const hub of [small, large]) {
            assert.deepStrictEqual(hub.create, { logins: 1, shellSessions: 1, wholeConfigGenerations: waves * perWave.wholeConfigGenerations, saves: waves }, `create of ${hub.objects} objects`);
            assert.deepStrictEqual(hub.refresh, { logins: 0, shellSessions: 0, wholeConfigGenerations: 1, saves: 0 }, `refresh of ${hub.objects} objects`);
            assert.deepStrictEqual(hub.change, { logins: 0, shellSessions: 0, wholeConfigGenerations: perWave.wholeConfigGenerations, saves: 1 }, "one property of every tunnel");
            assert.deepStrictEqual(hub.destroy, { logins: 0, shellSessions: 0, wholeConfigGenerations: waves * perWave.wholeConfigGenerations, saves: waves }, `destroy of ${hub.objects} objects`);
        }
    });

    it("in a batch, a refused object is restored alone: the others of its wave are applied, and the session is confirmed", async () => {
        router = await startRouter();
        router.emulator.loadRunningConfig(ARCHIVE);
        const [first] = hubWaves(3);
        router.emulator.setFaults({ rejectCommands: [/^peer spoke2/] });
        const before = router.emulator.stats();
        const results = await Promise.allSettled(
            first.map(async ([kind, props]) => {
                const h = handlersFor(kind);
                const checked = await h.check({}, inputs(props));
                return h.create(checked.inputs);
            }),
        );
        const work = routerWork(router.emulator.stats(), before);
        assert.deepStrictEqual(
            results.map((r) => r.status),
            ["fulfilled", "rejected", "fulfilled"],
        );
        const refused = results[1];
        assert.ok(refused.status === "rejected" && refused.reason instanceof ApplyError, String(refused.status === "rejected" && refused.reason));
        assert.strictEqual(refused.reason.rollback.status, "removed");
        assert.match(refused.reason.message, /IOS refused command \d+ of \d+, `peer spoke2`/);
        const config = router.emulator.runningConfig();
        assert.match(config, /crypto ikev2 proposal PROP/);
        assert.match(config, /crypto ipsec transform-set TS/);
        assert.doesNotMatch(config, /crypto ikev2 keyring KR/);
        // One session for the three objects: archive, read, read-back, the restore's read, save.
        assert.deepStrictEqual(work, { logins: 1, shellSessions: 1, wholeConfigGenerations: 5, saves: 1 });
    });
});
