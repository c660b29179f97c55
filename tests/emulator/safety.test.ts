/**
 * The router's own safety net (emulator/ios/safety.ts): the configuration archive, Configuration
 * Rollback Confirmed Change (revert timers, `configure confirm`, the revert when the timer runs
 * out), the exclusive configuration lock, and `configure replace`. Driven over SSH by the ssh2
 * client here, and by OpenSSH's `ssh` and Debian's netmiko in the tests at the end. Timers run with
 * `timerScale` so that IOS's minutes take fractions of seconds; time assertions are lower bounds
 * (a revert never comes before its timer), which hold on a loaded machine.
 */
import { strict as assert } from "assert";
import { execFile, execFileSync, spawn } from "child_process";
import { IosEmulator } from "../../emulator/ios/server";
import { opensshKey, Shell, startEmu, USERS } from "./helpers";

/** 1 IOS minute = 600 ms. */
const SCALE = 0.01;
const MINUTE_MS = 60_000 * SCALE;

const ARCHIVE = ["archive", " path flash:archive/$h-config", " maximum 3", "!"].join("\n");

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20000): Promise<number> {
    const t0 = Date.now();
    while (!(await check())) {
        if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 25));
    }
    return Date.now();
}

async function shell(emu: IosEmulator, user = "admin", password = "admin-pw"): Promise<Shell> {
    const sh = await Shell.open(emu.port, user, password);
    await sh.cmd("terminal length 0");
    return sh;
}

/** Lines of configuration, each answered before the next goes. */
async function configure(sh: Shell, lines: string[]): Promise<string> {
    let out = "";
    for (const l of lines) out += await sh.cmd(l);
    return out;
}

describe("IOS emulator safety net: archive", function () {
    this.timeout(30000);
    let emu: IosEmulator;
    beforeEach(async () => {
        emu = await startEmu({ timerScale: SCALE });
    });
    afterEach(() => emu.close());

    it("is not enabled without a path; `archive config` then fails as IOS says", async () => {
        const sh = await shell(emu);
        try {
            assert.equal(await sh.out("show archive"), " Archive feature not enabled");
            assert.equal(await sh.out("archive config"), " Archive feature not enabled\n% Error caught by command handler");
        } finally {
            sh.close();
        }
    });

    it("archives on `archive config` and on `write memory` with write-memory, keeps `maximum`, prints IOS's table", async () => {
        const sh = await shell(emu);
        try {
            await configure(sh, ["configure terminal", "archive", "path flash:archive/$h-config", "maximum 3", "write-memory", "end"]);
            assert.match(emu.runningConfig(), /\narchive\n path flash:archive\/\$h-config\n maximum 3\n write-memory\n!\n/);
            assert.equal(await sh.out("archive config"), "");
            await sh.cmd("write memory");
            let out = await sh.out("show archive");
            assert.match(out, /^The maximum archive configurations allowed is 3\.\nThere are currently 2 archive configurations saved\.\nThe next archive file will be named flash:archive\/home-config-<timestamp>-2\n Archive # {2}Name\n/);
            assert.match(out, /\n {3}1 {8}flash:archive\/home-config-[A-Z][a-z]{2}-[- ]?\d{1,2}-\d\d-\d\d-\d\d\.\d{3}-UTC-0\n/);
            assert.match(out, /\n {3}2 {8}flash:archive\/home-config-\S+-1 <- Most Recent\n {3}3 {8}$/);
            for (let i = 0; i < 3; i++) await sh.cmd("archive config");
            out = await sh.out("show archive");
            assert.match(out, /There are currently 3 archive configurations saved\./);
            assert.match(out, /\n {3}1 {8}\S+-2\n {3}2 {8}\S+-3\n {3}3 {8}\S+-4 <- Most Recent$/);
        } finally {
            sh.close();
        }
    });
});

describe("IOS emulator safety net: Rollback Confirmed Change", function () {
    this.timeout(60000);
    let emu: IosEmulator;
    beforeEach(async () => {
        emu = await startEmu({ timerScale: SCALE });
        emu.loadRunningConfig(ARCHIVE);
    });
    afterEach(() => emu.close());

    it("refuses a revert timer without an archive path, and stays in EXEC", async () => {
        emu.loadRunningConfig("");
        const sh = await shell(emu);
        try {
            const out = await sh.cmd("configure terminal revert timer 5");
            assert.match(out, /\r\n%Turn config archive on before using Rollback Confirmed Change\r\nhome#$/);
        } finally {
            sh.close();
        }
    });

    it("reverts the running-config to the archived one when the timer runs out, with IOS's log messages", async () => {
        const sh = await shell(emu);
        try {
            const t0 = Date.now();
            const out = await sh.cmd("configure terminal revert timer 5");
            assert.match(out, /\r\nRollback Confirmed Change: Backing up current running config to (flash:archive\/home-config-\S+-0)\r\n\r\nEnter configuration commands, one per line\. {2}End with CNTL\/Z\.\r\nhome\(config\)#$/);
            const file = /to (\S+)\r\n/.exec(out)![1];
            await configure(sh, ["interface Loopback7", "description added under a revert timer", "end"]);
            assert.match(emu.runningConfig(), /interface Loopback7\n/);
            assert.match(await sh.out("show archive config rollback timer"), /^Time configured\(or reset\): .+\nTimer type: absolute\nTimer value: 5 min\nUser: admin$/);
            const reverted = await until("the revert", () => !/Loopback7/.test(emu.runningConfig()));
            assert.ok(reverted - t0 >= 5 * MINUTE_MS - 5, `reverted after ${reverted - t0} ms, the timer is ${5 * MINUTE_MS} ms`);
            const log = await sh.out("show logging");
            assert.match(log, new RegExp(`%ARCHIVE_DIFF-5-ROLLBK_CNFMD_CHG_BACKUP: Backing up current running config to ${file.replace(/[.$]/g, "\\$&")}\n`));
            assert.match(log, /%ARCHIVE_DIFF-5-ROLLBK_CNFMD_CHG_START_ABSTIMER: User: admin\(Priv: 15, View: 0\): Scheduled to rollback to config \S+ in 5 minutes\n/);
            assert.match(log, /%SYS-5-CONFIG_I: Configured from console by admin on vty0 \(127\.0\.0\.1\)\n/);
            assert.match(log, /%ARCHIVE_DIFF-5-ROLLBK_CNFMD_CHG_ROLLBACK_START: Start rolling to: \S+-0/);
            assert.equal(await sh.out("show archive config rollback timer"), "%No Rollback Confirmed Change pending");
        } finally {
            sh.close();
        }
    });

    it("`configure confirm` cancels the revert; confirming twice says nothing is pending", async () => {
        const sh = await shell(emu);
        try {
            await configure(sh, ["configure terminal revert timer 2", "interface Loopback8", "end"]);
            assert.equal(await sh.out("configure confirm"), "");
            await new Promise((r) => setTimeout(r, 3 * MINUTE_MS));
            assert.match(emu.runningConfig(), /interface Loopback8\n/);
            assert.equal(await sh.out("configure confirm"), "%No Rollback Confirmed Change pending");
            assert.match(await sh.out("show logging"), /%ARCHIVE_DIFF-5-ROLLBK_CNFMD_CHG_CONFIRM: User: admin\(Priv: 15, View: 0\): Confirm the configuration change/);
        } finally {
            sh.close();
        }
    });

    it("an idle timer runs while the session types nothing, and reverts after its session died", async () => {
        const sh = await shell(emu);
        const t0 = Date.now();
        await configure(sh, ["configure terminal revert timer idle 3", "interface Loopback9"]);
        // Activity keeps it from firing: a command every IOS minute for 4 minutes.
        for (let i = 0; i < 4; i++) {
            await new Promise((r) => setTimeout(r, MINUTE_MS));
            await sh.cmd(`description still typing ${i}`);
        }
        assert.match(emu.runningConfig(), /interface Loopback9\n/, `${Date.now() - t0} ms after the start the change is still there`);
        const lastCommand = Date.now();
        sh.client.end();
        const reverted = await until("the idle revert", () => !/Loopback9/.test(emu.runningConfig()));
        assert.ok(reverted - lastCommand >= 3 * MINUTE_MS - 5, `reverted ${reverted - lastCommand} ms after the last command`);
    });

    it("the holder's connection dies in the middle of a change: the lock goes at once, the timer still reverts", async () => {
        emu.loadRunningConfig(`${ARCHIVE}\nconfiguration mode exclusive auto\n`);
        const a = await shell(emu);
        const b = await shell(emu);
        try {
            const t0 = Date.now();
            await configure(a, ["configure terminal revert timer 3", "interface Loopback13", "description half of a change"]);
            assert.match(await b.out("configure terminal"), /locked by process '\d+' user 'admin'/);
            a.client.end();
            await until("the lock to go", async () => /NO LOCK/.test(await b.out("show configuration lock")));
            assert.match(emu.runningConfig(), /interface Loopback13\n/);
            const reverted = await until("the revert", () => !/Loopback13/.test(emu.runningConfig()));
            assert.ok(reverted - t0 >= 3 * MINUTE_MS - 5, `reverted after ${reverted - t0} ms`);
        } finally {
            b.close();
        }
    });

    it("keeps the archived copy a pending revert returns to, whatever `maximum` says", async () => {
        emu.loadRunningConfig(["archive", " path flash:archive/$h-config", " maximum 1", " write-memory", "!"].join("\n"));
        const sh = await shell(emu);
        try {
            await configure(sh, ["configure terminal revert timer 3", "interface Loopback14", "end"]);
            for (let i = 0; i < 3; i++) await sh.cmd(i === 0 ? "write memory" : "archive config");
            assert.match(await sh.out("show archive"), /There are currently 2 archive configurations saved\.\n[\s\S]*-0\n[\s\S]*-3 <- Most Recent/);
            await until("the revert", () => !/Loopback14/.test(emu.runningConfig()));
        } finally {
            sh.close();
        }
    });

    it("only the user who started the timer may confirm it; `configure revert now` reverts at once", async () => {
        const a = await shell(emu);
        const b = await Shell.open(emu.port, "oper", "oper-pw");
        try {
            b.write("enable\r");
            await b.waitFor(/Password: $/);
            await b.cmd("en-secret");
            await configure(a, ["configure terminal revert timer 60", "interface Loopback10", "end"]);
            assert.match(await b.out("configure confirm"), /^%Rollback Confirmed Change was started by user admin/);
            assert.match(await a.out("configure terminal revert timer 5"), /^%Rollback Confirmed Change already in progress/);
            assert.equal(await a.out("configure revert now"), "");
            assert.doesNotMatch(emu.runningConfig(), /Loopback10/);
        } finally {
            a.close();
            b.close();
        }
    });
});

describe("IOS emulator safety net: exclusive configuration lock", function () {
    this.timeout(30000);
    let emu: IosEmulator;
    beforeEach(async () => {
        emu = await startEmu({ timerScale: SCALE });
        emu.loadRunningConfig("configuration mode exclusive auto\n");
    });
    afterEach(() => emu.close());

    it("auto: `configure terminal` takes the lock; a second session is refused with the holder named, until `end`", async () => {
        const a = await shell(emu);
        const b = await shell(emu);
        try {
            assert.match(emu.runningConfig(), /\nconfiguration mode exclusive auto\n/);
            assert.match(await a.cmd("configure terminal"), /Configuration mode locked exclusively\. The lock will be cleared once you exit out of configuration mode using end\/exit\r\nEnter configuration commands/);
            const refused = await b.out("configure terminal");
            assert.match(refused, /^Configuration mode is locked by process '(\d+)' user 'admin' from terminal '2'\. Please try later\.$/);
            assert.match(await b.cmd("show privilege"), /home#$/, "b stays in EXEC");
            const lock = await b.out("show configuration lock");
            assert.match(lock, /^Parser Configure Lock\n-+\nOwner PID {25}: (\d+)\nUser {30}: admin\nTTY {31}: 2\nType {30}: EXCLUSIVE\nState {29}: LOCKED\n/);
            assert.equal(/Owner PID\s+: (\d+)/.exec(lock)![1], /process '(\d+)'/.exec(refused)![1]);
            assert.match(lock, /\nUser debug info {19}: configure terminal\n/);
            assert.match(lock, /\nRemote ip address {17}: 127\.0\.0\.1\n/);
            await a.cmd("end");
            assert.match(await b.out("show configuration lock"), /\nType {30}: NO LOCK\nState {29}: FREE\n/);
            assert.match(await b.cmd("configure terminal"), /home\(config\)#$/);
        } finally {
            a.close();
            b.close();
        }
    });

    it("releases the lock when the holder's SSH connection dies; the holder's lines stay", async () => {
        const a = await shell(emu);
        const b = await shell(emu);
        try {
            await configure(a, ["configure terminal", "interface Loopback11"]);
            assert.match(await b.out("configure terminal"), /Please try later/);
            a.client.end();
            await until("the lock to go", async () => /NO LOCK/.test(await b.out("show configuration lock")));
            assert.match(await b.cmd("configure terminal"), /home\(config\)#$/);
            assert.match(emu.runningConfig(), /interface Loopback11\n/);
        } finally {
            b.close();
        }
    });

    it("refuses configuration lines of a session already in configuration mode while another holds the lock", async () => {
        emu.loadRunningConfig("configuration mode exclusive manual\n");
        const a = await shell(emu);
        const b = await shell(emu);
        try {
            await b.cmd("configure terminal");
            assert.match(await a.cmd("configure terminal lock"), /locked exclusively\. The lock will be cleared/);
            assert.match(await b.out("interface Loopback12"), /^Configuration mode is locked by process '\d+' user 'admin' from terminal '2'\. Please try later\.$/);
            assert.doesNotMatch(emu.runningConfig(), /Loopback12/);
            assert.match(await b.cmd("end"), /home#$/);
        } finally {
            a.close();
            b.close();
        }
    });

    it("manual: plain `configure terminal` takes no lock; without exclusive mode `lock` is refused", async () => {
        emu.loadRunningConfig("configuration mode exclusive manual\n");
        const a = await shell(emu);
        const b = await shell(emu);
        try {
            await a.cmd("configure terminal");
            assert.match(await b.cmd("configure terminal"), /home\(config\)#$/);
            await Promise.all([a.cmd("end"), b.cmd("end")]);
            emu.loadRunningConfig("");
            assert.match(await a.cmd("configure terminal lock"), /\^\r\n% Invalid input detected at '\^' marker\./);
        } finally {
            a.close();
            b.close();
        }
    });

    it("`clear configuration lock` asks, clears, and tells the holder who cleared it", async () => {
        const a = await shell(emu);
        const b = await shell(emu);
        try {
            await a.cmd("configure terminal");
            b.write("clear configuration lock\r");
            const q = await b.waitFor(/\[confirm\]$/);
            assert.match(q, /Process <\d+> is holding the EXCLUSIVE lock !\r\nDo you want to clear the lock\?\[confirm\]$/);
            await b.cmd("");
            assert.match(await a.waitFor(/The configuration lock was cleared by user <admin> from terminal <3>/), /cleared/);
            assert.match(await b.cmd("configure terminal"), /home\(config\)#$/);
            await b.cmd("end");
            assert.equal(await b.out("clear configuration lock"), "Parser Config not locked.");
        } finally {
            a.close();
            b.close();
        }
    });
});

describe("IOS emulator safety net: configure replace", function () {
    this.timeout(30000);
    let emu: IosEmulator;
    beforeEach(async () => {
        emu = await startEmu({ timerScale: SCALE });
        emu.loadRunningConfig(`${ARCHIVE}\ninterface Loopback1\n description before\n`);
    });
    afterEach(() => emu.close());

    async function archived(sh: Shell): Promise<string> {
        await sh.cmd("archive config");
        return /(\S+) <- Most Recent/.exec(await sh.out("show archive"))![1];
    }

    it("replaces the running-config with an archived file, asking first unless `force`", async () => {
        const sh = await shell(emu);
        try {
            const file = await archived(sh);
            await configure(sh, ["configure terminal", "interface Loopback1", "description after", "interface Loopback2", "end"]);
            sh.write(`configure replace ${file}\r`);
            assert.match(await sh.waitFor(/\? \[no\]: $/), /This will apply all necessary additions and deletions\r\nto replace the current running configuration/);
            await sh.cmd("no");
            assert.match(emu.runningConfig(), /description after/);
            assert.equal(await sh.out(`configure replace ${file} force`), "Total number of passes: 1\nRollback Done");
            assert.match(emu.runningConfig(), /interface Loopback1\n description before\n/);
            assert.doesNotMatch(emu.runningConfig(), /Loopback2/);
            assert.equal(await sh.out("configure replace flash:nothing force"), "%Error opening flash:nothing (No such file or directory)");
        } finally {
            sh.close();
        }
    });

    it("`time N` needs a `configure confirm`, or the replacement is undone", async () => {
        const sh = await shell(emu);
        try {
            const file = await archived(sh);
            await configure(sh, ["configure terminal", "interface Loopback3", "end"]);
            await sh.cmd(`configure replace ${file} force time 2`);
            assert.doesNotMatch(emu.runningConfig(), /Loopback3/);
            await until("the replacement to be undone", () => /Loopback3/.test(emu.runningConfig()));
        } finally {
            sh.close();
        }
    });
});

describe("IOS emulator safety net with independent clients", function () {
    this.timeout(120000);
    // netmiko needs about a second to log in and configure: 1 IOS minute = 3 s here.
    const CLIENT_SCALE = 0.05;
    const CLIENT_MINUTE_MS = 60_000 * CLIENT_SCALE;
    let emu: IosEmulator;
    let key: { file: string; pub: string };
    const python = "/usr/bin/python3";

    before(async function () {
        // Debian's netmiko (2.4.2 in Debian 12), what network engineers' scripts use; scripts/test.sh installs it.
        const hasNetmiko = () => {
            try {
                execFileSync(python, ["-c", "import netmiko"], { stdio: "ignore" });
                return true;
            } catch {
                return false;
            }
        };
        assert.ok(hasNetmiko(), `${python} cannot import netmiko: apt-get install python3-netmiko (scripts/test.sh does)`);
        key = opensshKey();
        emu = await startEmu({ timerScale: CLIENT_SCALE, users: [...USERS, { username: "netops", publicKeys: [key.pub], privilege: 15 }] });
        emu.loadRunningConfig(`${ARCHIVE}\nconfiguration mode exclusive auto\n`);
    });
    after(() => emu.close());

    it("OpenSSH: a second session is blocked by the lock with the holder named", async () => {
        const holder = await shell(emu);
        try {
            await holder.cmd("configure terminal");
            const out = await new Promise<string>((resolve, reject) => {
                const p = spawn("ssh", ["-tt", "-i", key.file, "-p", String(emu.port), "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "netops@127.0.0.1"]);
                let text = "";
                p.stdout.on("data", (d: Buffer) => (text += d.toString()));
                p.on("error", reject);
                p.on("close", () => resolve(text));
                p.stdin.end("configure terminal\nshow configuration lock\nexit\n");
            });
            assert.match(out, /Configuration mode is locked by process '\d+' user 'admin' from terminal '2'\. Please try later\./);
            assert.match(out, /User {30}: admin/);
            assert.doesNotMatch(out, /home\(config\)#/);
        } finally {
            holder.close();
        }
    });

    /** Runs a Python script with netmiko against the emulator; the password travels in the environment. */
    function netmiko(script: string): Promise<string> {
        const prelude = [
            "import os, time",
            "from netmiko import ConnectHandler",
            "c = ConnectHandler(device_type='cisco_ios', host='127.0.0.1', port=int(os.environ['PORT']), username='admin', password=os.environ['PW'], fast_cli=True)",
        ].join("\n");
        return new Promise((resolve, reject) => {
            const p = execFile(python, ["-"], { env: { PATH: process.env.PATH, PORT: String(emu.port), PW: "admin-pw" }, timeout: 90000 }, (err, stdout, stderr) =>
                err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
            );
            p.stdin!.end(`${prelude}\n${script}\n`);
        });
    }

    it("netmiko: sees the holder named, then configures under a revert timer that reverts, and one it confirms", async () => {
        const holder = await shell(emu);
        await holder.cmd("configure terminal");
        const blocked = await netmiko("print(c.send_command('configure terminal', expect_string=r'#'))");
        assert.match(blocked, /Configuration mode is locked by process '\d+' user 'admin' from terminal '2'\. Please try later\./);
        await holder.cmd("end");
        holder.close();

        const t0 = Date.now();
        await netmiko("print(c.send_config_set(['interface Loopback20'], config_mode_command='configure terminal revert timer 2'))");
        assert.match(emu.runningConfig(), /interface Loopback20\n/);
        const reverted = await until("netmiko's unconfirmed change to revert", () => !/Loopback20/.test(emu.runningConfig()));
        assert.ok(reverted - t0 >= 2 * CLIENT_MINUTE_MS - 5);

        const confirmed = await netmiko(
            [
                "print(c.send_config_set(['interface Loopback21'], config_mode_command='configure terminal revert timer 2'))",
                "print(c.send_command('configure confirm'))",
                "print(c.send_command('show archive config rollback timer'))",
            ].join("\n"),
        );
        assert.match(confirmed, /%No Rollback Confirmed Change pending/);
        await new Promise((r) => setTimeout(r, 3 * CLIENT_MINUTE_MS));
        assert.match(emu.runningConfig(), /interface Loopback21\n/);
    });
});
