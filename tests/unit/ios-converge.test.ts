/**
 * The pure core of issue 8: type-6 keys and what an update sends, IOS's spellings in both
 * directions, keyed and single lines, keyword values, and the checks a network engineer wants.
 */
import assert from "node:assert/strict";
import { validate } from "../../provider/dynamic/engine";
import { handlersFor } from "../../provider/dynamic/handlers";
import { ConfigNode, parseConfigTree, renderConfigTree } from "../../provider/ios/config-tree";
import { iosObjects, sameModel } from "../../provider/ios/objects";
import { planTransition } from "../../provider/ios/plan";
import { iosIpv6, spellInterface } from "../../provider/ios/spelling";
import { keyringWarnings, profileWarnings } from "../../provider/ios/warnings";
import { credentialsSchema, iosConnectionSchema } from "../../provider/schema/device";
import { IkeV2KeyringModel, iosSchemas, IosKind } from "../../provider/schema/ios";
import { strongSwanTunnelCheckSchema } from "../../provider/schema/tunnel-check";
import { storyModels } from "../fixtures/ios/story-hub";

const failuresOf = (kind: IosKind, input: unknown) => {
    const r = validate(iosSchemas[kind], input);
    return r.ok ? [] : r.failures;
};
const keyring = (peers: unknown[], extra: object = {}) => ({ name: "KR", peers, ...extra });

/** The keyring's nodes as a router with `password encryption aes` shows them. */
function encrypted(nodes: ConfigNode[]): ConfigNode[] {
    const text = renderConfigTree(nodes)
        .map((l) => l.replace(/pre-shared-key( local| remote)? \S+$/, (_m, form: string | undefined) => `pre-shared-key${form ?? ""} 6 Cipher${l.length}AAB`))
        .join("\n");
    return parseConfigTree(text);
}

describe("issue 8, pure core", () => {
    describe("1. keys a router shows only as type 6", () => {
        const [kr] = storyModels("IkeV2Keyring");
        const rotated: IkeV2KeyringModel = { ...kr, peers: [{ ...kr.peers[0], preSharedKey: "vps-Key-2025!new" }, kr.peers[1]] };
        const device = encrypted(iosObjects.IkeV2Keyring.render(kr));
        const plan = (desired: IkeV2KeyringModel, previous: IkeV2KeyringModel | undefined) =>
            planTransition("IkeV2Keyring", iosObjects.IkeV2Keyring.withDeclaredKeys(device, desired, previous), iosObjects.IkeV2Keyring.render(desired));

        it("a changed declared key is sent, only that one", () => {
            assert.deepEqual(plan(rotated, kr), ["crypto ikev2 keyring KR", "peer vps", "pre-shared-key vps-Key-2025!new", "exit", "exit"]);
        });
        it("an unchanged key is taken to be what the device holds: nothing is sent", () => {
            assert.deepEqual(plan(kr, kr), []);
            assert.ok(iosObjects.IkeV2Keyring.sameConfig(device, iosObjects.IkeV2Keyring.render(kr)), "type 6 matches any key");
        });
        it("without a previous model (create, adoption) or with a new keysVersion, every key is sent", () => {
            assert.equal(plan(kr, undefined).filter((l) => l.startsWith("pre-shared-key")).length, 2);
            assert.equal(plan({ ...kr, keysVersion: 2 }, kr).filter((l) => l.startsWith("pre-shared-key")).length, 2);
            assert.deepEqual(plan({ ...kr, keysVersion: 2 }, { ...kr, keysVersion: 2 }), []);
        });
        it("keysVersion is no configuration: not rendered, not compared", () => {
            assert.deepEqual(iosObjects.IkeV2Keyring.render({ ...kr, keysVersion: 7 }), iosObjects.IkeV2Keyring.render(kr));
            assert.ok(sameModel("IkeV2Keyring", { ...kr, keysVersion: 7 }, kr));
        });
        it("a restore puts the type-6 form back as the device showed it", () => {
            const after = encrypted(iosObjects.IkeV2Keyring.render(rotated));
            assert.deepEqual(planTransition("IkeV2Keyring", after, device).filter((l) => l.startsWith("pre-shared-key")), [
                renderConfigTree(device).find((l) => l.includes("peer vps")) && device[0].children[0].children.find((c) => c.line.startsWith("pre-shared-key"))!.line,
            ]);
        });
    });

    describe("2. IOS's spellings, in both directions", () => {
        it("inputs become IOS's spelling", () => {
            const t = iosSchemas.TunnelInterface.parse({ number: 1, ipAddress: "172.16.0.1/30", tunnelSource: "gi0/0/1", tunnelDestination: "2001:0db8::0007", mode: "ipsec-ipv6", protectionProfile: "P", routes: [{ destination: "10.0.0.0/8", distance: 1 }] });
            assert.deepEqual([t.ipAddress, t.tunnelSource, t.tunnelDestination, t.routes[0].distance], [{ address: "172.16.0.1", mask: "255.255.255.252" }, "GigabitEthernet0/0/1", "2001:DB8::7", undefined]);
            const k = iosSchemas.IkeV2Keyring.parse(keyring([{ name: "a", address: "198.18.0.0/15", preSharedKey: "k-2024!abc" }, { name: "b", address: "2001:db8::7", identity: { address: "2001:db8:0::7" }, preSharedKey: "k-2024!def" }]));
            assert.deepEqual(k.peers[0].address, { address: "198.18.0.0", mask: "255.254.0.0" });
            assert.deepEqual([k.peers[1].address, k.peers[1].identity], [{ ipv6Prefix: "2001:DB8::7/128" }, { address: "2001:DB8::7" }]);
            const p = iosSchemas.IkeV2Profile.parse({ name: "P", matchIdentityRemote: [{ address: "10.0.0.0", mask: "/8" }, { ipv6Prefix: "2001:db8::/32" }], keyring: "KR", lifetime: 86400, matchFvrf: "Any" });
            assert.deepEqual(p.matchIdentityRemote, [{ address: "10.0.0.0", mask: "255.0.0.0" }, { ipv6Prefix: "2001:DB8::/32" }]);
            assert.deepEqual([p.lifetime, p.matchFvrf], [undefined, "any"]);
            const ip = iosSchemas.IpsecProfile.parse({ name: "I", transformSets: ["T"], ikev2Profile: "P", lifetimeSeconds: 3600, lifetimeKilobytes: 4608000 });
            assert.deepEqual([ip.lifetimeSeconds, ip.lifetimeKilobytes], [undefined, undefined]);
        });

        it("interface names: any case and abbreviation of one known type; others refused with the reason", () => {
            assert.deepEqual(["Gi1", "gigabitethernet1", "GIG1", "te0/1/0", "Lo0", "po1", "Gi01/0.100"].map((n) => spellInterface(n)), [
                { name: "GigabitEthernet1" },
                { name: "GigabitEthernet1" },
                { name: "GigabitEthernet1" },
                { name: "TenGigabitEthernet0/1/0" },
                { name: "Loopback0" },
                { name: "Port-channel1" },
                { name: "GigabitEthernet1/0.100" },
            ]);
            assert.ok("ambiguous" in spellInterface("t1"));
            for (const [source, reason] of [["t1", /abbreviates several interface types/], ["Foo1", /interface type that IOS routers do not have/]] as const) {
                const f = failuresOf("TunnelInterface", { number: 1, ipAddress: "172.16.0.1/30", tunnelSource: source, tunnelDestination: "192.0.2.1", protectionProfile: "P" });
                assert.match(f.find((x) => x.property === "tunnelSource")!.reason, reason);
            }
            assert.equal(iosIpv6("2001:db8:0:0:1:0:0:1"), "2001:DB8::1:0:0:1");
        });

        it("what a device prints in another spelling reads as the same configuration", () => {
            const cases: [IosKind, unknown, string][] = [
                ["IkeV2Keyring", keyring([{ name: "v6", address: "2001:db8::7/128", identity: { address: "2001:db8::7" }, preSharedKey: "k-2024!abc" }]), "crypto ikev2 keyring KR\n peer v6\n  address 2001:db8:0:0:0:0:0:7/128\n  identity address 2001:0DB8::0007\n  pre-shared-key k-2024!abc"],
                ["IkeV2Keyring", keyring([{ name: "h", address: "203.0.113.7", preSharedKey: "k-2024!abc" }]), "crypto ikev2 keyring KR\n peer h\n  address 203.0.113.7 255.255.255.255\n  pre-shared-key k-2024!abc"],
                ["IkeV2Profile", { name: "P", matchIdentityRemote: [{ ipv6Prefix: "2001:db8::7/128" }], keyring: "KR", lifetime: 86400 }, "crypto ikev2 profile P\n match identity remote address 2001:db8::7/128 \n authentication remote pre-share\n authentication local pre-share\n keyring local KR\n lifetime 86400"],
                ["IpsecTransformSet", { name: "T", encryption: "esp-aes-128", integrity: "esp-sha-hmac" }, "crypto ipsec transform-set T esp-aes 128 esp-sha-hmac \n mode tunnel"],
                ["IpsecProfile", { name: "I", transformSets: ["T"], ikev2Profile: "P", lifetimeSeconds: 3600 }, "crypto ipsec profile I\n set security-association lifetime seconds 3600\n set security-association lifetime kilobytes 4608000\n set transform-set T \n set ikev2-profile P"],
                ["TunnelInterface", { number: 6, ipAddress: "172.16.6.1/30", tunnelSource: "Gi1", tunnelDestination: "2001:db8::7", mode: "ipsec-ipv6", protectionProfile: "I", routes: [{ destination: "10.6.0.0/24" }] }, "interface Tunnel6\n ip address 172.16.6.1 255.255.255.252\n tunnel source gigabitethernet1\n tunnel mode ipsec ipv6\n tunnel destination 2001:db8::7\n tunnel protection ipsec profile I\nip route 10.6.0.0 255.255.255.0 Tunnel6 1"],
            ];
            for (const [kind, input, printed] of cases) {
                const h = iosObjects[kind];
                const model = iosSchemas[kind].parse(input);
                const device = h.extract(parseConfigTree(printed), model as never)!;
                const parsed = h.parse(device);
                assert.deepEqual(parsed.unknownLines, [], printed);
                assert.ok(h.sameConfig(device, h.render(model as never)), `${kind}: ${printed}`);
            }
        });

        it("an IPv6 remote identity is read as IPv6, not as an IPv4 address with an invented mask", () => {
            const parsed = iosObjects.IkeV2Profile.parse(parseConfigTree("crypto ikev2 profile P\n match identity remote address 2001:DB8::7/128 \n match identity remote address 203.0.113.7 255.255.255.255"));
            assert.deepEqual(parsed.model.matchIdentityRemote, [{ ipv6Prefix: "2001:DB8::7/128" }, { address: "203.0.113.7", mask: "255.255.255.255" }]);
        });
    });

    describe("4. single and keyed lines as IOS treats them", () => {
        it("a second address or identity of a peer is reported, not dropped", () => {
            const parsed = iosObjects.IkeV2Keyring.parse(parseConfigTree("crypto ikev2 keyring KR\n peer p\n  address 203.0.113.7\n  address 2001:DB8::7/128\n  identity fqdn a.example.net\n  identity address 203.0.113.7\n  pre-shared-key k"));
            assert.deepEqual(parsed.unknownLines, ["peer p > address 2001:DB8::7/128", "peer p > identity address 203.0.113.7"]);
        });
        it("a profile's `match address local` is one value; a policy's a list the model holds one of", () => {
            assert.ok(iosObjects.IkeV2Profile.lines.singleValued.includes("match address local"));
            assert.ok(!iosObjects.IkeV2Policy.lines.singleValued.includes("match address local"));
            const [pol] = storyModels("IkeV2Policy");
            const moved = planTransition("IkeV2Policy", iosObjects.IkeV2Policy.render({ ...pol, matchAddressLocal: "198.51.100.1" }), iosObjects.IkeV2Policy.render({ ...pol, matchAddressLocal: "198.51.100.2" }));
            assert.deepEqual(moved, ["crypto ikev2 policy POL-1", "match address local 198.51.100.2", "no match address local 198.51.100.1", "exit"]);
        });
    });

    describe("5. values IOS reads as keywords are refused, with the reason", () => {
        it("keys", () => {
            for (const key of ["l", "lo", "LOCAL", "r", "rem", "remote", "h", "hex", "0", "6", "7"]) {
                const f = failuresOf("IkeV2Keyring", keyring([{ name: "p", address: "203.0.113.7", preSharedKey: key }]));
                assert.match(f.find((x) => x.property === "peers[0].preSharedKey")?.reason ?? "", /abbreviation of a keyword|key type.*\. Fix: /, key);
            }
            for (const key of ["local1", "hexagon", "remoteKey", "60"]) assert.deepEqual(failuresOf("IkeV2Keyring", keyring([{ name: "p", address: "203.0.113.7", preSharedKey: key }])), [], key);
        });
        it("fqdn identities and front-door VRFs", () => {
            assert.match(failuresOf("IkeV2Keyring", keyring([{ name: "p", identity: { fqdn: "do" }, preSharedKey: "k-2024!abc" }]))[0].reason, /keyword `fqdn domain`/);
            assert.match(failuresOf("IkeV2Profile", { name: "P", matchIdentityRemote: [{ fqdn: "Domain" }], keyring: "KR" })[0].reason, /keyword/);
            assert.match(failuresOf("IkeV2Policy", { name: "POL", proposals: ["P"], matchFvrf: "an" })[0].reason, /abbreviates the keyword "any"/);
            assert.deepEqual(failuresOf("IkeV2Policy", { name: "POL", proposals: ["P"], matchFvrf: "anything" }), []);
        });
    });

    describe("6. checks a network engineer wants", () => {
        it("errors: the same identity or hostname on two peers", () => {
            const f = failuresOf("IkeV2Keyring", keyring([
                { name: "a", identity: { fqdn: "x.example.net" }, hostname: "h.example.net", preSharedKey: "k-2024!abc" },
                { name: "b", identity: { fqdn: "x.example.net" }, hostname: "H.example.net", preSharedKey: "k-2024!def" },
            ]));
            assert.deepEqual(f.map((x) => x.property), ["peers[1].identity", "peers[1].hostname"]);
            assert.match(f[0].reason, /same identity as peers\[0\] \("a"\).*Fix: keep one peer per identity/);
        });
        it("warnings: catch-all, ranges inside one another (who wins), host bits, one key on several peers", () => {
            const k = iosSchemas.IkeV2Keyring.parse(keyring([
                { name: "all", address: "0.0.0.0/0", preSharedKey: "shared-2024!x" },
                { name: "net", address: "10.0.0.0/8", preSharedKey: "net-2024!x" },
                { name: "branch", address: "10.1.0.0/16", preSharedKey: "shared-2024!x" },
                { name: "sloppy", address: { address: "192.0.2.5", mask: "255.255.255.0" }, preSharedKey: "sloppy-2024!x" },
                { name: "v6all", address: "::/0", preSharedKey: "v6-2024!x" },
            ]));
            const w = keyringWarnings(k);
            const at = (property: string) => w.filter((x) => x.property === property).map((x) => x.message);
            assert.match(at("peers[0].address")[0], /matches every peer address.*Fix: /);
            assert.match(at("peers[4].address")[0], /matches every peer address/);
            assert.match(at("peers[2].address")[0], /peers\[2\] "branch" \(10\.1\.0\.0 255\.255\.0\.0\) lies inside peers\[1\] "net".*most specific.*get "branch"'s key and the rest of 10\.0\.0\.0 255\.0\.0\.0 get "net"'s/);
            assert.match(at("peers[3].address")[0], /host bits set.*write the network, 192\.0\.2\.0, or a host mask/);
            assert.match(at("peers[2]")[0], /"branch" uses the same pre-shared key as peers\[0\] "all"/);
            assert.ok(w.every((x) => !x.message.includes("shared-2024!x")), "no key in a warning");
            assert.deepEqual(keyringWarnings(storyModels("IkeV2Keyring")[0]), [], "the story warns about nothing");
            const p = iosSchemas.IkeV2Profile.parse({ name: "P", matchIdentityRemote: [{ address: "0.0.0.0", mask: "0.0.0.0" }, { ipv6Prefix: "2001:db8::7/64" }], keyring: "KR" });
            assert.deepEqual(profileWarnings(p).map((x) => x.property), ["matchIdentityRemote[0]", "matchIdentityRemote[1]"]);
        });
    });

    describe("7. every check message names the property and the fix", () => {
        const device = { host: "198.51.100.1", username: "admin", insecureSkipHostKeyVerification: true };
        it("device settings of every type", () => {
            const cases: [string, unknown][] = [["port", 0], ["port", "22"], ["host", 5], ["connectTimeoutMs", 1.5], ["connectRetries", -1], ["saveConfig", "yes"], ["insecureSkipHostKeyVerification", 1], ["username", null], ["hostKey", "abc"], ["keepaliveIntervalMs", 1e9], ["commandTimeoutMs", "30s"], ["extra", 1]];
            for (const [field, value] of cases) {
                const r = validate(iosConnectionSchema, { ...device, [field]: value });
                assert.ok(!r.ok, field);
                for (const f of r.failures) assert.match(f.reason, new RegExp(`device(\\.${field})?.*\\. Fix: `), `${field}: ${f.reason}`);
            }
            const creds = validate(credentialsSchema, { password: 5, privateKey: "" });
            assert.ok(!creds.ok);
            assert.deepEqual(creds.failures.map((f) => /device\.(password|privateKey).*\. Fix: /.test(f.reason)), [true, true]);
        });
        it("adopt", async () => {
            const { failures } = await handlersFor("IkeV2Proposal").check({}, { name: "P", encryption: ["aes-cbc-256"], integrity: ["sha256"], groups: [14], adopt: "yes", connection: { host: "198.51.100.1", username: "admin", insecureSkipHostKeyVerification: true }, credentials: { password: "pw" } });
            assert.deepEqual(failures?.map((f) => f.property), ["adopt"]);
            assert.match(failures![0].reason, /adopt must be true or false\. Fix: /);
        });
        it("StrongSwanTunnelCheck fields", () => {
            const base = { connectionName: "home", child: "lan" };
            for (const [input, property] of [
                [{ ...base, timeoutSeconds: 0 }, "timeoutSeconds"],
                [{ ...base, timeoutSeconds: "30" }, "timeoutSeconds"],
                [{ ...base, ping: { source: "10.0.0.1", destination: "10.0.0.2", count: 0 } }, "ping.count"],
                [{ ...base, ping: { source: 1, destination: "10.0.0.2" } }, "ping.source"],
                [{ ...base, ping: "10.0.0.1" }, "ping"],
                [{ ...base, triggers: "x" }, "triggers"],
                [{ ...base, colour: "red" }, ""],
            ] as const) {
                const r = validate(strongSwanTunnelCheckSchema, input);
                assert.ok(!r.ok);
                const f = r.failures.find((x) => x.property === property)!;
                assert.ok(f, `${property}: ${JSON.stringify(r.failures)}`);
                assert.match(f.reason, /\. Fix: /);
                assert.ok(f.reason.includes(property.split(".").pop() || "StrongSwanTunnelCheck"), f.reason);
            }
        });
    });
});
