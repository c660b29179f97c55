/**
 * An SSH server that behaves like a Cisco IOS-XE 17 router's CLI, for tests and the lab.
 * It is an emulator: it models the CLI and the configuration objects this project manages, and
 * forwards no packets.
 */
import { timingSafeEqual } from "crypto";
import { AddressInfo } from "net";
import { Connection, ParsedKey, Server, utils } from "ssh2";
import { renderConfig, showRunning } from "./config";
import { CostModelOptions, EmulatorStats } from "./cost";
import type { Line } from "./lines";
import { Router, RouterOptions } from "./router";
import { CliSession, Faults } from "./session";

export interface IosEmulatorUser {
    username: string;
    password?: string;
    /** OpenSSH authorized_keys lines. */
    publicKeys?: string[];
    privilege: 1 | 15;
}

export interface IosEmulatorOptions extends RouterOptions {
    /** Default "127.0.0.1". */
    listenHost?: string;
    /** 0 or undefined: pick a free port. */
    port?: number;
    /** Private host key (OpenSSH or PEM). */
    hostKey: string | Buffer;
    users: IosEmulatorUser[];
    /** Delay before answering each command. */
    latencyMs?: number;
    /** Close the SSH connection after this many received command lines (per connection). */
    dropAfterLines?: number;
    /** Config-mode commands matching these get "% Invalid input detected at '^' marker.". */
    rejectCommands?: RegExp[];
}

export interface IosEmulator {
    port: number;
    close(): Promise<void>;
    /** Exactly what `show running-config` prints ("\n" line ends). */
    runningConfig(): string;
    startupConfig(): string | undefined;
    setFaults(f: { latencyMs?: number; dropAfterLines?: number; rejectCommands?: RegExp[] }): void;
    /** Replaces the running config (for tests that put a config on the device directly). */
    loadRunningConfig(text: string): void;
    /** The counters since start (also in `<stateDir>/emulator-stats.json`; README.md, "Cost model"). */
    stats(): EmulatorStats;
    /** Turns the cost model on (defaults for what is not given) or off (`false`). */
    setCostModel(options: CostModelOptions | false): void;
}

/** What a CLI session needs of its SSH channel. */
interface Channel {
    write(s: string): void;
    exit(code: number): void;
    end(): void;
    on(event: "close", listener: () => void): unknown;
}

function sameSecret(a: string, b: string): boolean {
    const x = Buffer.from(a);
    const y = Buffer.from(b);
    return x.length === y.length && timingSafeEqual(x, y);
}

function parsedKeys(lines: string[] | undefined): ParsedKey[] {
    const out: ParsedKey[] = [];
    for (const l of lines ?? []) {
        const k = utils.parseKey(l.trim());
        if (k instanceof Error) continue;
        out.push(...(Array.isArray(k) ? k : [k]));
    }
    return out;
}

export function startIosEmulator(opts: IosEmulatorOptions): Promise<IosEmulator> {
    const router = new Router(opts);
    const faults: Faults = { latencyMs: opts.latencyMs, dropAfterLines: opts.dropAfterLines, rejectCommands: opts.rejectCommands };
    const log = opts.log;
    const clients = new Set<Connection>();
    const users = opts.users.map((u) => ({ ...u, keys: parsedKeys(u.publicKeys) }));
    let connSeq = 0;

    const server = new Server({ hostKeys: [opts.hostKey], ident: "Cisco-1.25" }, (client, info) => {
        const id = ++connSeq;
        clients.add(client);
        // Echo and prompts are small writes; without this, Nagle and delayed ACKs add 40 ms to each.
        (client as unknown as { setNoDelay(v: boolean): void }).setNoDelay(true);
        const lineCounter = { n: 0 };
        let user: (typeof users)[number] | undefined;
        client.on("error", (e) => log?.(`[${id}] connection error: ${e.message}`));
        // Sessions of this connection: when it dies, their lines go (and with them a lock they held).
        const sessions = new Set<{ cli: CliSession; line: Line }>();
        const hangUp = (x: { cli: CliSession; line: Line }) => {
            if (!sessions.delete(x)) return;
            x.cli.hangUp();
            router.lines.close(x.line);
        };
        client.on("close", () => {
            clients.delete(client);
            for (const x of [...sessions]) hangUp(x);
        });
        client.on("authentication", (ctx) => {
            const u = users.find((x) => x.username === ctx.username);
            const methods: ("password" | "publickey" | "keyboard-interactive")[] = ["publickey", "password", "keyboard-interactive"];
            if (u && ctx.method === "password" && u.password !== undefined && sameSecret(ctx.password, u.password)) {
                user = u;
                return ctx.accept();
            }
            if (u && ctx.method === "publickey") {
                const k = u.keys.find((x) => x.getPublicSSH().equals(ctx.key.data));
                if (k) {
                    if (!ctx.signature || !ctx.blob) return ctx.accept();
                    if (k.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true) {
                        user = u;
                        return ctx.accept();
                    }
                }
            }
            if (u && ctx.method === "keyboard-interactive" && u.password !== undefined) {
                const expected = u.password;
                return ctx.prompt([{ prompt: "Password: ", echo: false }], (answers) => {
                    if (answers[0] !== undefined && sameSecret(answers[0], expected)) {
                        user = u;
                        ctx.accept();
                    } else ctx.reject(methods);
                });
            }
            if (ctx.method !== "none") log?.(`[${id}] authentication failed for ${ctx.username} (${ctx.method})`);
            ctx.reject(methods);
        });
        client.on("ready", () => {
            const u = user!;
            log?.(`[${id}] ${u.username} logged in at privilege ${u.privilege}`);
            router.stats.add("logins");
            client.on("session", (accept) => {
                const session = accept();
                session.on("pty", (ok) => ok?.());
                session.on("window-change", (ok) => ok?.());
                session.on("env", (ok) => ok?.());
                const make = (interactive: boolean, ch: Channel) => {
                    const line = router.lines.open(u.username, info.ip, (text) => cli.notify(text));
                    const cli: CliSession = new CliSession({
                        core: router,
                        line,
                        username: u.username,
                        privilege: u.privilege,
                        interactive,
                        faults: () => faults,
                        lineCounter,
                        log: log && ((l) => log(`[${id}] ${l}`)),
                        io: {
                            write: (s) => {
                                router.stats.add("bytesSent", Buffer.byteLength(s));
                                ch.write(s);
                            },
                            end: () => {
                                ch.exit(0);
                                ch.end();
                            },
                            drop: () => client.end(),
                        },
                    });
                    const entry = { cli, line };
                    sessions.add(entry);
                    ch.on("close", () => hangUp(entry));
                    return cli;
                };
                session.on("shell", (ok) => {
                    const ch = ok();
                    router.stats.add("shellSessions");
                    const cli = make(true, ch);
                    ch.on("data", (d: Buffer) => cli.feed(d.toString("utf8")));
                    ch.on("end", () => cli.onEof());
                    ch.on("error", () => undefined);
                    cli.startShell();
                });
                session.on("exec", (ok, _reject, info) => {
                    const ch = ok();
                    router.stats.add("execSessions");
                    const cli = make(false, ch);
                    ch.on("data", (d: Buffer) => cli.feed(d.toString("utf8")));
                    ch.on("end", () => cli.onEof());
                    ch.on("error", () => undefined);
                    void cli.runExecCommand(info.command);
                });
            });
        });
    });

    return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(opts.port ?? 0, opts.listenHost ?? "127.0.0.1", () => {
            server.off("error", reject);
            const port = (server.address() as AddressInfo).port;
            log?.(`listening on ${opts.listenHost ?? "127.0.0.1"}:${port}`);
            resolve({
                port,
                close: () =>
                    new Promise<void>((done) => {
                        router.stop();
                        for (const c of clients) c.end();
                        server.close(() => {
                            router.stats.flush();
                            done();
                        });
                    }),
                runningConfig: () => showRunning(renderConfig(router.config)),
                startupConfig: () => router.startupText(),
                setFaults: (f) => {
                    if ("latencyMs" in f) faults.latencyMs = f.latencyMs;
                    if ("dropAfterLines" in f) faults.dropAfterLines = f.dropAfterLines;
                    if ("rejectCommands" in f) faults.rejectCommands = f.rejectCommands;
                },
                loadRunningConfig: (text) => {
                    router.replaceConfig(text);
                    router.configChanged();
                },
                stats: () => router.stats.snapshot(),
                setCostModel: (options) => router.cost.set(options),
            });
        });
    });
}
