/**
 * IkeV2KeyringPeer: one peer of a shared keyring as its own object. Adding, changing and removing it
 * touches only its `peer` sub-block; the keyring appears with the first peer and goes with the last.
 */
import assert from "node:assert/strict";
import { parseConfigTree } from "../../provider/ios/config-tree";
import { iosObjects, sameModel } from "../../provider/ios/objects";
import { planTransition } from "../../provider/ios/plan";
import { iosSchemas } from "../../provider/schema/ios";

const peer = iosObjects.IkeV2KeyringPeer;
const model = (input: object) => iosSchemas.IkeV2KeyringPeer.parse({ keyring: "KR", name: "vps", address: "203.0.113.7", preSharedKey: "vps-Key-1", ...input });

const HUB = `crypto ikev2 keyring KR
 peer parents
  address 192.0.2.50
  pre-shared-key parents-Key
 !
 peer vps
  address 203.0.113.7
  pre-shared-key vps-Key-1
 !
!
crypto ikev2 keyring KR-OTHER
 peer vps
  address 203.0.113.70
  pre-shared-key other
`;

describe("IkeV2KeyringPeer", () => {
    it("finds only its own peer of its own keyring", () => {
        const tree = parseConfigTree(HUB);
        const nodes = peer.extract(tree, model({}))!;
        assert.deepEqual(nodes, [{ line: "crypto ikev2 keyring KR", children: [tree[0].children[1]] }]);
        assert.ok(peer.sameConfig(nodes, peer.render(model({}))));
        assert.equal(peer.extract(tree, { keyring: "KR", name: "branch" }), undefined);
        assert.equal(peer.extract(tree, { keyring: "KR-MISSING", name: "vps" }), undefined);
        assert.deepEqual(peer.parse(peer.extract(tree, { keyring: "KR-OTHER", name: "vps" })!).model, {
            keyring: "KR-OTHER",
            name: "vps",
            address: { address: "203.0.113.70" },
            preSharedKey: "other",
        });
    });

    it("is added into an existing keyring, or creates it, without touching other peers", () => {
        const tree = parseConfigTree(HUB);
        const branch = model({ name: "branch", address: "203.0.113.9", preSharedKey: "branch-Key" });
        const lines = ["crypto ikev2 keyring KR", "peer branch", "address 203.0.113.9", "pre-shared-key branch-Key", "exit", "exit"];
        assert.deepEqual(planTransition("IkeV2KeyringPeer", peer.extract(tree, branch), peer.render(branch)), lines);
        assert.deepEqual(planTransition("IkeV2KeyringPeer", undefined, peer.render({ ...branch, keyring: "KR-NEW" })), ["crypto ikev2 keyring KR-NEW", ...lines.slice(1)]);
    });

    it("changes only its own lines", () => {
        const tree = parseConfigTree(HUB);
        const changed = model({ address: "203.0.113.8" });
        assert.deepEqual(planTransition("IkeV2KeyringPeer", peer.extract(tree, changed), peer.render(changed)), [
            "crypto ikev2 keyring KR",
            "peer vps",
            "address 203.0.113.8",
            "exit",
            "exit",
        ]);
    });

    it("is removed alone while other peers remain, and with its keyring when it was the last", () => {
        const tree = parseConfigTree(HUB);
        const vps = model({});
        assert.deepEqual(planTransition("IkeV2KeyringPeer", peer.extract(tree, vps), peer.remainder!(tree, vps)), ["crypto ikev2 keyring KR", "no peer vps", "exit"]);
        const last = { keyring: "KR-OTHER", name: "vps" };
        assert.deepEqual(peer.remainder!(tree, last), undefined);
        assert.deepEqual(planTransition("IkeV2KeyringPeer", peer.extract(tree, last), peer.remainder!(tree, last)), ["no crypto ikev2 keyring KR-OTHER"]);
    });

    it("on a router that shows keys only as type 6: sends a key changed in the program or with a new keysVersion, else nothing", () => {
        const device = parseConfigTree("crypto ikev2 keyring KR\n peer vps\n  address 203.0.113.7\n  pre-shared-key 6 CipherAAB\n");
        const declared = model({});
        const plan = (desired: typeof declared, previous: typeof declared | undefined) =>
            planTransition("IkeV2KeyringPeer", peer.withDeclaredKeys(device, desired, previous), peer.render(desired));
        const sent = ["crypto ikev2 keyring KR", "peer vps", "pre-shared-key vps-Key-2", "exit", "exit"];
        assert.deepEqual(plan(declared, declared), []);
        assert.deepEqual(plan(model({ preSharedKey: "vps-Key-2" }), declared), sent);
        assert.deepEqual(plan(model({ keysVersion: 2 }), declared).filter((l) => l.startsWith("pre-shared-key")), ["pre-shared-key vps-Key-1"]);
        assert.deepEqual(plan(declared, undefined).filter((l) => l.startsWith("pre-shared-key")), ["pre-shared-key vps-Key-1"], "a create or an adoption sends the key");
        assert.deepEqual(peer.render(model({ keysVersion: 7 })), peer.render(declared), "keysVersion is no configuration");
        assert.ok(sameModel("IkeV2KeyringPeer", model({ keysVersion: 7 }), declared));
    });

    it("refuses a peer IOS could never match, as the keyring does (the story)", () => {
        const parsed = iosSchemas.IkeV2KeyringPeer.safeParse({ keyring: "KR", name: "203.0.113.7", preSharedKey: "k-1234567" });
        assert.equal(parsed.success, false);
        assert.match(parsed.error!.issues[0].message, /keyring peer "203\.0\.113\.7" has no address, identity or hostname.*Fix: add address: "203\.0\.113\.7"/);
        assert.deepEqual(parsed.error!.issues[0].path, ["address"]);
    });
});
