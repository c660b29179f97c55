/**
 * The router's safety net with the real Pulumi CLI on the lab's home router (issue 14, items 4 and 5):
 * - `pulumi up` killed with kill -9 (CLI and provider) in the middle of an object's lines: the
 *   router, not the provider, reverts the half-made session when its revert timer (1 minute here)
 *   runs out, and the next `pulumi up` converges with no hand edit;
 * - `pulumi up` whose CLI alone is killed: the dynamic-provider process notices within seconds that
 *   its engine is gone, drops its SSH sessions (the router's configuration lock with them) and exits.
 * The stack lets the provider configure the router's archive and exclusive mode (device.safetyNet);
 * the test removes both at the end, so the router is as the lab made it.
 */
import { strict as assert } from "assert";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { labDevice, withLabIosSession } from "../../scripts/lab-sites";
import { SshPool } from "../../provider/ssh/pool";
import { REPO } from "../helpers/lab";
import { PulumiSandbox } from "./pulumi-cli";
import { isAlive, killGroups, processTree } from "./process-tree";

const SAFETY_NET = { revertTimerMinutes: 1, archivePath: "flash:pulumi-$h", configureExclusiveMode: true, lockWaitSeconds: 120 };
const SAFETY_LINES = ["archive", " path flash:pulumi-$h", "configuration mode exclusive manual"];

function program(): string {
    return `"use strict";
const pulumi = require("@pulumi/pulumi");
const fs = require("fs");
const p = require(${JSON.stringify(path.join(REPO, "dist", "provider"))});
const home = JSON.parse(fs.readFileSync(process.env.IKEV2_SAFETY_DEVICE, "utf8"));
const b = new pulumi.Config().get("variant") === "B";
const proposal = new p.IkeV2Proposal("proposal", { device: home, name: "PROP-S", encryption: ["aes-cbc-256"], integrity: ["sha256"], groups: [14] });
// Sixty peers: enough lines that a kill seen at the second peer lands before the last one.
const peers = Array.from({ length: b ? 61 : 60 }, (_, i) => i + 1).map((n) => ({ name: "site" + n, address: "10.77." + Math.floor(n / 200) + "." + n, preSharedKey: "Safety-Net-Psk-" + n }));
const keyring = new p.IkeV2Keyring("keyring", { device: home, name: "KR-S", peers }, { dependsOn: [proposal] });
const profile = new p.IkeV2Profile("profile", { device: home, name: "PROF-S", matchIdentityRemote: [{ address: "10.77.0.1" }],
    identityLocal: { address: "198.51.100.1" }, keyring, lifetime: b ? 3600 : 86400 });
module.exports = { keyring: keyring.name, profile: profile.name };
`;
}

/** running-config of the lab's home router without the lines that change on every write. */
async function homeConfig(): Promise<string> {
    const text = await withLabIosSession("home", (s) => s.exec("show running-config"));
    return text.replace(/^(Building configuration|Current configuration|! Last configuration change|! NVRAM config last updated).*\n/gm, "");
}

/** Configuration lines other than the `!` separators, in order. */
function lines(config: string): string[] {
    return config.split("\n").filter((l) => l.trim() !== "" && l.trim() !== "!");
}

function sleep(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
}

describe("e2e: the router's safety net on the lab with the real CLI", function () {
    this.timeout(20 * 60 * 1000);
    const stack = "safety";
    let sandbox: PulumiSandbox;
    let project: string;
    let pristine: string;
    const emulatorLog = path.join(process.env.LAB_DIR ?? path.join(REPO, ".lab"), "sites", "home", "emulator.out");

    async function pulumi(args: string[]): Promise<string> {
        const r = await sandbox.runAsync(project, [...args, "--stack", stack], 300_000);
        assert.equal(r.code, 0, `pulumi ${args.join(" ")} exited ${r.code}:\n${r.output}`);
        return r.output;
    }

    /** Starts `pulumi up` and resolves with it once the home router received a configuration line matching `at`. */
    async function upUntil(at: RegExp): Promise<ChildProcess> {
        let offset = fs.statSync(emulatorLog).size;
        const cli = spawn("pulumi", ["up", "--yes", "--stack", stack, "--non-interactive"], { cwd: project, env: sandbox.env, detached: true, stdio: "ignore" });
        for (let waited = 0; ; waited += 20) {
            assert.ok(waited < 240_000 && cli.exitCode === null, `pulumi up ended (exit ${cli.exitCode}) before the router received ${at}`);
            const size = fs.statSync(emulatorLog).size;
            if (size > offset) {
                const fd = fs.openSync(emulatorLog, "r");
                const chunk = Buffer.alloc(size - offset);
                fs.readSync(fd, chunk, 0, chunk.length, offset);
                fs.closeSync(fd);
                offset = size;
                if (chunk.toString("utf8").split("\n").some((l) => /\S+@home\([^)]+\)# /.test(l) && at.test(l))) return cli;
            }
            await sleep(20);
        }
    }

    function removeStaleLock(): void {
        fs.rmSync(path.join(sandbox.work, "state", ".pulumi", "locks"), { recursive: true, force: true });
    }

    before(async () => {
        sandbox = new PulumiSandbox("ikev2-safety-");
        project = path.join(sandbox.work, "project");
        fs.mkdirSync(project);
        fs.symlinkSync(path.join(REPO, "node_modules"), path.join(project, "node_modules"));
        fs.writeFileSync(path.join(project, "Pulumi.yaml"), "name: ikev2-safety\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n");
        fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "ikev2-safety", main: "index.js" }));
        fs.writeFileSync(path.join(project, "index.js"), program());
        const { connection, credentials } = labDevice("home");
        const deviceFile = path.join(sandbox.work, "home.json");
        fs.writeFileSync(deviceFile, JSON.stringify({ ...connection, ...credentials, safetyNet: SAFETY_NET }), { mode: 0o600 });
        sandbox.env.IKEV2_SAFETY_DEVICE = deviceFile;
        pristine = await homeConfig();
        assert.ok(!/^archive$/m.test(pristine) && !/configuration mode exclusive/.test(pristine), "the lab's home router already has an archive or exclusive mode");
        sandbox.ok(project, ["stack", "init", stack]);
    });

    after(async () => {
        try {
            removeStaleLock();
            await pulumi(["destroy", "--yes"]);
        } finally {
            await withLabIosSession("home", (s) => s.configure(["no archive", "no configuration mode exclusive manual"]));
            const after = await homeConfig();
            await SshPool.shared.closeAll();
            sandbox.remove();
            assert.deepStrictEqual(lines(after), lines(pristine), "the home router is not as the lab made it");
        }
    });

    it("kill -9 in the middle of an object: the router reverts the session itself within its timer, and the next up converges", async () => {
        const cli = await upUntil(/# peer site2$/);
        const killedAt = Date.now();
        killGroups(processTree(cli.pid!));
        const halfMade = await homeConfig();
        assert.match(halfMade, /^crypto ikev2 keyring KR-S$/m, `the kill did not come in the middle of the keyring:\n${halfMade}`);
        assert.doesNotMatch(halfMade, /^ peer site60$/m, `the kill did not come in the middle of the keyring:\n${halfMade}`);
        // Only the router can undo it now: its 1-minute revert timer.
        let reverted = halfMade;
        while (/crypto ikev2 keyring KR-S/.test(reverted)) {
            assert.ok(Date.now() - killedAt < 90_000, "the router did not revert the half-made keyring within its 1-minute timer");
            await sleep(2000);
            reverted = await homeConfig();
        }
        const afterRevert = lines(reverted).filter((l) => !SAFETY_LINES.includes(l) && !/^ maximum/.test(l));
        const kept = lines(pristine).concat(lines(halfMade).filter((l) => /PROP-S|^ (encryption|integrity|group) /.test(l)));
        assert.deepStrictEqual(afterRevert.filter((l) => !kept.includes(l)), [], "the revert left something the stack had not confirmed");
        assert.match(await withLabIosSession("home", (s) => s.exec("show logging")), /ROLLBK_CNFMD_CHG_ROLLBACK_START/);

        removeStaleLock();
        await pulumi(["refresh", "--yes"]);
        await pulumi(["up", "--yes"]);
        const converged = await homeConfig();
        for (const line of ["crypto ikev2 keyring KR-S", " peer site60", "crypto ikev2 profile PROF-S", " keyring local KR-S"]) assert.ok(lines(converged).includes(line), `'${line}' is missing`);
        await pulumi(["up", "--yes", "--expect-no-changes"]);
        // At the engine's SIGINT after a normal end the provider dropped what the journal no longer needs: nothing is left.
        const journal = path.join(sandbox.env.PULUMI_HOME!, "ikev2-journal");
        assert.deepStrictEqual(fs.existsSync(journal) ? fs.readdirSync(journal) : [], [], "the intent journal still holds files after normal ends");
    });

    it("kill -9 of the CLI alone: the provider exits within seconds and the router's lock is free", async () => {
        removeStaleLock();
        await pulumi(["config", "set", "variant", "B"]);
        const cli = await upUntil(/# peer site61$|# lifetime 3600$/);
        const tree = processTree(cli.pid!);
        const provider = tree.find((p) => /dynamic-provider/.test(p.command));
        assert.ok(provider, "no dynamic-provider process under the CLI");
        killGroups(tree.filter((p) => p.pgid === tree[0].pgid));
        const killedAt = Date.now();
        while (isAlive(provider.pid)) {
            assert.ok(Date.now() - killedAt < 15_000, "the provider is still running 15 s after its engine was killed");
            await sleep(100);
        }
        const exitedAfter = Date.now() - killedAt;
        // The engine's other children (the language host, the program) have no watchdog of their own and would
        // outlive the test: end them, so that the run leaves no process behind.
        killGroups(tree);
        assert.match(await withLabIosSession("home", (s) => s.exec("show configuration lock")), /State\s+: FREE/);
        console.log(`      the provider exited ${exitedAfter} ms after its engine was killed`);

        removeStaleLock();
        await pulumi(["refresh", "--yes"]);
        await pulumi(["up", "--yes"]);
        assert.ok(lines(await homeConfig()).includes(" peer site61"));
        await pulumi(["up", "--yes", "--expect-no-changes"]);
    });
});
