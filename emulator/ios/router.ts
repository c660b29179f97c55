/**
 * The emulated router behind the SSH sessions: running-config, startup-config in the state
 * folder, the private config key, and the link to charon. Implements `Core` for the commands.
 */
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { emptyConfig, PhysicalInterface, renderConfig, RunningConfig, type9 } from "./config";
import type { Core } from "./context";
import { CostModel, CostModelOptions, StatsRecorder } from "./cost";
import { IkeAgent, IkeOptions } from "./ike/agent";
import { Line, LineTable } from "./lines";
import { LogBuffer } from "./logbuffer";
import { SafetyNet } from "./safety";
import { CliSession } from "./session";

/** What the router itself is made of (the SSH side's options are in server.ts). */
export interface RouterOptions {
    hostname: string;
    /** For `enable` from user EXEC (privilege 1 logins). */
    enableSecret?: string;
    /** startup-config is kept at <stateDir>/startup-config (mode 0600) and loaded as running-config at start. */
    stateDir?: string;
    /** Physical interfaces; default GigabitEthernet1 and GigabitEthernet2. */
    interfaces?: PhysicalInterface[];
    /** Session log; never carries passwords or keys. */
    log?: (line: string) => void;
    /** Drive the charon of this namespace from the running-config (emulator/ios/ike/README.md). Off by default. */
    ike?: IkeOptions;
    /** Charge time for configuration generation and saves (README.md, "Cost model"); off when absent or false. */
    costModel?: CostModelOptions | false;
    /**
     * Multiplies the safety net's timers (revert and idle timers, the lock's expiry, archive
     * time-period), so that tests can run a "2-minute" revert timer in milliseconds. Default 1.
     */
    timerScale?: number;
}

/** The line configuration text is applied from (startup-config, `copy ... running-config`): the router itself. */
const SYSTEM_LINE: Line = { tty: 0, name: "console", pid: 3, username: "console", lastActivity: 0, closed: false, notify: () => undefined };

const DEFAULT_INTERFACES: PhysicalInterface[] = [{ name: "GigabitEthernet1" }, { name: "GigabitEthernet2" }];

export class Router implements Core {
    config: RunningConfig;
    configKey?: string;
    readonly bootSalt = randomBytes(16).toString("hex");
    readonly bootTime = Date.now();
    readonly physicalNames: string[];
    readonly enableSecretOption?: string;
    readonly ike?: IkeAgent;
    readonly dataPath: boolean;
    readonly stats: StatsRecorder;
    readonly cost: CostModel;
    readonly lines = new LineTable();
    readonly syslog = new LogBuffer();
    readonly safety: SafetyNet;
    private startup?: string;

    constructor(private readonly opts: RouterOptions) {
        this.stats = new StatsRecorder(opts.stateDir && path.join(opts.stateDir, "emulator-stats.json"));
        this.cost = new CostModel(opts.costModel, this.stats);
        this.safety = new SafetyNet({
            hostname: () => this.config.hostname,
            archive: () => this.config.archive,
            exclusive: () => this.config.exclusiveMode,
            generateConfig: () => this.generateConfig(),
            replaceConfig: (text) => this.replaceRunningConfig(text),
            startupText: () => this.startup,
            syslog: (m) => this.syslog.add(m),
            stateDir: opts.stateDir,
            timerScale: opts.timerScale ?? 1,
        });
        this.physicalNames = (opts.interfaces ?? DEFAULT_INTERFACES).map((i) => i.name);
        // With `ike` the emulator runs inside its lab site's network namespace (lab/README.md).
        this.dataPath = !!opts.ike?.enabled;
        this.enableSecretOption = opts.enableSecret;
        this.config = this.blank();
        if (opts.stateDir) {
            const keyFile = path.join(opts.stateDir, "config-key");
            if (fs.existsSync(keyFile)) this.configKey = fs.readFileSync(keyFile, "utf8").trim() || undefined;
            const file = path.join(opts.stateDir, "startup-config");
            if (fs.existsSync(file)) this.startup = fs.readFileSync(file, "utf8");
        }
        if (this.startup !== undefined) this.mergeConfigText(this.startup);
        else if (opts.enableSecret) this.config.enableSecret = type9(opts.enableSecret);
        this.safety.settingsChanged();
        if (opts.ike?.enabled) {
            this.ike = new IkeAgent(opts.ike, (m) => this.syslog.add(m), opts.log);
            this.configChanged();
        }
    }

    configChanged(): void {
        void this.ike?.apply(this.config);
    }

    private blank(): RunningConfig {
        return emptyConfig(this.opts.hostname, this.opts.interfaces ?? DEFAULT_INTERFACES);
    }

    startupText(): string | undefined {
        return this.startup;
    }

    async generateConfig(): Promise<string> {
        const text = renderConfig(this.config);
        await this.cost.wholeConfig(text.split("\n").length - 1);
        return text;
    }

    async saveStartup(): Promise<void> {
        const text = await this.generateConfig();
        await this.cost.nvramWrite();
        this.startup = text;
        if (this.opts.stateDir) writePrivate(path.join(this.opts.stateDir, "startup-config"), text);
        if (this.config.archive?.writeMemory) await this.safety.archiveNow();
    }

    partialRead(): Promise<void> {
        return this.cost.partialRead();
    }

    setConfigKey(key: string | undefined): void {
        this.configKey = key;
        if (!this.opts.stateDir) return;
        const file = path.join(this.opts.stateDir, "config-key");
        if (key === undefined) fs.rmSync(file, { force: true });
        else writePrivate(file, key + "\n");
    }

    mergeConfigText(text: string): void {
        const s = new CliSession({
            core: this,
            line: SYSTEM_LINE,
            username: "config",
            privilege: 15,
            interactive: false,
            faults: () => ({}),
            lineCounter: { n: 0 },
            log: this.opts.log,
        });
        s.runScript(text);
    }

    replaceConfig(text: string): void {
        this.config = this.blank();
        this.mergeConfigText(text);
        this.safety.settingsChanged();
    }

    replaceRunningConfig(text: string): void {
        this.replaceConfig(text);
        this.configChanged();
    }

    stop(): void {
        this.safety.stop();
        this.ike?.stop();
    }
}

function writePrivate(file: string, text: string): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text, { mode: 0o600 });
    fs.chmodSync(file, 0o600);
}

