/**
 * What the emulated router charges in time for the work that costs most on a real one, and the
 * counters a test or a benchmark reads.
 *
 * IOS builds the text of every `show running-config` (filtered or not), `write memory` and `copy
 * running-config startup-config` by NVGEN, a walk of the whole configuration, so its time grows
 * with the configuration's size; saving then writes NVRAM. Partial reads such as `show
 * running-config interface X` do not walk everything. Sources and the defaults: README.md, "Cost
 * model". The router has one CPU: generations queue behind each other, whichever session asked.
 */
import * as fs from "fs";
import * as path from "path";

export interface CostModelOptions {
    /** Time per line of the whole configuration, for each whole-configuration generation (NVGEN). */
    nvgenMsPerLine?: number;
    /** Fixed time of the NVRAM write of a save, on top of its generation. */
    nvramWriteMs?: number;
    /** Fixed time of a partial read (`show running-config interface X`, `show startup-config`). */
    partialReadMs?: number;
    /** Multiplies every time above (0.1: ten times faster than the defaults). */
    scale?: number;
}

/** Assumptions for a mid-size ISR (README.md, "Cost model"): a 2,000-line configuration takes 2 s to generate. */
export const COST_DEFAULTS: Required<CostModelOptions> = { nvgenMsPerLine: 1, nvramWriteMs: 1000, partialReadMs: 20, scale: 1 };

export interface EmulatorStats {
    /** Whole-configuration generations: `show running-config` (any filter), saves, archive copies. */
    wholeConfigGenerations: number;
    /** `write memory` and `copy running-config startup-config` that wrote startup-config. */
    saves: number;
    /** `show running-config interface X`, `show startup-config` and other reads of part of the configuration. */
    partialReads: number;
    /** Successful SSH authentications. */
    logins: number;
    /** Interactive shell channels (pty + shell). */
    shellSessions: number;
    /** Exec channels (`ssh host "command"`). */
    execSessions: number;
    /** Bytes the router sent on its SSH channels. */
    bytesSent: number;
    /** Time charged by the cost model so far (ms, after scaling). */
    modelledCostMs: number;
}

type Counter = Exclude<keyof EmulatorStats, "modelledCostMs">;

export function zeroStats(): EmulatorStats {
    return { wholeConfigGenerations: 0, saves: 0, partialReads: 0, logins: 0, shellSessions: 0, execSessions: 0, bytesSent: 0, modelledCostMs: 0 };
}

/**
 * The counters and, when a state folder is given, `<stateDir>/emulator-stats.json`: rewritten
 * (atomically, 0600) at most `FLUSH_MS` after a change, and on `flush()`, so that a process
 * outside the emulator (the lab's benchmark) can read them without logging in.
 */
export class StatsRecorder {
    static readonly FLUSH_MS = 50;
    private readonly counts = zeroStats();
    private timer?: NodeJS.Timeout;

    constructor(private readonly file?: string) {
        if (file) this.write();
    }

    add(counter: Counter, n = 1): void {
        this.counts[counter] += n;
        this.changed();
    }

    charged(ms: number): void {
        this.counts.modelledCostMs += ms;
        this.changed();
    }

    snapshot(): EmulatorStats {
        return { ...this.counts };
    }

    flush(): void {
        if (this.timer) clearTimeout(this.timer);
        this.timer = undefined;
        if (this.file) this.write();
    }

    private changed(): void {
        if (!this.file || this.timer) return;
        this.timer = setTimeout(() => this.flush(), StatsRecorder.FLUSH_MS);
        this.timer.unref();
    }

    private write(): void {
        const file = this.file!;
        const tmp = `${file}.tmp`;
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(tmp, JSON.stringify(this.counts) + "\n", { mode: 0o600 });
        fs.renameSync(tmp, file);
    }
}

/** The router's CPU as the cost model sees it: one queue of timed work. */
export class CostModel {
    private options?: Required<CostModelOptions>;
    private queue: Promise<void> = Promise.resolve();

    constructor(
        options: CostModelOptions | false | undefined,
        private readonly stats: StatsRecorder,
    ) {
        this.set(options);
    }

    /** Turns the model on (with defaults for what is not given) or off (`false` or undefined). */
    set(options: CostModelOptions | false | undefined): void {
        this.options = options ? { ...COST_DEFAULTS, ...options } : undefined;
    }

    get settings(): Required<CostModelOptions> | undefined {
        return this.options && { ...this.options };
    }

    /** A whole-configuration generation of `lines` lines. */
    wholeConfig(lines: number): Promise<void> {
        this.stats.add("wholeConfigGenerations");
        return this.spend((o) => o.nvgenMsPerLine * lines);
    }

    /** The NVRAM write of a save (its generation is charged separately). */
    nvramWrite(): Promise<void> {
        this.stats.add("saves");
        return this.spend((o) => o.nvramWriteMs);
    }

    partialRead(): Promise<void> {
        this.stats.add("partialReads");
        return this.spend((o) => o.partialReadMs);
    }

    private spend(cost: (o: Required<CostModelOptions>) => number): Promise<void> {
        const o = this.options;
        if (!o) return Promise.resolve();
        const ms = Math.max(0, cost(o) * o.scale);
        const turn = this.queue.then(() => {
            this.stats.charged(ms);
            return new Promise<void>((done) => setTimeout(done, ms));
        });
        this.queue = turn;
        return turn;
    }
}
