/**
 * The routers the benchmark measures: an emulated IOS router of its own (one fresh emulator process
 * per run, so every run starts from the same empty router), or a router of the lab. For both, the
 * work the router did: from the emulator's counters (`<stateDir>/emulator-stats.json`) when the
 * emulator keeps them, otherwise from its session log.
 */
import { spawn, ChildProcess, execFileSync } from "child_process";
import { createHash, randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { credentialsSchema, iosConnectionSchema } from "../provider/schema/device";
import { IosCliSession } from "../provider/ssh/ios-session";
import { SshPool } from "../provider/ssh/pool";

export const REPO = path.resolve(__dirname, "..", "..");

/** What a router did during one step. Counters the source cannot tell are undefined. */
export interface DeviceWork {
    /** Successful SSH logins. */
    logins: number;
    /** Interactive shell channels opened. */
    shellSessions?: number;
    /** Whole-configuration generations: `show running-config` (any filter), `write memory`, `copy running-config startup-config`. */
    wholeConfigGenerations: number;
    /** Saves to startup-config. */
    saves: number;
    /** Bytes the router sent (what the client read). */
    bytesSent?: number;
}

/** Where a router's work can be read from. */
export interface WorkSource {
    /** The emulator's counters file; absent when the emulator keeps none. */
    statsFile: string;
    /** The emulator's session log (its stderr). */
    logFile: string;
}

export function counterSourceName(src: WorkSource): string {
    return fs.existsSync(src.statsFile) ? "emulator counters" : "session log";
}

/** The router's work since it started. */
export function readWork(src: WorkSource): DeviceWork {
    if (fs.existsSync(src.statsFile)) {
        const s = JSON.parse(fs.readFileSync(src.statsFile, "utf8")) as Record<string, number>;
        return { logins: s.logins, shellSessions: s.shellSessions, wholeConfigGenerations: s.wholeConfigGenerations, saves: s.saves, bytesSent: s.bytesSent };
    }
    return workFromLog(fs.existsSync(src.logFile) ? fs.readFileSync(src.logFile, "utf8") : "");
}

export function workBetween(before: DeviceWork, after: DeviceWork): DeviceWork {
    const minus = (a?: number, b?: number) => (a === undefined || b === undefined ? undefined : a - b);
    return {
        logins: after.logins - before.logins,
        shellSessions: minus(after.shellSessions, before.shellSessions),
        wholeConfigGenerations: after.wholeConfigGenerations - before.wholeConfigGenerations,
        saves: after.saves - before.saves,
        bytesSent: minus(after.bytesSent, before.bytesSent),
    };
}

/** `word` is an abbreviation of `keyword` as IOS accepts it (at least `min` characters). */
function abbreviates(word: string | undefined, keyword: string, min: number): boolean {
    return word !== undefined && word.length >= min && keyword.startsWith(word.toLowerCase());
}

/**
 * Counts from the emulator's session log (`[conn] user logged in ...`, `[conn] user@prompt# command`):
 * logins, and the commands that generate the whole configuration. The log cannot tell shell
 * sessions or bytes.
 */
export function workFromLog(log: string): DeviceWork {
    const work: DeviceWork = { logins: 0, wholeConfigGenerations: 0, saves: 0 };
    for (const line of log.split("\n")) {
        if (/\] \S+ logged in at privilege/.test(line)) {
            work.logins++;
            continue;
        }
        const command = /\] \S+@\S+?[>#] (.*)$/.exec(line);
        if (!command) continue;
        const w = command[1].trim().split(/\s+/);
        if (w[0] === "do") w.shift();
        const showRun = abbreviates(w[0], "show", 2) && abbreviates(w[1], "running-config", 3) && !abbreviates(w[2], "interface", 3);
        const write = abbreviates(w[0], "write", 2) && (w[1] === undefined || abbreviates(w[1], "memory", 1));
        const copy = abbreviates(w[0], "copy", 2) && abbreviates(w[1], "running-config", 3) && abbreviates(w[2], "startup-config", 3);
        if (showRun) work.wholeConfigGenerations++;
        if (write || copy) {
            work.wholeConfigGenerations++;
            work.saves++;
        }
    }
    return work;
}

/** How to log in to a router, as the provider's and Ansible's inputs need it. */
export interface RouterAccess {
    host: string;
    port: number;
    username: string;
    password: string;
    enableSecret: string;
    /** `SHA256:...` of the host key. */
    hostKey: string;
    /** The host key as an authorized_keys-style line (`ssh-ed25519 AAAA...`). */
    hostPublicKey: string;
}

/** OpenSSH SHA256 fingerprint of a public key line. */
export function fingerprintOf(publicKeyLine: string): string {
    const blob = Buffer.from(publicKeyLine.trim().split(/\s+/)[1], "base64");
    return "SHA256:" + createHash("sha256").update(blob).digest("base64").replace(/=+$/, "");
}

/** Runs fn in a privileged CLI session on the router, with the provider's own SSH code. */
export async function withRouterSession<T>(access: RouterAccess, label: string, fn: (session: IosCliSession) => Promise<T>): Promise<T> {
    const connection = iosConnectionSchema.parse({ host: access.host, port: access.port, username: access.username, hostKey: access.hostKey, commandTimeoutMs: 600000 });
    const credentials = credentialsSchema.parse({ password: access.password, enableSecret: access.enableSecret });
    try {
        return await SshPool.shared.withDevice(connection, credentials, async (client) => {
            const session = await IosCliSession.open(client, { device: label, enableSecret: credentials.enableSecret, commandTimeoutMs: connection.commandTimeoutMs, secrets: [] });
            try {
                return await fn(session);
            } finally {
                await session.close();
            }
        });
    } finally {
        await SshPool.shared.closeAll();
    }
}

/** The running-config without the lines that change on every write. */
export async function runningConfig(access: RouterAccess, label: string): Promise<string> {
    const text = await withRouterSession(access, label, (s) => s.exec("show running-config"));
    return text
        .split("\n")
        .filter((l) => !/^(Building configuration|Current configuration|! Last configuration change|! NVRAM config last updated)/.test(l))
        .join("\n");
}

/** One emulated IOS router in a process of its own, listening on 127.0.0.1. */
export class BenchRouter implements WorkSource {
    readonly statsFile: string;
    readonly logFile: string;

    private constructor(
        private readonly proc: ChildProcess,
        readonly access: RouterAccess,
        readonly dir: string,
        /** Whether the emulator charges time by its cost model (false when asked not to, or when it has none). */
        readonly costModel: boolean,
    ) {
        this.statsFile = path.join(dir, "state", "emulator-stats.json");
        this.logFile = path.join(dir, "emulator.log");
    }

    /**
     * Starts a router with an empty configuration in `dir` (created, 0700). With `costModel`, the
     * emulator's cost model is on with its defaults (emulator/ios/README.md, "Cost model"); an
     * emulator without one refuses nothing, so `costModel` is true only when its counters file
     * shows that it has one.
     */
    static async start(dir: string, hostname: string, costModel: boolean): Promise<BenchRouter> {
        fs.mkdirSync(path.join(dir, "state"), { recursive: true, mode: 0o700 });
        const keyFile = path.join(dir, "host_ed25519");
        execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", hostname, "-f", keyFile]);
        const hostPublicKey = fs.readFileSync(`${keyFile}.pub`, "utf8").trim().split(/\s+/).slice(0, 2).join(" ");
        const password = randomBytes(18).toString("base64url");
        const enableSecret = randomBytes(18).toString("base64url");
        const config = {
            hostname,
            listenHost: "127.0.0.1",
            port: 0,
            hostKeyFile: keyFile,
            users: [{ username: "admin", password, privilege: 1 }],
            enableSecret,
            stateDir: path.join(dir, "state"),
            ...(costModel ? { costModel: {} } : {}),
        };
        const configFile = path.join(dir, "emulator.json");
        fs.writeFileSync(configFile, JSON.stringify(config, null, 2), { mode: 0o600 });
        const log = fs.openSync(path.join(dir, "emulator.log"), "w", 0o600);
        const proc = spawn(process.execPath, [path.join(REPO, "dist", "emulator", "ios", "main.js"), "--config", configFile], {
            stdio: ["ignore", "pipe", log],
        });
        fs.closeSync(log);
        const port = await new Promise<number>((resolve, reject) => {
            let out = "";
            const timer = setTimeout(() => reject(new Error(`the emulator did not start within 30 s (see ${dir}/emulator.log)`)), 30000);
            proc.stdout!.on("data", (d: Buffer) => {
                out += d.toString();
                const m = /listening on [^:]+:(\d+)/.exec(out);
                if (m) {
                    clearTimeout(timer);
                    resolve(Number(m[1]));
                }
            });
            proc.on("exit", (code) => reject(new Error(`the emulator exited with ${code} (see ${dir}/emulator.log)`)));
        });
        const access: RouterAccess = { host: "127.0.0.1", port, username: "admin", password, enableSecret, hostKey: fingerprintOf(hostPublicKey), hostPublicKey };
        const statsFile = path.join(dir, "state", "emulator-stats.json");
        return new BenchRouter(proc, access, dir, costModel && fs.existsSync(statsFile));
    }

    async stop(): Promise<void> {
        if (this.proc.exitCode !== null) return;
        const exited = new Promise<void>((resolve) => this.proc.once("exit", () => resolve()));
        this.proc.kill("SIGTERM");
        const timer = setTimeout(() => this.proc.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(timer);
    }
}
