/**
 * The serialized provider (provider/dynamic/provider-stub.ts) loads the implementation by the path
 * it had when the program ran; when that path is gone (the project moved, or the state was written on
 * another machine), it loads the package the project has installed, as a user's project holds it in
 * node_modules.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import Module from "module";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import type { ResourceHandlers } from "../../provider/dynamic/kind";
import { deviceProviderStub } from "../../provider/dynamic/provider-stub";

const REPO = path.resolve(__dirname, "..", "..", "..");
const connection = { host: "198.51.100.1", username: "admin", hostKey: "SHA256:" + "x".repeat(43) };
const credentials = { password: "Login-Pw-1" };
const proposal = { __kind: "IkeV2Proposal", name: "PROP-AES256", encryption: ["aes-cbc-256"], integrity: ["sha256"], groups: [5] };

/** Loads serialized provider text the way the dynamic-provider host does (require-from-string, from its cwd). */
function loadSerialized(text: string): ResourceHandlers {
    const m = new (Module as unknown as new (id: string) => { _compile(src: string, file: string): void; exports: { handler(): ResourceHandlers }; paths: string[] })("serialized");
    m.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(process.cwd());
    m._compile(text, path.join(process.cwd(), "serialized-provider.js"));
    return m.exports.handler();
}

/** The stub as state holds it, with the implementation's path of a project that no longer exists. */
async function movedStub(): Promise<string> {
    // Exactly what pulumi.dynamic.Resource serializes: the provider object the program made.
    const stub = deviceProviderStub();
    const serialized = (await pulumi.runtime.serializeFunction(() => stub, { allowSecrets: true })).text;
    const recorded = JSON.stringify(path.join(REPO, "dist", "provider", "dynamic", "handlers.js"));
    assert.ok(serialized.includes(recorded), "the stub records the implementation's path");
    return serialized.replace(recorded, JSON.stringify("/nonexistent/old-project/node_modules/pulumi-ikev2/dist/provider/dynamic/handlers.js"));
}

describe("the serialized provider stub finds its implementation", () => {
    const cwd = process.cwd();
    let project = "";

    beforeEach(() => {
        project = fs.mkdtempSync(path.join(os.tmpdir(), "ikev2-stub-"));
    });
    afterEach(() => {
        process.chdir(cwd);
        fs.rmSync(project, { recursive: true, force: true });
    });

    it("in the package the project has in node_modules when the recorded path is gone", async () => {
        fs.mkdirSync(path.join(project, "node_modules"));
        fs.symlinkSync(REPO, path.join(project, "node_modules", "pulumi-ikev2"), "dir");
        const text = await movedStub();
        process.chdir(project);
        const result = await loadSerialized(text).check({}, { connection, credentials, ...proposal });
        assert.equal(result.failures?.[0]?.property, "groups[0]");
    });

    it("and names the fix when the project has no such package", async () => {
        const text = await movedStub();
        process.chdir(project);
        await assert.rejects(
            async () => loadSerialized(text).check({}, { connection, credentials, ...proposal }),
            /cannot load the provider implementation from \/nonexistent\/.* Fix: install the package in the project/,
        );
    });
});
