/**
 * The Pulumi glue without a device: the serialized provider, check() failure paths, diff decisions,
 * secrets split into their own inputs, and the generated reference being current.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import Module from "module";
import * as pulumi from "@pulumi/pulumi";
import type { ResourceHandlers } from "../../provider/dynamic/kind";
import { deviceProviderStub } from "../../provider/dynamic/provider-stub";
import { handlersFor } from "../../provider/dynamic/handlers";
import { UNKNOWN } from "../../provider/dynamic/engine";
import { renderReference } from "../../provider/docs/reference";

const connection = { host: "198.51.100.1", username: "admin", hostKey: "SHA256:" + "x".repeat(43) };
const credentials = { password: "Login-Pw-1", enableSecret: "Enable-1" };
const proposal = { name: "PROP-AES256", encryption: ["aes-cbc-256"], integrity: ["sha256"], groups: [14] };

/** Loads serialized provider text the way the dynamic-provider host does (requireFromString). */
function loadSerialized(text: string): { handler: () => unknown } {
    const m = new (Module as unknown as new (id: string) => { _compile(src: string, file: string): void; exports: unknown; paths: string[] })("serialized");
    m.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(process.cwd());
    m._compile(text, path.join(process.cwd(), "serialized-provider.js"));
    return m.exports as { handler: () => unknown };
}

describe("Pulumi glue", () => {
    it("serializes the provider as a small stub without credentials or captured code, and it works once loaded", async () => {
        // Exactly what pulumi.dynamic.Resource does with its provider object.
        const stub = deviceProviderStub();
        const serialized = await pulumi.runtime.serializeFunction(() => stub, { allowSecrets: true });
        assert.ok(serialized.text.length < 3500, `serialized provider is ${serialized.text.length} bytes`);
        assert.ok(!/Login-Pw|ssh2|zod/.test(serialized.text));
        const provider = loadSerialized(serialized.text).handler() as ResourceHandlers;
        const result = await provider.check({}, { __kind: "IkeV2Proposal", connection, credentials, ...proposal, groups: [5] });
        assert.strictEqual(result.failures![0].property, "groups[0]");
    });

    it("one stub serves every kind: each call goes to the handlers of the kind its properties name", async () => {
        // One object, so Pulumi serializes the provider once per program, not once per kind.
        assert.strictEqual(deviceProviderStub(), deviceProviderStub());
        const stub = deviceProviderStub();
        const asProposal = await stub.check({}, { __kind: "IkeV2Proposal", connection, credentials, ...proposal, groups: [5] });
        assert.strictEqual(asProposal.failures![0].property, "groups[0]");
        const asPolicy = await stub.check({}, { __kind: "IkeV2Policy", connection, credentials, name: "POL-1", proposals: ["PROP-AES256"] });
        assert.deepStrictEqual(asPolicy.failures, []);
        assert.strictEqual(asPolicy.inputs.__kind, "IkeV2Policy", "check keeps the kind in the inputs, so state names it for read and delete");
        await assert.rejects(async () => stub.read("id", undefined), /name no kind this provider has \(__kind: absent\)\. Fix: pulumi import is not supported/);
        await assert.rejects(async () => stub.check({}, { __kind: "Router", connection, credentials }), /__kind: "Router"/);
    });

    it("state written with a stub per kind (before __kind) still reaches its kind's handlers", async () => {
        // Such a stub calls handlersFor(kind) with the kind it captured; its properties have no __kind.
        const result = await handlersFor("IkeV2Proposal").check({}, { connection, credentials, ...proposal, groups: [5] });
        assert.strictEqual(result.failures![0].property, "groups[0]");
    });

    it("check names the property and the fix, and prefixes device settings with device.", async () => {
        const h = handlersFor("IkeV2Proposal");
        const result = await h.check({}, { connection: { ...connection, hostKey: undefined }, credentials: {}, ...proposal, encryption: ["aes-gcm-256"] });
        const byProperty = Object.fromEntries(result.failures!.map((f) => [f.property, f.reason]));
        assert.match(byProperty["device.hostKey"], /Fix: set hostKey/);
        assert.match(byProperty["device.password"], /Fix: set device.password or device.privateKey/);
        assert.match(byProperty["integrity"], /GCM/);
    });

    it("check tolerates unknown values during preview", async () => {
        const h = handlersFor("IkeV2Policy");
        const result = await h.check({}, { connection, credentials, name: "POL-1", proposals: [UNKNOWN] });
        assert.deepStrictEqual(result.failures, []);
    });

    it("diff: no change for identical inputs or a new provider version, replace on rename, update otherwise", async () => {
        const h = handlersFor("IkeV2Proposal");
        const olds = { connection, credentials, ...proposal, __provider: "old code", device: "admin@198.51.100.1", config: [], unmanaged: [] };
        assert.deepStrictEqual(await h.diff("id", olds, { connection, credentials, ...proposal, __provider: "new code" }), { changes: false, replaces: [] });
        assert.deepStrictEqual((await h.diff("id", olds, { connection, credentials, ...proposal, name: "P2" })).replaces, ["name"]);
        assert.deepStrictEqual(await h.diff("id", olds, { connection, credentials, ...proposal, groups: [19] }), { changes: true, replaces: [] });
        assert.deepStrictEqual((await h.diff("id", olds, { connection: { ...connection, host: "198.51.100.2" }, credentials, ...proposal })).replaces, ["connection"]);
        assert.strictEqual((await h.diff("id", { ...olds, unmanaged: [" encryption aes-cbc-128"] }, { connection, credentials, ...proposal })).changes, true);
    });

    it("keyring keys travel in preSharedKeys and are merged back into the peers for validation", async () => {
        const h = handlersFor("IkeV2Keyring");
        const ok = await h.check({}, {
            connection, credentials, name: "KR",
            peers: [{ name: "vps", address: "203.0.113.7" }],
            preSharedKeys: { vps: { preSharedKey: "Key-1234" } },
        });
        assert.deepStrictEqual(ok.failures, []);
        const missing = await h.check({}, { connection, credentials, name: "KR", peers: [{ name: "vps", address: "203.0.113.7" }], preSharedKeys: {} });
        assert.match(missing.failures![0].property, /^peers\[0\]\.preSharedKey/);
    });

    it("docs/resources.md is generated from the schemas and is current (npm run docs)", () => {
        const committed = fs.readFileSync(path.join(__dirname, "..", "..", "..", "docs", "resources.md"), "utf8");
        assert.strictEqual(committed, renderReference());
    });
});
