/**
 * Interrupted deployments with the real Pulumi CLI (issue 9, item 1): `pulumi up` (create, update)
 * and `pulumi destroy` of a multi-object stack (seven IOS objects on an emulated router and a
 * strongSwan connection on the lab's vps) are killed with kill -9 of the CLI's and the providers'
 * process groups at several points. Each time the devices hold something between the two states,
 * and the next `pulumi up`, after one `pulumi refresh` and removing the local backend's lock file,
 * must converge to the program (the devices then hold exactly what an uninterrupted deployment
 * gives), and `pulumi destroy` must leave nothing of the stack on either device.
 *
 * The router is an emulator in this process, so that the kill comes at an exact configuration line
 * (its log is read as lines arrive); the strongSwan host is real.
 */
import { strict as assert } from "assert";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { SshPool } from "../../provider/ssh/pool";
import { labDevice, labHost } from "../../scripts/lab-sites";
import { EmulatedRouter, PASSWORD, ENABLE_SECRET, startRouter } from "../helpers/ios-lab";
import { labExec, REPO } from "../helpers/lab";
import { PulumiSandbox } from "./pulumi-cli";
import { isAlive, killGroups, processTree } from "./process-tree";

const CONNECTION = "recovery";
const VPS_FILE = `/etc/swanctl/conf.d/pulumi-${CONNECTION}.conf`;

/** The stack: variant B updates four of the objects; the strongSwan connection comes last. */
function program(): string {
    return `"use strict";
const pulumi = require("@pulumi/pulumi");
const fs = require("fs");
const p = require(${JSON.stringify(path.join(REPO, "dist", "provider"))});
const devices = JSON.parse(fs.readFileSync(process.env.IKEV2_RECOVERY_DEVICES, "utf8"));
const b = new pulumi.Config().get("variant") === "B";
const home = devices.home;
const vpsWan = "203.0.113.7";
const proposal = new p.IkeV2Proposal("proposal", { device: home, name: "PROP-R", encryption: ["aes-cbc-256"], integrity: ["sha256"], groups: [14] });
const policy = new p.IkeV2Policy("policy", { device: home, name: "POL-R", proposals: [proposal] });
const peers = [
    { name: "vps", address: vpsWan, preSharedKey: b ? "Recovery-Psk-2" : "Recovery-Psk-1" },
    { name: "branch", address: "203.0.113.9", preSharedKey: "Branch-Psk-1" },
];
if (b) peers.push({ name: "spare", address: "203.0.113.10", preSharedKey: "Spare-Psk-1" });
const keyring = new p.IkeV2Keyring("keyring", { device: home, name: "KR-R", peers });
const profile = new p.IkeV2Profile("profile", { device: home, name: "PROF-R", matchIdentityRemote: [{ address: vpsWan }],
    identityLocal: { address: "198.51.100.1" }, keyring, lifetime: b ? 3600 : 86400 }, { dependsOn: [policy] });
const ts = new p.IpsecTransformSet("ts", { device: home, name: "TS-R", encryption: "esp-aes-256", integrity: "esp-sha256-hmac" });
const ipsec = new p.IpsecProfile("ipsec", { device: home, name: "IPSEC-R", transformSets: [ts], ikev2Profile: profile, pfsGroup: 14 });
const tunnel = new p.TunnelInterface("tunnel", { device: home, number: 77, description: b ? "to the vps, renumbered" : "to the vps",
    ipAddress: { address: "172.16.77.1", mask: "255.255.255.252" }, tunnelSource: "GigabitEthernet1", tunnelDestination: vpsWan,
    protectionProfile: ipsec, routes: b ? [{ destination: "10.2.0.0/24" }, { destination: "10.2.1.0/24" }] : [{ destination: "10.2.0.0/24" }] });
const vps = new p.StrongSwanConnection("vps", { device: devices.vps, name: ${JSON.stringify(CONNECTION)}, localAddrs: [vpsWan], remoteAddrs: ["198.51.100.1"],
    proposals: [{ encryption: ["aes-cbc-256"], integrity: ["sha256"], groups: [14] }], dpdDelay: b ? "20s" : "10s",
    local: { auth: "psk", id: { address: vpsWan } }, remote: { auth: "psk", id: { address: "198.51.100.1" } },
    preSharedKey: b ? "Recovery-Psk-2" : "Recovery-Psk-1",
    children: [{ name: "lan", localTs: ["10.2.0.0/24"], remoteTs: ["10.1.0.0/24"], espProposals: [{ encryption: "esp-aes-256", integrity: "esp-sha256-hmac", pfsGroup: 14 }] }],
}, { dependsOn: [tunnel] });
module.exports = { tunnel: tunnel.number, file: vps.file };
`;
}

/** running-config without the lines that change on every write. */
function stripVolatile(config: string): string {
    return config.replace(/^(Current configuration|! Last configuration change|! NVRAM config last updated).*\n/gm, "");
}

interface DeviceState {
    router: string;
    vps: string;
}

describe("e2e: deployments killed with kill -9 recover with the next pulumi up", function () {
    this.timeout(40 * 60 * 1000);
    let sandbox: PulumiSandbox;
    let router: EmulatedRouter;
    let project: string;
    const stack = "recovery";
    /** Lines the router received in configuration mode since the count was reset. */
    let configLines = 0;
    let onConfigLine: ((n: number) => void) | undefined;
    const refs: Record<"pristine" | "A" | "B", DeviceState> = { pristine: { router: "", vps: "" }, A: { router: "", vps: "" }, B: { router: "", vps: "" } };
    const report: string[] = [];

    function devices(): DeviceState {
        return {
            router: stripVolatile(router.emulator.runningConfig()),
            vps: labExec("vps", ["sh", "-c", `cat ${VPS_FILE} 2>/dev/null; swanctl --list-conns 2>/dev/null | grep '^${CONNECTION}:' || true`]),
        };
    }

    async function pulumi(args: string[]): Promise<string> {
        const r = await sandbox.runAsync(project, [...args, "--stack", stack], 300_000);
        assert.equal(r.code, 0, `pulumi ${args.join(" ")} exited ${r.code}:\n${r.output}`);
        return r.output;
    }

    /** Starts a pulumi command and kills it (CLI and providers) when `trigger` fires; resolves once it is dead. */
    async function killedAt(args: string[], trigger: (kill: () => void) => void): Promise<void> {
        const cli: ChildProcess = spawn("pulumi", [...args, "--stack", stack, "--non-interactive"], { cwd: project, env: sandbox.env, detached: true, stdio: "ignore" });
        const exited = new Promise<number | null>((resolve) => cli.on("exit", (code) => resolve(code)));
        let killed = false;
        trigger(() => {
            if (killed) return;
            killed = true;
            killGroups(processTree(cli.pid!));
        });
        const code = await exited;
        onConfigLine = undefined;
        assert.ok(killed, `pulumi ${args.join(" ")} ended (exit ${code}) before the kill point`);
        // The providers were in groups of their own: they must be gone too before the devices are read.
        for (let i = 0; i < 100 && processTree(cli.pid!).some((p) => isAlive(p.pid)); i++) await new Promise((r) => setTimeout(r, 50));
    }

    /** At the n-th configuration line the router receives. */
    const atConfigLine = (n: number) => (kill: () => void) => {
        configLines = 0;
        onConfigLine = (count) => count >= n && kill();
    };

    /** When the connection's file appears on the vps (the strongSwan create is under way). */
    const atVpsFile = () => (kill: () => void) => {
        const poll = setInterval(() => {
            if (labExec("vps", ["sh", "-c", `test -e ${VPS_FILE} && echo yes || true`]).trim() === "yes") {
                clearInterval(poll);
                kill();
            }
        }, 20);
    };

    /** What a user does after a crash with the local backend: remove Pulumi's lock, and an empty checkpoint attribute file. */
    function removeStaleLock(): void {
        const state = path.join(sandbox.work, "state", ".pulumi");
        fs.rmSync(path.join(state, "locks"), { recursive: true, force: true });
        const stacks = path.join(state, "stacks");
        for (const dir of fs.existsSync(stacks) ? fs.readdirSync(stacks) : []) {
            for (const f of fs.readdirSync(path.join(stacks, dir))) {
                const file = path.join(stacks, dir, f);
                if (f.endsWith(".json.attrs") && fs.statSync(file).size === 0) fs.rmSync(file);
            }
        }
    }

    /** After a kill: one refresh, one up; the devices must hold what an uninterrupted up of `variant` gives. */
    async function recover(variant: "A" | "B", what: string): Promise<void> {
        removeStaleLock();
        await pulumi(["refresh", "--yes"]);
        const up = await pulumi(["up", "--yes"]);
        assert.deepStrictEqual(devices(), refs[variant], `${what}: the up after the crash did not converge:\n${up}`);
        await pulumi(["up", "--yes", "--expect-no-changes"]);
    }

    async function destroyLeavesNothing(what: string): Promise<void> {
        await pulumi(["destroy", "--yes"]);
        assert.deepStrictEqual(devices(), refs.pristine, `${what}: destroy left something of the stack`);
    }

    before(async function () {
        this.timeout(60 * 60_000);
        router = await startRouter({
            log: (line) => {
                if (/^\[\d+\] \S+?\([^)]+\)# /.test(line)) onConfigLine?.(++configLines);
            },
        });
        sandbox = new PulumiSandbox("ikev2-recovery-");
        project = path.join(sandbox.work, "project");
        fs.mkdirSync(project);
        fs.symlinkSync(path.join(REPO, "node_modules"), path.join(project, "node_modules"));
        fs.writeFileSync(path.join(project, "Pulumi.yaml"), "name: ikev2-recovery\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n");
        fs.writeFileSync(path.join(project, "index.js"), program());
        fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "ikev2-recovery", main: "index.js" }));
        const vps = labDevice("vps");
        const devicesFile = path.join(sandbox.work, "devices.json");
        fs.writeFileSync(
            devicesFile,
            JSON.stringify({
                home: { host: "127.0.0.1", port: router.emulator.port, username: "admin", password: PASSWORD, enableSecret: ENABLE_SECRET, hostKey: router.hostKey },
                vps: { host: labHost("vps").ssh.host, username: labHost("vps").ssh.username, hostKey: labHost("vps").ssh.hostKey, privateKey: vps.credentials.privateKey },
            }),
            { mode: 0o600 },
        );
        sandbox.env.IKEV2_RECOVERY_DEVICES = devicesFile;
        labExec("vps", ["sh", "-c", `rm -f ${VPS_FILE} && swanctl --load-all >/dev/null 2>&1; true`]);
        sandbox.ok(project, ["stack", "init", stack]);
        refs.pristine = devices();
        // What uninterrupted deployments give: the reference states.
        await pulumi(["up", "--yes"]);
        refs.A = devices();
        await pulumi(["config", "set", "variant", "B"]);
        await pulumi(["up", "--yes"]);
        refs.B = devices();
        assert.notDeepStrictEqual(refs.A, refs.B);
        assert.notDeepStrictEqual(refs.A, refs.pristine);
        await destroyLeavesNothing("the reference run");
        await pulumi(["config", "set", "variant", "A"]);
    });

    after(async () => {
        try {
            removeStaleLock();
            await pulumi(["destroy", "--yes"]);
        } catch {
            /* reported by the test that failed */
        }
        await SshPool.shared.closeAll();
        await router?.emulator.close();
        labExec("vps", ["sh", "-c", `rm -f ${VPS_FILE} && swanctl --load-all >/dev/null 2>&1; true`]);
        sandbox?.remove();
        console.log(report.map((l) => `      ${l}`).join("\n"));
    });

    for (const line of [3, 18, 40]) {
        it(`create killed at configuration line ${line}: refresh and up converge, destroy leaves nothing`, async () => {
            await killedAt(["up", "--yes"], atConfigLine(line));
            report.push(`create killed at line ${line}: router ${stripVolatile(router.emulator.runningConfig()).split("\n").length - refs.pristine.router.split("\n").length} lines beyond pristine`);
            await recover("A", `create killed at line ${line}`);
            await destroyLeavesNothing(`create killed at line ${line}`);
        });
    }

    it("create killed while the strongSwan connection's file is being written and loaded: refresh and up converge", async () => {
        await killedAt(["up", "--yes"], atVpsFile());
        await recover("A", "create killed at the vps file");
        await destroyLeavesNothing("create killed at the vps file");
    });

    for (const line of [4, 14]) {
        it(`update killed at configuration line ${line}: refresh and up converge to the new program`, async () => {
            await pulumi(["up", "--yes"]);
            await pulumi(["config", "set", "variant", "B"]);
            try {
                await killedAt(["up", "--yes"], atConfigLine(line));
                await recover("B", `update killed at line ${line}`);
                await destroyLeavesNothing(`update killed at line ${line}`);
            } finally {
                await pulumi(["config", "set", "variant", "A"]);
            }
        });
    }

    for (const line of [3, 12]) {
        it(`destroy killed at configuration line ${line}: refresh and up converge, destroy leaves nothing`, async () => {
            await pulumi(["up", "--yes"]);
            await killedAt(["destroy", "--yes"], atConfigLine(line));
            await recover("A", `destroy killed at line ${line}`);
            await destroyLeavesNothing(`destroy killed at line ${line}`);
        });
    }
});
