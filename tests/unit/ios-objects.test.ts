import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigNode, parseConfigTree, renderConfigTree } from "../../provider/ios/config-tree";
import { iosObjects, isEncryptedKey, modelDifferences, ObjectRef, sameModel } from "../../provider/ios/objects";
import { IosKind, IosModels, IkeV2KeyringModel, TunnelInterfaceModel } from "../../provider/schema/ios";
import { IOS_KINDS, storyModels, variantModels } from "../fixtures/ios/story-hub";

const fixture = (name: string) => readFileSync(join(__dirname, "../../../tests/fixtures/ios", name), "utf8");
const refOf = (kind: IosKind, m: unknown): ObjectRef =>
    kind === "TunnelInterface"
        ? { number: (m as TunnelInterfaceModel).number }
        : kind === "IkeV2KeyringPeer"
          ? { keyring: (m as { keyring: string }).keyring, name: (m as { name: string }).name }
          : { name: (m as { name: string }).name };

function renderAll(models: <K extends IosKind>(k: K) => IosModels[K][]): string {
    const out: string[] = [];
    for (const kind of IOS_KINDS) {
        for (const m of models(kind)) out.push(...renderConfigTree(iosObjects[kind].render(m as never)), "!");
    }
    return out.join("\n") + "\n";
}

describe("IOS config tree", () => {
    it("parses by indentation, skipping header, comments, banner and end; renders one space per level", () => {
        const text = "Building configuration...\r\n\r\nCurrent configuration : 120 bytes\r\n!\r\ncrypto ikev2 keyring KR \r\n peer a  \r\n  address 1.2.3.4\r\n !\r\n peer b\r\n  address 1.2.3.5\r\n!\r\nbanner motd ^C\r\nhello\r\n peer x\r\n^C\r\nend\r\n";
        const tree = parseConfigTree(text);
        assert.deepEqual(tree, [
            {
                line: "crypto ikev2 keyring KR",
                children: [
                    { line: "peer a", children: [{ line: "address 1.2.3.4", children: [] }] },
                    { line: "peer b", children: [{ line: "address 1.2.3.5", children: [] }] },
                ],
            },
            { line: "banner motd ^C", children: [] },
        ]);
        assert.deepEqual(renderConfigTree(tree), ["crypto ikev2 keyring KR", " peer a", "  address 1.2.3.4", " peer b", "  address 1.2.3.5", "banner motd ^C"]);
        assert.deepEqual(parseConfigTree("banner login ^CHi there^C\nhostname r1\n").map((n) => n.line), ["banner login ^CHi there^C", "hostname r1"]);
        assert.deepEqual(parseConfigTree(""), []);
    });
});

describe("IOS objects", () => {
    it("render THE STORY's hub as the golden file", () => {
        assert.equal(renderAll(storyModels), fixture("story-hub.golden.txt"));
    });

    it("render every variant as the golden file", () => {
        assert.equal(renderAll(variantModels), fixture("variants.golden.txt"));
    });

    it("render -> parse round trip for every kind and model", () => {
        for (const kind of IOS_KINDS) {
            for (const m of [...storyModels(kind), ...variantModels(kind)]) {
                const h = iosObjects[kind];
                const nodes = h.render(m as never);
                const parsed = h.parse(nodes);
                assert.deepEqual(parsed.unknownLines, [], `${kind} ${h.describe(refOf(kind, m))}`);
                assert.ok(sameModel(kind, m, parsed.model), `${kind}: ${modelDifferences(kind, m, parsed.model)}`);
                // Through text, too: what IOS prints parses back to the same nodes.
                assert.deepEqual(parseConfigTree(renderConfigTree(nodes).join("\n")), nodes);
                assert.ok(h.sameConfig(nodes, h.render(m as never)));
            }
        }
    });

    for (const [label, crlf] of [["LF", false], ["CRLF", true]] as const) {
        it(`find THE STORY's objects in a full running-config with unrelated config (${label}, trailing spaces)`, () => {
            // The hub's running-config with a keyring whose peers are managed one by one (IkeV2KeyringPeer), before its `end`.
            const hub = fixture("running-config-hub.txt").replace(/^end\n?$/m, `${fixture("running-config-hub-peers.txt")}end\n`);
            const text = crlf ? hub.replace(/\n/g, "\r\n") : hub;
            const tree = parseConfigTree(text);
            for (const kind of IOS_KINDS) {
                for (const m of storyModels(kind)) {
                    const h = iosObjects[kind];
                    const nodes = h.extract(tree, refOf(kind, m));
                    assert.ok(nodes, `${h.describe(refOf(kind, m))} found`);
                    const parsed = h.parse(nodes);
                    assert.ok(sameModel(kind, m, parsed.model), `${h.describe(refOf(kind, m))}: ${modelDifferences(kind, m, parsed.model)}`);
                }
            }
        });
    }

    it("extracts exactly the object: tunnel routes by interface, not Tunnel10's; absent objects are undefined", () => {
        const tree = parseConfigTree(fixture("running-config-hub.txt"));
        const t1 = iosObjects.TunnelInterface.extract(tree, { number: 1 })!;
        assert.deepEqual(t1.map((n) => n.line), ["interface Tunnel1", "ip route 10.2.0.0 255.255.255.0 Tunnel1"]);
        const t10 = iosObjects.TunnelInterface.extract(tree, { number: 10 })!;
        assert.equal(t10.length, 3);
        const parsed10 = iosObjects.TunnelInterface.parse(t10);
        assert.deepEqual(parsed10.model.routes, [{ destination: "10.10.0.0/16" }]);
        assert.deepEqual(parsed10.unknownLines, ["ip route 10.11.0.0 255.255.0.0 Tunnel10 172.16.10.2"], "a route via a next hop is not ours to model");
        assert.equal(parsed10.model.mode, undefined, "a GRE tunnel is no ipsec-ipv4 one");
        assert.deepEqual(iosObjects.TunnelInterface.extract(tree, { number: 3 }), undefined);
        assert.deepEqual(iosObjects.IkeV2Keyring.extract(tree, { name: "KR-MISSING" }), undefined);
        assert.deepEqual(iosObjects.IkeV2Keyring.extract(tree, { name: "kr" }), undefined, "IOS names are case-sensitive");
        assert.deepEqual(iosObjects.IpsecTransformSet.extract(tree, { name: "TS-AES" }), undefined, "no prefix match on names");
        assert.equal(iosObjects.IpsecTransformSet.extract(tree, { name: "TS-LEGACY" })![0].line, "crypto ipsec transform-set TS-LEGACY esp-aes esp-sha-hmac");
        assert.deepEqual(iosObjects.IpsecTransformSet.parse(iosObjects.IpsecTransformSet.extract(tree, { name: "TS-LEGACY" })!).model, {
            name: "TS-LEGACY",
            encryption: "esp-aes-128",
            integrity: "esp-sha-hmac",
            mode: "tunnel",
        });
        assert.deepEqual(iosObjects.TunnelInterface.extract([], { number: 1 }), undefined);
    });

    it("reports lines added by hand as unknownLines (keys masked)", () => {
        const tree = parseConfigTree(fixture("running-config-hub.txt"));
        const parents = iosObjects.IkeV2Profile.parse(iosObjects.IkeV2Profile.extract(tree, { name: "PROF-PARENTS" })!);
        assert.deepEqual(parents.unknownLines, ["nat force-encap"]);
        const t2 = iosObjects.TunnelInterface.parse(iosObjects.TunnelInterface.extract(tree, { number: 2 })!);
        assert.deepEqual(t2.unknownLines, ["keepalive 10 3"]);
        const kr: ConfigNode[] = [
            {
                line: "crypto ikev2 keyring KR",
                children: [
                    { line: "peer vps", children: [{ line: "address 203.0.113.7", children: [] }, { line: "pre-shared-key vps-Key", children: [] }, { line: "dpd-thing on", children: [] }] },
                    { line: "description hand-made", children: [] },
                ],
            },
        ];
        const parsed = iosObjects.IkeV2Keyring.parse(kr);
        assert.deepEqual(parsed.unknownLines, ["description hand-made", "peer vps > dpd-thing on"]);
        assert.ok(!iosObjects.IkeV2Keyring.sameConfig(kr, iosObjects.IkeV2Keyring.render(parsed.model as IkeV2KeyringModel)), "hand-added lines are drift");
        const vps = iosObjects.IkeV2Proposal.parse([{ line: "crypto ikev2 proposal P", children: [{ line: "encryption 3des", children: [] }, { line: "group 14", children: [] }, { line: "integrity", children: [] }] }]);
        assert.deepEqual(vps.unknownLines, ["integrity"]);
    });

    it("type-6 keys are opaque: present, never drift by themselves; missing or different plain keys are drift", () => {
        const tree = parseConfigTree(fixture("running-config-hub.txt"));
        const nodes = iosObjects.IkeV2Keyring.extract(tree, { name: "KR" })!;
        const device = iosObjects.IkeV2Keyring.parse(nodes).model as IkeV2KeyringModel;
        const parents = device.peers.find((p) => p.name === "parents")!;
        assert.ok(isEncryptedKey(parents.preSharedKey));
        assert.deepEqual(parents.preSharedKey, { encrypted: "6" }, "the cipher text is not kept");
        const [desired] = storyModels("IkeV2Keyring");
        assert.ok(sameModel("IkeV2Keyring", desired, device));
        assert.ok(iosObjects.IkeV2Keyring.sameConfig(nodes, iosObjects.IkeV2Keyring.render(desired)));

        const otherKey = structuredClone(desired);
        otherKey.peers[0].preSharedKey = "another-Key";
        assert.deepEqual(modelDifferences("IkeV2Keyring", otherKey, device), ["peers"], "a different plain key is drift");
        const localRemote = structuredClone(desired);
        delete localRemote.peers[1].preSharedKey;
        localRemote.peers[1].localPreSharedKey = "l-Key";
        localRemote.peers[1].remotePreSharedKey = "r-Key";
        assert.ok(!sameModel("IkeV2Keyring", localRemote, device), "an encrypted key does not stand in for a missing one");

        const local6 = iosObjects.IkeV2Keyring.parse([
            { line: "crypto ikev2 keyring K", children: [{ line: "peer p", children: [{ line: "pre-shared-key local 6 AbC`x", children: [] }, { line: "pre-shared-key remote 0 plain-Key", children: [] }] }] },
        ]).model;
        assert.ok(isEncryptedKey(local6.peers![0].localPreSharedKey));
        assert.equal(local6.peers![0].remotePreSharedKey, "plain-Key");

        // One key compared as drift detection does: an encrypted key matches any present key.
        const withKey = (preSharedKey?: string | { encrypted: "6" }) => ({ name: "K", peers: [{ name: "p", address: { address: "192.0.2.1" }, preSharedKey }] });
        assert.ok(sameModel("IkeV2Keyring", withKey("k"), withKey({ encrypted: "6" })));
        assert.ok(sameModel("IkeV2Keyring", withKey("k"), withKey("k")));
        assert.ok(!sameModel("IkeV2Keyring", withKey("k"), withKey("j")));
        assert.ok(!sameModel("IkeV2Keyring", withKey("k"), withKey(undefined)));
        assert.throws(() => iosObjects.IkeV2Keyring.render(device), /encrypted/);
    });

    it("comparison: peers and routes as sets, default /32 peer mask, real differences found", () => {
        const [kr] = storyModels("IkeV2Keyring");
        const reordered = { ...kr, peers: [...kr.peers].reverse() };
        assert.ok(sameModel("IkeV2Keyring", kr, reordered));
        // A device that prints the host mask shows the same peer.
        const printed = iosObjects.IkeV2Keyring.render(kr);
        printed[0].children[0].children[1] = { line: "address 203.0.113.7 255.255.255.255", children: [] };
        assert.ok(sameModel("IkeV2Keyring", kr, iosObjects.IkeV2Keyring.parse(printed).model));
        const [t1] = storyModels("TunnelInterface");
        assert.deepEqual(modelDifferences("TunnelInterface", t1, { ...t1, ipMtu: 1300, routes: [] }), ["ipMtu", "routes"]);
        const [prop] = variantModels("IkeV2Proposal");
        assert.ok(!sameModel("IkeV2Proposal", prop, { ...prop, encryption: [...prop.encryption].reverse() }), "the order of algorithms is their preference");
        assert.ok(!sameModel("IkeV2Proposal", prop, { ...prop, groups: [20] }));
        const [ts] = storyModels("IpsecTransformSet");
        assert.deepEqual(iosObjects.IpsecTransformSet.parse([{ line: "crypto ipsec transform-set TS-AES256 esp-aes 256 esp-sha256-hmac", children: [] }]).model, ts, "no mode line means tunnel");
        assert.equal(iosObjects.IkeV2Keyring.describe({ name: "KR" }), "crypto ikev2 keyring KR");
        assert.equal(iosObjects.TunnelInterface.describe({ number: 1 }), "interface Tunnel1");
    });
});
