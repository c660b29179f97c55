/**
 * The story (examples/story: two SiteToSiteTunnels from the home hub) with the real Pulumi CLI and the
 * local file backend, against the lab: preview lists every resource, up configures both emulated IOS
 * routers and the strongSwan VPS (checked by reading the devices over SSH, not by trusting the
 * provider) and proves both tunnels from both ends, the doctor finds both up, a second up changes
 * nothing, one changed property previews the configuration lines before and after and updates in
 * place, the story's mistake typed by hand on the router is named by the doctor, shows in refresh
 * and the next up corrects it, no secret reaches the state or the CLI output, and destroy leaves
 * every device as before.
 */
import { strict as assert } from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SshPool } from "../../provider/ssh/pool";
import { IosCliSession } from "../../provider/ssh/ios-session";
import { withLabIosSession } from "../../scripts/lab-sites";
import { labExec, REPO } from "../helpers/lab";
import { pulumiEnv } from "../helpers/pulumi-env";
import { STORY_CHANGE_UPDATES, STORY_RESOURCE_COUNT } from "../../bench/runs";

/** The story as users run it: a Pulumi TypeScript project of its own, deployed with no build step. */
const STORY = path.join(REPO, "examples", "story");

const STORY_RESOURCES = [
    "home-proposal", "home-policy", "home-ts", "parents-proposal", "parents-policy", "parents-ts",
    "home-vps-cross-end", "home-vps-home-peer", "home-vps-home-profile", "home-vps-home-ipsec", "home-vps-home-tunnel", "home-vps-home-check",
    "home-vps-vps-connection", "home-vps-vps-check",
    "home-parents-cross-end", "home-parents-home-peer", "home-parents-home-profile", "home-parents-home-ipsec", "home-parents-home-tunnel", "home-parents-home-check",
    "home-parents-parents-peer", "home-parents-parents-profile", "home-parents-parents-ipsec", "home-parents-parents-tunnel", "home-parents-parents-check",
];
/** Every resource the CLI counts: the dynamic ones, two IosRouters, two SiteToSiteTunnels and the stack (the benchmark's story expects the same). */
const COUNT = STORY_RESOURCES.length + 5;

/** The router's running-config, read over SSH in privileged EXEC, without the lines that change on every write. */
async function runningConfig(site: string): Promise<string> {
    return (await iosShow(site, "show running-config"))
        .split("\n")
        .filter((l) => !/^(Current configuration|! Last configuration change|! NVRAM config last updated)/.test(l))
        .join("\n");
}

/** Sum of one `show crypto ipsec sa` counter (e.g. `#pkts encaps`) over all tunnels. */
async function ipsecCounter(site: string, counter: "encaps" | "decaps"): Promise<number> {
    const out = await iosShow(site, "show crypto ipsec sa");
    return [...out.matchAll(new RegExp(`#pkts ${counter}: (\\d+)`, "g"))].reduce((sum, m) => sum + Number(m[1]), 0);
}

/**
 * A session on a lab router over a connection that does not outlive it: the CLI runs below block this
 * process (spawnSync) for as long as pulumi takes, and a pooled connection cannot answer the
 * router's keepalives meanwhile. On a loaded machine that took longer than the emulator's keepalive
 * budget, which dropped the connection, and the next read found the pooled client closing.
 */
async function withRouter<T>(site: string, fn: (session: IosCliSession) => Promise<T>): Promise<T> {
    try {
        return await withLabIosSession(site, fn);
    } finally {
        await SshPool.shared.closeAll();
    }
}

function iosShow(site: string, command: string): Promise<string> {
    return withRouter(site, (session) => session.exec(command));
}

async function handConfigure(site: string, lines: string[]): Promise<void> {
    const result = await withRouter(site, (session) => session.configure(lines));
    assert.ok(result.ok, JSON.stringify(result));
}

function vpsConfD(): string {
    return labExec("vps", ["sh", "-c", "cd /etc/swanctl/conf.d && for f in *; do [ -e \"$f\" ] && { echo \"== $f\"; cat \"$f\"; }; done; true"]);
}

describe("the story with the real Pulumi CLI against the lab", function () {
    this.timeout(15 * 60 * 1000);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "ikev2-e2e-"));
    const stack = `e2e-${process.pid}`;
    let env: NodeJS.ProcessEnv;
    const transcript: string[] = [];
    const timings: Array<[string, number]> = [];
    let pristine: { home: string; parents: string; vps: string };

    function pulumi(args: string[], input?: string): string {
        const started = Date.now();
        const r = spawnSync("pulumi", [...args, "--non-interactive"], { cwd: STORY, env, input, encoding: "utf8", timeout: 10 * 60 * 1000 });
        timings.push([`pulumi ${args.join(" ")}`, Date.now() - started]);
        const out = `${r.stdout}\n${r.stderr}`;
        transcript.push(out);
        if (r.status !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.status}:\n${out}`);
        return out;
    }

    before(async () => {
        const bin = execFileSync("bash", [path.join(REPO, "scripts", "pulumi-cli.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim().split("\n").pop()!;
        env = pulumiEnv({
            PATH: `${bin}:${process.env.PATH}`,
            PULUMI_HOME: path.join(work, "home"),
            PULUMI_BACKEND_URL: `file://${path.join(work, "state")}`,
            PULUMI_CONFIG_PASSPHRASE: "e2e-passphrase",
            PULUMI_SKIP_UPDATE_CHECK: "1",
        });
        fs.mkdirSync(path.join(work, "state"), { recursive: true });
        pristine = { home: await runningConfig("home"), parents: await runningConfig("parents"), vps: vpsConfD() };
        pulumi(["stack", "init", stack]);
        const r = spawnSync("bash", [path.join(REPO, "scripts", "lab-stack.sh")], { cwd: STORY, env, encoding: "utf8" });
        assert.strictEqual(r.status, 0, r.stderr);
    });

    after(async () => {
        try {
            pulumi(["destroy", "--yes", "--stack", stack]);
        } catch {
            /* already destroyed by the last test, or reported there */
        }
        spawnSync("pulumi", ["stack", "rm", "--yes", "--force", stack, "--non-interactive"], { cwd: STORY, env });
        fs.rmSync(work, { recursive: true, force: true });
        console.log("      e2e timings:\n" + timings.map(([c, ms]) => `        ${(ms / 1000).toFixed(1).padStart(6)} s  ${c}`).join("\n"));
    });

    function doctor(): { code: number | null; out: string } {
        // As a user runs it in the project's folder: the package's bin, through npx.
        const r = spawnSync("npx", ["--no", "pulumi-ikev2", "doctor", "--stack", stack], { cwd: STORY, env, encoding: "utf8", timeout: 5 * 60 * 1000 });
        const out = `${r.stdout}\n${r.stderr}`;
        transcript.push(out);
        return { code: r.status, out };
    }

    it("preview on an empty stack lists every resource of the story", () => {
        const out = pulumi(["preview", "--stack", stack]);
        for (const name of STORY_RESOURCES) assert.match(out, new RegExp(`\\+\\s+pulumi-nodejs:dynamic/ikev2:\\w+\\s+${name}\\s+create`), name);
        assert.match(out, new RegExp(`\\+ ${COUNT} to create`));
        assert.equal(STORY_RESOURCE_COUNT + 1, COUNT, "the benchmark's story (bench/runs.ts STORY_RESOURCE_COUNT) expects another count");
    });

    it("up configures both IOS routers and the strongSwan VPS (read back over SSH) and proves both tunnels from both ends", async () => {
        const out = pulumi(["up", "--yes", "--stack", stack]);
        assert.match(out, new RegExp(`\\+ ${COUNT} created`));
        const home = await runningConfig("home");
        for (const line of ["crypto ikev2 keyring KR", " peer vps", "  address 203.0.113.7", " peer parents", "  address 192.0.2.50",
            "crypto ikev2 profile PROF-VPS", " keyring local KR", "interface Tunnel1", " tunnel destination 203.0.113.7",
            " tunnel protection ipsec profile IPSEC-VPS", "interface Tunnel2", "ip route 10.2.0.0 255.255.255.0 Tunnel1", "ip route 10.3.0.0 255.255.255.0 Tunnel2"]) {
            assert.ok(home.split("\n").some((l) => l.trimEnd() === line), `home lacks '${line}'`);
        }
        const parents = await runningConfig("parents");
        assert.match(parents, /^  address 198\.51\.100\.1$/m);
        assert.match(parents, /^ip route 10\.1\.0\.0 255\.255\.255\.0 Tunnel1$/m);
        assert.strictEqual(labExec("vps", ["stat", "-c", "%a", "/etc/swanctl/conf.d/pulumi-home.conf"]).trim(), "600");
        assert.match(labExec("vps", ["swanctl", "--list-conns"]), /^home: IKEv2/m);
        // Each end's check proved its tunnel: IOS from show crypto and a ping from the router, strongSwan from its SAs and a ping.
        assert.match(out, /\+\s+pulumi-nodejs:dynamic\/ikev2:IosTunnelCheck\s+home-vps-home-check\s+created/);
        assert.match(out, /\+\s+pulumi-nodejs:dynamic\/ikev2:StrongSwanTunnelCheck\s+home-vps-vps-check\s+created/);
        assert.match(out, /\+\s+pulumi-nodejs:dynamic\/ikev2:IosTunnelCheck\s+home-parents-parents-check\s+created/);
    });

    it("the tunnels carry traffic between all three LANs, with IPsec counters growing on both ends", async () => {
        assert.deepStrictEqual(JSON.parse(pulumi(["stack", "output", "tunnelsUp", "--json", "--stack", stack]).split("\n\n")[0]), [true, true]);
        const before = { home: await ipsecCounter("home", "encaps"), parents: await ipsecCounter("parents", "decaps") };
        labExec("home", ["ping", "-c", "3", "-W", "2", "-I", "10.1.0.1", "10.3.0.1"]);
        labExec("parents", ["ping", "-c", "3", "-W", "2", "-I", "10.3.0.1", "10.2.0.1"]);
        labExec("vps", ["ping", "-c", "3", "-W", "2", "-I", "10.2.0.1", "10.1.0.1"]);
        assert.ok((await ipsecCounter("home", "encaps")) >= before.home + 9, "home's encaps did not grow");
        assert.ok((await ipsecCounter("parents", "decaps")) >= before.parents + 6, "parents' decaps did not grow");
    });

    it("the doctor finds both tunnels up on both ends", () => {
        const { code, out } = doctor();
        assert.strictEqual(code, 0, out);
        assert.match(out, /^pulumi-ikev2 doctor: 2 tunnels in the stack$/m);
        assert.strictEqual(out.match(/^  UP on both ends$/gm)?.length, 2, out);
        // Tunnels and their ends in the order of their resources' URNs, whatever order the checks finished in.
        assert.match(out, /^home-parents: home \(IOS Tunnel2\) <-> parents \(IOS Tunnel1\)$/m);
        assert.match(out, /^home-vps: home \(IOS Tunnel1\) <-> vps \(strongSwan home\/home-lan\)$/m);
        assert.ok(out.indexOf("home-parents:") < out.indexOf("home-vps:"), out);
        assert.match(out, /^  home: IKE SA with 192\.0\.2\.50 READY .*#pkts encaps [1-9]/m);
    });

    it("a second up and a refresh change nothing", () => {
        assert.match(pulumi(["up", "--yes", "--expect-no-changes", "--stack", stack]), new RegExp(`${COUNT} unchanged`));
        assert.match(pulumi(["refresh", "--yes", "--stack", stack]), new RegExp(`${COUNT} unchanged`));
        assert.match(pulumi(["preview", "--expect-no-changes", "--stack", stack]), new RegExp(`${COUNT} unchanged`));
    });

    it("one changed setting previews the configuration lines it changes on both ends, and updates in place", async () => {
        pulumi(["config", "set", "vpsDpdDelay", "20", "--stack", stack]);
        const preview = pulumi(["preview", "--diff", "--stack", stack]);
        // The lines a reviewer reads: IOS's and swanctl's, before and after.
        assert.match(preview, /~ \[\d+\]: " dpd 10 3 periodic" => " dpd 20 3 periodic"/);
        assert.match(preview, /~ \[\d+\]: " +dpd_delay = 10s" => " +dpd_delay = 20s"/);
        assert.doesNotMatch(preview, /replace/);
        // The profile, the connection, the tunnel's cross-end check and its two proofs; nothing of the other tunnel.
        assert.match(preview, new RegExp(`~ ${STORY_CHANGE_UPDATES} to update`));
        assert.doesNotMatch(preview, /home-parents-\S+\s+update/);
        const out = pulumi(["up", "--yes", "--stack", stack]);
        assert.match(out, new RegExp(`~ ${STORY_CHANGE_UPDATES} updated`));
        assert.match(labExec("vps", ["cat", "/etc/swanctl/conf.d/pulumi-home.conf"]), /dpd_delay = 20s/);
        assert.match(await runningConfig("home"), /^ dpd 20 3 periodic$/m);
    });

    it("the story's mistake typed on the router: the doctor names it, refresh shows it, up corrects it and proves the tunnel again", async () => {
        await handConfigure("home", ["crypto ikev2 keyring KR", "peer vps", "no address", "exit", "exit"]);
        await iosShow("home", "clear crypto session remote 203.0.113.7");
        const { code, out } = doctor();
        assert.strictEqual(code, 1, out);
        assert.match(out, /^home-vps: [^\n]*\n(  [^\n]*\n)*  DOWN: AUTHENTICATION_FAILED: one end has no pre-shared key for the other\./m);
        assert.match(out, /keyring peer "vps" has no address: a peer's name is only a label, IOS never matches on it.*Fix: add address: "203\.0\.113\.7" to keyring peer "vps"/);
        assert.match(out, /^home-parents: [^\n]*\n(  [^\n]*\n)*  UP on both ends$/m);
        const refresh = pulumi(["refresh", "--yes", "--stack", stack]);
        assert.match(refresh, /home-vps-home-peer/);
        const up = pulumi(["up", "--yes", "--stack", stack]);
        assert.match(up, /~\s+pulumi-nodejs:dynamic\/ikev2:IkeV2KeyringPeer\s+home-vps-home-peer\s+updated/);
        assert.match(up, /~\s+pulumi-nodejs:dynamic\/ikev2:IosTunnelCheck\s+home-vps-home-check\s+updated/);
        assert.match(await runningConfig("home"), /^ peer vps\n( .*\n)*  address 203\.0\.113\.7$/m);
        assert.deepStrictEqual(JSON.parse(pulumi(["stack", "output", "tunnelsUp", "--json", "--stack", stack]).split("\n\n")[0]), [true, true]);
    });

    it("neither the state nor the CLI output holds a pre-shared key, password or private key", () => {
        const output = transcript.join("\n"); // every CLI run so far, before `config get` prints secrets below
        const exported = pulumi(["stack", "export", "--stack", stack]);
        const stateFiles = execFileSync("sh", ["-c", `cat $(find ${path.join(work, "state")} -type f)`], { encoding: "utf8", maxBuffer: 64 << 20 });
        for (const key of ["vpsPsk", "parentsPsk", "homePassword", "homeEnableSecret", "parentsPassword", "parentsEnableSecret", "vpsPrivateKey"]) {
            const secret = pulumi(["config", "get", key, "--stack", stack]).split("\n\n")[0].trim();
            assert.ok(secret.length >= 8, key);
            // For the private key, one line of its base64 body stands for all of it.
            const probe = secret.split("\n").find((l) => l.length > 20 && !l.startsWith("-----")) ?? secret;
            assert.ok(!exported.includes(probe), `${key} is in the exported state`);
            assert.ok(!stateFiles.includes(probe), `${key} is in the state files`);
            assert.ok(!output.includes(probe), `${key} is in the CLI output`);
        }
    });

    it("destroy leaves every device as it was before the first up", async () => {
        const out = pulumi(["destroy", "--yes", "--stack", stack]);
        assert.match(out, new RegExp(`- ${COUNT} deleted`));
        assert.strictEqual(await runningConfig("home"), pristine.home);
        assert.strictEqual(await runningConfig("parents"), pristine.parents);
        assert.strictEqual(vpsConfD(), pristine.vps);
    });
});
