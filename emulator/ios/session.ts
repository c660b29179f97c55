/**
 * One CLI session on the emulated router: line editing and echo, prompts, modes, `--More--`
 * paging, questions (`Password:`), output filters, error messages, and the injected faults.
 */
import { match, help, tokenize, Node } from "./grammar";
import { CliInvalid, Core, Ctx, Frame, Mode, PROMPT_SUFFIX, Session } from "./context";
import { GRAMMARS } from "./grammars";
import type { Line } from "./lines";

export interface Faults {
    latencyMs?: number;
    dropAfterLines?: number;
    rejectCommands?: RegExp[];
}

export interface SessionIO {
    write(s: string): void;
    /** Ends the session normally (exit/logout). */
    end(): void;
    /** Drops the whole SSH connection (fault injection). */
    drop(): void;
}

export interface SessionOptions {
    core: Core;
    /** The terminal line the session occupies. */
    line: Line;
    username: string;
    privilege: number;
    /** Shell channel: echo, prompts and paging. Exec channel: none of these. */
    interactive: boolean;
    io?: SessionIO;
    faults: () => Faults;
    /** Command lines received on this SSH connection, shared by its channels. */
    lineCounter: { n: number };
    log?: (line: string) => void;
}

class CliAborted extends Error {
    constructor() {
        super("aborted");
    }
}

const MORE = " --More-- ";
const ERASE_MORE = "\b".repeat(MORE.length) + " ".repeat(MORE.length) + "\b".repeat(MORE.length);
const INVALID = "% Invalid input detected at '^' marker.";

type State = "line" | "busy" | "ask" | "more" | "closed";

/** Hides what follows words that introduce secrets, so session logs never carry them. */
export function redact(line: string): string {
    return line
        .replace(/(pre-shared-key(?:\s+(?:local|remote))?(?:\s+[06](?=\s))?\s+)\S.*$/i, "$1<redacted>")
        .replace(/(password-encrypt\s+)\S.*$/i, "$1<redacted>")
        .replace(/((?:secret|password)(?:\s+[059](?=\s))?\s+)\S.*$/i, "$1<redacted>");
}

export class CliSession implements Session {
    readonly line: Line;
    priv: number;
    frames: Frame[] = [{ mode: "exec" }];
    termLength = 24;
    termWidth = 80;
    private state: State = "busy";
    private inbuf = "";
    private typed = "";
    private lastCR = false;
    private askEcho = true;
    private askResolve?: (s: string | null) => void;
    private askReject?: (e: Error) => void;
    private more?: { lines: string[]; done: () => void };
    private eof = false;
    /** Where the caret line starts counting: the prompt (shell) and the outer line (`do`). */
    private caretBase = 0;
    private currentLine = "";
    private ctx: Ctx;

    constructor(private readonly o: SessionOptions) {
        this.line = o.line;
        this.priv = o.privilege;
        this.ctx = { core: o.core, sess: this };
    }

    prompt(): string {
        const mode = this.mode();
        return `${this.o.core.config.hostname}${PROMPT_SUFFIX[mode]}${mode === "exec" && this.priv < 15 ? ">" : "#"}`;
    }

    private mode(): Mode {
        return this.frames[this.frames.length - 1].mode;
    }

    private outbuf = "";

    /** Collects what one burst of input produces, so echo and output leave in few SSH packets. */
    private write(s: string): void {
        if (this.state === "closed" || !this.o.io) return;
        if (!this.outbuf) setImmediate(() => this.flush());
        this.outbuf += s;
    }

    private flush(): void {
        const s = this.outbuf;
        this.outbuf = "";
        if (s && this.state !== "closed") this.o.io?.write(s);
    }

    /** Shell channel: greet and show the first prompt. */
    startShell(): void {
        this.write("\r\n" + this.prompt());
        this.state = "line";
        this.pump();
    }

    feed(data: string): void {
        this.inbuf += data;
        this.pump();
    }

    /** The client closed its side: pending questions get no answer. */
    onEof(): void {
        this.eof = true;
        if (this.state === "ask") this.answer(null);
    }

    close(): void {
        if (this.state === "closed") return;
        if (this.mode() !== "exec") this.endConfigSession();
        this.flush();
        this.state = "closed";
        this.o.io?.end();
    }

    /**
     * The session left configuration mode (`end`, `exit`, Ctrl-Z, or it closed): the exclusive
     * lock is released, the change is logged as IOS logs it, and charon gets the new configuration.
     */
    private endConfigSession(): void {
        this.o.core.safety.release(this.line);
        if (this.line.tty !== 0)
            this.o.core.syslog.add(`%SYS-5-CONFIG_I: Configured from console by ${this.line.username} on ${this.line.name}${this.line.remote ? ` (${this.line.remote})` : ""}`);
        this.o.core.configChanged();
    }

    /** The SSH channel or connection is gone: the session ends without writing anything. */
    hangUp(): void {
        if (this.state === "closed") return;
        if (this.mode() !== "exec") this.endConfigSession();
        this.state = "closed";
    }

    /** An asynchronous message on the terminal (IOS prints it between prompts); the typed line is shown again. */
    notify(text: string): void {
        if (!this.o.interactive || this.state === "closed") return;
        this.write(`\r\n${text}\r\n`);
        if (this.state === "line") this.write(this.prompt() + this.typed);
    }

    ask(prompt: string, echo: boolean): Promise<string | null> {
        this.write(prompt.replace(/\n/g, "\r\n"));
        if (this.eof && !this.inbuf) return Promise.resolve(null);
        return new Promise<string | null>((resolve, reject) => {
            this.askResolve = resolve;
            this.askReject = reject;
            this.askEcho = echo && this.o.interactive;
            this.typed = "";
            this.state = "ask";
            setImmediate(() => this.pump());
        }).then(async (answer) => {
            // An answer to a question is a line like any other: it waits the injected latency too.
            const latency = this.o.faults().latencyMs;
            if (answer !== null && latency) await new Promise((r) => setTimeout(r, latency));
            return answer;
        });
    }

    private answer(v: string | null): void {
        const r = this.askResolve;
        this.askResolve = undefined;
        this.askReject = undefined;
        this.state = "busy";
        r?.(v);
    }

    /** Ctrl-C at a question abandons the command. */
    private abortQuestion(): void {
        const r = this.askReject;
        this.askResolve = undefined;
        this.askReject = undefined;
        this.state = "busy";
        r?.(new CliAborted());
    }

    private pump(): void {
        while (this.inbuf.length && (this.state === "line" || this.state === "ask" || this.state === "more")) {
            const ch = this.inbuf[0];
            this.inbuf = this.inbuf.slice(1);
            const afterCR = this.lastCR;
            this.lastCR = ch === "\r";
            if (ch === "\n" && afterCR) continue;
            if (this.state === "more") {
                this.moreKey(ch);
                continue;
            }
            const echo = this.state === "ask" ? this.askEcho : this.o.interactive;
            if (ch === "\r" || ch === "\n") {
                if (echo || this.state === "ask") this.write("\r\n");
                const l = this.typed;
                this.typed = "";
                if (this.state === "ask") this.answer(l);
                else this.submit(l);
            } else if (ch === "\x7f" || ch === "\b") {
                if (this.typed) {
                    this.typed = this.typed.slice(0, -1);
                    if (echo) this.write("\b \b");
                }
            } else if (ch === "\x03" && this.state === "ask") {
                this.typed = "";
                this.write("\r\n");
                this.abortQuestion();
            } else if ((ch === "\x1a" || ch === "\x03") && this.state === "line") {
                this.typed = "";
                if (this.mode() !== "exec") {
                    this.frames.splice(1);
                    this.endConfigSession();
                }
                this.write("\r\n" + this.prompt());
            } else if (ch === "?" && this.state === "line") {
                this.showHelp();
            } else if (ch === "\x1b") {
                // Arrow keys and other escape sequences: not modelled, swallowed.
                const m = /^\[?[0-9;]*[A-Za-z~]?/.exec(this.inbuf);
                if (m) this.inbuf = this.inbuf.slice(m[0].length);
            } else if (ch === "\t") {
                // Tab completion is not modelled.
            } else if (ch >= " ") {
                this.typed += ch;
                if (echo) this.write(ch);
            }
        }
    }

    /** `?` on a line prints help at once; the line stays, unless Enter follows right away. */
    private showHelp(): void {
        const out = this.helpFor(this.typed + "?");
        this.write("?\r\n" + out.map((l) => l + "\r\n").join("") + "\r\n");
        if (/^[\r\n]/.test(this.inbuf)) {
            this.inbuf = this.inbuf.replace(/^\r?\n?/, "");
            this.typed = "";
            this.lastCR = false;
        }
        this.write(this.prompt() + this.typed);
    }

    private helpFor(line: string): string[] {
        const mode = this.mode();
        let l = line;
        let root = GRAMMARS[mode];
        let priv = this.priv;
        const doM = /^\s*do\s+(.*)$/.exec(line);
        if (mode !== "exec" && doM) {
            root = GRAMMARS.exec;
            l = doM[1];
            priv = 15;
        }
        return help(root, l, priv);
    }

    private submit(l: string): void {
        this.state = "busy";
        this.runLine(l, this.o.interactive ? this.prompt().length : 0)
            .catch((e) => this.o.log?.(`internal error: ${(e as Error).message}`))
            .then(() => {
                if (this.state === "closed") return;
                this.write(this.prompt());
                this.state = "line";
                this.pump();
            });
    }

    /** Exec channel: one command, then the channel closes. */
    async runExecCommand(cmd: string): Promise<void> {
        await this.runLine(cmd, 0, true);
        this.close();
    }

    private async runLine(l: string, caretBase: number, echoLine = false): Promise<void> {
        const f = this.o.faults();
        this.o.lineCounter.n++;
        this.o.line.lastActivity = Date.now();
        if (f.dropAfterLines !== undefined && this.o.lineCounter.n > f.dropAfterLines) {
            this.o.log?.(`${this.o.username}: dropping the connection after ${f.dropAfterLines} lines (fault injection)`);
            this.state = "closed";
            this.o.io?.drop();
            return;
        }
        if (f.latencyMs) await new Promise((r) => setTimeout(r, f.latencyMs));
        if (l.trim()) this.o.log?.(`${this.o.username}@${this.prompt()} ${redact(l)}`);
        this.caretBase = caretBase;
        this.currentLine = l;
        const echoedCaret = echoLine ? `${l}\n` : "";
        const wasConfig = this.mode() !== "exec";
        const out = await this.execute(l, echoedCaret);
        if (wasConfig && this.mode() === "exec") this.endConfigSession();
        if (out) await this.output(out);
    }

    /** One line in the current mode; returns what the router prints (with "\n" line ends). */
    private async execute(l: string, echoedCaret = ""): Promise<string> {
        const t = l.trim();
        if (!t || t.startsWith("!")) return "";
        if (t.endsWith("?")) return this.helpFor(l).join("\n") + "\n";
        if (this.mode() === "exec") return this.runExec(l, echoedCaret);
        const rejects = this.o.faults().rejectCommands ?? [];
        if (rejects.some((re) => { re.lastIndex = 0; return re.test(t); })) return this.caret(l.indexOf(t[0]), echoedCaret);
        return this.runConfig(l, echoedCaret);
    }

    private caret(pos: number, echoed = ""): string {
        return `${echoed}${" ".repeat(this.caretBase + pos)}^\n${INVALID}\n`;
    }

    /** `do` and exec lines: privileged or user EXEC, with output filters. */
    async exec(l: string): Promise<string> {
        const outerIdx = this.currentLine.lastIndexOf(l);
        const saved = this.caretBase;
        if (this.mode() !== "exec" && outerIdx >= 0) this.caretBase += outerIdx;
        try {
            return await this.runExec(l, "", this.mode() !== "exec");
        } finally {
            this.caretBase = saved;
        }
    }

    private async runExec(l: string, echoed: string, fromConfig = false): Promise<string> {
        const priv = fromConfig ? 15 : this.priv;
        const root = GRAMMARS.exec;
        const pipe = l.indexOf("|");
        const cmd = pipe >= 0 ? l.slice(0, pipe) : l;
        const r = match(root, cmd, priv);
        if (!r.ok) {
            const toks = tokenize(cmd);
            const firstWordUnknown = toks.length > 0 && r.error === "invalid" && r.pos < toks[0].pos + toks[0].text.length;
            // A word that is a command at some privilege gets the caret; any other is taken for a host name.
            if (firstWordUnknown && pipe < 0 && isInvalid(match(root, toks[0].text, 15)))
                return "% Unknown command or computer name, or unable to find computer address\n";
            if (r.error === "incomplete" && pipe >= 0) return this.caret(pipe, echoed);
            return this.errorText(r, echoed);
        }
        let filter: ((text: string) => string) | undefined;
        if (pipe >= 0) {
            const f = parseFilter(l, pipe);
            if ("pos" in f) return this.caret(f.pos, echoed);
            filter = f.apply;
        }
        const before = this.frames.length;
        const out = await this.invoke(r.run, r.args, r.negated, echoed, cmd);
        if (fromConfig && this.frames.length > before) this.frames.splice(before);
        return filter ? filter(out) : out;
    }

    private async runConfig(l: string, echoed: string): Promise<string> {
        // While another line holds the exclusive lock, configuration lines are refused; leaving is not.
        const refused = this.o.core.safety.refusal(this.line);
        if (refused && !/^\s*(en|end|ex|exi|exit|do)(\s|$)/i.test(l)) return refused + "\n";
        const first = match(GRAMMARS[this.mode()], l, 15);
        if (first.ok) return this.invoke(first.run, first.args, first.negated, echoed, l);
        if (first.error === "empty") return "";
        // IOS tries a line the sub-mode does not know in the enclosing modes, and leaves the sub-mode.
        for (let depth = this.frames.length - 2; depth >= 1; depth--) {
            const r = match(GRAMMARS[this.frames[depth].mode], l, 15);
            if (r.ok) {
                this.frames.splice(depth + 1);
                return this.invoke(r.run, r.args, r.negated, echoed, l);
            }
        }
        return this.errorText(first, echoed);
    }

    private errorText(r: { ok: false; error: string; pos?: number; text?: string }, echoed: string): string {
        if (r.error === "invalid") return this.caret(r.pos!, echoed);
        if (r.error === "incomplete") return "% Incomplete command.\n\n";
        if (r.error === "ambiguous") return `% Ambiguous command: "${r.text}"\n`;
        return "";
    }

    private async invoke(run: NonNullable<Node<Ctx>["run"]>, args: string[], negated: boolean, echoed: string, l: string): Promise<string> {
        try {
            const out = await run(this.ctx, args, negated);
            return out ? out + "\n" : "";
        } catch (e) {
            if (e instanceof CliAborted) return "";
            if (!(e instanceof CliInvalid)) throw e;
            const toks = tokenize(l);
            const tok = e.at === "first" ? toks[0] : toks[toks.length - 1];
            const pos = e.at === "first" && toks[0]?.text.toLowerCase() === "no" ? toks[1].pos : tok.pos;
            return this.caret(pos, echoed);
        }
    }

    /** Writes output, paging it with --More-- on an interactive terminal. */
    private output(text: string): Promise<void> {
        const lines = text.replace(/\n$/, "").split("\n");
        const page = this.termLength - 1;
        if (!this.o.interactive || this.termLength === 0 || lines.length <= page) {
            this.write(lines.map((x) => x + "\r\n").join(""));
            return Promise.resolve();
        }
        this.write(lines.slice(0, page).map((x) => x + "\r\n").join("") + MORE);
        return new Promise((done) => {
            this.more = { lines: lines.slice(page), done };
            this.state = "more";
            this.pump();
        });
    }

    private moreKey(ch: string): void {
        const m = this.more!;
        this.write(ERASE_MORE);
        let n = 0;
        if (ch === " ") n = Math.max(1, this.termLength - 1);
        else if (ch === "\r" || ch === "\n") n = 1;
        const show = m.lines.splice(0, n);
        this.write(show.map((x) => x + "\r\n").join(""));
        if (n === 0 || m.lines.length === 0) {
            this.more = undefined;
            this.state = "busy";
            m.done();
        } else this.write(MORE);
    }

    /** Applies configuration text (startup-config, copy start run) without output. */
    runScript(text: string): void {
        this.frames = [{ mode: "exec" }, { mode: "config" }];
        this.priv = 15;
        for (const raw of text.split(/\r?\n/)) {
            const t = raw.trim();
            if (!t || t.startsWith("!") || /^Building configuration/.test(t) || /^Current configuration/.test(t) || /^Using \d+ out of/.test(t)) continue;
            if (t === "end") break;
            const cur = match(GRAMMARS[this.mode()], t, 15);
            let r = cur;
            if (!r.ok)
                for (let depth = this.frames.length - 2; depth >= 1; depth--) {
                    const p = match(GRAMMARS[this.frames[depth].mode], t, 15);
                    if (p.ok) {
                        this.frames.splice(depth + 1);
                        r = p;
                        break;
                    }
                }
            if (!r.ok) {
                this.o.log?.(`config line not applied: ${redact(t)}`);
                continue;
            }
            try {
                const res = r.run(this.ctx, r.args, r.negated);
                if (res instanceof Promise) throw new Error("asynchronous command in configuration text");
            } catch (e) {
                this.o.log?.(`config line not applied: ${redact(t)} (${(e as Error).message})`);
            }
        }
    }
}

function isInvalid(r: { ok: boolean; error?: string }): boolean {
    return !r.ok && r.error === "invalid";
}

const FILTERS = ["begin", "count", "exclude", "include", "section"];

/** Parses `| include REGEX` and friends; the position of the error if it does not parse. */
function parseFilter(l: string, pipe: number): { apply: (text: string) => string } | { pos: number } {
    const rest = l.slice(pipe + 1);
    const m = /^(\s*)(\S+)(\s+(.*))?$/.exec(rest);
    if (!m) return { pos: l.length };
    const wordPos = pipe + 1 + m[1].length;
    const w = m[2].toLowerCase();
    const cands = FILTERS.filter((f) => f.startsWith(w));
    if (cands.length !== 1) return { pos: wordPos };
    const kind = cands[0];
    const expr = (m[4] ?? "").trim();
    if (!expr && kind !== "count") return { pos: l.length };
    let re: RegExp;
    try {
        re = new RegExp(kind === "section" ? expr.replace(/^include\s+/, "") : expr);
    } catch {
        return { pos: wordPos + m[2].length + 1 };
    }
    const apply = (text: string): string => {
        const lines = text.replace(/\n$/, "").split("\n");
        let out: string[];
        if (kind === "include") out = lines.filter((x) => re.test(x));
        else if (kind === "exclude") out = lines.filter((x) => !re.test(x));
        else if (kind === "begin") {
            const i = lines.findIndex((x) => re.test(x));
            out = i < 0 ? [] : lines.slice(i);
        } else if (kind === "count") return `Number of lines which match regexp = ${lines.filter((x) => !expr || re.test(x)).length}\n`;
        else {
            out = [];
            let block: string[] = [];
            const flush = () => {
                if (block.length && block.some((x) => re.test(x))) out.push(...block);
                block = [];
            };
            for (const x of lines) {
                if (!x.startsWith(" ")) flush();
                block.push(x);
            }
            flush();
        }
        return out.length ? out.join("\n") + "\n" : "";
    };
    return { apply };
}
