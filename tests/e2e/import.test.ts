/**
 * `pulumi-ikev2 import` against the lab, as a user runs it: the story configured by hand over SSH
 * (not through Pulumi) on both IOS routers, a hand-written swanctl file on the VPS, and on the
 * branch host a file an earlier Pulumi deployment left (`pulumi-home.conf`) beside a hand-written
 * one; the importer, installed from the packed package, writes a project; the project installs
 * offline, type-checks, takes its secrets through its script, and `pulumi up` adopts everything
 * with nothing sent: running-config and conf.d (names, modes, inodes, times, bytes) identical
 * before and after, no `write memory` on either router, then a second `up --expect-no-changes` and
 * `preview --expect-no-changes` pass. The two tunnels whose ends were both imported and agree (home
 * to parents, IOS to IOS; home to branch, IOS to strongSwan) are each one SiteToSiteTunnel, with an
 * IosRouter per router; home's tunnel to the VPS, whose end is a hand-written file, stays separate
 * resources, its keyring peer apart. The report names what was not imported and why. `destroy`
 * then removes exactly what was imported.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { labHost, withLabHostSession, withLabIosSession } from "../../scripts/lab-sites";
import { installPackage } from "../../scripts/release-check";
import { HostSession } from "../../provider/ssh/host-session";
import { IosCliSession } from "../../provider/ssh/ios-session";
import { SshPool } from "../../provider/ssh/pool";
import { labExec, REPO } from "../helpers/lab";
import { branchPulumiHome } from "../fixtures/strongswan/story-branch";
import { releaseTarball } from "../helpers/release-tarball";
import { PulumiSandbox } from "./pulumi-cli";

const KEYS = { vps: "Hand-vps-Key-2026", parents: "Hand-parents-Key-2026", branch: "Branch-Pulumi-Key-0077", spare: "Spare-Hand-Key-0099" };

/** The story's IKEv2 objects on an IOS router, as a person types them (with `exit` out of each block). */
function cryptoBase(): string[] {
    return [
        "crypto ikev2 proposal PROP-AES256", "encryption aes-cbc-256", "integrity sha256", "group 14", "exit",
        "crypto ikev2 policy POL-1", "proposal PROP-AES256", "exit",
        "crypto ipsec transform-set TS-AES256 esp-aes 256 esp-sha256-hmac", "mode tunnel", "exit",
    ];
}

function iosTunnel(o: { peer: string; remote: string; local: string; number: number; address: string; lans: string[] }): string[] {
    const upper = o.peer.toUpperCase();
    return [
        `crypto ikev2 profile PROF-${upper}`, `description IKEv2 to ${o.peer}`, `match identity remote address ${o.remote} 255.255.255.255`,
        `identity local address ${o.local}`, "authentication remote pre-share", "authentication local pre-share", "keyring local KR", "dpd 10 3 periodic", "exit",
        `crypto ipsec profile IPSEC-${upper}`, "set transform-set TS-AES256", "set pfs group14", `set ikev2-profile PROF-${upper}`, "exit",
        `interface Tunnel${o.number}`, `description to ${o.peer}`, `ip address ${o.address} 255.255.255.252`, "ip mtu 1400", "ip tcp adjust-mss 1360",
        "tunnel source GigabitEthernet1", "tunnel mode ipsec ipv4", `tunnel destination ${o.remote}`, `tunnel protection ipsec profile IPSEC-${upper}`, "exit",
        ...o.lans.map((lan) => `ip route ${lan} 255.255.255.0 Tunnel${o.number}`),
    ];
}

const HOME_LINES = [
    ...cryptoBase(),
    "crypto ikev2 keyring KR",
    "peer vps", "description strongSwan VPS", "address 203.0.113.7", `pre-shared-key ${KEYS.vps}`, "exit",
    "peer parents", "description parents' router", "address 192.0.2.50", `pre-shared-key ${KEYS.parents}`, "exit",
    "peer branch", "address 203.0.113.9", `pre-shared-key ${KEYS.branch}`, "exit",
    "exit",
    // An earlier attempt, with the story's mistake: the peer's name is its address, but it has no `address` line.
    "crypto ikev2 keyring KR-OLD", "peer 203.0.113.7", "pre-shared-key Old-Attempt-Key-1", "exit", "exit",
    ...iosTunnel({ peer: "vps", remote: "203.0.113.7", local: "198.51.100.1", number: 1, address: "172.16.0.1", lans: ["10.2.0.0"] }),
    ...iosTunnel({ peer: "parents", remote: "192.0.2.50", local: "198.51.100.1", number: 2, address: "172.16.0.5", lans: ["10.3.0.0"] }),
    ...iosTunnel({ peer: "branch", remote: "203.0.113.9", local: "198.51.100.1", number: 3, address: "172.16.0.9", lans: ["10.4.0.0"] }),
];

const PARENTS_LINES = [
    ...cryptoBase(),
    "crypto ikev2 keyring KR", "peer home", "address 198.51.100.1", `pre-shared-key ${KEYS.parents}`, "exit", "exit",
    ...iosTunnel({ peer: "home", remote: "198.51.100.1", local: "192.0.2.50", number: 1, address: "172.16.0.6", lans: ["10.1.0.0", "10.2.0.0"] }),
];

/** The VPS's end of the story, written by hand (not the provider's format or file name). */
const VPS_HOME_CONF = `# home router (IOS), by hand
connections {
  home {
    local_addrs = 203.0.113.7
    remote_addrs = 198.51.100.1
    proposals = aes256-sha256-modp2048
    dpd_delay = 10s
    local { auth = psk
            id = 203.0.113.7 }
    remote { auth = psk
             id = 198.51.100.1 }
    children {
      home-lan {
        local_ts = 10.2.0.0/24
        remote_ts = 10.1.0.0/24, 10.3.0.0/24
        esp_proposals = aes256-sha256-modp2048
        start_action = trap
      }
    }
  }
}
secrets {
  ike-home { id = 198.51.100.1
             secret = "${KEYS.vps}" }
}
`;

/** What an earlier deployment of the provider (a SiteToSiteTunnel) wrote on the branch host (its state is lost). */
const BRANCH_PULUMI_HOME = branchPulumiHome(KEYS.branch);

const BRANCH_SPARE_CONF = `connections {
  spare {
    remote_addrs = 192.0.2.50
    local { auth = psk }
    remote { auth = psk }
    children { spare { local_ts = 10.4.0.0/24
                       remote_ts = 10.3.0.0/24 } }
  }
}
secrets { ike-spare { secret = "${KEYS.spare}" } }
`;

const IOS_SITES = ["home", "parents"] as const;

/** Every object the test makes on each router, in the order they can be removed (users first). */
const HAND_MADE: Record<(typeof IOS_SITES)[number], string[]> = {
    home: [
        "ip route 10.2.0.0 255.255.255.0 Tunnel1", "ip route 10.3.0.0 255.255.255.0 Tunnel2", "ip route 10.4.0.0 255.255.255.0 Tunnel3",
        "interface Tunnel1", "interface Tunnel2", "interface Tunnel3",
        "crypto ipsec profile IPSEC-VPS", "crypto ipsec profile IPSEC-PARENTS", "crypto ipsec profile IPSEC-BRANCH",
        "crypto ikev2 profile PROF-VPS", "crypto ikev2 profile PROF-PARENTS", "crypto ikev2 profile PROF-BRANCH",
        "crypto ipsec transform-set TS-AES256", "crypto ikev2 keyring KR", "crypto ikev2 keyring KR-OLD", "crypto ikev2 policy POL-1", "crypto ikev2 proposal PROP-AES256",
    ],
    parents: [
        "ip route 10.1.0.0 255.255.255.0 Tunnel1", "ip route 10.2.0.0 255.255.255.0 Tunnel1", "interface Tunnel1", "crypto ipsec profile IPSEC-HOME",
        "crypto ikev2 profile PROF-HOME", "crypto ipsec transform-set TS-AES256", "crypto ikev2 keyring KR", "crypto ikev2 policy POL-1", "crypto ikev2 proposal PROP-AES256",
    ],
};
const HOSTS = ["vps", "branch"] as const;

/** A session on a lab router over a connection that does not outlive it (the CLI runs below block this process). */
async function iosSession<T>(site: string, fn: (session: IosCliSession) => Promise<T>): Promise<T> {
    try {
        return await withLabIosSession(site, fn);
    } finally {
        await SshPool.shared.closeAll();
    }
}

async function hostSession<T>(site: string, fn: (host: HostSession) => Promise<T>): Promise<T> {
    try {
        return await withLabHostSession(site, fn);
    } finally {
        await SshPool.shared.closeAll();
    }
}

/** `saves` of a lab router's emulator: every `write memory` counts. */
function saves(site: string): number {
    const lab = JSON.parse(fs.readFileSync(path.join(process.env.LAB_DIR ?? path.join(REPO, ".lab"), "lab.json"), "utf8"));
    return JSON.parse(fs.readFileSync(path.join(lab.hosts[site].stateDir, "emulator-stats.json"), "utf8")).saves;
}

/** Each router's whole running-config and each host's conf.d: names, modes, inodes, sizes, times (ns) and bytes. */
async function devices(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const site of IOS_SITES) out[site] = await iosSession(site, (s) => s.exec("show running-config"));
    for (const site of HOSTS) {
        out[site] = labExec(site, ["sh", "-c", 'cd /etc/swanctl/conf.d && for f in * .[!.]*; do [ -e "$f" ] && { stat -c "%n %a %i %s %.9Y" "$f"; cat "$f"; }; done; true']);
    }
    return out;
}

describe("import: the story configured by hand over SSH, imported and adopted with nothing sent", function () {
    this.timeout(20 * 60_000);
    let sandbox: PulumiSandbox;
    let tarball: string;
    let project: string;
    let pristine: Record<string, string>;
    let configured: Record<string, string>;
    let deployed = false;
    let importOutput = "";

    before(async function () {
        this.timeout(10 * 60_000);
        sandbox = new PulumiSandbox("import-");
        tarball = releaseTarball();
        pristine = await devices();
        for (const [site, lines] of [["home", HOME_LINES], ["parents", PARENTS_LINES]] as const) {
            const result = await iosSession(site, async (s) => {
                const r = await s.configure(lines);
                await s.exec("write memory");
                return r;
            });
            assert.ok(result.ok, `${site}: ${JSON.stringify(result)}`);
        }
        const files: [string, string, string][] = [
            ["vps", "/etc/swanctl/conf.d/home.conf", VPS_HOME_CONF],
            ["branch", "/etc/swanctl/conf.d/pulumi-home.conf", BRANCH_PULUMI_HOME],
            ["branch", "/etc/swanctl/conf.d/spare.conf", BRANCH_SPARE_CONF],
        ];
        for (const [site, file, text] of files) await hostSession(site, (h) => h.writeFileAtomic(file, text, 0o600));
        for (const site of HOSTS) {
            const loaded = await hostSession(site, (h) => h.run(["swanctl", "--load-all", "--noprompt"]));
            assert.equal(loaded.code, 0, loaded.stdout + loaded.stderr);
        }
        configured = await devices();
    });

    /** Removes by hand what stayed outside the program (and, after a failure, what the program did not remove). */
    async function removeHandMade(): Promise<void> {
        for (const site of IOS_SITES) {
            const config = (await iosSession(site, (s) => s.exec("show running-config"))).split("\n").map((l) => l.trimEnd());
            const present = HAND_MADE[site].filter((h) => config.some((l) => l === h || l.startsWith(`${h} `)));
            if (present.length === 0) continue;
            const result = await iosSession(site, (s) => s.configure(present.map((h) => `no ${h}`)));
            assert.ok(result.ok, `${site}: ${JSON.stringify(result)}`);
            await iosSession(site, (s) => s.exec("write memory"));
        }
        for (const [site, file] of [["vps", "home.conf"], ["branch", "spare.conf"], ["branch", "pulumi-home.conf"]]) labExec(site, ["rm", "-f", `/etc/swanctl/conf.d/${file}`]);
        for (const site of HOSTS) labExec(site, ["swanctl", "--load-all", "--noprompt"]);
    }

    after(async function () {
        this.timeout(5 * 60_000);
        if (deployed) sandbox.run(project, ["destroy", "--yes"]);
        await removeHandMade();
        sandbox?.remove();
    });

    it("the importer, installed from the packed package, reads the four devices and writes the project", () => {
        // A folder of tools, pinned as a project pins them (npm installs the package's peer, @pulumi/pulumi, with it).
        const tools = path.join(sandbox.work, "tools");
        fs.mkdirSync(tools);
        const pins = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")).devDependencies;
        fs.writeFileSync(path.join(tools, "package.json"), JSON.stringify({ name: "tools", private: true, dependencies: { "@pulumi/pulumi": pins["@pulumi/pulumi"], "@types/node": pins["@types/node"] } }));
        installPackage(tools, tarball);
        const site = (s: string, platform: string) => {
            const h = labHost(s);
            return { platform, host: h.ssh.host, port: h.ssh.port, username: h.ssh.username, hostKey: h.ssh.hostKey };
        };
        const devicesFile = path.join(sandbox.work, "devices.json");
        fs.writeFileSync(devicesFile, JSON.stringify({ home: site("home", "ios"), parents: site("parents", "ios"), vps: site("vps", "strongswan"), branch: site("branch", "strongswan") }));
        const read = (f?: string) => fs.readFileSync(f!, "utf8");
        // The routers' credentials from the environment, the hosts' keys from stdin: both ways a user may choose.
        const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };
        for (const s of IOS_SITES) {
            env[`PULUMI_IKEV2_${s.toUpperCase()}_PASSWORD`] = read(labHost(s).ssh.passwordFile).trim();
            env[`PULUMI_IKEV2_${s.toUpperCase()}_ENABLE_SECRET`] = read(labHost(s).ssh.enableSecretFile).trim();
        }
        const stdin = JSON.stringify(Object.fromEntries(HOSTS.map((s) => [s, { privateKey: read(labHost(s).ssh.privateKeyFile) }])));
        project = path.join(sandbox.work, "adopted");
        const bin = path.join(tools, "node_modules", ".bin", "pulumi-ikev2");
        const r = spawnSync(bin, ["import", "--devices", devicesFile, "--out", project, "--stack", "lab", "--secrets-stdin"], { env, input: stdin, encoding: "utf8", timeout: 120_000 });
        importOutput = r.stdout + r.stderr;
        assert.equal(r.status, 0, importOutput);
        assert.match(importOutput, /^home \(admin@198\.51\.100\.1\): 13 imported, 1 not imported$/m);
        assert.match(importOutput, /^parents \(admin@192\.0\.2\.50\): 7 imported, 0 not imported$/m);
        assert.match(importOutput, /^vps \(root@203\.0\.113\.7\): 0 imported, 1 not imported$/m);
        assert.match(importOutput, /^branch \(root@203\.0\.113\.9\): 1 imported, 1 not imported$/m);
        assert.deepStrictEqual(fs.readdirSync(project).sort(), [".gitignore", "IMPORT-REPORT.md", "Pulumi.yaml", "index.ts", "package.json", "set-secrets.sh", "tsconfig.json"]);
        assert.equal(fs.statSync(path.join(project, "set-secrets.sh")).mode & 0o777, 0o700);
        for (const secret of [...Object.values(KEYS), env.PULUMI_IKEV2_HOME_PASSWORD!]) {
            assert.ok(!importOutput.includes(secret), "the importer's output holds a secret");
            for (const f of ["index.ts", "IMPORT-REPORT.md", "Pulumi.yaml", "package.json"]) assert.ok(!read(path.join(project, f)).includes(secret), `${f} holds a secret`);
        }
    });

    it("the report says what was not imported and why", () => {
        const report = fs.readFileSync(path.join(project, "IMPORT-REPORT.md"), "utf8");
        // home: its IosRouter, keyring peer vps and the three objects of its tunnel to the VPS; parents: its IosRouter; two SiteToSiteTunnels.
        assert.match(report, /^## Imported: 8 resources$/m);
        assert.match(report, /^- \*\*home: crypto ikev2 keyring KR-OLD\*\*: the provider refuses it as it is: peers\.0\.address: keyring peer "203\.0\.113\.7" has no address, identity or hostname\./m);
        assert.match(report, /^- \*\*vps: conf\.d\/home\.conf: connection home\*\*: the provider keeps each connection in a file of its own/m);
        assert.match(report, /^- \*\*branch: conf\.d\/spare\.conf: connection spare\*\*/m);
        assert.match(report, /^\| home \| `crypto ikev2 policy POL-1, crypto ikev2 proposal PROP-AES256, crypto ipsec transform-set TS-AES256` \| IosRouter `home` \|$/m);
        assert.match(report, /^\| home \| `peer vps of crypto ikev2 keyring KR` \| IkeV2KeyringPeer `home-keyring-peer-KR-vps` \|$/m);
        // The tunnels whose two ends were both read: home's hub to each of the three sites.
        assert.match(report, /^\| home: `interface Tunnel1` \(`home-tunnel-1`\) \| vps: `conf\.d\/home\.conf: connection home` \(not imported\) \| one end \(see below\) \|$/m);
        assert.match(report, /^\| home: `interface Tunnel2` \(`home-tunnel-2`\) \| parents: `interface Tunnel1` \(`parents-tunnel-1`\) \| SiteToSiteTunnel `home-parents` \|$/m);
        assert.match(report, /^\| home: `interface Tunnel3` \(`home-tunnel-3`\) \| branch: `conf\.d\/pulumi-home\.conf: connection home` \(`branch-connection-home`\) \| SiteToSiteTunnel `home-branch` \|$/m);
        assert.doesNotMatch(report, /Tunnels whose ends disagree|stay separate resources/);
        assert.match(report, /^- \*\*home: interface Tunnel1\*\*: its far end, vps conf\.d\/home\.conf: connection home, was not imported/m);
    });

    it("the program declares each tunnel whose two ends it has once, and the rest object by object", () => {
        const index = fs.readFileSync(path.join(project, "index.ts"), "utf8");
        assert.equal(index.match(/^const \w+Router = new IosRouter\(/gm)?.length, 2);
        assert.deepStrictEqual([...index.matchAll(/^new SiteToSiteTunnel\("([^"]+)", \{\n {4}adopt: true,/gm)].map((m) => m[1]), ["home-parents", "home-branch"]);
        assert.match(index, /^ {8}host: \{ name: "branch", device: branch, wan: "203\.0\.113\.9" \},$/m);
        assert.doesNotMatch(index, /new IkeV2Keyring\(|new StrongSwanConnection\(|new IkeV2Proposal\(/);
        assert.match(index, /new TunnelInterface\("home-tunnel-1", \{/);
    });

    it("the project installs offline and type-checks with its own tsconfig", () => {
        installPackage(project, tarball);
        const tsc = path.join(project, "node_modules", "typescript", "bin", "tsc");
        const r = spawnSync(process.execPath, [tsc, "--noEmit", "-p", project], { encoding: "utf8" });
        assert.equal(r.status, 0, r.stdout + r.stderr);
    });

    it("set-secrets.sh puts the secrets into the stack through stdin and deletes itself", () => {
        const r = spawnSync("bash", ["set-secrets.sh"], { cwd: project, env: sandbox.env, encoding: "utf8" });
        assert.equal(r.status, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /set-secrets\.sh: \d+ secrets set in the stack's configuration/);
        assert.ok(!fs.existsSync(path.join(project, "set-secrets.sh")));
        const config = sandbox.ok(project, ["config", "--json"]);
        for (const secret of Object.values(KEYS)) assert.ok(!config.includes(secret), "config shows a secret");
        assert.match(config, /"adopted:homeKrVpsPsk": \{\s*"secret": true/);
    });

    it("pulumi up adopts everything and changes nothing on any device; a second up and a preview find nothing to do", () => {
        const savesBefore = IOS_SITES.map(saves);
        const preview = sandbox.ok(project, ["preview"]);
        // The stack, two IosRouters (each with its proposal, policy and transform set), home's four objects for the VPS,
        // and the two SiteToSiteTunnels (each with its cross-end check; home-parents 4 + 4 objects, home-branch 4 + 1).
        assert.match(preview, /\+ 30 to create/);
        deployed = true;
        assert.match(sandbox.ok(project, ["up", "--yes"]), /\+ 30 created/);
        assert.deepStrictEqual(IOS_SITES.map(saves), savesBefore, "no write memory: nothing was configured");
        return devices().then((after) => {
            for (const site of Object.keys(configured)) assert.equal(after[site], configured[site], `${site} changed`);
            assert.match(sandbox.ok(project, ["up", "--yes", "--expect-no-changes"]), /30 unchanged/);
            assert.match(sandbox.ok(project, ["preview", "--expect-no-changes"]), /30 unchanged/);
            return devices();
        }).then((again) => {
            for (const site of Object.keys(configured)) assert.equal(again[site], configured[site], `${site} changed`);
            assert.deepStrictEqual(IOS_SITES.map(saves), savesBefore);
        });
    });

    it("destroy removes exactly what was imported; what the report listed stays", async () => {
        assert.match(sandbox.ok(project, ["destroy", "--yes"]), /- 30 deleted/);
        deployed = false;
        const home = await iosSession("home", (s) => s.exec("show running-config"));
        assert.match(home, /^crypto ikev2 keyring KR-OLD$/m);
        assert.doesNotMatch(home, /^crypto ikev2 keyring KR$|^interface Tunnel|^crypto ipsec/m);
        assert.ok(labExec("vps", ["ls", "/etc/swanctl/conf.d"]).split("\n").includes("home.conf"));
        assert.deepStrictEqual(labExec("branch", ["ls", "/etc/swanctl/conf.d"]).trim().split("\n"), ["spare.conf"]);
        await removeHandMade();
        const now = await devices();
        for (const site of IOS_SITES) assert.equal(now[site], pristine[site], `${site} is not as before the test`);
    });
});
