/**
 * Sharing on a hub, with the real Pulumi CLI against the lab: the home router with a tunnel to vps,
 * then a second tunnel to branch added, then removed again. Adding or removing a tunnel creates or
 * deletes only that tunnel's objects (its keyring peer, profile, IPsec profile, tunnel interface,
 * cross-end check and proofs): nothing on the router that other tunnels use is updated, the keyring
 * keeps the other peer, and the remaining tunnel stays up.
 */
import { strict as assert } from "assert";
import * as path from "path";
import { withLabIosSession } from "../../scripts/lab-sites";
import { javascriptProject, PulumiSandbox, repoRoot } from "./pulumi-cli";

/** home with tunnels to vps and, when the stack says so, to branch; the lab's devices come from the stack's configuration. */
const PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const ikev2 = require(${JSON.stringify(path.join(repoRoot, "dist", "provider"))});
const cfg = new pulumi.Config();
const algorithms = {
    ike: { encryption: ["aes-cbc-256"], integrity: ["sha256"], groups: [14] },
    esp: { encryption: "esp-aes-256", integrity: "esp-sha256-hmac" },
    pfsGroup: 14,
};
const home = new ikev2.IosRouter("home", {
    device: { host: cfg.require("homeHost"), username: cfg.require("homeUser"), password: cfg.requireSecret("homePassword"),
              enableSecret: cfg.requireSecret("homeEnableSecret"), hostKey: cfg.require("homeHostKey") },
    wan: "198.51.100.1", lans: ["10.1.0.0/24"], lanAddress: "10.1.0.1", algorithms,
});
const site = (name, wan, lan, lanAddress) => ({ name, wan, lans: [lan], lanAddress,
    device: { host: cfg.require(name + "Host"), username: cfg.require(name + "User"), privateKey: cfg.requireSecret(name + "PrivateKey"), hostKey: cfg.require(name + "HostKey") } });
const toVps = new ikev2.SiteToSiteTunnel("home-vps", {
    a: { router: home, tunnel: { number: 1, address: "172.16.0.1/30" } },
    b: { host: site("vps", "203.0.113.7", "10.2.0.0/24", "10.2.0.1") },
    preSharedKey: cfg.requireSecret("vpsPsk"),
});
exports.vpsUp = toVps.established;
if (cfg.getBoolean("withBranch")) {
    const toBranch = new ikev2.SiteToSiteTunnel("home-branch", {
        a: { router: home, tunnel: { number: 3, address: "172.16.0.9/30" } },
        b: { host: site("branch", "203.0.113.9", "10.4.0.0/24", "10.4.0.1") },
        preSharedKey: cfg.requireSecret("branchPsk"),
    });
    exports.branchUp = toBranch.established;
}
`;

/** What each of home's `peer` sub-blocks of keyring KR is, in order. */
async function keyringPeers(): Promise<string[]> {
    const config = await withLabIosSession("home", (s) => s.exec("show running-config"));
    const block = /^crypto ikev2 keyring KR\n((?: .*\n)*)/m.exec(config.replace(/\r/g, ""));
    return block ? [...block[1].matchAll(/^ peer (\S+)$/gm)].map((m) => m[1]) : [];
}

describe("a hub's tunnels share what IOS shares: adding or removing one touches only its own objects (real CLI, lab)", function () {
    this.timeout(15 * 60 * 1000);
    let sandbox: PulumiSandbox;
    let dir: string;
    let beforeConfig: string;

    const run = (args: string[], input?: string) => {
        const r = sandbox.run(dir, args, 10 * 60 * 1000, input);
        assert.equal(r.code, 0, `pulumi ${args.join(" ")} exited ${r.code}:\n${r.output}`);
        return r.output;
    };

    before(async () => {
        sandbox = new PulumiSandbox("ikev2-hub-");
        dir = javascriptProject(sandbox, "hub", PROGRAM);
        run(["stack", "init", "hub"]);
        sandbox.configureLabSites(dir, ["home", "vps", "branch"]);
        for (const name of ["vps", "branch"]) run(["config", "set", "--secret", `${name}Psk`], `${name}-hub-key-${process.pid}`);
        beforeConfig = await withLabIosSession("home", (s) => s.exec("show running-config"));
    });

    after(async () => {
        sandbox.run(dir, ["destroy", "--yes"], 10 * 60 * 1000);
        sandbox.remove();
        const { SshPool } = await import("../../provider/ssh/pool");
        await SshPool.shared.closeAll();
    });

    it("one tunnel: the keyring holds its peer", async () => {
        const out = run(["up", "--yes"]);
        assert.match(out, /vpsUp\s*: true/);
        assert.deepEqual(await keyringPeers(), ["vps"]);
    });

    it("adding a tunnel creates its own objects and updates nothing", async () => {
        run(["config", "set", "withBranch", "true"]);
        const preview = run(["preview", "--diff"]);
        assert.doesNotMatch(preview, /^\s*~ .*(update|replace)/m, "nothing is updated or replaced");
        const out = run(["up", "--yes"]);
        assert.match(out, /\+ \d+ created/);
        assert.doesNotMatch(out, /\d+ updated|\d+ replaced/);
        assert.match(out, /branchUp\s*: true/);
        assert.match(out, /vpsUp\s*: true/);
        assert.deepEqual(await keyringPeers(), ["vps", "branch"]);
    });

    it("removing it deletes its own objects, updates nothing, and keeps the other tunnel up", async () => {
        run(["config", "set", "withBranch", "false"]);
        const out = run(["up", "--yes"]);
        assert.match(out, /- \d+ deleted/);
        assert.doesNotMatch(out, /\d+ updated|\d+ replaced/);
        assert.deepEqual(await keyringPeers(), ["vps"]);
        run(["up", "--yes", "--expect-no-changes", "--refresh"]);
        assert.equal(run(["stack", "output", "vpsUp"]).trim(), "true", "the refresh read vps's tunnel up from both ends");
    });

    it("destroying the last tunnel removes the keyring with its last peer: the router is as before", async () => {
        run(["destroy", "--yes"]);
        const body = (t: string) => t.split("\n").filter((l) => !/^(Current configuration|! Last configuration change|! NVRAM config last updated)/.test(l)).join("\n");
        assert.equal(body(await withLabIosSession("home", (s) => s.exec("show running-config"))), body(beforeConfig));
    });
});
