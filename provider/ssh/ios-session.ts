/**
 * The IOS / IOS-XE CLI over an interactive shell: IOS has no exec channel semantics worth relying
 * on (no exit codes, no stderr), so every answer is read up to the next prompt and checked for
 * `%` error lines. Commands go out one line at a time, exactly as typed; nothing that the CLI
 * would interpret (`?`, control characters) is ever sent.
 */
import { Client, ClientChannel } from "ssh2";
import { redact } from "../masking";
import { DeviceError } from "./errors";

export interface IosCliSessionOptions {
    device: string;
    enableSecret?: string;
    commandTimeoutMs: number;
    secrets: string[];
}

export type ConfigureResult = { ok: true } | { ok: false; index: number; command: string; error: string };

/** What a form of `configure terminal` did: whether configuration mode was entered, and IOS's answer. */
export interface ConfigEntry {
    entered: boolean;
    /** The answer's lines (redacted): the archive backup, the lock taken, or why it was refused. */
    text: string;
}

/** `host>` / `host#` / `host(config-ikev2-keyring-peer)#`, possibly followed by one space. */
const PROMPT = /^([A-Za-z0-9][^\s()>#]*)(\([^()\s]+\))?([>#]) ?$/;
const PASSWORD_PROMPT = /^\s*Password: ?$/i;
const MORE = /[ \t]*-+ ?More ?-+[ \t]*$/;
/** A question the device wants answered before it goes on; we never answer one blindly. */
const QUESTION = /(\[confirm\]|\[yes\/no\]:?|\[no\]:?|\]\?)\s*$/i;
/**
 * `%` lines that are not a refusal: syslog messages that reach the terminal
 * (`%SYS-5-CONFIG_I: ...`, `%LINEPROTO-5-UPDOWN: ...`) and explicit notes.
 */
const INFORMATIONAL = [/^%[A-Z0-9_]+-\d-[A-Z0-9_]+:/, /^% ?(Note|Info|Informational)\b/i];
/** Beyond this many silent milliseconds, any prompt-shaped line counts (the hostname may have changed). */
const QUIET_PROMPT_MS = 500;

interface Prompt {
    host: string;
    /** `config-if` for `host(config-if)#`, empty in EXEC modes. */
    mode: string;
    privileged: boolean;
}

interface Answer {
    /** Output lines between the echo and the prompt. */
    lines: string[];
    prompt?: Prompt;
    /** Set when the device stopped at a question instead of a prompt. */
    question?: string;
    /** Set when the device asked for a password. */
    password?: boolean;
}

type Waiter = { check: () => boolean; resolve: () => void; reject: (e: Error) => void };

export class IosCliSession {
    private readonly channel: ClientChannel;
    private opts: IosCliSessionOptions;
    private host = "";
    /** Cleaned text received since the last consumed answer. */
    private buf = "";
    /** An escape sequence or CR split across two chunks, kept for the next one. */
    private carry = "";
    private lastDataAt = Date.now();
    private waiter?: Waiter;
    /** Why the session can no longer be used. */
    private closedReason?: "dropped" | "closed" | "timed out";
    /** What the session is doing, for the message if the connection drops. */
    private current = "the login";
    /** The mode of the last prompt seen: "" in EXEC, `config`, `config-if`, ... */
    private mode = "";

    private constructor(channel: ClientChannel, opts: IosCliSessionOptions) {
        this.channel = channel;
        this.opts = opts;
        channel.on("data", (d: Buffer) => this.feed(d.toString("latin1")));
        channel.stderr.on("data", (d: Buffer) => this.feed(d.toString("latin1")));
        channel.on("close", () => this.onClosed());
    }

    get hostname(): string {
        return this.host;
    }

    /** Opens a shell, reaches privileged EXEC (`enable` if needed) and turns paging off. */
    static async open(client: Client, opts: IosCliSessionOptions): Promise<IosCliSession> {
        const channel = await new Promise<ClientChannel>((resolve, reject) => {
            const onClose = () => reject(new DeviceError(opts.device, `connection to ${opts.device} dropped while opening the CLI`));
            client.once("close", onClose);
            try {
                client.shell({ term: "vt100", cols: 511, rows: 24 }, (err, ch) => {
                    client.removeListener("close", onClose);
                    if (err) reject(new DeviceError(opts.device, `${opts.device} refused an interactive shell: ${redact(err.message, opts.secrets)}`));
                    else resolve(ch);
                });
            } catch (e) {
                client.removeListener("close", onClose);
                reject(new DeviceError(opts.device, `cannot open a shell on ${opts.device}: ${redact((e as Error).message, opts.secrets)}`));
            }
        });
        const session = new IosCliSession(channel, opts);
        try {
            await session.login();
        } catch (e) {
            channel.close();
            throw e;
        }
        return session;
    }

    /** Runs a privileged EXEC command; returns its output without echo and prompt. */
    async exec(command: string): Promise<string> {
        const shown = this.checkLine(command);
        const answer = await this.send(command, shown);
        if (!answer.prompt) await this.cancelQuestion(shown);
        this.requirePrompt(answer, shown);
        const error = errorText(answer.lines);
        if (error) throw new DeviceError(this.opts.device, `${this.opts.device} refused ${shown}: ${redact(error, this.opts.secrets)}`, shown);
        return answer.lines.join("\n");
    }

    /**
     * Runs a privileged EXEC command whose refusal is an answer (`configure confirm` with nothing
     * pending says `%No Rollback Confirmed Change pending`): returns everything it printed, `%`
     * lines included. Only a lost session, a timeout or a question throws.
     */
    async ask(command: string): Promise<string> {
        const shown = this.checkLine(command);
        const answer = await this.send(command, shown);
        if (!answer.prompt) await this.cancelQuestion(shown);
        this.requirePrompt(answer, shown);
        return redact(answer.lines.join("\n"), this.opts.secrets);
    }

    /**
     * Enters `configure terminal`, sends the lines one by one and stops at the first one the device
     * refuses. Always returns to privileged EXEC (`end`) before returning.
     */
    async configure(lines: string[]): Promise<ConfigureResult> {
        for (const l of lines) this.checkLine(l);
        const entry = await this.enterConfig("configure terminal");
        if (!entry.entered) {
            throw new DeviceError(this.opts.device, `${this.opts.device} did not enter configuration mode: ${entry.text.trim() || "no config prompt"}`, "configure terminal");
        }
        const [result] = await this.configureGroups([lines]);
        await this.endConfig();
        return result;
    }

    /**
     * Sends a form of `configure terminal` (plain, `lock`, `revert timer N`) from privileged EXEC.
     * A device that stays in EXEC (no archive for a revert timer, the lock held by another session,
     * an unknown keyword) is no error here: the caller reads `text`, IOS's answer, to tell why.
     */
    async enterConfig(command: string): Promise<ConfigEntry> {
        const shown = this.checkLine(command);
        if (this.mode !== "") throw new DeviceError(this.opts.device, `${shown} sent to ${this.opts.device} outside privileged EXEC`, shown);
        const answer = await this.send(command, shown);
        if (!answer.prompt) {
            await this.cancelQuestion(shown);
            return { entered: false, text: `the device asked "${answer.question?.trim() ?? "for a password"}"` };
        }
        return { entered: answer.prompt.mode !== "", text: redact(answer.lines.join("\n"), this.opts.secrets) };
    }

    /** In configuration mode: an EXEC command through `do` (a read, such as `show running-config`); returns its output. */
    async execInConfig(command: string): Promise<string> {
        this.requireConfigMode(command);
        return this.exec(`do ${command}`);
    }

    /**
     * In configuration mode: sends each group of lines (a group starts and ends at `(config)#`).
     * A refused line ends its group: the sub-modes it entered are left with `exit`, and the next
     * group goes on. A device that leaves configuration mode or asks a question cannot go on: that
     * throws DeviceError, as a lost session does.
     */
    async configureGroups(groups: string[][]): Promise<ConfigureResult[]> {
        this.requireConfigMode("configuration lines");
        // Every line is checked before the first is sent: a refusal here changes nothing.
        const shownGroups = groups.map((lines) => lines.map((l) => this.checkLine(l)));
        const results: ConfigureResult[] = [];
        for (const [g, lines] of groups.entries()) {
            const shownLines = shownGroups[g];
            let result: ConfigureResult = { ok: true };
            for (let index = 0; index < lines.length; index++) {
                const shown = shownLines[index];
                const answer = await this.send(lines[index], shown);
                if (!answer.prompt) {
                    await this.cancelQuestion(shown);
                    throw new DeviceError(this.opts.device, `${this.opts.device} asked "${(answer.question ?? "for a password").trim()}" after ${shown}; the provider does not answer questions`, shown);
                }
                const error = errorText(answer.lines);
                if (!answer.prompt.mode) throw new DeviceError(this.opts.device, `${this.opts.device} left configuration mode after ${shown}`, shown);
                if (error) {
                    result = { ok: false, index, command: shown, error: redact(error, this.opts.secrets) };
                    // Back to `(config)#` before the next group: its lines must not run in this group's sub-mode.
                    if (g < groups.length - 1) await this.upToConfig();
                    break;
                }
            }
            results.push(result);
        }
        return results;
    }

    /** Leaves configuration mode (`end`) for privileged EXEC. */
    async endConfig(): Promise<void> {
        const answer = await this.send("end", "end");
        this.requirePrompt(answer, "end");
        if (answer.prompt!.mode) {
            throw new DeviceError(this.opts.device, `${this.opts.device} stayed in configuration mode after end`, "end");
        }
    }

    /** For a session reused by later work: the secrets to redact from its lines and answers from now on. */
    redactSecrets(secrets: string[]): void {
        this.opts = { ...this.opts, secrets };
    }

    /** False once the session was closed, dropped or abandoned after a timeout. */
    get usable(): boolean {
        return this.closedReason === undefined;
    }

    /** From a configuration sub-mode up to `(config)#`, one `exit` at a time. */
    private async upToConfig(): Promise<void> {
        while (this.mode !== "config") {
            const from = this.mode;
            const up = await this.send("exit", "exit");
            this.requirePrompt(up, "exit");
            if (!up.prompt!.mode) throw new DeviceError(this.opts.device, `${this.opts.device} left configuration mode after exit`, "exit");
            if (up.prompt!.mode === from) throw new DeviceError(this.opts.device, `${this.opts.device} stayed in (${from}) after exit`, "exit");
        }
    }

    private requireConfigMode(what: string): void {
        if (this.mode === "") throw new DeviceError(this.opts.device, `${what} sent to ${this.opts.device} outside configuration mode`);
    }

    async close(): Promise<void> {
        if (this.closedReason) return;
        this.closedReason = "closed";
        await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, 1000);
            timer.unref();
            this.channel.once("close", () => {
                clearTimeout(timer);
                resolve();
            });
            try {
                this.channel.end("exit\n");
                this.channel.close();
            } catch {
                resolve();
            }
        });
    }

    private async login(): Promise<void> {
        const { device, enableSecret } = this.opts;
        await this.waitFor(() => this.lastPrompt() !== undefined || this.atPassword(), "the login", true);
        if (this.atPassword()) throw new DeviceError(device, `${device} asked for a password after login. Fix: check the device's vty login settings`);
        let prompt = this.consumeAnswer().prompt!;
        this.host = prompt.host;
        if (prompt.mode) {
            // A vty that lands in a config mode is unusual, but leave it cleanly.
            await this.endConfig();
            prompt = { ...prompt, mode: "", privileged: true };
        }
        if (!prompt.privileged) {
            if (!enableSecret) {
                throw new DeviceError(
                    device,
                    `the login on ${device} lands in user EXEC (${prompt.host}>) and no enable secret is set. Fix: set device.enableSecret, or give the user privilege 15`,
                );
            }
            this.current = "enable";
            this.write("enable\n");
            await this.waitFor(() => this.lastPrompt() !== undefined || this.atPassword(), "enable");
            let answer = this.consumeAnswer();
            if (answer.password) {
                this.write(`${enableSecret}\n`);
                await this.waitFor(() => this.lastPrompt() !== undefined || this.atPassword(), "enable");
                answer = this.consumeAnswer();
                if (answer.password) {
                    throw new DeviceError(device, `${device} refused the enable secret. Fix: check device.enableSecret`, "enable");
                }
            }
            if (!answer.prompt?.privileged) {
                const error = errorText(answer.lines) ?? "still in user EXEC";
                throw new DeviceError(device, `enable on ${device} failed (${redact(error, this.opts.secrets)}). Fix: check device.enableSecret`, "enable");
            }
        }
        await this.exec("terminal length 0");
        await this.exec("terminal width 511");
    }

    /** Answers an unexpected question with Ctrl-C and waits for the prompt. */
    private async cancelQuestion(shown: string): Promise<void> {
        this.write("\x03");
        await this.waitFor(() => this.lastPrompt() !== undefined, shown);
        this.consumeAnswer();
    }

    private requirePrompt(answer: Answer, shown: string): void {
        if (answer.prompt) return;
        const what = answer.password ? "asked for a password" : `asked "${answer.question?.trim()}"`;
        throw new DeviceError(this.opts.device, `${this.opts.device} ${what} after ${shown}; the provider does not answer questions`, shown);
    }

    /** Refuses lines that the CLI would interpret instead of taking as text; returns the redacted form. */
    private checkLine(line: string): string {
        const shown = redact(line, this.opts.secrets);
        if (/[\u0000-\u001f\u007f]/.test(line) || line.includes("?") || line.trim() === "") {
            throw new DeviceError(
                this.opts.device,
                `refusing to send ${JSON.stringify(shown)} to ${this.opts.device}: empty, or contains '?' or a control character, which the IOS CLI would interpret`,
                shown,
            );
        }
        return shown;
    }

    /** Writes one line and reads its answer up to the next prompt (or a question). */
    private async send(line: string, shown: string): Promise<Answer> {
        this.current = shown;
        this.consumeAnswer(); // drop anything unsolicited since the last prompt
        this.write(`${line}\n`);
        await this.waitFor(() => this.lastPrompt() !== undefined || this.atPassword() || QUESTION.test(this.lastLine()), shown);
        const answer = this.consumeAnswer();
        if (answer.lines.length > 0 && answer.lines[0].trimEnd().endsWith(line.trimEnd())) answer.lines.shift(); // the echo
        return answer;
    }

    private write(text: string): void {
        if (this.closedReason) throw this.droppedError();
        this.channel.write(text);
    }

    private lastLine(): string {
        return this.buf.slice(this.buf.lastIndexOf("\n") + 1);
    }

    private atPassword(): boolean {
        return PASSWORD_PROMPT.test(this.lastLine());
    }

    /** The prompt the buffer ends with, if any: our hostname at once, any prompt shape after a quiet spell. */
    private lastPrompt(quietOk = Date.now() - this.lastDataAt >= QUIET_PROMPT_MS): Prompt | undefined {
        const m = PROMPT.exec(this.lastLine());
        if (!m) return undefined;
        const host = m[1];
        if (this.host && host !== this.host && !quietOk) return undefined;
        return { host, mode: m[2] ? m[2].slice(1, -1) : "", privileged: m[3] === "#" };
    }

    /** Takes the buffered answer: its lines and the prompt or question it ended with. */
    private consumeAnswer(): Answer {
        const last = this.lastLine();
        const body = this.buf.slice(0, this.buf.length - last.length);
        const lines = body === "" ? [] : body.replace(/\n$/, "").split("\n");
        const prompt = this.lastPrompt(true);
        this.buf = "";
        if (prompt && this.host && prompt.host !== this.host) this.host = prompt.host; // `hostname` was changed
        if (prompt) this.mode = prompt.mode;
        return {
            lines,
            prompt,
            question: !prompt && QUESTION.test(last) ? last : undefined,
            password: !prompt && PASSWORD_PROMPT.test(last),
        };
    }

    private feed(chunk: string): void {
        this.lastDataAt = Date.now();
        let s = this.carry + chunk;
        this.carry = "";
        const incomplete = /(\x1b(\[[0-9;?]*)?|\x1b[()]|\r)$/.exec(s);
        if (incomplete) {
            this.carry = incomplete[0];
            s = s.slice(0, incomplete.index);
        }
        s = s
            .replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, "") // CSI sequences (cursor moves, erase, colours)
            .replace(/\x1b[()][A-Za-z0-9]/g, "") // character set selection
            .replace(/\x1b[^[()]/g, "") // other two-byte escapes
            .replace(/\r\n/g, "\n")
            .replace(/\n\r/g, "\n");
        let out = this.buf;
        for (const c of s) {
            if (c === "\b" || c === "\x7f") {
                if (out.length > 0 && !out.endsWith("\n")) out = out.slice(0, -1);
            } else if (c === "\r") {
                out = out.slice(0, out.lastIndexOf("\n") + 1); // carriage return: the line is rewritten
            } else if (c === "\n" || c === "\t" || c >= " ") {
                out += c;
            }
        }
        if (MORE.test(out.slice(out.lastIndexOf("\n") + 1))) {
            // Paging should be off (`terminal length 0`); page on anyway if a device ignores it.
            out = out.replace(MORE, "");
            this.channel.write(" ");
        }
        this.buf = out;
        this.poke();
    }

    private poke(): void {
        const w = this.waiter;
        if (w && w.check()) {
            this.waiter = undefined;
            w.resolve();
        }
    }

    private onClosed(): void {
        if (!this.closedReason) this.closedReason = "dropped";
        const w = this.waiter;
        this.waiter = undefined;
        w?.reject(this.droppedError());
    }

    private droppedError(): DeviceError {
        const device = this.opts.device;
        if (this.closedReason === "closed") return new DeviceError(device, `the CLI session to ${device} was already closed`);
        if (this.closedReason === "timed out") {
            return new DeviceError(device, `the CLI session to ${device} was abandoned after ${this.current} timed out; open a new one`);
        }
        return new DeviceError(device, `connection to ${device} dropped while running ${this.current}`, this.current);
    }

    /**
     * Waits until check() holds. The timeout restarts whenever data arrives, so a long
     * `show running-config` is fine while a silent device fails after commandTimeoutMs.
     */
    private waitFor(check: () => boolean, shown: string, loginPhase = false): Promise<void> {
        if (this.closedReason) return Promise.reject(this.droppedError());
        if (check()) return Promise.resolve();
        const { device, commandTimeoutMs } = this.opts;
        return new Promise<void>((resolve, reject) => {
            let timer: NodeJS.Timeout;
            const arm = (ms: number) => {
                timer = setTimeout(() => {
                    // Re-check on quiet spells: a prompt with a new hostname only counts once the device is silent.
                    if (check()) return done(resolve)();
                    const silentFor = Date.now() - this.lastDataAt;
                    if (silentFor < commandTimeoutMs) return arm(Math.min(commandTimeoutMs - silentFor, QUIET_PROMPT_MS));
                    const seen = redact(this.lastLine().slice(-80), this.opts.secrets);
                    // The device's state is unknown now (a command may still complete): never reuse this shell.
                    this.closedReason = "timed out";
                    this.channel.close();
                    done(reject)(
                        new DeviceError(
                            device,
                            `${device} did not answer ${shown} within ${commandTimeoutMs} ms${loginPhase ? " with a CLI prompt" : ""} (last text: ${JSON.stringify(seen)}). ` +
                                "Fix: check the device, or raise commandTimeoutMs",
                            shown,
                        ),
                    );
                }, ms);
            };
            const done =
                <A extends unknown[]>(f: (...a: A) => void) =>
                (...a: A) => {
                    clearTimeout(timer);
                    if (this.waiter === waiter) this.waiter = undefined;
                    f(...a);
                };
            const waiter: Waiter = { check, resolve: done(resolve), reject: done(reject) };
            this.waiter = waiter;
            arm(Math.min(commandTimeoutMs, QUIET_PROMPT_MS));
        });
    }
}

/** The `%` lines of an answer that are refusals, joined; undefined when there are none. */
function errorText(lines: string[]): string | undefined {
    const errors = lines.map((l) => l.trim()).filter((l) => l.startsWith("%") && !INFORMATIONAL.some((re) => re.test(l)));
    return errors.length > 0 ? errors.join(" ") : undefined;
}
