/**
 * SiteToSiteTunnel between two strongSwan hosts (vps <-> branch), with the real Pulumi CLI against
 * the lab: one declaration makes a connection on each host (named after the far site), the tunnel is
 * proven from both ends (SAs installed, a ping from each LAN address to the other's, counters grown),
 * a second `up` changes nothing, and destroy removes both files. (IOS <-> IOS and IOS <-> strongSwan:
 * the story's two tunnels, tests/e2e/story.test.ts.)
 */
import { strict as assert } from "assert";
import * as path from "path";
import { labExec } from "../helpers/lab";
import { javascriptProject, PulumiSandbox, repoRoot } from "./pulumi-cli";

const PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const ikev2 = require(${JSON.stringify(path.join(repoRoot, "dist", "provider"))});
const cfg = new pulumi.Config();
const site = (name, wan, lan, lanAddress) => ({ name, wan, lans: [lan], lanAddress,
    device: { host: cfg.require(name + "Host"), username: cfg.require(name + "User"), privateKey: cfg.requireSecret(name + "PrivateKey"), hostKey: cfg.require(name + "HostKey") } });
const tunnel = new ikev2.SiteToSiteTunnel("vps-branch", {
    a: { host: site("vps", "203.0.113.7", "10.2.0.0/24", "10.2.0.1") },
    b: { host: site("branch", "203.0.113.9", "10.4.0.0/24", "10.4.0.1") },
    preSharedKey: cfg.requireSecret("psk"),
    algorithms: {
        ike: { encryption: ["aes-cbc-256"], integrity: ["sha256"], groups: [14] },
        esp: { encryption: "esp-aes-256", integrity: "esp-sha256-hmac" },
        pfsGroup: 14,
    },
});
exports.up = tunnel.established;
`;

const confFile = (site: string, far: string) => labExec(site, ["sh", "-c", `cat /etc/swanctl/conf.d/pulumi-${far}.conf 2>/dev/null || true`]);

describe("SiteToSiteTunnel between two strongSwan hosts (real CLI, lab)", function () {
    this.timeout(15 * 60 * 1000);
    let sandbox: PulumiSandbox;
    let dir: string;

    const run = (args: string[], input?: string) => {
        const r = sandbox.run(dir, args, 10 * 60 * 1000, input);
        assert.equal(r.code, 0, `pulumi ${args.join(" ")} exited ${r.code}:\n${r.output}`);
        return r.output;
    };

    before(() => {
        sandbox = new PulumiSandbox("ikev2-swan-pair-");
        dir = javascriptProject(sandbox, "pair", PROGRAM);
        run(["stack", "init", "pair"]);
        sandbox.configureLabSites(dir, ["vps", "branch"]);
        run(["config", "set", "--secret", "psk"], `pair-key-${process.pid}`);
    });

    after(async () => {
        sandbox.run(dir, ["destroy", "--yes"], 10 * 60 * 1000);
        sandbox.remove();
        const { SshPool } = await import("../../provider/ssh/pool");
        await SshPool.shared.closeAll();
    });

    it("preview shows one connection per host, the cross-end check and a proof per end", () => {
        const out = run(["preview"]);
        for (const name of ["vps-branch-vps-connection", "vps-branch-branch-connection", "vps-branch-cross-end", "vps-branch-vps-check", "vps-branch-branch-check"]) {
            assert.match(out, new RegExp(`\\+\\s+\\S+ ${name}\\b`), `preview lacks ${name}`);
        }
    });

    it("up makes a connection on each host, mirror images of each other, and proves the tunnel from both ends", () => {
        run(["up", "--yes"]);
        assert.equal(run(["stack", "output", "up"]).trim(), "true");
        const vps = confFile("vps", "branch");
        const branch = confFile("branch", "vps");
        assert.match(vps, /local_ts = 10\.2\.0\.0\/24/);
        assert.match(vps, /remote_ts = 10\.4\.0\.0\/24/);
        assert.match(branch, /local_ts = 10\.4\.0\.0\/24/);
        assert.match(branch, /remote_ts = 10\.2\.0\.0\/24/);
        // The SAs as charon shows them on each end, beside what the checks proved.
        assert.match(labExec("vps", ["swanctl", "--list-sas", "--ike", "branch"]), /branch-lan: #\d+, reqid \d+, INSTALLED/);
        assert.match(labExec("branch", ["swanctl", "--list-sas", "--ike", "vps"]), /vps-lan: #\d+, reqid \d+, INSTALLED/);
    });

    it("a second up and a refresh change nothing", () => {
        run(["up", "--yes", "--expect-no-changes"]);
        run(["refresh", "--yes", "--expect-no-changes"]);
    });

    it("destroy removes both connections", () => {
        run(["destroy", "--yes"]);
        assert.equal(confFile("vps", "branch"), "");
        assert.equal(confFile("branch", "vps"), "");
        assert.doesNotMatch(labExec("vps", ["swanctl", "--list-conns"]), /^branch:/m);
    });
});
