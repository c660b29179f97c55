/**
 * Commands and files on a Linux host (strongSwan) over SSH exec channels. Every argument is
 * shell-quoted, and secrets travel only through stdin: process arguments are visible to every
 * user of the host (`ps`), stdin is not.
 */
import { Client } from "ssh2";
import { containsSecret, redact } from "../masking";
import { DeviceError } from "./errors";

export interface HostSessionOptions {
    device: string;
    sudo: boolean;
    commandTimeoutMs: number;
    secrets: string[];
}

export interface RunResult {
    code: number;
    stdout: string;
    stderr: string;
}

/** Quotes one argument for a POSIX shell; plain words stay readable. */
export function shellQuote(arg: string): string {
    if (/^[A-Za-z0-9_\/.,:=@%+-]+$/.test(arg)) return arg;
    return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The command line sent for argv: quoted, with `sudo -n --` in front when sudo is on. */
export function buildCommandLine(argv: string[], sudo: boolean): string {
    if (argv.length === 0) throw new Error("empty argv");
    for (const a of argv) if (a.includes("\u0000")) throw new Error("an argument contains NUL");
    return (sudo ? ["sudo", "-n", "--", ...argv] : argv).map(shellQuote).join(" ");
}

/** Exit code of readFile's script when the file does not exist. */
const ABSENT = 44;
const READ_SCRIPT = `if [ ! -e "$1" ]; then exit ${ABSENT}; fi; exec cat -- "$1"`;
/**
 * $1 path, $2 mode (octal); prints the temp file's path. umask 077 before mktemp, so the temp file
 * is private from its first moment; chmod to the requested mode only after the content is written
 * and synced. The temp file is a dot file beside the target (`.NAME.XXXXXX`): swanctl's
 * `conf.d/*.conf` never includes it. A temp file of the same target that a dropped connection left
 * is removed first (the per-device lock means no write of ours is running at the same time).
 */
const WRITE_TEMP_SCRIPT = [
    "set -e",
    "umask 077",
    'dir=$(dirname -- "$1")',
    'for f in "$dir/.$(basename -- "$1")."??????; do if [ -e "$f" ]; then rm -f -- "$f"; fi; done',
    'tmp=$(mktemp "$dir/.$(basename -- "$1").XXXXXX")',
    "trap 'rm -f -- \"$tmp\"' EXIT",
    'cat > "$tmp"',
    'sync -- "$tmp" 2>/dev/null || true',
    'chmod "$2" "$tmp"',
    "trap - EXIT",
    'printf %s "$tmp"',
].join("\n");
/** $1 path: removes it and the temp files of earlier writes of it (see WRITE_TEMP_SCRIPT). */
const REMOVE_SCRIPT = [
    "set -e",
    'for f in "$(dirname -- "$1")/.$(basename -- "$1")."??????; do if [ -e "$f" ]; then rm -f -- "$f"; fi; done',
    'rm -f -- "$1"',
].join("\n");
/** $1 temp file, $2 target: the atomic step, then the folder synced so that the rename is durable. */
const RENAME_SCRIPT = ['set -e', 'mv -f -- "$1" "$2"', 'sync -- "$(dirname -- "$2")" 2>/dev/null || true'].join("\n");

export class HostSession {
    private readonly client: Client;
    private readonly opts: HostSessionOptions;

    constructor(client: Client, opts: HostSessionOptions) {
        this.client = client;
        this.opts = opts;
    }

    /** Runs argv (quoted; behind `sudo -n --` when sudo is on) with optional stdin. */
    async run(argv: string[], stdin?: string): Promise<RunResult> {
        return this.runNamed(argv, stdin);
    }

    /** Runs one of this module's scripts; messages name it by `step` (`write a temp file of PATH`), not by its text. */
    private script(step: string, script: string, args: string[], stdin?: string): Promise<RunResult> {
        return this.runNamed(["sh", "-c", script, "sh", ...args], stdin, `sh -c <${step}>`);
    }

    private async runNamed(argv: string[], stdin?: string, name?: string): Promise<RunResult> {
        const { device, sudo, secrets } = this.opts;
        let commandLine: string;
        try {
            commandLine = buildCommandLine(argv, sudo);
        } catch (e) {
            throw new DeviceError(device, `refusing to run a command on ${device}: ${(e as Error).message}`);
        }
        const shown = redact(name ?? commandLine, secrets);
        if (argv.some((a) => containsSecret(a, secrets))) {
            // Defence in depth: callers pass secrets on stdin; an argument would show in `ps` on the host.
            throw new DeviceError(device, `refusing to run ${shown} on ${device}: a secret is in its arguments; it must go via stdin`, shown);
        }
        return this.exec(commandLine, shown, stdin);
    }

    /** The file's content, or undefined when it does not exist. */
    async readFile(path: string): Promise<string | undefined> {
        checkPath(this.opts.device, path);
        const r = await this.script(`read ${path}`, READ_SCRIPT, [path]);
        if (r.code === ABSENT) return undefined;
        if (r.code !== 0) throw this.failure(`read ${path}`, r);
        return r.stdout;
    }

    /**
     * Replaces path atomically with content; the file is never readable beyond mode at any moment.
     * Two commands: the content goes to a private temp file beside path, then one rename puts it in
     * place; a connection lost between them leaves path as it was (and a temp file the next write removes).
     */
    async writeFileAtomic(path: string, content: string, mode: number): Promise<void> {
        checkPath(this.opts.device, path);
        if (!Number.isInteger(mode) || mode < 0 || mode > 0o777) {
            throw new DeviceError(this.opts.device, `file mode ${mode} for ${path} is not a permission mode between 0 and 0o777`);
        }
        const written = await this.script(`write a temp file of ${path}`, WRITE_TEMP_SCRIPT, [path, mode.toString(8).padStart(4, "0")], content);
        const temp = written.stdout;
        if (written.code !== 0 || !temp.startsWith("/")) throw this.failure(`write ${path}`, written);
        const renamed = await this.script(`rename ${temp} to ${path}`, RENAME_SCRIPT, [temp, path]);
        if (renamed.code !== 0) throw this.failure(`rename ${temp} to ${path}`, renamed);
    }

    /** Removes path, and any temp file of it that a write whose connection dropped left behind. */
    async removeFile(path: string): Promise<void> {
        checkPath(this.opts.device, path);
        const r = await this.script(`remove ${path}`, REMOVE_SCRIPT, [path]);
        if (r.code !== 0) throw this.failure(`remove ${path}`, r);
    }

    private failure(what: string, r: RunResult): DeviceError {
        const { device, secrets, sudo } = this.opts;
        const stderr = redact(r.stderr.trim(), secrets);
        const hint = sudo && /sudo/.test(stderr) ? " Fix: allow the login to run sh and swanctl with `sudo -n` (NOPASSWD) or log in as root" : "";
        return new DeviceError(device, `cannot ${what} on ${device} (exit ${r.code}): ${stderr || "no error output"}.${hint}`);
    }

    private exec(commandLine: string, shown: string, stdin: string | undefined): Promise<RunResult> {
        const { device, commandTimeoutMs, secrets } = this.opts;
        return new Promise<RunResult>((resolve, reject) => {
            let settled = false;
            const stdout: Buffer[] = [];
            const stderr: Buffer[] = [];
            let code: number | undefined;
            const finish = (err?: DeviceError) => {
                if (settled) return;
                settled = true;
                clearTimeout(timer);
                this.client.removeListener("close", onClientClose);
                if (err) reject(err);
                else resolve({ code: code ?? 255, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") });
            };
            const dropped = () => new DeviceError(device, `connection to ${device} dropped while running ${shown}`, shown);
            const onClientClose = () => finish(dropped());
            this.client.once("close", onClientClose);
            const timer = setTimeout(() => {
                finish(new DeviceError(device, `${device} did not finish ${shown} within ${commandTimeoutMs} ms. Fix: check the host, or raise commandTimeoutMs`, shown));
                channel?.close();
            }, commandTimeoutMs);
            let channel: import("ssh2").ClientChannel | undefined;
            try {
                this.client.exec(commandLine, (err, ch) => {
                    if (err) {
                        finish(new DeviceError(device, `cannot start ${shown} on ${device}: ${redact(err.message, secrets)}`, shown));
                        return;
                    }
                    channel = ch;
                    ch.on("data", (d: Buffer) => stdout.push(d));
                    ch.stderr.on("data", (d: Buffer) => stderr.push(d));
                    ch.on("exit", (c: number | null, signal?: string) => {
                        code = c ?? (signal ? 128 + (signalNumber(signal) ?? 127) : 255);
                    });
                    ch.on("close", () => {
                        if (code === undefined) finish(dropped());
                        else finish();
                    });
                    if (stdin !== undefined) ch.end(stdin);
                    else ch.end();
                });
            } catch (e) {
                finish(new DeviceError(device, `cannot start ${shown} on ${device}: ${redact((e as Error).message, secrets)}`, shown));
            }
        });
    }
}

function checkPath(device: string, path: string): void {
    if (!path.startsWith("/") || /[\u0000-\u001f\u007f]/.test(path)) {
        throw new DeviceError(device, `path ${JSON.stringify(path)} on ${device} is not an absolute path without control characters`);
    }
}

const SIGNALS: Record<string, number> = { HUP: 1, INT: 2, QUIT: 3, KILL: 9, SEGV: 11, PIPE: 13, ALRM: 14, TERM: 15 };
function signalNumber(name: string): number | undefined {
    return SIGNALS[name.replace(/^SIG/, "")];
}
