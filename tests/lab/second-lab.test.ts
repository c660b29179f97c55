/**
 * A second lab, brought up the way scripts/test.sh brings up its own: a LAB_PREFIX of its own, from
 * a network namespace of its own, here with three spokes and on a machine whose shell start-up files
 * for root are hostile (tests/helpers/hostile-root.ts: each sleeps 5 s and writes to stderr). Its
 * strongSwan sites and spokes run none of them; spokes are sites like vps, reachable over SSH and able
 * to build tunnels; `up --spokes` with fewer removes the rest; `down` leaves no namespace, link, user,
 * process or mount. Runs as root, next to any other lab.
 */
import assert from "assert";
import { createHash } from "crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join, resolve } from "path";
import { hostileRoot, HostileRoot, MARKER, Run } from "../helpers/hostile-root";

const REPO = resolve(__dirname, "../../..");
// Named like scripts/test.sh's labs (ikt<pid>), so that a later run removes it if this one is killed.
const PREFIX = `iks${process.pid}`;
const RUN_NS = `${PREFIX}run`;
const LAB_DIR = join(REPO, ".lab-runs", PREFIX);
const DEPLOY = `${PREFIX}-deploy`;
const SPOKES = ["spoke1", "spoke2", "spoke3"];

interface Host {
    kind: string;
    namespace: string;
    wan: string;
    gateway: string;
    lan: string;
    lanAddress: string;
    ssh: { host: string; port: number; username: string; sudoUser?: string; privateKeyFile?: string; hostKey: string; hostPublicKeyFile: string };
}

interface Lab {
    spokes: string[];
    hosts: Record<string, Host>;
}

describe("a second lab with spokes, on a machine with hostile start-up files for root", function () {
    this.timeout(120000);
    let ns: HostileRoot;
    let lab: Lab;
    let work: string;
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, LANG: "C.UTF-8", LAB_PREFIX: PREFIX, LAB_DIR };

    /** Runs in the second lab's run namespace, in the hostile mount namespace. */
    const inLab = (args: string[], input?: string) => ns.run(args, { env, input, timeoutMs: 90000 });
    const labSh = async (...args: string[]): Promise<string> => {
        const r = await inLab(["bash", join(REPO, "lab/lab.sh"), ...args]);
        assert.strictEqual(r.code, 0, `lab.sh ${args.join(" ")}: ${r.stdout}${r.stderr}`);
        return r.stdout;
    };
    const readLab = (): Lab => JSON.parse(readFileSync(join(LAB_DIR, "lab.json"), "utf8"));

    function ssh(site: string, command: string, opts: { user?: string; input?: string } = {}): Promise<Run> {
        const s = lab.hosts[site].ssh;
        const knownHosts = join(work, `known_hosts-${site}`);
        writeFileSync(knownHosts, `${s.host} ${readFileSync(s.hostPublicKeyFile, "utf8").trim().split(/\s+/).slice(0, 2).join(" ")}\n`);
        return inLab([
            "ssh", "-F", "/dev/null", "-i", s.privateKeyFile!,
            "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=yes",
            "-o", `UserKnownHostsFile=${knownHosts}`, "-o", "GlobalKnownHostsFile=/dev/null", "-o", "ConnectTimeout=10",
            `${opts.user ?? s.username}@${s.host}`, command,
        ], opts.input);
    }
    async function sshOk(site: string, command: string, opts: { user?: string; input?: string } = {}): Promise<string> {
        const r = await ssh(site, command, opts);
        assert.strictEqual(r.code, 0, `${site}: ${command} exited ${r.code}: ${r.stderr}`);
        assert.strictEqual(r.stderr, "", `${site}: ${command} wrote to stderr`);
        return r.stdout;
    }

    /** Every process in the lab's namespaces, by name, seen from the hostile namespace. */
    async function labPids(): Promise<number[]> {
        const r = await inLab(["bash", "-c", `for n in $(ip netns list | awk '{print $1}' | grep '^${PREFIX}-'); do ip netns pids "$n"; done`]);
        return r.stdout.split(/\s+/).filter(Boolean).map(Number);
    }

    before(async function () {
        this.timeout(300000);
        work = mkdtempSync(join(tmpdir(), "second-lab-"));
        ns = await hostileRoot({ netns: RUN_NS, users: [DEPLOY] });
        await labSh("up", "--spokes", String(SPOKES.length));
        lab = readLab();
    });

    after(async function () {
        this.timeout(120000);
        if (ns) {
            // After a failure midway: take the lab down all the same.
            if (existsSync(join(LAB_DIR, "lab.json"))) await inLab(["bash", join(REPO, "lab/lab.sh"), "down"]);
            await ns.close();
        }
        rmSync(LAB_DIR, { recursive: true, force: true });
        if (work) rmSync(work, { recursive: true, force: true });
    });

    it("the machine's start-up files are hostile where this lab was brought up (the premise)", async () => {
        const r = await inLab(["cat", "/root/.bashrc", "/etc/bash.bashrc", "/etc/profile", `/home/${DEPLOY}/.profile`]);
        assert.strictEqual(r.stdout.split(MARKER).length - 1, 4, r.stdout + r.stderr);
    });

    it("lab.json lists the spokes like vps: own WAN segment, own LANs, SSH as root and the deploy user", () => {
        assert.deepStrictEqual(lab.spokes, SPOKES);
        assert.deepStrictEqual(Object.keys(lab.hosts).sort(), ["branch", "home", "parents", ...SPOKES, "vps"].sort());
        SPOKES.forEach((site, i) => {
            const h = lab.hosts[site];
            const n = i + 1;
            assert.deepStrictEqual(
                [h.kind, h.namespace, h.wan, h.gateway, h.lan, h.lanAddress],
                ["strongswan", `${PREFIX}-${site}`, `198.18.1.${n}`, "198.18.1.254", `10.100.${n}.0/24`, `10.100.${n}.1`],
                site,
            );
            const vps = lab.hosts.vps.ssh;
            assert.deepStrictEqual([h.ssh.host, h.ssh.port, h.ssh.username, h.ssh.sudoUser, h.ssh.privateKeyFile], [h.wan, 22, "root", DEPLOY, vps.privateKeyFile]);
            assert.notStrictEqual(h.ssh.hostKey, vps.hostKey, "each spoke has a host key of its own");
        });
    });

    it("status shows every site and spoke running", async () => {
        const out = await labSh("status");
        for (const site of ["home", "parents", "vps", "branch", ...SPOKES]) {
            assert.match(out, new RegExp(`^${site} .* holder\\(\\d+\\) charon\\(\\d+\\) (sshd|emulator)\\(\\d+\\)$`, "m"), out);
        }
    });

    for (const site of ["vps", "branch", ...SPOKES]) {
        it(`${site}: root and the deploy user log in, run no start-up file of the machine and see the lab's homes`, async () => {
            const show = 'echo "HOME=$HOME"; ls -A "$HOME"; bash -lc "echo login shell"';
            assert.strictEqual(await sshOk(site, show), "HOME=/root\n.lab-home\nlogin shell\n");
            assert.strictEqual(await sshOk(site, show, { user: DEPLOY }), `HOME=/home/${DEPLOY}\n.lab-home\nlogin shell\n`);
            assert.strictEqual(await sshOk(site, "sudo -n id -un", { user: DEPLOY }), "root\n");
        });
    }

    it("spokes: each sees its own namespace and charon, over SSH and through lab-exec.sh", async () => {
        for (const site of SPOKES) {
            const out = await sshOk(site, "ip -4 -o addr show dev lo; swanctl --stats 2>/dev/null");
            assert.ok(out.includes(`${lab.hosts[site].lanAddress}/32`), `${site}: ${out}`);
            assert.match(out, /loaded plugins: .*kernel-libipsec/);
            const exec = await inLab(["bash", join(REPO, "lab/lab-exec.sh"), site, "ip", "-4", "-o", "addr", "show", "dev", "wan0"]);
            assert.ok(exec.stdout.includes(`${lab.hosts[site].wan}/24`), `${site}: ${exec.stdout}${exec.stderr}`);
        }
    });

    it("the internet routes spoke WANs to each other and to the story's sites; LANs only through a tunnel", async () => {
        for (const target of [lab.hosts.spoke2.wan, lab.hosts.vps.wan, lab.hosts.home.wan]) {
            await sshOk("spoke1", `ping -c1 -W2 ${target} >/dev/null`);
        }
        const r = await ssh("spoke1", `ping -c1 -W1 -I ${lab.hosts.spoke1.lanAddress} ${lab.hosts.spoke2.lanAddress}`);
        assert.notStrictEqual(r.code, 0, "LAN to LAN without a tunnel");
    });

    // PSK tunnels LAN to LAN, as in lab.test.ts: between two spokes, and from a spoke to vps.
    const CONN = "spoketest";
    const PSK = "spoke-" + createHash("sha256").update(String(Math.random())).digest("hex").slice(0, 24);
    const swanctlConf = (local: Host, remote: Host) => `connections {
    ${CONN} {
        version = 2
        local_addrs = ${local.wan}
        remote_addrs = ${remote.wan}
        proposals = aes256-sha256-modp2048
        local {
            auth = psk
            id = ${local.wan}
        }
        remote {
            auth = psk
            id = ${remote.wan}
        }
        children {
            ${CONN} {
                local_ts = ${local.lan}
                remote_ts = ${remote.lan}
                esp_proposals = aes256-sha256
            }
        }
    }
}
secrets {
    ike-${CONN} {
        id-local = ${local.wan}
        id-remote = ${remote.wan}
        secret = "${PSK}"
    }
}
`;

    for (const [a, b] of [["spoke1", "spoke2"], ["spoke3", "vps"]]) {
        it(`a tunnel ${a} <-> ${b}: initiates, and LAN pings go through with growing counters on both ends`, async () => {
            for (const [local, remote] of [[a, b], [b, a]]) {
                // The key travels on stdin, never in a process argument.
                const load = `umask 077; cat > /etc/swanctl/conf.d/${CONN}.conf && swanctl --load-all 2>/dev/null | grep -c "loaded connection '${CONN}'"`;
                assert.strictEqual(await sshOk(local, load, { input: swanctlConf(lab.hosts[local], lab.hosts[remote]) }), "1\n");
            }
            assert.match(await sshOk(a, `swanctl --initiate --child ${CONN} --timeout 20 2>/dev/null`), /initiate completed successfully/);
            await sshOk(a, `ping -c3 -i0.2 -W2 -I ${lab.hosts[a].lanAddress} ${lab.hosts[b].lanAddress} >/dev/null`);
            for (const site of [a, b]) {
                const raw = await sshOk(site, `swanctl --list-sas --ike ${CONN} --raw 2>/dev/null`);
                assert.match(raw, /state=ESTABLISHED/, `${site}: ${raw}`);
                const packetsIn = /packets-in=(\d+)/.exec(raw);
                const packetsOut = /packets-out=(\d+)/.exec(raw);
                assert.ok(packetsIn && Number(packetsIn[1]) >= 3 && packetsOut && Number(packetsOut[1]) >= 3, `${site}: ${raw}`);
            }
        });
    }

    it("up --spokes 2 removes spoke3 entirely: processes, namespace, route, files, lab.json entry", async () => {
        const holder = Number(readFileSync(join(LAB_DIR, "sites/spoke3/pids/holder.pid"), "utf8"));
        const spoke3Pids = (await inLab(["ip", "netns", "pids", `${PREFIX}-spoke3`])).stdout.split(/\s+/).filter(Boolean).map(Number);
        assert.ok(spoke3Pids.includes(holder), `${spoke3Pids} lacks the holder ${holder}`);
        await labSh("up", "--spokes", "2");
        assert.deepStrictEqual(readLab().spokes, ["spoke1", "spoke2"]);
        assert.ok(!("spoke3" in readLab().hosts));
        assert.ok(!existsSync(join(LAB_DIR, "sites/spoke3")));
        assert.doesNotMatch((await inLab(["ip", "netns", "list"])).stdout, new RegExp(`^${PREFIX}-spoke3\\b`, "m"));
        assert.strictEqual((await inLab(["ip", "route", "show", "198.18.1.3"])).stdout, "");
        for (const pid of spoke3Pids) assert.ok(!existsSync(`/proc/${pid}`), `process ${pid} of spoke3 is left`);
        // The others are untouched.
        assert.strictEqual(await sshOk("spoke2", "echo ok"), "ok\n");
    });

    it("down leaves no namespace, link, user, process or mount", async () => {
        const pids = await labPids();
        assert.ok(pids.length >= 6 * 3, `only ${pids.length} lab processes before down`);
        await labSh("down");

        const names = (await inLab(["ip", "netns", "list"])).stdout + (await inLab(["ls", "/run/netns"])).stdout;
        assert.doesNotMatch(names, new RegExp(`^${PREFIX}-`, "m"), "namespaces left");
        const links = (await inLab(["ip", "-o", "link", "show"])).stdout.trim().split("\n");
        assert.deepStrictEqual(links.map((l) => l.split(":")[1].trim()), ["lo"], "links left in the run namespace");
        assert.strictEqual((await inLab(["ip", "route", "show"])).stdout, "", "routes left in the run namespace");
        assert.notStrictEqual((await inLab(["getent", "passwd", DEPLOY])).code, 0, "the deploy user is left");
        assert.ok(!existsSync(`/etc/sudoers.d/${DEPLOY}`), "the sudoers file is left");
        for (const pid of pids) assert.ok(!existsSync(`/proc/${pid}`), `process ${pid} is left`);
        // No process anywhere runs from or mounts anything of the lab.
        for (const entry of readdirSync("/proc").filter((e) => /^\d+$/.test(e))) {
            let cmdline = "";
            let mounts = "";
            try {
                cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" ");
                mounts = readFileSync(`/proc/${entry}/mountinfo`, "utf8");
            } catch {
                continue; // ended while we looked
            }
            assert.ok(!cmdline.includes(`${PREFIX}-holder`) && !cmdline.includes(`${LAB_DIR}/`), `process ${entry} is left: ${cmdline}`);
            assert.ok(!mounts.includes(`${LAB_DIR}/`) && !mounts.includes(`/run/netns/${PREFIX}-`), `process ${entry} has a mount of the lab`);
        }
        assert.deepStrictEqual(readdirSync(LAB_DIR), ["keys"], "down keeps the keys only");
    });
});
