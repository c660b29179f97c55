/**
 * The IOS dynamic providers end to end over SSH against the emulator: check, create, read, diff,
 * update, delete of every resource; rollback after a refused command and after a dropped
 * connection; parallel resources on one device; drift; secrets never in errors.
 */
import * as assert from "assert";
import { ApplyError } from "../../provider/drivers/driver";
import { handlersFor } from "../../provider/dynamic/handlers";
import { registry, ResourceKind } from "../../provider/dynamic/registry";
import { inputsFromModel } from "../../provider/dynamic/wire";
import { IOS_KINDS, storyInputs } from "../fixtures/ios/story-hub";
import { SshPool } from "../../provider/ssh/pool";
import { EmulatedRouter, startRouter } from "../helpers/ios-lab";

type Props = Record<string, unknown>;

/** The story's hub objects (tests/fixtures/ios/story-hub.ts), first of each kind, as transport inputs. */
function storyObjects(): Array<[ResourceKind, Props]> {
    return IOS_KINDS.map((kind) => [kind, inputsFromModel(registry[kind].secrets, structuredClone(storyInputs[kind][0]) as Props)]);
}

const keyringPeers = storyInputs.IkeV2Keyring[0].peers;
const VPS_PSK = keyringPeers[0].preSharedKey;
const PARENTS_PSK = keyringPeers[1].preSharedKey;

describe("IOS resources over SSH against the emulator", function () {
    this.timeout(60000);
    let router: EmulatedRouter;

    const inputs = (props: Props): Props => ({ connection: router.connection, credentials: router.credentials, ...props });

    async function create(kind: ResourceKind, props: Props) {
        const h = handlersFor(kind);
        const checked = await h.check({}, inputs(props));
        assert.deepStrictEqual(checked.failures, [], `${kind} check failures`);
        return h.create(checked.inputs);
    }

    beforeEach(async () => {
        router = await startRouter();
    });
    afterEach(async () => {
        await SshPool.shared.closeAll();
        await router.emulator.close();
    });

    it("creates the story's objects in order, reads them back unchanged and deletes them in reverse", async () => {
        const pristine = router.emulator.runningConfig();
        const created: Array<[ResourceKind, Props, string]> = [];
        for (const [kind, props] of storyObjects()) {
            const result = await create(kind, props);
            created.push([kind, result.outs, result.id]);
        }
        const config = router.emulator.runningConfig();
        for (const line of [
            "crypto ikev2 proposal PROP-AES256",
            " encryption aes-cbc-256",
            "crypto ikev2 keyring KR",
            " peer vps",
            "  address 203.0.113.7",
            `  pre-shared-key ${VPS_PSK}`,
            " keyring local KR",
            "crypto ipsec transform-set TS-AES256 esp-aes 256 esp-sha256-hmac",
            " set pfs group14",
            "interface Tunnel1",
            " tunnel protection ipsec profile IPSEC-VPS",
            "ip route 10.2.0.0 255.255.255.0 Tunnel1",
        ]) {
            assert.ok(config.split("\n").some((l) => l.trimEnd() === line), `running-config lacks '${line}'`);
        }
        assert.ok(router.emulator.startupConfig()?.includes("crypto ikev2 keyring KR"), "write memory was not run");

        for (const [kind, outs, id] of created) {
            const h = handlersFor(kind);
            const read = await h.read!(id, outs);
            assert.strictEqual(read.id, id);
            const diff = await h.diff!(id, read.props, outs);
            assert.strictEqual(diff.changes, false, `${kind} shows a change right after create`);
            const declared = Object.fromEntries(Object.entries(outs).filter(([k]) => !["device", "config", "unmanaged", "__provider"].includes(k)));
            assert.deepStrictEqual(read.inputs, declared, `${kind}: a refresh without drift must keep the inputs as declared`);
            assert.ok(!JSON.stringify(outs.config).includes(VPS_PSK), "a key leaked into the config output");
        }

        for (const [kind, outs, id] of created.reverse()) {
            await handlersFor(kind).delete!(id, outs);
            const read = await handlersFor(kind).read!(id, outs);
            assert.strictEqual(read.id, undefined, `${kind} still readable after delete`);
        }
        assert.strictEqual(router.emulator.runningConfig().replace(/^Current configuration.*$/m, ""), pristine.replace(/^Current configuration.*$/m, ""));
    });

    it("refuses the story's mistake at check, before anything reaches the device", async () => {
        const before = router.received.length;
        const result = await handlersFor("IkeV2Keyring").check(
            {},
            inputs({ name: "KR", peers: [{ name: "203.0.113.7" }], preSharedKeys: { "203.0.113.7": { preSharedKey: VPS_PSK } } }),
        );
        assert.strictEqual(result.failures!.length, 1);
        assert.match(result.failures![0].property, /^peers\[0\]/);
        assert.match(result.failures![0].reason, /label/);
        assert.match(result.failures![0].reason, /address 203\.0\.113\.7/);
        assert.strictEqual(router.received.length, before);
    });

    it("updates with minimal lines: a new peer is added without touching the block or the other peer", async () => {
        const [kind, props] = storyObjects()[2];
        const created = await create(kind, props);
        router.received.length = 0;
        const news = inputs({
            ...props,
            peers: [...(props.peers as Props[]), { name: "branch", address: "203.0.113.9" }],
            preSharedKeys: { ...(props.preSharedKeys as Props), branch: { preSharedKey: "Branch-Psk-555" } },
        });
        const diff = await handlersFor(kind).diff!(created.id, created.outs, news);
        assert.strictEqual(diff.changes, true);
        assert.deepStrictEqual(diff.replaces, []);
        const updated = await handlersFor(kind).update!(created.id, created.outs, news);
        const sent = router.received.join("\n");
        assert.ok(!/no crypto ikev2 keyring/.test(sent), "the keyring was deleted during an update");
        assert.ok(!/no peer/.test(sent));
        assert.ok(/peer branch/.test(sent));
        assert.ok(router.emulator.runningConfig().includes("  address 203.0.113.9"));
        assert.ok((updated.outs!.config as string[]).some((l) => l.includes("peer branch")));
    });

    it("restores the block when IOS refuses a command, and the error names the command but no key", async () => {
        const [kind, props] = storyObjects()[3];
        await create("IkeV2Keyring", storyObjects()[2][1]);
        const created = await create(kind, props);
        const before = router.emulator.runningConfig();
        router.emulator.setFaults({ rejectCommands: [/^ ?lifetime/] });
        const news = inputs({ ...props, lifetime: 3600, description: "changed" });
        await assert.rejects(handlersFor(kind).update!(created.id, created.outs, news), (e: Error) => {
            assert.match(e.message, /lifetime 3600/);
            assert.match(e.message, /restored/);
            assert.ok(e instanceof ApplyError && e.rollback.status === "restored", "the error says the block was restored");
            assert.match(e.message, /PROF-VPS/);
            assert.ok(!e.message.includes(VPS_PSK) && !e.message.includes(router.credentials.password as string));
            return true;
        });
        router.emulator.setFaults({ rejectCommands: [] });
        assert.strictEqual(stripVolatile(router.emulator.runningConfig()), stripVolatile(before));
    });

    it("a keyring peer whose create fails is removed alone: the keyring keeps its other peers", async () => {
        await create("IkeV2KeyringPeer", { keyring: "KR", name: "vps", address: "203.0.113.7", preSharedKey: VPS_PSK });
        const before = router.emulator.runningConfig();
        router.emulator.setFaults({ rejectCommands: [/^ ?pre-shared-key Branch/] });
        await assert.rejects(create("IkeV2KeyringPeer", { keyring: "KR", name: "branch", address: "203.0.113.9", preSharedKey: "Branch-Psk-555" }), (e: Error) => {
            assert.ok(e instanceof ApplyError && e.rollback.status === "removed", `the partial peer was removed: ${e.message}`);
            assert.ok(!e.message.includes("Branch-Psk-555"), "a key leaked into the error");
            return true;
        });
        router.emulator.setFaults({ rejectCommands: [] });
        assert.ok(!router.received.some((l) => /^no crypto ikev2 keyring/.test(l.trim())), "the keyring was removed");
        assert.strictEqual(stripVolatile(router.emulator.runningConfig()), stripVolatile(before));
    });

    it("keyring peers deleted together (one batch, as a destroy sends them) take their keyring with them", async () => {
        const pristine = router.emulator.runningConfig();
        const vps = await create("IkeV2KeyringPeer", { keyring: "KR", name: "vps", address: "203.0.113.7", preSharedKey: VPS_PSK });
        const parents = await create("IkeV2KeyringPeer", { keyring: "KR", name: "parents", address: "192.0.2.50", preSharedKey: PARENTS_PSK });
        const h = handlersFor("IkeV2KeyringPeer");
        await Promise.all([h.delete(vps.id, vps.outs), h.delete(parents.id, parents.outs)]);
        assert.ok(!/crypto ikev2 keyring KR/.test(router.emulator.runningConfig()), "an empty keyring was left behind");
        assert.strictEqual(stripVolatile(router.emulator.runningConfig()), stripVolatile(pristine));
    });

    it("removes a half-created object when the connection drops in the middle of a create", async () => {
        const before = router.emulator.runningConfig();
        router.emulator.setFaults({ dropAfterLines: 7 });
        await assert.rejects(create("IkeV2Keyring", storyObjects()[2][1]), (e: Error) => {
            assert.ok(!e.message.includes(VPS_PSK) && !e.message.includes(PARENTS_PSK), "a key leaked into the error");
            return true;
        });
        router.emulator.setFaults({ dropAfterLines: undefined });
        assert.strictEqual(stripVolatile(router.emulator.runningConfig()), stripVolatile(before));
    });

    it("a connection lost while reading the device reports what happened, on which device, without a key", async () => {
        // The login (enable, terminal length, terminal width), then three tries at configuration mode on a router
        // without archive or exclusive mode (revert timer, lock, plain); the next line, the read, is dropped.
        router.emulator.setFaults({ dropAfterLines: 6 });
        await assert.rejects(create("IkeV2Keyring", storyObjects()[2][1]), (e: Error) => {
            assert.match(e.message, /dropped while running do show running-config\. Nothing was changed\.$/);
            assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${router.emulator.port}`));
            assert.ok(!e.message.includes(VPS_PSK));
            return true;
        });
        router.emulator.setFaults({ dropAfterLines: undefined });
    });

    it("applies every resource in parallel on one device without interleaving configuration sessions", async () => {
        const objects = storyObjects();
        await Promise.all(objects.map(([kind, props]) => create(kind, props)));
        const sessions: string[][] = [];
        let current: string[] | undefined;
        for (const line of router.received) {
            if (/^conf(igure)? t/.test(line)) {
                // A router without archive or exclusive mode refuses `... revert timer N` and `... lock`: one opening, tried three ways.
                const retrying = current?.every((l) => /^conf(igure)? t/.test(l));
                assert.ok(current === undefined || retrying, "a configuration session started inside another");
                current = [...(current ?? []), line];
            } else if (current) {
                current.push(line);
                if (line === "end") {
                    sessions.push(current);
                    current = undefined;
                }
            }
        }
        // Created at once, as the engine creates a wave: one batch, so one configuration session for all.
        assert.strictEqual(sessions.length, 1, `configuration sessions:\n${sessions.map((s) => s.join(" / ")).join("\n")}`);
        assert.strictEqual(router.logins(), 1, "one connection for all resources");
    });

    it("shows a line added by hand as drift, and the next update removes it", async () => {
        const [kind, declared] = storyObjects()[0];
        // As a resource class sends it: with the kind the shared provider stub dispatches on.
        const props = { ...declared, __kind: kind };
        const created = await create(kind, props);
        router.emulator.loadRunningConfig(
            router.emulator.runningConfig().replace(" encryption aes-cbc-256", " encryption aes-cbc-256 aes-cbc-128"),
        );
        const read = await handlersFor(kind).read!(created.id, created.outs);
        // State read back from a drifted device still names the kind, or the next delete could not find its handlers.
        assert.strictEqual(read.inputs!.__kind, kind);
        assert.strictEqual(read.props!.__kind, kind);
        const diff = await handlersFor(kind).diff!(created.id, read.props, inputs(props));
        assert.strictEqual(diff.changes, true, "drift not detected");
        await handlersFor(kind).update!(created.id, read.props, inputs(props));
        assert.ok(!router.emulator.runningConfig().includes("aes-cbc-128"));
        const again = await handlersFor(kind).read!(created.id, created.outs);
        assert.strictEqual((await handlersFor(kind).diff!(created.id, again.props, inputs(props))).changes, false);
    });

    it("treats a type-6 encrypted key as present but opaque: no drift", async () => {
        const [kind, props] = storyObjects()[2];
        const created = await create(kind, props);
        router.emulator.loadRunningConfig(
            router.emulator.runningConfig().replace(/^version.*$/m, (v) => `${v}\nkey config-key password-encrypt Master-Key-123\npassword encryption aes`),
        );
        assert.match(router.emulator.runningConfig(), /pre-shared-key 6 /);
        const read = await handlersFor(kind).read!(created.id, created.outs);
        assert.ok(read.id);
        const diff = await handlersFor(kind).diff!(created.id, read.props, inputs(props));
        assert.strictEqual(diff.changes, false);
    });

    it("creating over an existing object is refused unless adopt is set", async () => {
        const [kind, props] = storyObjects()[0];
        await create(kind, props);
        await assert.rejects(create(kind, props), /already exists.*adopt: true/s);
        const adopted = await create(kind, { ...props, adopt: true });
        assert.ok(adopted.id);
    });

    it("refuses a device whose host key does not match the pinned fingerprint", async () => {
        const [kind, props] = storyObjects()[0];
        const h = handlersFor(kind);
        const wrong = { ...router.connection, hostKey: "SHA256:" + "A".repeat(43) };
        await assert.rejects(h.create({ connection: wrong, credentials: router.credentials, ...props }), (e: Error) => {
            assert.match(e.message, /host key/i);
            assert.ok(e.message.includes(router.hostKey), "the offered fingerprint is not named");
            return true;
        });
    });
});

/** running-config without the lines that change on every write (byte count, timestamps). */
export function stripVolatile(config: string): string {
    return config
        .split("\n")
        .filter((l) => !/^(Current configuration|! Last configuration change|! NVRAM config last updated)/.test(l))
        .join("\n");
}
