// The real Pulumi CLI rotating a pre-shared key on a router that shows keys only encrypted
// (`password encryption aes`, `pre-shared-key 6 <cipher>`), against an emulated router started by
// this test: the changed key reaches the device (checked on the device, not through the
// provider), the next up changes and sends nothing, a refresh shows no drift, keysVersion sends
// the keys again, check's warnings appear in the CLI's diagnostics, and no key reaches the output
// or the state.
import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as path from "path";
import { EmulatedRouter, startRouter } from "../helpers/ios-lab";
import { javascriptProject, PulumiSandbox, repoRoot } from "./pulumi-cli";

const VPS_KEY = "vps-Key-2024!first";
const ROTATED_KEY = "vps-Key-2025!rotated";
const PARENTS_KEY = "parents-Key-2024!first";

const program = `"use strict";
const pulumi = require("@pulumi/pulumi");
const ikev2 = require(${JSON.stringify(path.join(repoRoot, "dist/provider/index.js"))});

module.exports = async () => {
  const config = new pulumi.Config();
  const device = {
    host: "127.0.0.1",
    port: config.requireNumber("port"),
    username: "admin",
    password: config.requireSecret("password"),
    enableSecret: config.requireSecret("enableSecret"),
    hostKey: config.require("hostKey"),
  };
  const parentsKey = config.getBoolean("reuseKey") ? config.requireSecret("vpsKey") : config.requireSecret("parentsKey");
  const keyring = new ikev2.IkeV2Keyring("keyring", {
    device,
    name: "KR",
    keysVersion: config.getNumber("keysVersion"),
    peers: [
      { name: "vps", address: "203.0.113.7", preSharedKey: config.requireSecret("vpsKey") },
      { name: "parents", address: "192.0.2.50", preSharedKey: parentsKey },
    ],
  });
  return { config: keyring.config };
};
`;

/** The cipher text the router shows for a peer's key (type 6). */
function cipherOf(config: string, peer: string): string {
    const m = new RegExp(`^ peer ${peer}\\n(?:  .*\\n)*?  pre-shared-key 6 (\\S+)$`, "m").exec(config);
    assert.ok(m, `peer ${peer} has no type-6 key:\n${config}`);
    return m[1];
}

describe("e2e: rotating a key on a router with `password encryption aes`, with the real Pulumi CLI", function () {
    this.timeout(600_000);
    let sandbox: PulumiSandbox;
    let router: EmulatedRouter;
    let project = "";
    const outputs: string[] = [];

    /** Runs the CLI without blocking this process, which serves the emulated router. */
    function pulumi(...args: string[]): Promise<string> {
        return new Promise((resolve, reject) => {
            const child = spawn("pulumi", [...args, "--non-interactive"], { cwd: project, env: sandbox.env });
            let output = "";
            child.stdout.on("data", (d) => (output += d));
            child.stderr.on("data", (d) => (output += d));
            child.on("error", reject);
            child.on("close", (code) => {
                outputs.push(output);
                if (code === 0) resolve(output);
                else reject(new Error(`pulumi ${args.join(" ")} exited ${code}:\n${output}`));
            });
        });
    }

    /** Configuration lines the router received since the last call (the emulator's log masks keys). */
    function sentKeys(): string[] {
        const keys = router.received.filter((l) => l.startsWith("pre-shared-key"));
        router.received.length = 0;
        return keys;
    }

    before(async function () {
        this.timeout(60 * 60_000); // the first run may build the CLI
        router = await startRouter();
        router.emulator.loadRunningConfig("key config-key password-encrypt Master-Key-123\npassword encryption aes\n");
        sandbox = new PulumiSandbox("key-rotation-");
        project = javascriptProject(sandbox, "key-rotation", program);
        await pulumi("stack", "init", "dev");
        await pulumi("config", "set", "port", String(router.emulator.port));
        await pulumi("config", "set", "hostKey", router.hostKey);
        await pulumi("config", "set", "--secret", "password", String(router.credentials.password));
        await pulumi("config", "set", "--secret", "enableSecret", String(router.credentials.enableSecret));
        await pulumi("config", "set", "--secret", "vpsKey", VPS_KEY);
        await pulumi("config", "set", "--secret", "parentsKey", PARENTS_KEY);
    });

    after(async function () {
        this.timeout(240_000);
        if (sandbox) {
            await pulumi("destroy", "--yes").catch(() => undefined);
            sandbox.remove();
        }
        await router?.emulator.close();
    });

    let first: { vps: string; parents: string };

    it("up creates the keyring; the router shows its keys only as type 6", async () => {
        assert.match(await pulumi("up", "--yes"), /\+ 2 created/);
        const config = router.emulator.runningConfig();
        first = { vps: cipherOf(config, "vps"), parents: cipherOf(config, "parents") };
        assert.equal(sentKeys().length, 2);
    });

    it("a rotated key previews as an update, and up sends exactly that key to the router", async () => {
        await pulumi("config", "set", "--secret", "vpsKey", ROTATED_KEY);
        assert.match(await pulumi("preview"), /~ 1 to update/);
        assert.match(await pulumi("up", "--yes"), /~ 1 updated/);
        assert.deepEqual(sentKeys(), ["pre-shared-key <redacted>"]);
        const config = router.emulator.runningConfig();
        assert.notEqual(cipherOf(config, "vps"), first.vps, "the router still holds the old key");
        assert.equal(cipherOf(config, "parents"), first.parents);
    });

    it("the next up changes nothing and sends nothing; a refresh shows no drift", async () => {
        router.received.length = 0;
        assert.match(await pulumi("up", "--yes", "--expect-no-changes"), /2 unchanged/);
        assert.match(await pulumi("refresh", "--yes", "--expect-no-changes"), /2 unchanged/);
        assert.match(await pulumi("up", "--yes", "--expect-no-changes"), /2 unchanged/);
        assert.deepEqual(router.received.filter((l) => !/^(show |terminal |enable$|exit$)/.test(l)), [], "only reads and logouts");
    });

    it("a changed keysVersion sends every key again", async () => {
        await pulumi("config", "set", "keysVersion", "1");
        assert.match(await pulumi("up", "--yes"), /~ 1 updated/);
        assert.equal(sentKeys().length, 2);
    });

    it("check's warnings reach the CLI as warnings, naming the resource, the property and the fix", async () => {
        await pulumi("config", "set", "reuseKey", "true");
        const preview = await pulumi("preview");
        assert.match(preview, /warning: IkeV2Keyring KR on admin@127\.0\.0\.1:\d+: peers\[1\]: peers\[1\] "parents" uses the same pre-shared key as peers\[0\] "vps".*\. Fix: give each peer a key of its own/);
        await pulumi("config", "rm", "reuseKey");
    });

    it("no key reaches the CLI output or the state", async () => {
        const state = await pulumi("stack", "export");
        for (const key of [VPS_KEY, ROTATED_KEY, PARENTS_KEY, String(router.credentials.password)]) {
            assert.ok(!outputs.join("\n").includes(key), "a key in the CLI output");
            assert.ok(!state.includes(key), "a key in the state");
        }
    });
});
