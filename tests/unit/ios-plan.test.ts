import assert from "node:assert/strict";
import { ConfigNode } from "../../provider/ios/config-tree";
import { iosObjects } from "../../provider/ios/objects";
import { planTransition } from "../../provider/ios/plan";
import { maskLine } from "../../provider/masking";
import { IosKind, IosModels } from "../../provider/schema/ios";
import { IOS_KINDS, storyModels, variantModels } from "../fixtures/ios/story-hub";

const clone = <T>(v: T): T => structuredClone(v);
const render = <K extends IosKind>(kind: K, m: IosModels[K]) => iosObjects[kind].render(m);

const ATOMS = ["encryption", "integrity", "prf", "group"];
const SINGLE = /^(description|ip address|ip mtu|ip tcp adjust-mss|tunnel (source|destination|mode|protection ipsec profile)|lifetime|dpd|identity local|keyring local|match fvrf|ivrf|authentication (local|remote)|address|hostname|mode|set (transform-set|ikev2-profile|pfs|security-association lifetime (seconds|kilobytes))|pre-shared-key (local|remote)|pre-shared-key|identity)( |$)/;

/**
 * A small model of IOS configuration mode, as this project assumes it behaves: headers enter
 * (creating) blocks, `exit` leaves one, single-valued lines replace, proposal algorithms add up in
 * the order given, a policy refuses a proposal it has, `match identity remote address A MASK` is
 * keyed by A, `no` removes. Used to check that a plan, applied to `from`, gives `to` (in order)
 * and ends at (config)#.
 */
function applyPlan(start: ConfigNode[] | undefined, lines: string[], complete = true): ConfigNode[] {
    const root: ConfigNode = { line: "", children: clone(start ?? []) };
    const stack = [root];
    const slot = (line: string) => {
        const m = SINGLE.exec(line);
        if (!m) return line;
        if (m[1] === "pre-shared-key") return line.split(" ")[1] === "local" || line.split(" ")[1] === "remote" ? line.split(" ").slice(0, 2).join(" ") : "pre-shared-key";
        return m[1];
    };
    const remoteAddress = /^match identity remote address \d+\.\d+\.\d+\.\d+ /;
    const keyOf = (n: ConfigNode, top: boolean, parent = "") => {
        if (top && n.line.startsWith("crypto ipsec transform-set ")) return n.line.split(" ").slice(0, 4).join(" ");
        // A profile has one local address; a policy a list of them.
        if (parent.startsWith("crypto ikev2 profile ") && n.line.startsWith("match address local ")) return "match address local";
        if (top && n.line.startsWith("ip route ")) return n.line.split(" ").slice(0, 5).join(" ");
        if (remoteAddress.test(n.line)) return n.line.split(" ").slice(0, 5).join(" ");
        return top || /^peer /.test(n.line) ? n.line : slot(n.line);
    };
    for (const line of lines) {
        const here = stack[stack.length - 1];
        const top = stack.length === 1;
        if (line === "exit") {
            assert.ok(stack.length > 1, "exit at (config)# level");
            stack.pop();
            continue;
        }
        const words = line.split(" ");
        if (words[0] === "no") {
            const rest = words.slice(1).join(" ");
            if (!top && ATOMS.includes(words[1])) {
                const n = here.children.find((c) => c.line.split(" ")[0] === words[1])!;
                const remaining = n.line.split(" ").slice(1).filter((v) => !words.slice(2).includes(v));
                here.children = here.children.filter((c) => c !== n);
                if (remaining.length) here.children.push({ line: `${words[1]} ${remaining.join(" ")}`, children: [] });
                continue;
            }
            const before = here.children.length;
            here.children = here.children.filter((c) => keyOf(c, top, here.line) !== keyOf({ line: rest, children: [] }, top, here.line) && c.line !== rest);
            assert.equal(here.children.length, before - 1, `\`${line}\` removes exactly one line`);
            continue;
        }
        const isHeader = /^(crypto |interface |peer )/.test(line);
        if (!top && ATOMS.includes(words[0])) {
            const n = here.children.find((c) => c.line.split(" ")[0] === words[0]);
            if (n) n.line = `${n.line} ${words.slice(1).join(" ")}`;
            else here.children.push({ line, children: [] });
            continue;
        }
        if (words[0] === "proposal") assert.ok(!here.children.some((c) => c.line === line), `\`${line}\`: % Policy already has same proposal set`);
        const key = keyOf({ line, children: [] }, top, here.line);
        let n = here.children.find((c) => keyOf(c, top, here.line) === key);
        if (n) n.line = line;
        else here.children.push((n = { line, children: [] }));
        if (isHeader) stack.push(n);
    }
    if (complete) assert.equal(stack.length, 1, "the plan ends at (config)#");
    return root.children;
}

/** Plans from -> to, applies the plan to the model of IOS, and checks the result is `to` (same model, lists in the same order). */
function assertTransition<K extends IosKind>(kind: K, from: ConfigNode[] | undefined, to: ConfigNode[] | undefined): string[] {
    const plan = planTransition(kind, from, to);
    const result = applyPlan(from, plan);
    if (to) assert.ok(iosObjects[kind].sameConfig(result, to), `plan ${JSON.stringify(plan)} gives ${JSON.stringify(result)}`);
    else assert.deepEqual(result, [], `plan ${JSON.stringify(plan)} leaves ${JSON.stringify(result)}`);
    return plan;
}

describe("IOS plan", () => {
    it("nothing to do when nothing changes", () => {
        for (const kind of IOS_KINDS) for (const m of storyModels(kind)) assert.deepEqual(planTransition(kind, render(kind, m), render(kind, m)), []);
        assert.deepEqual(planTransition("IkeV2Keyring", undefined, undefined), []);
    });

    it("creates and deletes every object; every plan returns to (config)#", () => {
        for (const kind of IOS_KINDS) {
            for (const m of [...storyModels(kind), ...variantModels(kind)]) {
                const create = assertTransition(kind, undefined, render(kind, m));
                assert.equal(create[0], render(kind, m)[0].line);
                const remove = assertTransition(kind, render(kind, m), undefined);
                assert.ok(remove[remove.length - 1].startsWith("no "));
            }
        }
    });

    it("creates THE STORY's keyring with peer sub-blocks", () => {
        assert.deepEqual(planTransition("IkeV2Keyring", undefined, render("IkeV2Keyring", storyModels("IkeV2Keyring")[0])), [
            "crypto ikev2 keyring KR",
            "peer vps",
            "description VPS in Frankfurt",
            "address 203.0.113.7",
            "pre-shared-key vps-Key-2024!x",
            "exit",
            "peer parents",
            "address 192.0.2.50",
            "pre-shared-key parents-Key#7",
            "exit",
            "exit",
        ]);
        assert.deepEqual(planTransition("IkeV2Keyring", render("IkeV2Keyring", storyModels("IkeV2Keyring")[0]), undefined), ["no crypto ikev2 keyring KR"]);
    });

    it("tunnel: interface before its routes on create; routes removed before the interface", () => {
        const [t2] = storyModels("TunnelInterface").slice(1);
        assert.deepEqual(planTransition("TunnelInterface", undefined, render("TunnelInterface", t2)), [
            "interface Tunnel2",
            "description to the parents",
            "ip address 172.16.0.5 255.255.255.252",
            "tunnel source GigabitEthernet1",
            "tunnel mode ipsec ipv4",
            "tunnel destination 192.0.2.50",
            "tunnel protection ipsec profile IPSEC-PARENTS",
            "exit",
            "ip route 10.3.0.0 255.255.255.0 Tunnel2 5 name parents-lan",
        ]);
        assert.deepEqual(planTransition("TunnelInterface", render("TunnelInterface", t2), undefined), ["no ip route 10.3.0.0 255.255.255.0 Tunnel2", "no interface Tunnel2"]);
    });

    it("single-valued lines are replaced by sending the new value, never `no` first", () => {
        const [t1] = storyModels("TunnelInterface");
        const moved = { ...clone(t1), tunnelDestination: "203.0.113.70", ipAddress: { address: "172.16.0.9", mask: "255.255.255.252" }, ipMtu: 1380, description: "to the new VPS", protectionProfile: "IPSEC-NEW" };
        assert.deepEqual(assertTransition("TunnelInterface", render("TunnelInterface", t1), render("TunnelInterface", moved)), [
            "interface Tunnel1",
            "description to the new VPS",
            "ip address 172.16.0.9 255.255.255.252",
            "ip mtu 1380",
            "tunnel destination 203.0.113.70",
            "tunnel protection ipsec profile IPSEC-NEW",
            "exit",
        ]);
        const [prof] = storyModels("IkeV2Profile");
        const changed = { ...clone(prof), lifetime: 3600, dpd: { interval: 20, retry: 3, mode: "periodic" as const }, identityLocal: { fqdn: "hub.example.net" }, keyring: "KR2" };
        const plan = assertTransition("IkeV2Profile", render("IkeV2Profile", prof), render("IkeV2Profile", changed));
        assert.deepEqual(plan, ["crypto ikev2 profile PROF-VPS", "identity local fqdn hub.example.net", "keyring local KR2", "lifetime 3600", "dpd 20 3 periodic", "exit"]);
        const [ipsec] = storyModels("IpsecProfile");
        assert.deepEqual(assertTransition("IpsecProfile", render("IpsecProfile", ipsec), render("IpsecProfile", { ...ipsec, pfsGroup: 19, transformSets: ["TS-GCM", "TS-AES256"], ikev2Profile: "PROF-X" })), [
            "crypto ipsec profile IPSEC-VPS",
            "set transform-set TS-GCM TS-AES256",
            "set pfs group19",
            "set ikev2-profile PROF-X",
            "exit",
        ]);
        const [ts] = storyModels("IpsecTransformSet");
        assert.deepEqual(assertTransition("IpsecTransformSet", render("IpsecTransformSet", ts), render("IpsecTransformSet", { ...ts, mode: "transport" })), [
            "crypto ipsec transform-set TS-AES256 esp-aes 256 esp-sha256-hmac",
            "mode transport",
            "exit",
        ]);
    });

    it("optional lines that go away are removed with `no`", () => {
        const [t1] = storyModels("TunnelInterface");
        const { ipMtu, tcpAdjustMss, ...bare } = t1;
        assert.ok(ipMtu && tcpAdjustMss);
        assert.deepEqual(assertTransition("TunnelInterface", render("TunnelInterface", t1), render("TunnelInterface", bare as typeof t1)), [
            "interface Tunnel1",
            "no ip mtu 1400",
            "no ip tcp adjust-mss 1360",
            "exit",
        ]);
        const [ipsec] = storyModels("IpsecProfile");
        assert.deepEqual(planTransition("IpsecProfile", render("IpsecProfile", ipsec), render("IpsecProfile", { ...ipsec, pfsGroup: undefined })), [
            "crypto ipsec profile IPSEC-VPS",
            "no set pfs group14",
            "exit",
        ]);
    });

    it("transform set: changed transforms re-send the header", () => {
        const [ts] = storyModels("IpsecTransformSet");
        assert.deepEqual(
            assertTransition("IpsecTransformSet", render("IpsecTransformSet", ts), render("IpsecTransformSet", { ...ts, encryption: "esp-gcm-256", integrity: undefined })),
            ["crypto ipsec transform-set TS-AES256 esp-gcm 256", "exit"],
        );
    });

    it("keyring peers: added, removed, changed, key forms switched; removed keys by keyword only", () => {
        const [kr] = storyModels("IkeV2Keyring");
        const next = clone(kr);
        next.peers[0].address = { address: "203.0.113.8" };
        next.peers[0].preSharedKey = "new-Key";
        delete next.peers[0].description;
        next.peers.splice(1, 1, { name: "cousins", hostname: "cousins.example.net", localPreSharedKey: "l-Key", remotePreSharedKey: "r-Key" });
        assert.deepEqual(assertTransition("IkeV2Keyring", render("IkeV2Keyring", kr), render("IkeV2Keyring", next)), [
            "crypto ikev2 keyring KR",
            "peer vps",
            "address 203.0.113.8",
            "pre-shared-key new-Key",
            "no description VPS in Frankfurt",
            "exit",
            "peer cousins",
            "hostname cousins.example.net",
            "pre-shared-key local l-Key",
            "pre-shared-key remote r-Key",
            "exit",
            "no peer parents",
            "exit",
        ]);
        const split = clone(kr);
        delete split.peers[1].preSharedKey;
        split.peers[1].localPreSharedKey = "l-Key";
        split.peers[1].remotePreSharedKey = "r-Key";
        const plan = assertTransition("IkeV2Keyring", render("IkeV2Keyring", kr), render("IkeV2Keyring", split));
        assert.deepEqual(plan, ["crypto ikev2 keyring KR", "peer parents", "no pre-shared-key", "pre-shared-key local l-Key", "pre-shared-key remote r-Key", "exit", "exit"]);
        const back = assertTransition("IkeV2Keyring", render("IkeV2Keyring", split), render("IkeV2Keyring", kr));
        assert.deepEqual(back, ["crypto ikev2 keyring KR", "peer parents", "no pre-shared-key local", "no pre-shared-key remote", "pre-shared-key parents-Key#7", "exit", "exit"]);
        for (const line of [...plan, ...back]) if (line.startsWith("no pre-shared-key")) assert.ok(!/Key/.test(line), line);
    });

    it("proposal algorithms are added and removed word by word, in the declared order; policy and profile lists line by line", () => {
        const [p] = storyModels("IkeV2Proposal");
        const next = { ...p, encryption: ["aes-cbc-128", "aes-cbc-192"] as typeof p.encryption, groups: [14, 19, 20] };
        assert.deepEqual(assertTransition("IkeV2Proposal", render("IkeV2Proposal", p), render("IkeV2Proposal", next)), [
            "crypto ikev2 proposal PROP-AES256",
            // The first new value comes first, so the list never runs empty.
            "encryption aes-cbc-128",
            "no encryption aes-cbc-256",
            "encryption aes-cbc-192",
            "group 19 20",
            "exit",
        ]);
        const [pol] = storyModels("IkeV2Policy");
        assert.deepEqual(assertTransition("IkeV2Policy", render("IkeV2Policy", pol), render("IkeV2Policy", { ...pol, proposals: ["PROP-GCM"] })), [
            "crypto ikev2 policy POL-1",
            "proposal PROP-GCM",
            "no proposal PROP-AES256",
            "exit",
        ]);
        const [prof] = storyModels("IkeV2Profile");
        assert.deepEqual(
            assertTransition("IkeV2Profile", render("IkeV2Profile", prof), render("IkeV2Profile", { ...prof, matchIdentityRemote: [{ fqdn: "vps.example.net" }] })),
            ["crypto ikev2 profile PROF-VPS", "match identity remote fqdn vps.example.net", "no match identity remote address 203.0.113.7 255.255.255.255", "exit"],
        );
    });

    it("a new order is applied: proposal algorithms, a policy's proposals, an IPsec profile's transform sets", () => {
        const [, cbc] = variantModels("IkeV2Proposal");
        const reordered = { ...cbc, encryption: [...cbc.encryption].reverse(), groups: [21, 24, 15, 16] };
        assert.deepEqual(assertTransition("IkeV2Proposal", render("IkeV2Proposal", cbc), render("IkeV2Proposal", reordered)), [
            "crypto ikev2 proposal PROP-CBC-PRF",
            "no encryption aes-cbc-128",
            "encryption aes-cbc-128",
            "no group 15 16",
            "group 15 16",
            "exit",
        ]);
        const [pol] = variantModels("IkeV2Policy");
        const swapped = { ...pol, proposals: [...pol.proposals].reverse() };
        assert.deepEqual(assertTransition("IkeV2Policy", render("IkeV2Policy", pol), render("IkeV2Policy", swapped)), [
            "crypto ikev2 policy POL-2",
            "no proposal PROP-GCM",
            "proposal PROP-GCM",
            "exit",
        ]);
        const three = { ...pol, proposals: ["A", "B", "C"] };
        assert.deepEqual(assertTransition("IkeV2Policy", render("IkeV2Policy", three), render("IkeV2Policy", { ...pol, proposals: ["D", "C", "A"] })), [
            "crypto ikev2 policy POL-2",
            "proposal D",
            "no proposal A",
            "no proposal B",
            "no proposal C",
            "proposal C",
            "proposal A",
            "exit",
        ]);
        const [ipsec] = variantModels("IpsecProfile");
        assert.deepEqual(assertTransition("IpsecProfile", render("IpsecProfile", ipsec), render("IpsecProfile", { ...ipsec, transformSets: [...ipsec.transformSets].reverse() })), [
            "crypto ipsec profile IPSEC-ROAM",
            "set transform-set TS-AES128 TS-GCM",
            "exit",
        ]);
    });

    it("IOS's keyed and single lines: a profile's local address and a remote address's mask are replaced in place", () => {
        const [prof] = variantModels("IkeV2Profile");
        const moved = { ...prof, matchAddressLocal: "198.51.100.2", matchIdentityRemote: prof.matchIdentityRemote.map((id) => (id.mask === "255.255.0.0" ? { ...id, mask: "255.255.255.0" } : id)) };
        assert.deepEqual(assertTransition("IkeV2Profile", render("IkeV2Profile", prof), render("IkeV2Profile", moved)), [
            "crypto ikev2 profile PROF-ROAM",
            "match address local 198.51.100.2",
            "match identity remote address 10.20.0.0 255.255.255.0",
            "exit",
        ]);
    });

    it("routes: new, changed distance or name (resent), removed", () => {
        const [t1] = storyModels("TunnelInterface");
        const next = { ...t1, routes: [{ destination: "10.2.0.0/24", distance: 10, name: "vps-lan" }, { destination: "10.4.0.0/16" }] };
        assert.deepEqual(assertTransition("TunnelInterface", render("TunnelInterface", t1), render("TunnelInterface", next)), [
            "ip route 10.2.0.0 255.255.255.0 Tunnel1 10 name vps-lan",
            "ip route 10.4.0.0 255.255.0.0 Tunnel1",
        ]);
        assert.deepEqual(assertTransition("TunnelInterface", render("TunnelInterface", next), render("TunnelInterface", { ...t1, routes: [] })), [
            "no ip route 10.2.0.0 255.255.255.0 Tunnel1",
            "no ip route 10.4.0.0 255.255.0.0 Tunnel1",
        ]);
    });

    it("restore: the plan from a failed state back to the saved one, including lines added by hand", () => {
        const saved: ConfigNode[] = [...render("TunnelInterface", storyModels("TunnelInterface")[0])];
        saved[0].children.push({ line: "keepalive 10 3", children: [] });
        const intent = render("TunnelInterface", { ...storyModels("TunnelInterface")[0], tunnelDestination: "203.0.113.9", routes: [{ destination: "10.9.0.0/24" }] });
        const half = applyPlan(saved, planTransition("TunnelInterface", saved, intent).slice(0, 3), false); // the session died after three lines
        const restore = assertTransition("TunnelInterface", half, saved);
        assert.deepEqual(restore, ["interface Tunnel1", "tunnel destination 203.0.113.7", "exit", "ip route 10.2.0.0 255.255.255.0 Tunnel1"]);
        // After a complete apply, too: back to the saved block, its hand-made line and its route.
        const full = applyPlan(saved, planTransition("TunnelInterface", saved, intent));
        assert.ok(!iosObjects.TunnelInterface.sameConfig(full, saved));
        const back = assertTransition("TunnelInterface", full, saved);
        assert.deepEqual(back, ["no ip route 10.9.0.0 255.255.255.0 Tunnel1", "interface Tunnel1", "tunnel destination 203.0.113.7", "keepalive 10 3", "exit", "ip route 10.2.0.0 255.255.255.0 Tunnel1"]);
        // A type-6 key on the device goes back as the device showed it.
        const kr: ConfigNode[] = [{ line: "crypto ikev2 keyring KR", children: [{ line: "peer vps", children: [{ line: "address 203.0.113.7", children: [] }, { line: "pre-shared-key 6 Abc`DEF", children: [] }] }] }];
        assert.deepEqual(planTransition("IkeV2Keyring", undefined, kr), ["crypto ikev2 keyring KR", "peer vps", "address 203.0.113.7", "pre-shared-key 6 Abc`DEF", "exit", "exit"]);
    });
});

describe("maskSecrets", () => {
    const cases: [string, string][] = [
        ["pre-shared-key vps-Key-2024!x", "pre-shared-key *****"],
        ["  pre-shared-key 6 FhEdKCNaR`YTVbcZ", "  pre-shared-key 6 *****"],
        ["pre-shared-key 0 plain", "pre-shared-key 0 *****"],
        ["pre-shared-key local l-Key", "pre-shared-key local *****"],
        ["pre-shared-key remote 6 Xy", "pre-shared-key remote 6 *****"],
        ["pre-shared-key 6", "pre-shared-key *****"],
        ["no pre-shared-key local", "no pre-shared-key local"],
        ["no pre-shared-key", "no pre-shared-key"],
        ["peer vps > pre-shared-key abc", "peer vps > pre-shared-key *****"],
        ["key config-key password-encrypt MasterKey1", "key config-key password-encrypt *****"],
        ["enable secret 9 $9$abc", "enable secret 9 *****"],
        ["enable secret plain", "enable secret *****"],
        ["enable password 7 0822455D0A16", "enable password 7 *****"],
        ["username admin privilege 15 secret 9 $9$xyz", "username admin privilege 15 secret 9 *****"],
        ["username bob password cisco123", "username bob password *****"],
        ["crypto isakmp key legacy-Secret1 address 198.51.100.99", "crypto isakmp key ***** address 198.51.100.99"],
        ["address 203.0.113.7", "address 203.0.113.7"],
        ["interface Tunnel1", "interface Tunnel1"],
        ["username secret", "username secret"],
    ];
    for (const [line, masked] of cases) it(`${JSON.stringify(line)}`, () => assert.equal(maskLine(line), masked));
});
