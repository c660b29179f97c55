// Our Node.js language host (tools/pulumi-language-nodejs) with the real Pulumi CLI: which program a
// project runs, TypeScript compilation, the errors it gives instead of running the wrong thing, and how
// fast a failing program or a refused resource is reported. Each project is a folder of its own under
// a temporary directory, with the repository's node_modules linked in (no network install); each
// program exports a stack output `ran` that names the file that ran, read back from `pulumi preview`.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { PulumiRun, PulumiSandbox, repoRoot } from "./pulumi-cli";

/** A program file that exports where it came from, in TypeScript or JavaScript. */
function tsProgram(ran: string): string {
  return `export const ran: string = ${JSON.stringify(ran)};\n`;
}
function jsProgram(ran: string): string {
  return `exports.ran = ${JSON.stringify(ran)};\n`;
}

function pulumiYaml(name: string, extra = ""): string {
  return `name: ${name}\nruntime:\n  name: nodejs\n${extra}`;
}
const typescriptOff = "  options:\n    typescript: false\n";

describe("e2e: our Node.js language host with the real Pulumi CLI (local backend)", function () {
  this.timeout(120_000);
  let sandbox: PulumiSandbox;
  let projects = 0;

  before(function () {
    this.timeout(60 * 60_000); // the first run of scripts/pulumi-cli.sh builds the CLI
    sandbox = new PulumiSandbox("language-host-");
  });
  after(() => sandbox?.remove());

  /**
   * Writes files (relative paths) into a new folder and links the repository's node_modules into
   * `nodeModulesIn` (relative, default the folder itself). The project is `projectDir` inside it.
   */
  function layout(files: Record<string, string>, projectDir = ".", nodeModulesIn = "."): string {
    const root = path.join(sandbox.work, `p${++projects}`);
    for (const [file, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), text);
    }
    fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(root, nodeModulesIn, "node_modules"), "dir");
    const dir = path.join(root, projectDir);
    sandbox.ok(dir, ["stack", "init", "dev"]);
    return dir;
  }

  function preview(dir: string): PulumiRun {
    return sandbox.run(dir, ["preview"]);
  }

  function assertRan(run: PulumiRun, ran: string): void {
    assert.equal(run.code, 0, `pulumi preview failed:\n${run.output}`);
    assert.match(run.output, new RegExp(`ran\\s*:\\s*${JSON.stringify(ran)}`), run.output);
  }

  function assertRefused(run: PulumiRun, ...messages: RegExp[]): void {
    assert.notEqual(run.code, 0, `pulumi preview must fail:\n${run.output}`);
    for (const m of messages) assert.match(run.output, m);
  }

  describe("which program runs", () => {
    it("`main` in Pulumi.yaml, before the package's own main (a TypeScript file in a subfolder)", () => {
      const dir = layout({
        "Pulumi.yaml": pulumiYaml("main-in-pulumi-yaml", "main: src/app.ts\n"),
        "package.json": '{ "name": "main-in-pulumi-yaml", "main": "package-main.js" }\n',
        "package-main.js": jsProgram("package.json main"),
        "index.ts": tsProgram("index.ts"),
        "src/app.ts": tsProgram("Pulumi.yaml main"),
      });
      assertRan(preview(dir), "Pulumi.yaml main");
    });

    it("else `main` of the project's own package.json", () => {
      const dir = layout({
        "Pulumi.yaml": pulumiYaml("package-main"),
        "package.json": '{ "name": "package-main", "main": "bin/program.js" }\n',
        "bin/program.js": jsProgram("package.json main"),
        "index.ts": tsProgram("index.ts"),
      });
      assertRan(preview(dir), "package.json main");
    });

    it("else the project's index.ts", () => {
      const dir = layout({
        "Pulumi.yaml": pulumiYaml("index-ts"),
        "package.json": '{ "name": "index-ts" }\n',
        "index.ts": tsProgram("index.ts"),
      });
      assertRan(preview(dir), "index.ts");
    });

    it("else the project's index.js (typescript: false)", () => {
      const dir = layout({
        "Pulumi.yaml": pulumiYaml("index-js", typescriptOff),
        "package.json": '{ "name": "index-js" }\n',
        "index.js": jsProgram("index.js"),
      });
      assertRan(preview(dir), "index.js");
    });

    it("never the main of a package.json in a folder above a project that has none of its own", () => {
      // As a Pulumi project folder inside this repository: the repository's package.json has a main.
      const dir = layout(
        {
          "package.json": '{ "name": "enclosing-package", "main": "lib/index.js" }\n',
          "lib/index.js": jsProgram("the enclosing package's main"),
          "infra/Pulumi.yaml": pulumiYaml("nested-project"),
          "infra/index.ts": tsProgram("the project's own index.ts"),
        },
        "infra",
      );
      const run = preview(dir);
      assertRan(run, "the project's own index.ts");
      assert.doesNotMatch(run.output, /enclosing package/);
    });
  });

  describe("TypeScript", () => {
    it("is compiled with the project's TypeScript 5 when `typescript` is not false", () => {
      // `satisfies` (TypeScript 4.9) does not parse with the TypeScript 3.8 that the SDK falls back to.
      const dir = layout({
        "Pulumi.yaml": pulumiYaml("typescript-5"),
        "package.json": '{ "name": "typescript-5" }\n',
        "index.ts": [
          "interface Peer { name: string; address?: string }",
          'const peer = { name: "vps", address: "203.0.113.7" } satisfies Peer;',
          "export const ran: string = `TypeScript 5 for ${peer.name}`;",
          "",
        ].join("\n"),
      });
      assertRan(preview(dir), "TypeScript 5 for vps");
    });

    it("is type-checked: a type error is reported with its file and line", () => {
      const dir = layout({
        "Pulumi.yaml": pulumiYaml("type-error"),
        "package.json": '{ "name": "type-error" }\n',
        "index.ts": 'const port: number = "500";\nexport const ran = port;\n',
      });
      assertRefused(preview(dir), /index\.ts\(1,7\): error TS2322: Type 'string' is not assignable to type 'number'/);
    });

    it("a TypeScript program with `typescript: false` is refused with the option and the fix", () => {
      const dir = layout({
        "Pulumi.yaml": pulumiYaml("typescript-off", typescriptOff),
        "package.json": '{ "name": "typescript-off" }\n',
        "index.ts": tsProgram("index.ts"),
      });
      assertRefused(
        preview(dir),
        /index\.ts \(the folder's index file\) is TypeScript, but Pulumi\.yaml sets the nodejs runtime option `typescript: false`/,
        /remove that option so that Pulumi compiles it with ts-node, or compile it to JavaScript/,
      );
    });

    it("an ES module in TypeScript without ts-node's ESM loader is refused with the fix", () => {
      // The SDK compiles ES modules only with an installed ts-node (its bundled one is CommonJS only);
      // this repository has none, so node would fail with ERR_UNKNOWN_FILE_EXTENSION.
      const dir = layout({
        "Pulumi.yaml": pulumiYaml("esm-typescript"),
        "package.json": '{ "name": "esm-typescript", "type": "module" }\n',
        "index.ts": tsProgram("index.ts"),
      });
      assertRefused(
        preview(dir),
        /index\.ts \(the folder's index file\) is TypeScript in an ES module package \("type": "module"\)/,
        /npm install --save-dev ts-node/,
      );
    });

    it("a `typescript` option that is not a boolean is refused", () => {
      const dir = layout({
        "Pulumi.yaml": pulumiYaml("typescript-string", '  options:\n    typescript: "false"\n'),
        "package.json": '{ "name": "typescript-string" }\n',
        "index.js": jsProgram("index.js"),
      });
      assertRefused(preview(dir), /the nodejs runtime option `typescript` must be true or false, not "false"/);
    });
  });

  it("a project with nothing to run is refused with what was looked for", () => {
    const dir = layout({
      "Pulumi.yaml": pulumiYaml("nothing-to-run"),
      "package.json": '{ "name": "nothing-to-run", "main": "bin/index.js", "scripts": { "build": "tsc" } }\n',
      "src/app.ts": tsProgram("src/app.ts"),
    });
    assertRefused(
      preview(dir),
      /package\.json names `main: bin\/index\.js`, which does not exist \(Pulumi runs no build script/,
      /has no program to run: no package\.json `main` of its own, no index\.js and no index\.ts/,
    );
  });

  describe("failures report promptly", () => {
    // Before the launcher (tools/pulumi-language-nodejs/launcher.js), a program failing like the one
    // below was reported 35-40 s after it failed, on this 2-core machine: Node 20.20.2's util.inspect
    // looped on the SDK's source-mapped stack frames. Now well under a second. The bound is loose for a
    // loaded machine and still far below the old time.
    const promptly = 15;

    it("a program whose apply callback throws: the error and its TypeScript line, right after the failure", () => {
      const dir = layout({
        "Pulumi.yaml": pulumiYaml("throws"),
        "package.json": '{ "name": "throws" }\n',
        "index.ts": [
          'import * as fs from "fs";',
          'import * as pulumi from "@pulumi/pulumi";',
          "",
          'export const ran = pulumi.output("hello").apply((text: string) => {',
          '    fs.writeFileSync("failed-at", String(Date.now()));',
          "    throw new Error(`the program failed on purpose after ${text}`);",
          "});",
          "",
        ].join("\n"),
      });
      const run = preview(dir);
      assertRefused(run, /Error: the program failed on purpose after hello/, /index\.ts:6:11/);
      const reportedAfter = (run.endedAt - Number(fs.readFileSync(path.join(dir, "failed-at"), "utf8"))) / 1000;
      assert.ok(reportedAfter < promptly, `pulumi exited ${reportedAfter.toFixed(1)} s after the failure:\n${run.output}`);
    });

    it("a resource that fails check (the story's keyring peer without address): the property and the fix", () => {
      const program = [
        `const { IkeV2Keyring } = require(${JSON.stringify(path.join(repoRoot, "dist/provider"))});`,
        'const router = { host: "198.51.100.1", username: "admin", password: "not-used", hostKey: "SHA256:' + "A".repeat(43) + '" };',
        'new IkeV2Keyring("keyring", { device: router, name: "KR-VPS", peers: [{ name: "vps", preSharedKey: "never-Shown-psk" }] });',
        "",
      ].join("\n");
      const dir = layout({
        "Pulumi.yaml": pulumiYaml("check-fails", typescriptOff),
        "package.json": '{ "name": "check-fails" }\n',
        "index.js": program,
      });
      // The check runs in the dynamic provider's process, so the whole preview is timed: 2-3 s before and after.
      const run = preview(dir);
      assertRefused(run, /IkeV2Keyring resource 'keyring': property peers\[0\]\.address/, /Fix: add the peer's address/);
      assert.doesNotMatch(run.output, /never-Shown-psk/);
      assert.ok(run.seconds < promptly, `reported after ${run.seconds.toFixed(1)} s:\n${run.output}`);
    });
  });
});
