/**
 * Convergence on conditions real routers create, through the real driver against the emulator
 * over SSH (issue 8): type-6 keys and their rotation, IOS's own spellings and hidden defaults, a
 * hub that mixes IPv4 and IPv6, lists whose order is preference, lines IOS treats as single or
 * keyed, values IOS would parse as keywords, and a value still unknown at create.
 */
import * as assert from "assert";
import { handlersFor } from "../../provider/dynamic/handlers";
import { registry, ResourceKind } from "../../provider/dynamic/registry";
import { UNKNOWN } from "../../provider/dynamic/engine";
import { inputsFromModel } from "../../provider/dynamic/wire";
import { SshPool } from "../../provider/ssh/pool";
import { storyInputs } from "../fixtures/ios/story-hub";
import { EmulatedRouter, startRouter } from "../helpers/ios-lab";

type Props = Record<string, unknown>;

/** Wire inputs of a model (keys moved into their secret input). */
const wire = (kind: ResourceKind, model: Props): Props => inputsFromModel(registry[kind].secrets, structuredClone(model));

/** The lines of a block of running-config, from its header to the next line at column 0. */
function block(config: string, header: string): string[] {
    const lines = config.split("\n");
    const at = lines.findIndex((l) => l.trimEnd() === header);
    if (at < 0) return [];
    const end = lines.findIndex((l, i) => i > at && !l.startsWith(" "));
    return lines.slice(at, end).map((l) => l.trimEnd());
}

/** The cipher text the device shows for a peer's key. */
function cipherOf(config: string, peer: string): string | undefined {
    const lines = block(config, "crypto ikev2 keyring KR");
    const at = lines.indexOf(` peer ${peer}`);
    const key = lines.slice(at + 1).find((l) => /^  pre-shared-key /.test(l) || !l.startsWith("  "));
    return key && /^  pre-shared-key 6 (\S+)$/.exec(key)?.[1];
}

const configLines = (received: string[]) => received.filter((l) => !/^(show |terminal |enable|write|conf|end$|exit$)/.test(l) && l !== "");

describe("IOS convergence on real routers' conditions (issue 8), over SSH against the emulator", function () {
    this.timeout(60000);
    let router: EmulatedRouter;
    const inputs = (props: Props): Props => ({ connection: router.connection, credentials: router.credentials, ...props });

    async function create(kind: ResourceKind, props: Props) {
        const h = handlersFor(kind);
        const checked = await h.check({}, inputs(props));
        assert.deepStrictEqual(checked.failures, [], `${kind} check failures`);
        return h.create(checked.inputs);
    }

    /** An update as the engine runs it after a diff that found changes: old state, new inputs. */
    async function update(kind: ResourceKind, olds: Props, props: Props) {
        const h = handlersFor(kind);
        const news = inputs(props);
        assert.deepStrictEqual((await h.check(olds, news)).failures, []);
        const diff = await h.diff(String(olds.id ?? ""), olds, news);
        assert.strictEqual(diff.changes, true, `${kind}: the diff shows no change`);
        return (await h.update("", olds, news)).outs as Props;
    }

    /** What a refresh and the next preview see: no change, and no line sent to the device. */
    async function assertConverged(kind: ResourceKind, outs: Props, props: Props) {
        const h = handlersFor(kind);
        router.received.length = 0;
        const read = await h.read("id", outs);
        assert.deepStrictEqual(read.props?.unmanaged, [], `${kind}: unmanaged lines after apply`);
        const diff = await h.diff("id", read.props!, inputs(props));
        assert.strictEqual(diff.changes, false, `${kind}: a refresh shows a change`);
        // An update that runs anyway (another property changed elsewhere) sends nothing.
        await h.update("id", read.props!, inputs(props));
        assert.deepStrictEqual(configLines(router.received), [], `${kind}: lines sent although nothing changed`);
    }

    beforeEach(async () => {
        router = await startRouter();
    });
    afterEach(async () => {
        await SshPool.shared.closeAll();
        await router.emulator.close();
    });

    describe("1. key rotation on a router with `password encryption aes`", () => {
        const keyring = storyInputs.IkeV2Keyring[0];
        const rotated = { ...keyring, peers: [{ ...keyring.peers[0], preSharedKey: "vps-Key-2025!rotated" }, keyring.peers[1]] };

        beforeEach(() => router.emulator.loadRunningConfig("key config-key password-encrypt Master-Key-123\npassword encryption aes\n"));

        it("a changed key reaches the device, only that key is sent, and the apply after it sends nothing", async () => {
            const created = await create("IkeV2Keyring", wire("IkeV2Keyring", keyring));
            const first = router.emulator.runningConfig();
            const [vps, parents] = [cipherOf(first, "vps"), cipherOf(first, "parents")];
            assert.ok(vps && parents, "the router shows both keys only as type 6");

            router.received.length = 0;
            const outs = await update("IkeV2Keyring", created.outs, wire("IkeV2Keyring", rotated));
            assert.deepStrictEqual(
                configLines(router.received).filter((l) => l.startsWith("pre-shared-key")),
                ["pre-shared-key <redacted>"],
                "exactly one key line (the emulator's log masks keys)",
            );
            const after = router.emulator.runningConfig();
            assert.notStrictEqual(cipherOf(after, "vps"), vps, "the device still holds the old key");
            assert.strictEqual(cipherOf(after, "parents"), parents, "the unchanged key was sent again");
            assert.ok(!JSON.stringify(outs.config).includes("rotated"));

            await assertConverged("IkeV2Keyring", outs, wire("IkeV2Keyring", rotated));
            const refreshed = await handlersFor("IkeV2Keyring").read("id", outs);
            assert.deepStrictEqual(
                (refreshed.inputs?.preSharedKeys as Props).vps,
                { preSharedKey: "vps-Key-2025!rotated" },
                "a refresh keeps the declared (new) key, never the old one",
            );
        });

        it("a key changed by hand behind type 6 is invisible; bumping keysVersion sends the declared keys again", async () => {
            const created = await create("IkeV2Keyring", wire("IkeV2Keyring", keyring));
            const declaredCipher = cipherOf(router.emulator.runningConfig(), "vps");
            // Someone types another key on the router (the config key stays the router's).
            router.emulator.loadRunningConfig(router.emulator.runningConfig().replace(/\nend\n$/, "\ncrypto ikev2 keyring KR\n peer vps\n  pre-shared-key set-by-hand-1\nend\n"));
            const byHand = cipherOf(router.emulator.runningConfig(), "vps");
            assert.notStrictEqual(byHand, declaredCipher);
            const read = await handlersFor("IkeV2Keyring").read("id", created.outs);
            assert.strictEqual((await handlersFor("IkeV2Keyring").diff("id", read.props!, inputs(wire("IkeV2Keyring", keyring)))).changes, false, "documented: no refresh can see it");

            router.received.length = 0;
            await update("IkeV2Keyring", read.props!, wire("IkeV2Keyring", { ...keyring, keysVersion: 1 }));
            assert.strictEqual(configLines(router.received).filter((l) => l.startsWith("pre-shared-key")).length, 2, "both keys are sent");
            assert.strictEqual(cipherOf(router.emulator.runningConfig(), "vps"), declaredCipher, "the declared key is back");
        });
    });

    describe("2. values IOS rewrites converge", () => {
        it("a hub with IPv4 and IPv6 peers and identities, typed in lower case, abbreviated and with defaults, converges", async () => {
            const objects: [ResourceKind, Props][] = [
                ["IkeV2Proposal", { name: "PROP", encryption: ["aes-cbc-256"], integrity: ["sha256"], groups: [14] }],
                ["IkeV2Policy", { name: "POL", proposals: ["PROP"], matchAddressLocal: "2001:db8:0:0::1" }],
                [
                    "IkeV2Keyring",
                    wire("IkeV2Keyring", {
                        name: "KR",
                        peers: [
                            { name: "vps", address: "203.0.113.7", preSharedKey: "vps-Key-2024!x" },
                            { name: "v6", address: "2001:db8:0:0::7", identity: { address: "2001:0db8::7" }, preSharedKey: "v6-Key-2024!x" },
                            { name: "range", address: "198.18.0.0/15", preSharedKey: "range-Key-2024!x" },
                        ],
                    }),
                ],
                [
                    "IkeV2Profile",
                    {
                        name: "PROF",
                        matchIdentityRemote: [{ address: "203.0.113.7" }, { ipv6Prefix: "2001:db8::7/128" }, { address: "198.18.0.0", mask: "/15" }],
                        identityLocal: { address: "2001:db8::1" },
                        matchAddressLocal: "2001:db8::1",
                        keyring: "KR",
                        lifetime: 86400,
                    },
                ],
                ["IpsecTransformSet", { name: "TS", encryption: "esp-aes-128", integrity: "esp-sha256-hmac" }],
                ["IpsecProfile", { name: "IPSEC", transformSets: ["TS"], ikev2Profile: "PROF", lifetimeSeconds: 3600, lifetimeKilobytes: 4608000 }],
                [
                    "TunnelInterface",
                    {
                        number: 6,
                        ipAddress: "172.16.6.1/30",
                        tunnelSource: "gi1",
                        tunnelDestination: "2001:db8::7",
                        mode: "ipsec-ipv6",
                        protectionProfile: "IPSEC",
                        routes: [{ destination: "10.6.0.0/24", distance: 1 }],
                    },
                ],
                [
                    "TunnelInterface",
                    {
                        number: 4,
                        ipAddress: { address: "172.16.4.1", mask: "30" },
                        tunnelSource: "GIGABITETHERNET1",
                        tunnelDestination: "192.0.2.4",
                        protectionProfile: "IPSEC",
                        // IOS prints static routes by prefix, not in the declared order.
                        routes: [{ destination: "10.9.0.0/16" }, { destination: "0.0.0.0/0", distance: 250 }],
                    },
                ],
            ];
            for (const [kind, props] of objects) {
                const created = await create(kind, props);
                await assertConverged(kind, created.outs, props);
            }
            const config = router.emulator.runningConfig();
            assert.ok(config.includes("  address 2001:DB8::7/128") && config.includes(" match identity remote address 2001:DB8::7/128"), "IPv6 as IOS prints it");
            assert.ok(config.includes(" tunnel source GigabitEthernet1") && !/lifetime/.test(block(config, "crypto ipsec profile IPSEC").join("\n")));
        });
    });

    describe("3. order is preference: a reorder is applied", () => {
        it("proposals in a policy, algorithms in a proposal, transform sets in an IPsec profile", async () => {
            const cases: [ResourceKind, Props, Props, RegExp][] = [
                ["IkeV2Policy", { name: "POL", proposals: ["A", "B", "C"] }, { name: "POL", proposals: ["C", "A", "B"] }, /policy POL \n proposal C\n proposal A\n proposal B/],
                [
                    "IkeV2Proposal",
                    { name: "P", encryption: ["aes-cbc-256", "aes-cbc-128"], integrity: ["sha256", "sha1"], groups: [14, 19] },
                    { name: "P", encryption: ["aes-cbc-128", "aes-cbc-256"], integrity: ["sha256", "sha1"], groups: [19, 14] },
                    /proposal P \n encryption aes-cbc-128 aes-cbc-256\n integrity sha256 sha1\n group 19 14/,
                ],
                ["IpsecProfile", { name: "IP", transformSets: ["T1", "T2"], ikev2Profile: "X" }, { name: "IP", transformSets: ["T2", "T1"], ikev2Profile: "X" }, /set transform-set T2 T1/],
            ];
            for (const [kind, before, after, shown] of cases) {
                const created = await create(kind, before);
                const outs = await update(kind, created.outs, after);
                assert.match(router.emulator.runningConfig(), shown);
                await assertConverged(kind, outs, after);
            }
        });
    });

    describe("4. single, multi-valued and keyed lines as IOS treats them", () => {
        it("a profile's local address, a remote address's mask, and a peer moving from IPv4 to IPv6 are replaced, nothing lost", async () => {
            const profile = { name: "PROF", matchIdentityRemote: [{ address: "10.1.0.0", mask: "255.255.0.0" }], matchAddressLocal: "198.51.100.1", keyring: "KR" };
            const created = await create("IkeV2Profile", profile);
            const moved = { ...profile, matchIdentityRemote: [{ address: "10.1.0.0", mask: "255.255.255.0" }], matchAddressLocal: "198.51.100.2" };
            const outs = await update("IkeV2Profile", created.outs, moved);
            assert.deepStrictEqual(block(router.emulator.runningConfig(), "crypto ikev2 profile PROF").slice(1, 3), [
                " match address local 198.51.100.2",
                " match identity remote address 10.1.0.0 255.255.255.0",
            ]);
            await assertConverged("IkeV2Profile", outs, moved);

            const keyring = { name: "KR", peers: [{ name: "p", address: "203.0.113.7", identity: { address: "203.0.113.7" }, preSharedKey: "p-Key-2024!x" }] };
            const kr = await create("IkeV2Keyring", wire("IkeV2Keyring", keyring));
            const v6 = { name: "KR", peers: [{ name: "p", address: "2001:db8::7/128", identity: { fqdn: "p.example.net" }, preSharedKey: "p-Key-2024!x" }] };
            const krOuts = await update("IkeV2Keyring", kr.outs, wire("IkeV2Keyring", v6));
            assert.deepStrictEqual(block(router.emulator.runningConfig(), "crypto ikev2 keyring KR").slice(2, 4), ["  address 2001:DB8::7/128", "  identity fqdn p.example.net"]);
            await assertConverged("IkeV2Keyring", krOuts, wire("IkeV2Keyring", v6));
        });
    });

    describe("5. values IOS would parse as keywords are refused at check, before the device", () => {
        it("keys l, lo, rem, hex; fqdn do; fvrf a", async () => {
            const cases: [ResourceKind, Props, string][] = [
                ...["l", "lo", "loc", "r", "rem", "hex", "H", "6"].map((key): [ResourceKind, Props, string] => [
                    "IkeV2Keyring",
                    wire("IkeV2Keyring", { name: "KR", peers: [{ name: "p", address: "203.0.113.7", preSharedKey: key }] }),
                    "peers[0].preSharedKey",
                ]),
                ["IkeV2Keyring", wire("IkeV2Keyring", { name: "KR", peers: [{ name: "p", identity: { fqdn: "do" }, preSharedKey: "p-Key-2024!x" }] }), "peers[0].identity.fqdn"],
                ["IkeV2Profile", { name: "P", matchIdentityRemote: [{ fqdn: "dom" }], keyring: "KR" }, "matchIdentityRemote[0].fqdn"],
                ["IkeV2Policy", { name: "POL", proposals: ["P"], matchFvrf: "a" }, "matchFvrf"],
            ];
            for (const [kind, props, property] of cases) {
                const failures = (await handlersFor(kind).check({}, inputs(props))).failures ?? [];
                const hit = failures.find((f) => f.property === property);
                assert.ok(hit, `${property}: ${JSON.stringify(failures)}`);
                assert.match(hit.reason, /keyword|key type/);
                assert.match(hit.reason, /\. Fix: /);
            }
            assert.strictEqual(router.received.length, 0, "nothing reached the device");
        });
    });

    describe("6. a value still unknown at create", () => {
        it("is refused with the property named, and nothing is sent", async () => {
            await assert.rejects(
                handlersFor("IkeV2Proposal").create(inputs({ name: UNKNOWN, encryption: ["aes-cbc-256"], integrity: ["sha256"], groups: [14] })),
                (e: Error) => /name still holds Pulumi's placeholder/.test(e.message) && /Fix: /.test(e.message),
            );
            assert.strictEqual(router.received.length, 0);
        });
    });
});
