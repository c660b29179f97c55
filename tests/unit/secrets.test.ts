/**
 * The secrets model: fields marked secret once in the schemas, and what is derived from the marks
 * (where secrets travel, which inputs are Pulumi secrets, which values are redacted), and the one
 * masker that hides them in text.
 */
import { strict as assert } from "assert";
import { z } from "zod";
import { registry } from "../../provider/dynamic/registry";
import { inputsFromModel, keepOpaqueSecrets, modelFromInputs } from "../../provider/dynamic/wire";
import { containsSecret, maskText, redact } from "../../provider/masking";
import { credentialsSchema } from "../../provider/schema/device";
import { secret, secretLayout, secretValues } from "../../provider/schema/secrets";

describe("secrets model", () => {
    it("derives where each kind's secrets travel and which inputs Pulumi stores as secrets", () => {
        // A tunnel check's far end logs in with credentials of its own, each a secret input.
        const PEER_CREDENTIALS = ["peerPassword", "peerPrivateKey", "peerPrivateKeyPassphrase", "peerEnableSecret"];
        const byKind = Object.fromEntries(Object.values(registry).map((k) => [k.kind, k.secretInputs]));
        assert.deepEqual(byKind, {
            IkeV2Proposal: ["credentials"],
            IkeV2Policy: ["credentials"],
            IkeV2Keyring: ["credentials", "preSharedKeys"],
            IkeV2KeyringPeer: ["credentials", "preSharedKey", "localPreSharedKey", "remotePreSharedKey"],
            IkeV2Profile: ["credentials"],
            IpsecTransformSet: ["credentials"],
            IpsecProfile: ["credentials"],
            TunnelInterface: ["credentials"],
            StrongSwanConnection: ["credentials", "preSharedKey"],
            StrongSwanTunnelCheck: ["credentials", ...PEER_CREDENTIALS],
            IosTunnelCheck: ["credentials", ...PEER_CREDENTIALS],
        });
        assert.deepEqual(registry.IkeV2Keyring.secrets.lists, [
            { property: "peers", input: "preSharedKeys", keyedBy: "name", fields: ["preSharedKey", "localPreSharedKey", "remotePreSharedKey"] },
        ]);
    });

    it("refuses a schema whose secret no input would carry", () => {
        const unmarked = z.object({ peers: z.array(z.object({ name: z.string(), key: secret(z.string()) })) });
        assert.throws(() => secretLayout(unmarked), /peers holds secrets that no input carries/);
    });

    it("finds every secret value, however short, and only marked ones", () => {
        const keyring = { name: "KR", peers: [{ name: "k", address: "192.0.2.1", preSharedKey: "k" }, { name: "p", localPreSharedKey: "l-Key", remotePreSharedKey: "r-Key" }] };
        assert.deepEqual(secretValues(registry.IkeV2Keyring.schema, keyring), ["k", "l-Key", "r-Key"]);
        assert.deepEqual(secretValues(credentialsSchema, { password: "p", enableSecret: "e", hostKey: "SHA256:x" }), ["p", "e"]);
    });

    it("keyring keys travel by peer name, apart from the peers, and come back for validation", () => {
        const { secrets } = registry.IkeV2Keyring;
        const model = { name: "KR", peers: [{ name: "vps", address: "203.0.113.7", preSharedKey: "Key-1" }] };
        const wire = inputsFromModel(secrets, model);
        assert.deepEqual(wire, { name: "KR", peers: [{ name: "vps", address: "203.0.113.7" }], preSharedKeys: { vps: { preSharedKey: "Key-1" } } });
        assert.deepEqual(modelFromInputs(secrets, { ...wire, connection: {}, credentials: {}, device: "x", config: [] }, registry.IkeV2Keyring.outputNames), model);
    });

    it("a key the device shows only opaquely keeps the declared key, or is dropped when none was declared", () => {
        const { secrets } = registry.IkeV2Keyring;
        const device = { name: "KR", peers: [{ name: "a", preSharedKey: { encrypted: "6" } }, { name: "b", preSharedKey: { encrypted: "6" } }, { name: "c", preSharedKey: "plain" }] };
        const declared = { name: "KR", peers: [{ name: "a", preSharedKey: "Key-A" }] };
        assert.deepEqual(keepOpaqueSecrets(secrets, device, declared), { name: "KR", peers: [{ name: "a", preSharedKey: "Key-A" }, { name: "b" }, { name: "c", preSharedKey: "plain" }] });
    });
});

describe("masking", () => {
    it("masks a one-character key where it stands as a token, not the letters of other words", () => {
        assert.equal(redact("keyring KR: the key k is refused", ["k"]), "keyring KR: the key ***** is refused");
        assert.equal(redact("IOS refused `pre-shared-key k`", ["k"]), "IOS refused `pre-shared-key *****");
        assert.equal(redact("token 'k' in keyring", ["k"]), "token '*****' in keyring");
        assert.ok(containsSecret("--ike k", ["k"]) && !containsSecret("--ike keyring", ["k"]));
    });

    it("masks a long secret wherever it appears", () => {
        assert.equal(redact("x-Long-Secret-1-x", ["Long-Secret-1"]), "x-*****-x");
        assert.ok(containsSecret("prefixLong-Secret-1", ["Long-Secret-1"]));
    });

    it("masks IOS and swanctl secrets by their grammar, line by line", () => {
        const text = ["crypto isakmp key legacy address 198.51.100.9", "    secret = \"swan key\"", " pre-shared-key local 6 AbC", "no pre-shared-key local"].join("\r\n");
        assert.equal(maskText(text), ["crypto isakmp key ***** address 198.51.100.9", "    secret = *****", " pre-shared-key local 6 *****", "no pre-shared-key local"].join("\r\n"));
    });
});
