/**
 * What a Pulumi program loads when it imports the package: the resource classes and what they need
 * to put inputs on the wire (resources/wire-layouts.ts), not the schemas, zod, the renderers or SSH.
 * Those belong to the provider process; a program that loaded them would pay for them on every
 * `pulumi up`, a no-op one included (bench/README.md, "Reading the numbers").
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as path from "path";

const REPO = path.resolve(__dirname, "..", "..", "..");

/** The modules that loading `modules` adds to a Node process that already has @pulumi/pulumi. */
function modulesLoadedBy(modules: string[]): string[] {
    const script = `
        require("@pulumi/pulumi");
        const before = new Set(Object.keys(require.cache));
        for (const m of ${JSON.stringify(modules)}) require(m);
        console.log(JSON.stringify(Object.keys(require.cache).filter((k) => !before.has(k))));
    `;
    return JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: REPO, encoding: "utf8" }));
}

const PROVIDER_SIDE = /node_modules\/(zod|ssh2)\/|dist\/provider\/(schema|ios|drivers|ssh|dynamic\/(registry|handlers))\//;

describe("a program that imports the package", () => {
    it("loads the resource classes without the schemas, zod, the renderers or SSH", () => {
        const loaded = modulesLoadedBy([path.join(REPO, "dist", "provider", "index.js")]);
        assert.ok(loaded.some((m) => m.endsWith(path.join("provider", "resources", "wire-layouts.js"))), "the classes read the generated wire layouts");
        assert.deepEqual(loaded.filter((m) => PROVIDER_SIDE.test(m)), []);
    });

    it("and so does the benchmark's hub program (bench/hub.ts holds data only)", () => {
        const loaded = modulesLoadedBy([path.join(REPO, "dist", "provider", "index.js"), path.join(REPO, "dist", "bench", "hub.js")]);
        assert.deepEqual(loaded.filter((m) => PROVIDER_SIDE.test(m)), []);
    });
});
