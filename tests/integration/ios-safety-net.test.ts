/**
 * The router's own safety net as the provider uses it (issue 14): every configuration session runs
 * under IOS's revert timer and the exclusive configuration lock, and is confirmed only after the
 * read-back; a session that dies is reverted by the router itself; another session's lock or
 * pending revert timer is waited for, then named; a router without an archive or exclusive mode is
 * configured without them, with one warning saying what to configure, or configured for them when
 * the device settings allow it. Another client (an ssh2 shell here, Debian's netmiko at the end)
 * sees the same lock from the other side.
 *
 * The emulator runs with timerScale 0.01: one IOS minute takes 600 ms, so the provider's default
 * 5-minute timer runs out after 3 s. Time assertions are lower bounds or generous upper bounds.
 */
import * as assert from "assert";
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ApplyError } from "../../provider/drivers/driver";
import { handlersFor } from "../../provider/dynamic/handlers";
import { SshPool } from "../../provider/ssh/pool";
import { storyInputs } from "../fixtures/ios/story-hub";
import { Shell } from "../emulator/helpers";
import { EmulatedRouter, ENABLE_SECRET, PASSWORD, startRouter } from "../helpers/ios-lab";

type Props = Record<string, unknown>;

const SCALE = 0.01;
const IOS_MINUTE_MS = 60_000 * SCALE;
const ARCHIVE = "archive\n path flash:pulumi-$h\n maximum 3\n!\n";
const OPERATOR = { username: "netops", password: "Netops-Pw-42", privilege: 15 as const };
const PROPOSAL = storyInputs.IkeV2Proposal[0];

function sleep(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
}

async function until(what: string, check: () => boolean, timeoutMs = 20000): Promise<void> {
    const t0 = Date.now();
    while (!check()) {
        if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
        await sleep(25);
    }
}

/** Captures what the provider writes on stderr (where the Pulumi CLI shows its warnings) while fn runs. */
async function stderrOf(fn: () => Promise<unknown>): Promise<string> {
    const original = process.stderr.write.bind(process.stderr);
    let text = "";
    process.stderr.write = ((chunk: string | Uint8Array) => {
        text += chunk.toString();
        return true;
    }) as typeof process.stderr.write;
    try {
        await fn();
    } finally {
        process.stderr.write = original;
    }
    return text;
}

describe("the router's safety net: revert timer, confirm after read-back, exclusive lock", function () {
    this.timeout(120000);
    let router: EmulatedRouter;
    let journalDir: string;

    const device = (safetyNet: Props = {}): Props => ({ ...router.connection, safetyNet: { lockWaitSeconds: 3, ...safetyNet } });
    const proposal = (extra: Props = {}, safetyNet: Props = {}): Props => ({ connection: device(safetyNet), credentials: router.credentials, ...PROPOSAL, ...extra });
    const h = handlersFor("IkeV2Proposal");

    /** Called with each line of the emulator's log (commands, and its fault injections). */
    let onLog: ((line: string) => void) | undefined;

    /** Every command line the emulator received, in order (as tests/helpers/ios-lab.ts keeps them). */
    let received: string[] = [];

    async function start(config: string): Promise<void> {
        onLog = undefined;
        received = [];
        router = await startRouter({ timerScale: SCALE, users: [{ username: "admin", password: PASSWORD, privilege: 1 }, OPERATOR], log: (line) => {
                const command = /^\[[^\]]+\] \S+@\S+?[>#] (.*)$/.exec(line);
                if (command) received.push(command[1]);
                onLog?.(line);
            },
        });
        if (config) router.emulator.loadRunningConfig(config);
    }

    /** `show ...` as another administrator would read it. */
    async function show(command: string): Promise<string> {
        const sh = await Shell.open(router.emulator.port, OPERATOR.username, OPERATOR.password);
        try {
            await sh.cmd("terminal length 0");
            return await sh.out(command);
        } finally {
            sh.close();
        }
    }

    beforeEach(() => {
        journalDir = fs.mkdtempSync(path.join(os.tmpdir(), "ikev2-journal-"));
        process.env.PULUMI_IKEV2_JOURNAL_DIR = journalDir;
    });
    afterEach(async () => {
        await SshPool.shared.closeAll();
        await router?.emulator.close();
        delete process.env.PULUMI_IKEV2_JOURNAL_DIR;
        fs.rmSync(journalDir, { recursive: true, force: true });
    });

    it("each change runs under a revert timer and the lock, and is confirmed only after the read-back", async () => {
        await start(`${ARCHIVE}configuration mode exclusive manual\n`);
        await h.create(proposal());
        const sent = received.join("\n");
        const order = ["configure terminal revert timer 5", "end", "configure terminal lock", "do show running-config", "crypto ikev2 proposal PROP-AES256", "do show running-config", "end", "configure confirm", "write memory"];
        let at = -1;
        for (const line of order) {
            const next = received.findIndex((l, i) => i > at && l.trim() === line);
            assert.ok(next > at, `'${line}' is missing or out of order in:\n${sent}`);
            at = next;
        }
        const logging = await show("show logging");
        assert.match(logging, /ROLLBK_CNFMD_CHG_BACKUP[\s\S]*ROLLBK_CNFMD_CHG_START_ABSTIMER[\s\S]*Scheduled to rollback to config flash:pulumi-home-\S+ in 5 minutes[\s\S]*ROLLBK_CNFMD_CHG_CONFIRM/);
        assert.match(await show("show archive config rollback timer"), /No Rollback Confirmed Change pending/);
        assert.match(await show("show configuration lock"), /State\s+: FREE/);
    });

    it("a refused line is restored inside the session, which is then confirmed: the device is as before", async () => {
        await start(ARCHIVE);
        const created = await h.create(proposal());
        const before = router.emulator.runningConfig();
        router.emulator.setFaults({ rejectCommands: [/^group 19/] });
        await assert.rejects(h.update(created.id, created.outs, proposal({ groups: [14, 19] })), (e: unknown) => {
            assert.ok(e instanceof ApplyError && e.rollback.status === "restored", String(e));
            assert.match(e.message, /IOS refused command \d+ of \d+, `group 19`/);
            return true;
        });
        router.emulator.setFaults({ rejectCommands: [] });
        assert.strictEqual(stripVolatile(router.emulator.runningConfig()), stripVolatile(before));
        assert.match(await show("show archive config rollback timer"), /No Rollback Confirmed Change pending/);
    });

    it("a session that dies half-way, with the provider unable to reach the router again, is reverted by the router itself; the next apply converges", async () => {
        await start(ARCHIVE);
        const pristine = stripVolatile(router.emulator.runningConfig());
        // The connection drops in the middle of the keyring's lines, and from then on every connection drops at its first line.
        const keyring = { connection: device(), credentials: router.credentials, name: "KR", peers: [{ name: "vps", address: "203.0.113.7" }, { name: "parents", address: "192.0.2.50" }], preSharedKeys: { vps: { preSharedKey: "Vps-Key-123" }, parents: { preSharedKey: "Parents-Key-456" } } };
        const t0 = Date.now();
        router.emulator.setFaults({ dropAfterLines: 10 });
        onLog = (line) => {
            if (/dropping the connection after 10 lines/.test(line)) router.emulator.setFaults({ dropAfterLines: 0 });
        };
        await assert.rejects(handlersFor("IkeV2Keyring").create(keyring), (e: unknown) => {
            assert.ok(e instanceof ApplyError && e.rollback.status === "rollback-failed", String(e));
            assert.match(e.message, /the router reverts the session itself when its revert timer runs out/);
            return true;
        });
        assert.match(router.emulator.runningConfig(), /crypto ikev2 keyring KR/, "the half-made keyring should still be there before the timer runs out");
        await until("the router's revert", () => !/crypto ikev2 keyring KR/.test(router.emulator.runningConfig()), 30000);
        assert.ok(Date.now() - t0 >= 5 * IOS_MINUTE_MS - 50, "reverted before the 5-minute timer ran out");
        assert.strictEqual(stripVolatile(router.emulator.runningConfig()), pristine);
        router.emulator.setFaults({ dropAfterLines: undefined });
        await handlersFor("IkeV2Keyring").create(keyring);
        assert.match(router.emulator.runningConfig(), /^ peer parents$/m);
    });

    it("another session holding the lock: the provider waits and goes on when it is released, or fails naming the holder", async () => {
        await start(`${ARCHIVE}configuration mode exclusive manual\n`);
        const holder = await Shell.open(router.emulator.port, OPERATOR.username, OPERATOR.password);
        try {
            await holder.cmd("configure terminal lock");
            const t0 = Date.now();
            await assert.rejects(h.create(proposal({}, { lockWaitSeconds: 2 })), (e: unknown) => {
                assert.ok(e instanceof ApplyError && e.rollback.status === "unchanged", String(e));
                assert.match(e.message, /the configuration is locked by process '\d+' user 'netops' from terminal '\d+'/);
                assert.match(e.message, /IOS: "Configuration mode is locked by process '\d+' user 'netops' from terminal '\d+'/);
                assert.match(e.message, /Nothing was changed/);
                assert.match(e.message, /Owner PID\s+: \d+[\s\S]*User\s+: netops/);
                assert.match(e.message, /clear configuration lock/);
                return true;
            });
            assert.ok(Date.now() - t0 >= 2000, "failed before the wait was over");
            assert.doesNotMatch(router.emulator.runningConfig(), /PROP-AES256/);
            // Released while the provider waits: it goes on.
            const applying = h.create(proposal({}, { lockWaitSeconds: 30 }));
            await sleep(1500);
            await holder.cmd("end");
            await applying;
            assert.match(router.emulator.runningConfig(), /crypto ikev2 proposal PROP-AES256/);
        } finally {
            holder.close();
        }
    });

    it("a revert timer that a deployment which died left pending is reverted at once; another user's is waited for, then named", async () => {
        await start(ARCHIVE);
        // A deployment of ours died after it started a timer and sent a line.
        const ours = await Shell.open(router.emulator.port, "admin", PASSWORD);
        await ours.cmd("enable", /Password: $/);
        await ours.cmd(ENABLE_SECRET);
        await ours.cmd("configure terminal revert timer 60");
        await ours.cmd("interface Loopback77");
        ours.close();
        const dead = deadPid();
        fs.writeFileSync(
            path.join(journalDir, `${dead}-1.json`),
            JSON.stringify({ version: 1, pid: dead, started: "1", host: os.hostname(), project: "", cwd: process.cwd(), creates: {}, devices: { [`admin@127.0.0.1:${router.emulator.port}`]: { revertTimer: new Date().toISOString() } } }),
        );
        const warnings = await stderrOf(() => h.create(proposal()));
        assert.match(warnings, /a revert timer that a deployment of this project which died left pending is reverted now/);
        assert.doesNotMatch(router.emulator.runningConfig(), /Loopback77/);
        assert.match(router.emulator.runningConfig(), /crypto ikev2 proposal PROP-AES256/);

        // Someone else's pending change: never reverted by the provider.
        const other = await Shell.open(router.emulator.port, OPERATOR.username, OPERATOR.password);
        try {
            await other.cmd("configure terminal revert timer 60");
            await other.cmd("interface Loopback88");
            await other.cmd("end");
            await assert.rejects(h.update("", {}, proposal({ groups: [14, 19] }, { lockWaitSeconds: 2 })), (e: unknown) => {
                assert.ok(e instanceof ApplyError && e.rollback.status === "unchanged", String(e));
                assert.match(e.message, /a Rollback Confirmed Change started by user netops is pending on the router/);
                assert.match(e.message, /User: netops/);
                assert.match(e.message, /wait until user netops confirms it/);
                return true;
            });
            assert.match(router.emulator.runningConfig(), /Loopback88/);
        } finally {
            other.close();
        }
    });

    it("a refresh after a deployment that died with its timer pending reads the configuration the router returns to", async () => {
        await start(ARCHIVE);
        const created = await h.create(proposal());
        // The deployment that died was changing the proposal, under its revert timer.
        const ours = await Shell.open(router.emulator.port, "admin", PASSWORD);
        await ours.cmd("enable", /Password: $/);
        await ours.cmd(ENABLE_SECRET);
        await ours.cmd("configure terminal revert timer 60");
        await ours.cmd("crypto ikev2 proposal PROP-AES256");
        await ours.cmd("group 19");
        ours.close();
        const dead = deadPid();
        const deadJournal = path.join(journalDir, `${dead}-1.json`);
        fs.writeFileSync(
            deadJournal,
            JSON.stringify({ version: 1, pid: dead, started: "1", host: os.hostname(), project: "", cwd: process.cwd(), creates: {}, devices: { [`admin@127.0.0.1:${router.emulator.port}`]: { revertTimer: new Date().toISOString() } } }),
        );
        assert.match(router.emulator.runningConfig(), /^ group 14 19$/m, "the dead deployment's line is on the router");
        const warnings = await stderrOf(async () => {
            const read = await h.read(created.id, created.outs);
            assert.deepStrictEqual(read.props?.groups, [14], "the refresh recorded a change the router is about to revert");
        });
        assert.match(warnings, /a revert timer that a deployment of this project which died left pending is reverted now/);
        assert.doesNotMatch(router.emulator.runningConfig(), /^ group 14 19$/m);
        assert.match(await show("show archive config rollback timer"), /No Rollback Confirmed Change pending/);
        assert.ok(!fs.existsSync(deadJournal), "the dead deployment's journal is still there after its timer was dealt with");
    });

    it("a router without an archive or exclusive mode: one warning each, and changes go on without them", async () => {
        await start("");
        const warnings = await stderrOf(async () => {
            await h.create(proposal());
            await h.update("", {}, proposal({ groups: [14, 19] }));
        });
        assert.strictEqual(warnings.match(/no configuration archive/g)?.length, 1, warnings);
        assert.match(warnings, /configure `archive` \/ ` path flash:<name>` on the router, or set device\.safetyNet\.archivePath/);
        assert.strictEqual(warnings.match(/no exclusive configuration mode/g)?.length, 1, warnings);
        assert.match(router.emulator.runningConfig(), /^ group 14 19$/m);
        assert.ok(!received.includes("configure confirm"));
    });

    it("with archivePath and configureExclusiveMode the provider configures both, then uses them", async () => {
        await start("");
        const warnings = await stderrOf(() => h.create(proposal({}, { archivePath: "flash:ikev2-$h", configureExclusiveMode: true })));
        assert.match(warnings, /configured a configuration archive \(archive \/ path flash:ikev2-\$h\)/);
        assert.match(warnings, /configured exclusive configuration mode \(configuration mode exclusive manual\)/);
        const config = router.emulator.runningConfig();
        assert.match(config, /^archive\n path flash:ikev2-\$h$/m);
        assert.match(config, /^configuration mode exclusive manual$/m);
        await h.update("", {}, proposal({ groups: [14, 19] }, { archivePath: "flash:ikev2-$h", configureExclusiveMode: true }));
        assert.match(await show("show logging"), /ROLLBK_CNFMD_CHG_CONFIRM/);
        assert.match(await show("show archive"), /flash:ikev2-home-/);
    });

    it("netmiko sees the same lock: refused while the provider holds it, and holding it makes the provider fail naming netmiko's user", async () => {
        await start(`${ARCHIVE}configuration mode exclusive manual\n`);
        const python = "/usr/bin/python3";
        execFileSync(python, ["-c", "import netmiko"], { stdio: "ignore" });
        /** Runs a Python script with netmiko logged in as netops; `go()` sends a line to its stdin (it may wait for one). */
        const netmiko = (script: string) => {
            const p = spawn(python, ["-c", ["import os, sys, time", "from netmiko import ConnectHandler",
                "c = ConnectHandler(device_type='cisco_ios', host='127.0.0.1', port=int(os.environ['PORT']), username='netops', password=os.environ['PW'], fast_cli=True)",
                "print('ready', flush=True)", script].join("\n")], { env: { PATH: process.env.PATH, PORT: String(router.emulator.port), PW: OPERATOR.password } });
            let out = "";
            let err = "";
            p.stdout.on("data", (d: Buffer) => (out += d.toString()));
            p.stderr.on("data", (d: Buffer) => (err += d.toString()));
            const done = new Promise<string>((resolve, reject) => p.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`netmiko exited ${code}: ${err}`)))));
            return { ready: () => until("netmiko's login", () => out.includes("ready"), 60000), go: () => p.stdin.write("go\n"), done };
        };
        // netmiko is logged in; the provider configures a keyring of 200 peers (600 lines) under the lock; then netmiko tries.
        const client = netmiko("sys.stdin.readline()\nprint(c.send_command('configure terminal', expect_string=r'#'))");
        await client.ready();
        const peers = Array.from({ length: 200 }, (_, i) => ({ name: `p${i}`, address: `10.9.${Math.floor(i / 250)}.${(i % 250) + 1}` }));
        let locked = false;
        onLog = (line) => {
            if (!locked && /# configure terminal lock$/.test(line)) {
                locked = true;
                client.go();
            }
        };
        const applying = handlersFor("IkeV2Keyring").create({
            connection: device(),
            credentials: router.credentials,
            name: "KR-BIG",
            peers,
            preSharedKeys: Object.fromEntries(peers.map((p) => [p.name, { preSharedKey: `Key-${p.name}-000` }])),
        });
        const refused = await client.done;
        assert.match(refused, /Configuration mode is locked by process '\d+' user 'admin' from terminal '\d+'\. Please try later\./);
        await applying;
        assert.match(router.emulator.runningConfig(), /^ peer p199$/m);

        // netmiko holds it: the provider names netmiko's user.
        const holder = netmiko("c.send_command('configure terminal lock', expect_string=r'#')\ntime.sleep(8)\nc.send_command('end', expect_string=r'#')");
        await holder.ready();
        for (let i = 0; !/User\s+: netops/.test(await show("show configuration lock")); i++) {
            assert.ok(i < 200, "netmiko never took the lock");
            await sleep(50);
        }
        await assert.rejects(h.update("", {}, proposal({ groups: [14, 19] }, { lockWaitSeconds: 2 })), /locked by process '\d+' user 'netops'/);
        await holder.done;
    });
});

/** running-config without the lines that change on every write. */
function stripVolatile(config: string): string {
    return config.replace(/^(Current configuration|! Last configuration change|! NVRAM config last updated).*\n/gm, "");
}

/** The pid of a process that has ended. */
function deadPid(): number {
    return Number(execFileSync("sh", ["-c", "echo $$"], { encoding: "utf8" }).trim());
}
