/**
 * Cross-end checks at `pulumi preview`, with the real CLI: a tunnel written by hand whose two ends
 * disagree (checkTunnelEnds) and SiteToSiteTunnels that clash on a router fail the preview, each
 * problem naming both ends' resources and the fix, without a device being touched (the devices of
 * this program do not exist). A value that is only known after another resource is created leaves
 * out the checks it feeds at preview instead of failing them.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PulumiSandbox, repoRoot } from "./pulumi-cli";

const HOST_KEY = "SHA256:" + "A".repeat(43);

/** A Pulumi program in plain JavaScript that loads the built package from this repository. */
const PROGRAM_HEAD = `
const pulumi = require("@pulumi/pulumi");
const ikev2 = require(${JSON.stringify(path.join(repoRoot, "dist", "provider"))});
const home = { host: "198.51.100.1", username: "admin", password: pulumi.secret("pw-not-used"), hostKey: "${HOST_KEY}" };
const vps = { host: "203.0.113.7", username: "root", privateKey: pulumi.secret("key-not-used"), hostKey: "${HOST_KEY}" };
const ike = { encryption: ["aes-cbc-256"], integrity: ["sha256"], groups: [14] };
`;

/** home's IOS end toward vps, written by hand, and vps's connection; `o` spoils one thing at a time. */
const HAND_WRITTEN = `
const proposal = new ikev2.IkeV2Proposal("home-proposal", { device: home, name: "PROP", ...ike });
new ikev2.IkeV2Policy("home-policy", { device: home, name: "POL", proposals: [proposal] });
const keyring = new ikev2.IkeV2Keyring("home-keyring", { device: home, name: "KR", peers: [{ name: "vps", address: "203.0.113.8", preSharedKey: pulumi.secret("home-side-key-1") }] });
const profile = new ikev2.IkeV2Profile("home-profile", { device: home, name: "PROF-VPS", matchIdentityRemote: [{ address: "203.0.113.7" }], identityLocal: { address: "198.51.100.1" }, keyring });
const ts = new ikev2.IpsecTransformSet("home-ts", { device: home, name: "TS", encryption: "esp-aes-256", integrity: "esp-sha256-hmac" });
const ipsec = new ikev2.IpsecProfile("home-ipsec", { device: home, name: "IPSEC-VPS", transformSets: [ts], ikev2Profile: profile });
const tunnel = new ikev2.TunnelInterface("home-tunnel", { device: home, number: 1, ipAddress: { address: "172.16.0.1", mask: "255.255.255.252" },
    tunnelSource: "198.51.100.1", tunnelDestination: "203.0.113.7", protectionProfile: ipsec, routes: [{ destination: "10.2.0.0/24" }] });
const connection = new ikev2.StrongSwanConnection("vps-home", { device: vps, name: "home", localAddrs: ["203.0.113.7"], remoteAddrs: ["198.51.100.1"],
    proposals: [{ ...ike, groups: [15] }], local: { auth: "psk" }, remote: { auth: "psk", id: { fqdn: "home.example.net" } }, preSharedKey: pulumi.secret("vps-side-key-2"),
    children: [{ name: "home-lan", localTs: ["10.2.0.0/24"], remoteTs: ["10.1.0.0/24"], espProposals: [{ encryption: "esp-aes-256", integrity: "esp-sha256-hmac" }] }] });
ikev2.checkTunnelEnds("home-vps", { a: { site: "home", tunnel }, b: { site: "vps", connection, child: "home-lan" } });
`;

/** Two component tunnels on one router that use the same tunnel number. */
const CLASHING = `
const algorithms = { ike, esp: { encryption: "esp-aes-256", integrity: "esp-sha256-hmac" }, pfsGroup: 14 };
const router = new ikev2.IosRouter("home", { device: home, wan: "198.51.100.1", lans: ["10.1.0.0/24"], algorithms });
const site = (name, wan, lan) => ({ name, device: { ...vps, host: wan }, wan, lans: [lan] });
new ikev2.SiteToSiteTunnel("home-vps", { a: { router, tunnel: { number: 1, address: "172.16.0.1/30" } }, b: { host: site("vps", "203.0.113.7", "10.2.0.0/24") }, preSharedKey: pulumi.secret("key-one-1") });
new ikev2.SiteToSiteTunnel("home-branch", { a: { router, tunnel: { number: 1, address: "172.16.0.5/30" } }, b: { host: site("branch", "203.0.113.9", "10.4.0.0/24") }, preSharedKey: pulumi.secret("key-two-2") });
`;

/** A tunnel whose far address is only known once another resource exists: at preview its checks wait. */
const UNKNOWN_AT_PREVIEW = `
const algorithms = { ike, esp: { encryption: "esp-aes-256", integrity: "esp-sha256-hmac" } };
const router = new ikev2.IosRouter("home", { device: home, wan: "198.51.100.1", lans: ["10.1.0.0/24"], algorithms });
const later = router.proposals[0].device.apply(() => "203.0.113.7");
const hand = new ikev2.StrongSwanConnection("vps-home", { device: vps, name: "home", localAddrs: [later], remoteAddrs: ["198.51.100.1"],
    proposals: ["aes128-sha1-modp3072"], local: { auth: "psk" }, remote: { auth: "psk" }, preSharedKey: pulumi.secret("vps-side-key-2"),
    children: [{ name: "home-lan", localTs: ["10.2.0.0/24"], remoteTs: ["10.1.0.0/24"], espProposals: ["aes256-sha256"] }] });
const tunnel = new ikev2.TunnelInterface("home-tunnel", { device: home, number: 1, ipAddress: { address: "172.16.0.1", mask: "255.255.255.252" },
    tunnelSource: "198.51.100.1", tunnelDestination: later, protectionProfile: "IPSEC-VPS", routes: [{ destination: "10.2.0.0/24" }] });
ikev2.checkTunnelEnds("home-vps", { a: { site: "home", tunnel }, b: { site: "vps", connection: hand, child: "home-lan" } });
`;

describe("cross-end checks at pulumi preview (real CLI, no devices)", function () {
    this.timeout(5 * 60 * 1000);
    let sandbox: PulumiSandbox;

    function project(name: string, body: string): string {
        const dir = path.join(sandbox.work, name);
        fs.mkdirSync(dir);
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: ${name}\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n`);
        fs.writeFileSync(path.join(dir, "index.js"), PROGRAM_HEAD + body);
        // The program resolves @pulumi/pulumi from the repository's node_modules.
        fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(dir, "node_modules"));
        sandbox.ok(dir, ["stack", "init", "check"]);
        return dir;
    }

    before(() => {
        sandbox = new PulumiSandbox("ikev2-cross-end-");
    });
    after(() => sandbox.remove());

    it("a hand-written tunnel whose ends disagree fails preview, naming both resources and the fix, never a key", () => {
        const r = sandbox.run(project("handwritten", HAND_WRITTEN), ["preview"]);
        assert.notEqual(r.code, 0, r.output);
        const out = r.output.replace(/\s*\n\s*/g, " ");
        assert.match(out, /CrossEndCheck resource 'home-vps' has a problem: tunnel home-vps: no common Diffie-Hellman group: home \(IkeV2Policy "home-policy"\) offers modp2048 \(group 14\) and vps \(StrongSwanConnection "vps-home"\) offers modp3072 \(group 15\)/);
        assert.match(out, /has a problem: tunnel home-vps: identity mismatch: home \(IkeV2Profile "home-profile"\) sends `identity local address 198\.51\.100\.1`, but vps \(StrongSwanConnection "vps-home"\) accepts only fqdn home\.example\.net/);
        assert.match(out, /has a problem: tunnel home-vps: home \(IkeV2Keyring "home-keyring"\) has no pre-shared key for vps: keyring peer "vps" has address 203\.0\.113\.8: a peer's name is only a label.*Fix: add address: "203\.0\.113\.7" to keyring peer "vps"/);
        assert.doesNotMatch(r.output, /home-side-key-1|vps-side-key-2/);
    });

    it("two SiteToSiteTunnels with the same tunnel number on one router fail preview", () => {
        const r = sandbox.run(project("clashing", CLASHING), ["preview"]);
        assert.notEqual(r.code, 0, r.output);
        assert.match(r.output.replace(/\s*\n\s*/g, " "), /CrossEndCheck resource 'home-branch-cross-end' has a problem: tunnel home-branch: Tunnel1 on home is declared twice: by TunnelInterface "home-branch-home-tunnel" and by TunnelInterface "home-vps-home-tunnel"/);
    });

    it("leaves out at preview the checks that need a value known only at up", () => {
        const out = sandbox.ok(project("unknown", UNKNOWN_AT_PREVIEW), ["preview"]);
        assert.match(out, /\+\s+pulumi-nodejs:dynamic\/ikev2:CrossEndCheck\s+home-vps\s+create/);
        assert.doesNotMatch(out, /has a problem/);
    });
});

describe("examples/story/hand-written: the story resource by resource, checked with checkTunnelEnds (real CLI, the lab's configuration)", function () {
    this.timeout(5 * 60 * 1000);
    let sandbox: PulumiSandbox;
    const dir = path.join(repoRoot, "examples", "story", "hand-written");
    const stack = `hand-${process.pid}`;

    before(() => {
        sandbox = new PulumiSandbox("ikev2-hand-written-");
        sandbox.ok(dir, ["stack", "init", stack]);
        const r = spawnSync("bash", [path.join(repoRoot, "scripts", "lab-stack.sh")], { cwd: dir, env: sandbox.env, encoding: "utf8" });
        assert.equal(r.status, 0, r.stderr);
    });
    after(() => {
        spawnSync("pulumi", ["stack", "rm", "--yes", "--force", stack, "--non-interactive"], { cwd: dir, env: sandbox.env });
        sandbox.remove();
    });

    it("previews with both tunnels' ends in agreement: every resource and both CrossEndChecks, no problem", () => {
        const out = sandbox.ok(dir, ["preview"]);
        assert.match(out, /\+\s+pulumi-nodejs:dynamic\/ikev2:CrossEndCheck\s+home-vps-agreement\s+create/);
        assert.match(out, /\+\s+pulumi-nodejs:dynamic\/ikev2:CrossEndCheck\s+home-parents-agreement\s+create/);
        assert.doesNotMatch(out, /has a problem/);
    });
});
