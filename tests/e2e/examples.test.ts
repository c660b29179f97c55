/**
 * The examples as users run them: each is a Pulumi TypeScript project of its own (runtime nodejs,
 * its own package.json and tsconfig.json, an index.ts importing "pulumi-ikev2" by name), deployed by
 * `pulumi up` in its folder with no build step of its own. The story's whole life is
 * tests/e2e/story.test.ts; here every other example goes up against the lab, a second up changes
 * nothing, and destroy removes what it made.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PulumiSandbox, repoRoot } from "./pulumi-cli";

const EXAMPLES = path.join(repoRoot, "examples");

describe("e2e: examples are Pulumi TypeScript projects deployed as they are", function () {
    this.timeout(10 * 60_000);

    it("every example is a project of its own that imports the package by name", () => {
        const examples = fs.readdirSync(EXAMPLES);
        assert.ok(examples.includes("story") && examples.includes("minimal"), examples.join(", "));
        for (const example of examples) {
            const dir = path.join(EXAMPLES, example);
            const project = fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8");
            assert.match(project, /^runtime: nodejs$/m, `${example}/Pulumi.yaml`);
            assert.doesNotMatch(project, /^main:|typescript: false/m, `${example}/Pulumi.yaml runs its index.ts`);
            const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
            assert.equal(pkg.dependencies["pulumi-ikev2"], "file:../..", `${example}/package.json`);
            assert.ok(pkg.dependencies["@pulumi/pulumi"], `${example}/package.json`);
            assert.ok(fs.existsSync(path.join(dir, "tsconfig.json")), `${example}/tsconfig.json`);
            const program = fs.readFileSync(path.join(dir, "index.ts"), "utf8");
            assert.match(program, /from "pulumi-ikev2"/, `${example}/index.ts`);
            assert.doesNotMatch(program, /from "\.\.\//, `${example}/index.ts imports nothing of the repository by path`);
        }
    });

    it("every example type-checks with its own tsconfig.json against the package's declarations (tsc --noEmit)", () => {
        const tsc = path.join(repoRoot, "node_modules", "typescript", "bin", "tsc");
        for (const example of fs.readdirSync(EXAMPLES)) {
            const r = spawnSync(process.execPath, [tsc, "--noEmit", "-p", path.join(EXAMPLES, example)], { encoding: "utf8" });
            assert.equal(r.status, 0, `examples/${example}:\n${r.stdout}${r.stderr}`);
        }
    });

    for (const example of ["minimal"]) {
        describe(`examples/${example}`, () => {
            const dir = path.join(EXAMPLES, example);
            let sandbox: PulumiSandbox;
            const stack = `examples-${process.pid}`;
            let created = false;

            before(() => {
                sandbox = new PulumiSandbox(`examples-${example}-`);
                sandbox.ok(dir, ["stack", "init", stack]);
                const filled = spawnSync("bash", [path.join(repoRoot, "scripts", "lab-stack.sh")], { cwd: dir, env: sandbox.env, encoding: "utf8" });
                assert.equal(filled.status, 0, filled.stderr);
            });

            after(function () {
                this.timeout(5 * 60_000);
                if (created) sandbox.run(dir, ["destroy", "--yes", "--stack", stack]);
                sandbox.run(dir, ["stack", "rm", "--yes", "--force", stack]);
                sandbox.remove();
            });

            it("pulumi up deploys it from its folder (TypeScript compiled by pulumi, no build step)", () => {
                const out = sandbox.ok(dir, ["up", "--yes", "--stack", stack]);
                created = true;
                assert.match(out, /\+ \d+ created/);
                assert.doesNotMatch(out, /error:/);
            });

            it("a second pulumi up changes nothing", () => {
                const out = sandbox.ok(dir, ["up", "--yes", "--expect-no-changes", "--stack", stack]);
                assert.match(out, /\d+ unchanged/);
            });

            it("pulumi destroy removes what it made", () => {
                const out = sandbox.ok(dir, ["destroy", "--yes", "--stack", stack]);
                created = false;
                assert.match(out, /- \d+ deleted/);
            });
        });
    }
});
