/**
 * The emulator's cost model and counters: whole-configuration generations (every `show
 * running-config`, filtered or not, and every save) cost time per line, a save adds the NVRAM write,
 * partial reads cost a fixed small time; logins, sessions and bytes are counted; the counters reach
 * a file in the state folder for processes outside the emulator. Timing assertions are lower bounds
 * (a timer never fires early by more than a millisecond), which hold on a loaded machine.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { COST_DEFAULTS, EmulatorStats } from "../../emulator/ios/cost";
import { IosEmulator } from "../../emulator/ios/server";
import { connect, execOnce, Shell, startEmu, tempDir } from "./helpers";

const TUNNELS = Array.from({ length: 20 }, (_, i) => `interface Tunnel${i}\n description tunnel ${i}\n ip address 10.0.${i}.1 255.255.255.252\n`).join("");

function delta(after: EmulatorStats, before: EmulatorStats): EmulatorStats {
    const out = { ...after };
    for (const k of Object.keys(out) as (keyof EmulatorStats)[]) out[k] = after[k] - before[k];
    return out;
}

/** Lines of the whole configuration, as NVGEN walks them. */
function configLines(emu: IosEmulator): number {
    const text = emu.runningConfig();
    return text.slice(text.indexOf("\n!\n") + 1).split("\n").length - 1;
}

async function timed<T>(f: () => Promise<T>): Promise<{ value: T; ms: number }> {
    const t0 = performance.now();
    const value = await f();
    return { value, ms: performance.now() - t0 };
}

describe("IOS emulator cost model and counters", function () {
    this.timeout(30000);
    let emu: IosEmulator;
    let stateDir: string;
    before(async () => {
        stateDir = tempDir();
        emu = await startEmu({ stateDir, costModel: { nvgenMsPerLine: 2, nvramWriteMs: 150, partialReadMs: 10 } });
        emu.loadRunningConfig(TUNNELS);
    });
    after(() => emu.close());

    it("counts logins, shell and exec sessions, and every byte sent", async () => {
        const before = emu.stats();
        const sh = await Shell.open(emu.port);
        await sh.cmd("terminal length 0");
        sh.close();
        const out = await execOnce(emu.port, "show version");
        const d = delta(emu.stats(), before);
        assert.equal(d.logins, 2);
        assert.equal(d.shellSessions, 1);
        assert.equal(d.execSessions, 1);
        assert.equal(d.wholeConfigGenerations, 0);
        assert.ok(d.bytesSent > Buffer.byteLength(out), `${d.bytesSent} bytes counted, the exec channel alone received ${Buffer.byteLength(out)}`);

        const c = await connect(emu.port);
        const b2 = emu.stats();
        const received = await new Promise<number>((resolve, reject) =>
            c.exec("show running-config", (err, ch) => {
                if (err) return reject(err);
                let n = 0;
                ch.on("data", (x: Buffer) => (n += x.length));
                ch.on("close", () => resolve(n));
            }),
        );
        c.end();
        assert.equal(emu.stats().bytesSent - b2.bytesSent, received, "bytesSent is what the client received");
    });

    it("charges every whole-configuration generation per line, filtered or not; a partial read is cheaper", async () => {
        const lines = configLines(emu);
        assert.ok(lines > 60, `${lines} lines`);
        const sh = await Shell.open(emu.port);
        try {
            await sh.cmd("terminal length 0");
            for (const cmd of ["show running-config", "show running-config | include Tunnel1", "sh run | section interface Tunnel3"]) {
                const before = emu.stats();
                const { ms } = await timed(() => sh.cmd(cmd));
                const d = delta(emu.stats(), before);
                assert.equal(d.wholeConfigGenerations, 1, cmd);
                assert.equal(d.modelledCostMs, 2 * lines, cmd);
                assert.ok(ms >= 2 * lines - 2, `${cmd}: answered after ${ms.toFixed(1)} ms, charged ${2 * lines}`);
            }
            const before = emu.stats();
            const out = await sh.cmd("show running-config interface Tunnel7");
            const d = delta(emu.stats(), before);
            assert.match(out, /interface Tunnel7\r\n description tunnel 7\r\n/);
            assert.deepEqual([d.wholeConfigGenerations, d.partialReads, d.modelledCostMs], [0, 1, 10]);
        } finally {
            sh.close();
        }
    });

    it("a save is a generation plus the NVRAM write, by `write memory` and by `copy running-config startup-config`", async () => {
        const lines = configLines(emu);
        const sh = await Shell.open(emu.port);
        try {
            let before = emu.stats();
            const { ms } = await timed(() => sh.cmd("write memory"));
            let d = delta(emu.stats(), before);
            assert.deepEqual([d.wholeConfigGenerations, d.saves, d.modelledCostMs], [1, 1, 2 * lines + 150]);
            assert.ok(ms >= 2 * lines + 150 - 2, `answered after ${ms.toFixed(1)} ms`);
            before = emu.stats();
            sh.write("copy running-config startup-config\r");
            await sh.waitFor(/Destination filename \[startup-config\]\? $/);
            await sh.cmd("");
            d = delta(emu.stats(), before);
            assert.deepEqual([d.wholeConfigGenerations, d.saves], [1, 1]);
            assert.equal(emu.startupConfig(), emu.runningConfig().slice(emu.runningConfig().indexOf("\n!\n") + 1));
        } finally {
            sh.close();
        }
    });

    it("runs generations one after another, whichever session asked (one CPU)", async () => {
        const lines = configLines(emu);
        const [a, b] = await Promise.all([Shell.open(emu.port), Shell.open(emu.port)]);
        try {
            await Promise.all([a.cmd("terminal length 0"), b.cmd("terminal length 0")]);
            const t0 = performance.now();
            const done: number[] = [];
            await Promise.all([a, b].map((s) => s.cmd("show running-config").then(() => done.push(performance.now() - t0))));
            assert.ok(Math.max(...done) >= 2 * (2 * lines) - 4, `both answered by ${Math.max(...done).toFixed(1)} ms; each costs ${2 * lines}`);
        } finally {
            a.close();
            b.close();
        }
    });

    it("scales, and turns off (counters keep counting)", async () => {
        const lines = configLines(emu);
        emu.setCostModel({ nvgenMsPerLine: 2, scale: 0.5 });
        let before = emu.stats();
        await execOnce(emu.port, "show running-config");
        assert.equal(delta(emu.stats(), before).modelledCostMs, lines);
        emu.setCostModel(false);
        before = emu.stats();
        await execOnce(emu.port, "write memory");
        const d = delta(emu.stats(), before);
        assert.deepEqual([d.wholeConfigGenerations, d.saves, d.modelledCostMs], [1, 1, 0]);
        emu.setCostModel({});
        before = emu.stats();
        await execOnce(emu.port, "show running-config interface Tunnel1");
        assert.equal(delta(emu.stats(), before).modelledCostMs, COST_DEFAULTS.partialReadMs);
    });

    it("writes the counters to <stateDir>/emulator-stats.json (0600) for processes outside the emulator", async () => {
        await execOnce(emu.port, "show running-config");
        const file = path.join(stateDir, "emulator-stats.json");
        const deadline = Date.now() + 5000;
        let seen: EmulatorStats | undefined;
        while (Date.now() < deadline) {
            seen = JSON.parse(fs.readFileSync(file, "utf8")) as EmulatorStats;
            if (seen.wholeConfigGenerations === emu.stats().wholeConfigGenerations && seen.bytesSent === emu.stats().bytesSent) break;
            await new Promise((r) => setTimeout(r, 20));
        }
        assert.deepEqual(seen, emu.stats());
        assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    });

    it("is off unless asked for", async () => {
        const plain = await startEmu();
        try {
            await execOnce(plain.port, "write memory");
            assert.equal(plain.stats().modelledCostMs, 0);
            assert.equal(plain.stats().saves, 1);
        } finally {
            await plain.close();
        }
    });
});
