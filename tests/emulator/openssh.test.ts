import { strict as assert } from "assert";
import { ChildProcess, execFile, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { IosEmulator } from "../../emulator/ios/server";
import { HOST_KEY, USERS, opensshKey, startEmu, tempDir } from "./helpers";

const SSH_OPTS = ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR"];

function sshArgs(key: string, port: number, user: string): string[] {
    return ["-i", key, "-p", String(port), ...SSH_OPTS, `${user}@127.0.0.1`];
}

function run(cmd: string, args: string[], input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        const p = execFile(cmd, args, { timeout: 15000 }, (err, stdout, stderr) => {
            resolve({ code: err ? ((err as NodeJS.ErrnoException & { code?: number }).code as unknown as number) ?? 1 : 0, stdout, stderr });
        });
        if (input !== undefined) p.stdin!.end(input);
        else p.stdin!.end();
    });
}

describe("IOS emulator with OpenSSH ssh", function () {
    this.timeout(30000);
    let emu: IosEmulator;
    let key: { file: string; pub: string };
    let other: { file: string; pub: string };
    before(async () => {
        key = opensshKey();
        other = opensshKey();
        emu = await startEmu({
            users: [...USERS, { username: "netops", publicKeys: [key.pub], privilege: 15 }, { username: "viewer", publicKeys: [key.pub], privilege: 1 }],
        });
    });
    after(() => emu.close());

    it("runs a command on the exec channel with key authentication", async () => {
        const r = await run("ssh", [...sshArgs(key.file, emu.port, "netops"), "show running-config"]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^Building configuration\.\.\.\r\n\r\nCurrent configuration : \d+ bytes\r\n!\r\n/);
        assert.match(r.stdout, /\r\nhostname home\r\n/);
        const v = await run("ssh", [...sshArgs(key.file, emu.port, "viewer"), "sh run"]);
        assert.match(v.stdout, /% Invalid input detected at '\^' marker\./);
        assert.match(v.stdout, /^sh run\r\n {3}\^\r\n/);
    });

    it("refuses a key that is not authorized", async () => {
        const r = await run("ssh", [...sshArgs(other.file, emu.port, "netops"), "show version"]);
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, /Permission denied/);
    });

    it("drives a scripted shell session with ssh -tt (typed ahead in one go)", async () => {
        const script = [
            "terminal length 0",
            "conf t",
            "crypto ikev2 keyring KR",
            " peer vps",
            "  address 203.0.113.7",
            "  pre-shared-key abc123",
            "crypto ikev2 profile PROF",
            " match identity remote address 203.0.113.7 255.255.255.255",
            " keyring local KR",
            "end",
            "show running-config | section crypto ikev2",
            "exit",
            "",
        ].join("\n");
        const r = await run("ssh", ["-tt", ...sshArgs(key.file, emu.port, "netops")], script);
        assert.match(r.stdout, /home\(config-ikev2-keyring-peer\)#/);
        assert.match(r.stdout, /crypto ikev2 keyring KR\r\n peer vps\r\n  address 203\.0\.113\.7\r\n  pre-shared-key abc123\r\n !\r\n/);
        assert.match(r.stdout, /crypto ikev2 profile PROF\r\n match identity remote address 203\.0\.113\.7 255\.255\.255\.255 \r\n keyring local KR\r\n/);
        assert.match(emu.runningConfig(), /keyring local KR/);
    });
});

describe("IOS emulator main.js", function () {
    this.timeout(30000);
    let child: ChildProcess | undefined;
    afterEach(() => {
        if (child && child.exitCode === null) child.kill("SIGKILL");
    });

    it("listens as configured, answers over SSH, exits cleanly on SIGTERM and leaves its counters", async () => {
        const dir = tempDir();
        const key = opensshKey();
        fs.writeFileSync(path.join(dir, "host_key"), HOST_KEY, { mode: 0o600 });
        const cfgFile = path.join(dir, "router.json");
        fs.writeFileSync(
            cfgFile,
            JSON.stringify({
                hostname: "branch",
                hostKeyFile: path.join(dir, "host_key"),
                users: [{ username: "netops", publicKeys: [key.pub], privilege: 15 }],
                stateDir: path.join(dir, "state"),
                interfaces: [{ name: "GigabitEthernet0/0/0", address: "198.51.100.1", mask: "255.255.255.0" }],
                rejectCommands: ["^tunnel protection"],
                costModel: { nvgenMsPerLine: 1, scale: 0.5 },
            }),
        );
        const main = path.join(__dirname, "..", "..", "emulator", "ios", "main.js");
        const proc = spawn(process.execPath, [main, "--config", cfgFile], { stdio: ["ignore", "pipe", "pipe"] });
        child = proc;
        const port = await new Promise<number>((resolve, reject) => {
            let out = "";
            proc.stdout!.on("data", (d: Buffer) => {
                out += d.toString();
                const m = /listening on 127\.0\.0\.1:(\d+)\n/.exec(out);
                if (m) resolve(Number(m[1]));
            });
            proc.on("exit", (c) => reject(new Error(`exited ${c}`)));
        });
        const r = await run("ssh", [...sshArgs(key.file, port, "netops"), "show running-config"]);
        assert.match(r.stdout, /hostname branch\r\n/);
        assert.match(r.stdout, /interface GigabitEthernet0\/0\/0\r\n ip address 198\.51\.100\.1 255\.255\.255\.0\r\n/);
        const code = await new Promise<number | null>((resolve) => {
            proc.on("exit", (c) => resolve(c));
            proc.kill("SIGTERM");
        });
        assert.equal(code, 0);
        // The counters outlive the process, for a benchmark that has no handle on it.
        const stats = JSON.parse(fs.readFileSync(path.join(dir, "state", "emulator-stats.json"), "utf8"));
        assert.equal(stats.logins, 1);
        assert.equal(stats.execSessions, 1);
        assert.equal(stats.wholeConfigGenerations, 1);
        const lines = r.stdout.slice(r.stdout.indexOf("\r\n!\r\n") + 2, r.stdout.indexOf("\r\nend\r\n") + 7).split("\r\n").length - 1;
        assert.equal(stats.modelledCostMs, 0.5 * lines, "1 ms per line from `!` to `end`, scaled by 0.5");
        assert.equal(stats.bytesSent, Buffer.byteLength(r.stdout));
    });
});
