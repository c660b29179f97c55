/**
 * The lab as the provider will meet it: lab.json describes every host, each host answers SSH from
 * the main namespace with the generated credentials and the pinned host key, private LANs reach
 * each other only through a tunnel, and two real charons build one.
 * Assumes `bash lab/lab.sh up` ran (scripts/test.sh does it); runs as root.
 */
import assert from "assert";
import { spawn } from "child_process";
import { createHash } from "crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join, resolve } from "path";
import { Client } from "ssh2";

const REPO = resolve(__dirname, "../../..");
const LAB_DIR = process.env.LAB_DIR ?? join(REPO, ".lab");
const LAB_EXEC = join(REPO, "lab/lab-exec.sh");

interface SshInfo {
    host: string;
    port: number;
    username: string;
    hostKey: string;
    hostPublicKeyFile: string;
    passwordFile?: string;
    enableSecretFile?: string;
    privateKeyFile?: string;
    sudoUser?: string;
}

interface LabHost {
    kind: "ios" | "strongswan";
    namespace: string;
    wan: string;
    gateway: string;
    lan: string;
    lanAddress: string;
    ssh: SshInfo;
    vici: string;
    rundir: string;
    swanctlDir: string;
}

interface Lab {
    labDir: string;
    spokes: string[];
    hosts: Record<string, LabHost>;
}

interface Run {
    code: number | null;
    stdout: string;
    stderr: string;
}

function run(cmd: string, args: string[], input?: string, timeoutMs = 15000): Promise<Run> {
    return new Promise((done, fail) => {
        const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("error", fail);
        child.on("close", (code) => {
            clearTimeout(timer);
            done({ code, stdout, stderr });
        });
        child.stdin.end(input ?? "");
    });
}

/** SHA256 fingerprint of an OpenSSH public key line, as `ssh-keygen -l` prints it. */
function fingerprintOf(publicKeyLine: string): string {
    const blob = Buffer.from(publicKeyLine.trim().split(/\s+/)[1], "base64");
    return "SHA256:" + createHash("sha256").update(blob).digest("base64").replace(/=+$/, "");
}

const lab: Lab = JSON.parse(readFileSync(join(LAB_DIR, "lab.json"), "utf8"));
const sites = Object.keys(lab.hosts);
const strongswanSites = sites.filter((s) => lab.hosts[s].kind === "strongswan");

let work: string;

/** known_hosts with exactly one host's pinned key, or another host's key to prove pinning bites. */
function knownHosts(site: string, keyOf = site): string {
    const file = join(work, `known_hosts-${site}-${keyOf}`);
    const key = readFileSync(lab.hosts[keyOf].ssh.hostPublicKeyFile, "utf8").trim().split(/\s+/).slice(0, 2).join(" ");
    writeFileSync(file, `${lab.hosts[site].ssh.host} ${key}\n`, { mode: 0o600 });
    return file;
}

/** OpenSSH client as an operator would use it: key only, pinned host key, no prompts, no machine ssh_config. */
function ssh(site: string, command: string, input?: string, knownHostsFile = knownHosts(site), username = lab.hosts[site].ssh.username): Promise<Run> {
    const s = lab.hosts[site].ssh;
    return run("ssh", [
        "-F", "/dev/null",
        "-i", s.privateKeyFile!,
        "-p", String(s.port),
        "-o", "BatchMode=yes",
        "-o", "IdentitiesOnly=yes",
        "-o", "StrictHostKeyChecking=yes",
        "-o", `UserKnownHostsFile=${knownHostsFile}`,
        "-o", "GlobalKnownHostsFile=/dev/null",
        "-o", "ConnectTimeout=5",
        `${username}@${s.host}`,
        command,
    ], input);
}

async function sshOk(site: string, command: string, input?: string): Promise<string> {
    const r = await ssh(site, command, input);
    assert.strictEqual(r.code, 0, `${site}: ${command} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
}

function labExec(site: string, ...args: string[]): Promise<Run> {
    return run("bash", [LAB_EXEC, site, ...args]);
}

/** Interactive IOS CLI over ssh2 with password login and the pinned host key. */
async function iosSession(site: string, steps: { send?: string; expect: RegExp }[]): Promise<string> {
    const s = lab.hosts[site].ssh;
    const client = new Client();
    let transcript = "";
    try {
        await new Promise<void>((ready, fail) => {
            client.once("ready", () => ready());
            client.once("error", fail);
            client.connect({
                host: s.host,
                port: s.port,
                username: s.username,
                password: readFileSync(s.passwordFile!, "utf8").trim(),
                readyTimeout: 10000,
                hostVerifier: (key: Buffer) =>
                    "SHA256:" + createHash("sha256").update(key).digest("base64").replace(/=+$/, "") === s.hostKey,
            });
        });
        const stream = await new Promise<import("ssh2").ClientChannel>((ok, fail) =>
            client.shell({ term: "vt100", rows: 24, cols: 200 }, (err, ch) => (err ? fail(err) : ok(ch))),
        );
        stream.on("data", (d: Buffer) => (transcript += d.toString()));
        let seen = 0;
        for (const step of steps) {
            if (step.send !== undefined) stream.write(step.send);
            const deadline = Date.now() + 10000;
            while (!step.expect.test(transcript.slice(seen))) {
                assert.ok(Date.now() < deadline, `${site}: no ${step.expect} in ${JSON.stringify(transcript.slice(seen))}`);
                await new Promise((r) => setTimeout(r, 20));
            }
            seen = transcript.length;
        }
        stream.end("exit\n");
        return transcript;
    } finally {
        client.end();
    }
}

describe("lab", function () {
    this.timeout(60000);

    before(() => {
        work = mkdtempSync(join(tmpdir(), "lab-test-"));
    });
    after(() => rmSync(work, { recursive: true, force: true }));

    describe("lab.json", () => {
        it("describes the four sites with addresses, SSH details and charon paths", () => {
            // Spokes (lab.sh up --spokes N) come after the story's sites; tests/lab/second-lab.test.ts covers them.
            assert.deepStrictEqual(sites.filter((s) => !lab.spokes.includes(s)).sort(), ["branch", "home", "parents", "vps"]);
            assert.ok(lab.spokes.every((s) => /^spoke\d+$/.test(s) && lab.hosts[s].kind === "strongswan"), lab.spokes.join());
            const expect: Record<string, [string, string, string, string]> = {
                home: ["ios", "198.51.100.1", "10.1.0.0/24", "10.1.0.1"],
                parents: ["ios", "192.0.2.50", "10.3.0.0/24", "10.3.0.1"],
                vps: ["strongswan", "203.0.113.7", "10.2.0.0/24", "10.2.0.1"],
                branch: ["strongswan", "203.0.113.9", "10.4.0.0/24", "10.4.0.1"],
            };
            for (const [site, [kind, wan, lan, lanAddress]] of Object.entries(expect)) {
                const h = lab.hosts[site];
                assert.deepStrictEqual([h.kind, h.wan, h.lan, h.lanAddress], [kind, wan, lan, lanAddress], site);
                assert.strictEqual(h.ssh.host, wan);
                assert.strictEqual(h.ssh.port, 22);
                assert.match(h.ssh.hostKey, /^SHA256:[A-Za-z0-9+/]{43}$/);
                assert.match(h.vici, /^unix:\/\/\/.+\/charon\.vici$/);
                assert.ok(statSync(h.rundir).isDirectory(), `${site} rundir`);
            }
        });

        it("keeps secrets in files of mode 0600, never inline", () => {
            const text = readFileSync(join(LAB_DIR, "lab.json"), "utf8");
            for (const site of sites) {
                const s = lab.hosts[site].ssh;
                const files =
                    lab.hosts[site].kind === "ios"
                        ? [s.passwordFile!, s.enableSecretFile!]
                        : [s.privateKeyFile!];
                assert.strictEqual(s.username, lab.hosts[site].kind === "ios" ? "admin" : "root");
                for (const f of files) {
                    assert.strictEqual(statSync(f).mode & 0o777, 0o600, f);
                    const secret = readFileSync(f, "utf8").trim();
                    assert.ok(secret.length >= 20, f);
                    assert.ok(!text.includes(secret), `${f} appears inline in lab.json`);
                }
            }
        });

        it("pins each host key by the fingerprint of its public key file", () => {
            for (const site of sites) {
                const s = lab.hosts[site].ssh;
                assert.strictEqual(fingerprintOf(readFileSync(s.hostPublicKeyFile, "utf8")), s.hostKey, site);
            }
        });
    });

    describe("strongSwan hosts over SSH", () => {
        for (const site of ["vps", "branch"]) {
            it(`${site}: root logs in by key, sees its own namespace and charon (swanctl --stats)`, async () => {
                const out = await sshOk(site, "ip -4 -o addr show dev lo; swanctl --stats 2>/dev/null; test -f /etc/swanctl/swanctl.conf && grep -q 'conf.d/\\*.conf' /etc/swanctl/swanctl.conf && echo CONFD-OK");
                assert.ok(out.includes(`${lab.hosts[site].lanAddress}/32`), `${site} LAN address missing:\n${out}`);
                assert.match(out, /uptime: /);
                assert.match(out, /loaded plugins: .*kernel-libipsec/);
                assert.match(out, /CONFD-OK/);
            });
        }

        for (const site of ["vps", "branch"]) {
            it(`${site}: a login sees the lab's own home directories and start-up files, not the machine's`, async () => {
                const h = lab.hosts[site];
                const show = 'echo "HOME=$HOME"; ls -A "$HOME"; cat "$HOME/.lab-home"; cat /etc/bash.bashrc /etc/profile';
                const root = await sshOk(site, show);
                assert.strictEqual(
                    root,
                    `HOME=/root\n.lab-home\nroot's home on lab site ${site}, made by lab/login-env.sh\n` +
                        `# /etc/bash.bashrc of lab site ${site}, made by lab/login-env.sh: no start-up file of the machine runs here.\n` +
                        `# /etc/profile of lab site ${site}, made by lab/login-env.sh: no start-up file of the machine runs here.\n`,
                );
                const deploy = h.ssh.sudoUser!;
                const r = await ssh(site, show, undefined, knownHosts(site), deploy);
                assert.strictEqual(r.code, 0, r.stderr);
                assert.match(r.stdout, new RegExp(`^HOME=/home/${deploy}\n\.lab-home\n${deploy}'s home on lab site ${site}, made by lab/login-env.sh\n`));
            });
        }

        it("refuses a host whose key does not match the pinned one", async () => {
            const r = await ssh("vps", "true", undefined, knownHosts("vps", "branch"));
            assert.notStrictEqual(r.code, 0);
            assert.match(r.stderr, /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
        });

        it("refuses root without the key (no password logins)", async () => {
            const s = lab.hosts.vps.ssh;
            const r = await run("ssh", [
                "-F", "/dev/null",
                "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "IdentityFile=/dev/null",
                "-o", "StrictHostKeyChecking=yes", "-o", `UserKnownHostsFile=${knownHosts("vps")}`,
                "-o", "PreferredAuthentications=password,keyboard-interactive",
                `root@${s.host}`, "true",
            ]);
            assert.notStrictEqual(r.code, 0);
            assert.match(r.stderr, /Permission denied \(publickey\)/);
        });
    });

    describe("IOS emulators over SSH", () => {
        for (const site of ["home", "parents"]) {
            it(`${site}: admin logs in with the password, enable takes the enable secret`, async () => {
                const enable = readFileSync(lab.hosts[site].ssh.enableSecretFile!, "utf8").trim();
                const transcript = await iosSession(site, [
                    { expect: new RegExp(`${site}>\\s*$`) },
                    { send: "enable\n", expect: /Password:\s*$/ },
                    { send: `${enable}\n`, expect: new RegExp(`${site}#\\s*$`) },
                ]);
                assert.ok(!transcript.includes(enable), "the enable secret was echoed");
            });
        }
    });

    describe("routing", () => {
        it("the internet routes WAN to WAN", async () => {
            for (const [from, to] of [["vps", "203.0.113.9"], ["vps", "198.51.100.1"], ["home", "192.0.2.50"]]) {
                const r = await labExec(from, "ping", "-c1", "-W2", to);
                assert.strictEqual(r.code, 0, `${from} -> ${to}: ${r.stdout}${r.stderr}`);
            }
        });

        it("the internet does not route private LANs: without a tunnel LAN-to-LAN fails", async () => {
            for (const [from, src, dst] of [
                ["vps", "10.2.0.1", "10.4.0.1"],
                ["home", "10.1.0.1", "10.3.0.1"],
                ["home", "10.1.0.1", "10.2.0.1"],
            ]) {
                const r = await labExec(from, "ping", "-c1", "-W1", "-I", src, dst);
                assert.notStrictEqual(r.code, 0, `${src} -> ${dst} passed without a tunnel`);
            }
        });
    });

    describe("a strongSwan-to-strongSwan tunnel (PSK, 10.2.0.0/24 <-> 10.4.0.0/24)", () => {
        const CONN = "labtest";
        const FILE = `/etc/swanctl/conf.d/${CONN}.conf`;
        const PSK = "lab-test-" + createHash("sha256").update(String(Math.random())).digest("hex").slice(0, 24);

        function swanctlConf(local: string, remote: string, localTs: string, remoteTs: string): string {
            return `connections {
    ${CONN} {
        version = 2
        local_addrs = ${local}
        remote_addrs = ${remote}
        proposals = aes256-sha256-modp2048
        local {
            auth = psk
            id = ${local}
        }
        remote {
            auth = psk
            id = ${remote}
        }
        children {
            ${CONN} {
                local_ts = ${localTs}
                remote_ts = ${remoteTs}
                esp_proposals = aes256-sha256
            }
        }
    }
}
secrets {
    ike-${CONN} {
        id-local = ${local}
        id-remote = ${remote}
        secret = "${PSK}"
    }
}
`;
        }

        /** Packet counters of the CHILD_SA from `swanctl --list-sas --raw`. */
        async function counters(site: string): Promise<{ in: number; out: number }> {
            const raw = await sshOk(site, `swanctl --list-sas --ike ${CONN} --raw 2>/dev/null`);
            const pin = /packets-in=(\d+)/.exec(raw);
            const pout = /packets-out=(\d+)/.exec(raw);
            assert.ok(pin && pout, `${site}: no CHILD_SA counters in ${raw}`);
            return { in: Number(pin[1]), out: Number(pout[1]) };
        }

        async function cleanUp(): Promise<void> {
            for (const site of strongswanSites) {
                await ssh(site, `swanctl --terminate --ike ${CONN} >/dev/null 2>&1; rm -f ${FILE}; swanctl --load-all >/dev/null 2>&1; true`);
            }
        }

        before(async () => {
            await cleanUp();
            const vps = lab.hosts.vps;
            const branch = lab.hosts.branch;
            // The file (with the key) travels on stdin: never in a process argument.
            await sshOk("vps", `umask 077; cat > ${FILE}`, swanctlConf(vps.wan, branch.wan, vps.lan, branch.lan));
            await sshOk("branch", `umask 077; cat > ${FILE}`, swanctlConf(branch.wan, vps.wan, branch.lan, vps.lan));
        });
        after(cleanUp);

        it("loads on both hosts", async () => {
            for (const site of strongswanSites) {
                const out = await sshOk(site, "swanctl --load-all 2>/dev/null");
                assert.match(out, new RegExp(`loaded connection '${CONN}'`));
                assert.match(out, new RegExp(`loaded ike secret 'ike-${CONN}'`));
            }
        });

        it("initiates: IKE_SA and CHILD_SA established on both ends", async () => {
            const out = await sshOk("vps", `swanctl --initiate --child ${CONN} --timeout 10 2>/dev/null`);
            assert.match(out, /initiate completed successfully/);
            for (const site of strongswanSites) {
                const raw = await sshOk(site, `swanctl --list-sas --ike ${CONN} --raw 2>/dev/null`);
                assert.match(raw, /state=ESTABLISHED/, `${site}: ${raw}`);
                assert.match(raw, /state=INSTALLED/, `${site}: ${raw}`);
                assert.match(raw, new RegExp(`local-ts=\\[${lab.hosts[site].lan.replace(/\./g, "\\.")}\\]`), `${site}: ${raw}`);
            }
        });

        it("carries LAN-to-LAN pings through ESP, and the counters grow", async () => {
            const before = await counters("vps");
            const out = await sshOk("vps", "ping -c3 -i0.2 -W2 -I 10.2.0.1 10.4.0.1");
            assert.match(out, /3 received/);
            const after = await counters("vps");
            assert.ok(after.out >= before.out + 3, `packets-out ${before.out} -> ${after.out}`);
            assert.ok(after.in >= before.in + 3, `packets-in ${before.in} -> ${after.in}`);
            const branch = await counters("branch");
            assert.ok(branch.in >= 3 && branch.out >= 3, `branch counters ${JSON.stringify(branch)}`);
        });

        it("leaves SSH management traffic outside the tunnel", async () => {
            const route = await sshOk("vps", "ip route get 198.18.0.1 from 203.0.113.7");
            assert.match(route, /dev wan0/);
        });
    });

    describe("a route-based tunnel from an IOS site's charon (0.0.0.0/0 selectors, home <-> vps)", () => {
        // What the emulator will do for `tunnel mode ipsec ipv4` + `ip route 10.2.0.0 255.255.255.0
        // Tunnel1`: here charon of home is driven by hand, as lab/README.md describes.
        const CONN = "labtestvti";
        const homeFile = join(lab.hosts.home.swanctlDir, "conf.d", `${CONN}.conf`);
        const vpsFile = `/etc/swanctl/conf.d/${CONN}.conf`;
        const PSK = "lab-vti-" + createHash("sha256").update(String(Math.random())).digest("hex").slice(0, 24);

        function conf(local: string, remote: string): string {
            return `connections {
    ${CONN} {
        version = 2
        local_addrs = ${local}
        remote_addrs = ${remote}
        proposals = aes256-sha256-modp2048
        local {
            auth = psk
            id = ${local}
        }
        remote {
            auth = psk
            id = ${remote}
        }
        children {
            ${CONN} {
                local_ts = 0.0.0.0/0
                remote_ts = 0.0.0.0/0
                esp_proposals = aes256-sha256
            }
        }
    }
}
secrets {
    ike-${CONN} {
        id-local = ${local}
        id-remote = ${remote}
        secret = "${PSK}"
    }
}
`;
        }

        async function cleanUp(): Promise<void> {
            await labExec("home", "ip", "route", "del", lab.hosts.vps.lan, "dev", "ipsec0");
            await labExec("home", "swanctl", "--terminate", "--ike", CONN);
            rmSync(homeFile, { force: true });
            await labExec("home", "swanctl", "--load-all");
            await ssh("vps", `swanctl --terminate --ike ${CONN} >/dev/null 2>&1; rm -f ${vpsFile}; swanctl --load-all >/dev/null 2>&1; true`);
        }

        before(async () => {
            await cleanUp();
            writeFileSync(homeFile, conf(lab.hosts.home.wan, lab.hosts.vps.wan), { mode: 0o600 });
            await sshOk("vps", `umask 077; cat > ${vpsFile}`, conf(lab.hosts.vps.wan, lab.hosts.home.wan));
            const loaded = await labExec("home", "swanctl", "--load-all");
            assert.strictEqual(loaded.code, 0, loaded.stdout + loaded.stderr);
            await sshOk("vps", "swanctl --load-all >/dev/null 2>&1");
            const up = await labExec("home", "swanctl", "--initiate", "--child", CONN, "--timeout", "10");
            assert.match(up.stdout, /initiate completed successfully/, up.stdout + up.stderr);
        });
        after(cleanUp);

        it("captures nothing by itself: the IOS site still reaches the internet outside the tunnel", async () => {
            const r = await labExec("home", "ping", "-c1", "-W2", lab.hosts.branch.wan);
            assert.strictEqual(r.code, 0, r.stdout + r.stderr);
            const lan = await labExec("home", "ping", "-c1", "-W1", "-I", lab.hosts.home.lanAddress, lab.hosts.vps.lanAddress);
            assert.notStrictEqual(lan.code, 0, "LAN traffic entered the tunnel without a route");
        });

        it("a route to ipsec0 in main (ip route ... Tunnel1) carries LAN traffic; SSH to the peer keeps working", async () => {
            const added = await labExec("home", "ip", "route", "replace", lab.hosts.vps.lan, "dev", "ipsec0", "src", lab.hosts.home.lanAddress);
            assert.strictEqual(added.code, 0, added.stderr);
            const r = await labExec("home", "ping", "-c3", "-i0.2", "-W2", "-I", lab.hosts.home.lanAddress, lab.hosts.vps.lanAddress);
            assert.strictEqual(r.code, 0, r.stdout + r.stderr);
            // vps routes everything into the tunnel (0.0.0.0/0 in table 220), but not management.
            const raw = await sshOk("vps", `swanctl --list-sas --ike ${CONN} --raw 2>/dev/null`);
            const packetsIn = /packets-in=(\d+)/.exec(raw);
            assert.ok(packetsIn && Number(packetsIn[1]) >= 3, raw);
        });
    });
});
