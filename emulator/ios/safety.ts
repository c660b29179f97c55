/**
 * The router's own safety net, as Cisco documents it for IOS-XE 16/17: the configuration archive
 * (`archive` / `path` / `maximum` / `write-memory` / `time-period`, `show archive`, `archive
 * config`), Configuration Rollback Confirmed Change (`configure terminal revert timer`, `configure
 * confirm`, `configure revert`, the revert when the timer expires), the exclusive configuration
 * lock (`configuration mode exclusive`, `configure terminal lock`, `show configuration lock`,
 * `clear configuration lock`) and `configure replace` of a saved file. Messages and their sources:
 * README.md, "Safety net". Files live in the emulated flash, kept in `<stateDir>/flash.json` (0600:
 * archived configurations hold keys).
 */
import * as fs from "fs";
import * as path from "path";
import type { ArchiveSettings } from "./config";
import type { Line } from "./lines";

export interface SafetyNetDeps {
    hostname(): string;
    archive(): ArchiveSettings | undefined;
    exclusive(): "auto" | "manual" | undefined;
    /** The whole running-config (an NVGEN, charged by the cost model). */
    generateConfig(): Promise<string>;
    /** Replaces the running-config with a configuration file's text and hands it to charon. */
    replaceConfig(text: string): void;
    startupText(): string | undefined;
    syslog(message: string): void;
    stateDir?: string;
    /** Multiplies every timer (revert timers, idle timers, lock expiry, archive time-period): tests only. */
    timerScale: number;
}

/** Seconds of inactivity after which IOS releases an exclusive lock (the `expire` default, 600 s). */
const LOCK_EXPIRE_S = 600;
/** `maximum` when not configured. */
const DEFAULT_MAXIMUM = 10;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

export const NOT_ENABLED = " Archive feature not enabled";
export const ARCHIVE_NEEDED = "%Turn config archive on before using Rollback Confirmed Change";
export const NOTHING_PENDING = "%No Rollback Confirmed Change pending";

/** `May--4-13-16-19.360-UTC`: the timestamp IOS-XE puts in archive file names. */
function fileTimestamp(d: Date): string {
    const day = String(d.getUTCDate()).padStart(2, " ").replace(" ", "-");
    const hms = d.toISOString().slice(11, 23).replace(/:/g, "-");
    return `${MONTHS[d.getUTCMonth()]}-${day}-${hms}-UTC`;
}

/** `10:02:03 UTC Mon May 4 2026`, as IOS prints a time of day. */
function clockText(d: Date): string {
    return `${d.toISOString().slice(11, 19)} UTC ${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()} ${d.getUTCFullYear()}`;
}

/** `User: admin(Priv: 15, View: 0)`, as the ARCHIVE_DIFF messages name a user. */
function who(line: Line): string {
    return `User: ${line.username}(Priv: 15, View: 0)`;
}

interface Held {
    line: Line;
    since: number;
    /** The command that took the lock ("User debug info"). */
    reason: string;
}

interface Pending {
    file: string;
    line: Line;
    kind: "absolute" | "idle";
    minutes: number;
    configuredAt: Date;
    timer?: NodeJS.Timeout;
}

interface FlashState {
    files: Record<string, string>;
    /** Archive file names, oldest first. */
    archives: string[];
    /** The number the next archive file gets. */
    nextArchive: number;
}

export class SafetyNet {
    private readonly flash: FlashState;
    private held?: Held;
    private pending?: Pending;
    private periodic?: { minutes: number; timer: NodeJS.Timeout };

    constructor(private readonly deps: SafetyNetDeps) {
        this.flash = this.load() ?? { files: {}, archives: [], nextArchive: 0 };
    }

    // ------------------------------------------------------------------ archive

    private archivePath(): string | undefined {
        const p = this.deps.archive()?.path;
        return p?.replace(/\$h/g, this.deps.hostname());
    }

    private archiveName(stamp: string, n: number): string {
        const p = this.archivePath()!;
        return p.includes("$t") ? `${p.replace(/\$t/g, stamp)}-${n}` : `${p}-${stamp}-${n}`;
    }

    /** `archive config`, a save with `write-memory`, a revert timer: a copy of running-config in the archive. */
    async archiveNow(): Promise<string | undefined> {
        if (!this.archivePath()) return undefined;
        const text = await this.deps.generateConfig();
        const name = this.archiveName(fileTimestamp(new Date()), this.flash.nextArchive);
        this.flash.nextArchive++;
        this.flash.files[name] = text;
        this.flash.archives.push(name);
        // Beyond `maximum` the oldest copies go, but never the one a pending revert returns to.
        const max = Number(this.deps.archive()?.maximum ?? DEFAULT_MAXIMUM);
        const keep = this.pending?.file;
        const limit = keep && this.flash.archives.includes(keep) ? Math.max(max, 2) : max;
        while (this.flash.archives.length > limit) {
            const oldest = this.flash.archives.findIndex((f) => f !== keep);
            const [gone] = this.flash.archives.splice(oldest, 1);
            delete this.flash.files[gone];
        }
        this.save();
        return name;
    }

    showArchive(): string {
        if (!this.archivePath()) return NOT_ENABLED;
        const max = Number(this.deps.archive()?.maximum ?? DEFAULT_MAXIMUM);
        const names = this.flash.archives;
        const rows = Array.from({ length: Math.max(max, names.length) }, (_, i) => {
            const name = names[i] ?? "";
            return `${String(i + 1).padStart(4)}        ${name}${name && i === names.length - 1 ? " <- Most Recent" : ""}`;
        });
        return [
            `The maximum archive configurations allowed is ${max}.`,
            `There are currently ${names.length} archive configurations saved.`,
            `The next archive file will be named ${this.archiveName("<timestamp>", this.flash.nextArchive)}`,
            " Archive #  Name",
            ...rows,
        ].join("\n");
    }

    /** A file by its URL: an archived configuration, or nvram:startup-config. */
    readFile(url: string): string | undefined {
        if (url === "nvram:startup-config" || url === "startup-config") return this.deps.startupText();
        return this.flash.files[url];
    }

    /** Starts, restarts or stops the `time-period` archiving after the archive settings changed. */
    settingsChanged(): void {
        const minutes = this.archivePath() ? Number(this.deps.archive()?.timePeriod ?? 0) : 0;
        if (this.periodic?.minutes === minutes) return;
        if (this.periodic) clearInterval(this.periodic.timer);
        this.periodic = undefined;
        if (!minutes) return;
        const timer = setInterval(() => void this.archiveNow(), this.ms(minutes * 60));
        timer.unref();
        this.periodic = { minutes, timer };
    }

    // ------------------------------------------------------------------ exclusive lock

    private ms(seconds: number): number {
        return seconds * 1000 * this.deps.timerScale;
    }

    /** The holder of the exclusive lock, after releasing a lock whose holder has gone or stayed idle past the expiry. */
    holder(): Held | undefined {
        const h = this.held;
        if (h && (h.line.closed || Date.now() - h.line.lastActivity > this.ms(LOCK_EXPIRE_S))) this.held = undefined;
        return this.held;
    }

    /** IOS's answer to a line that wants to configure while another holds the lock; undefined if it may. */
    refusal(line: Line): string | undefined {
        const h = this.holder();
        if (!h || h.line === line) return undefined;
        return `Configuration mode is locked by process '${h.line.pid}' user '${h.line.username}' from terminal '${h.line.tty}'. Please try later.`;
    }

    /**
     * Entering configuration mode (`configure terminal [lock]`, `configure replace`): refused while
     * another line holds the lock; takes the lock when exclusive mode is `auto`, or when asked to
     * (`lock`) in `manual` mode. Returns the refusal, or whether the lock was taken.
     */
    enter(line: Line, reason: string, lock: boolean): { refused: string } | { locked: boolean } {
        const refused = this.refusal(line);
        if (refused) return { refused };
        const mode = this.deps.exclusive();
        if (mode === "auto" || (mode === "manual" && lock)) {
            if (this.held?.line !== line) this.held = { line, since: Date.now(), reason };
            return { locked: true };
        }
        return { locked: false };
    }

    /** The line left configuration mode or went away: its lock is released. */
    release(line: Line): void {
        if (this.held?.line === line) this.held = undefined;
    }

    showLock(): string {
        const h = this.holder();
        const row = (k: string, v: string | number) => `${k.padEnd(34)}: ${v}`;
        const idle = h ? Math.floor((Date.now() - h.line.lastActivity) / 1000) : 0;
        return [
            "Parser Configure Lock",
            "------------------------------------------------------",
            row("Owner PID", h ? h.line.pid : -1),
            row("User", h ? h.line.username : "unknown"),
            row("TTY", h ? h.line.tty : -1),
            row("Type", h ? "EXCLUSIVE" : "NO LOCK"),
            row("State", h ? "LOCKED" : "FREE"),
            row("Class", h ? "EXPOSED" : "unknown"),
            row("Count", h ? 1 : 0),
            row("Pending Requests", 0),
            `${"User debug info".padEnd(34)}:${h ? ` ${h.reason}` : ""}`,
            row("Session idle state", "TRUE"),
            row("No of exec cmds getting executed", 0),
            row("No of exec cmds blocked", 0),
            row("Config wait for show completion", "FALSE"),
            row("Remote ip address", h?.line.remote ?? "Unknown"),
            row("Lock active time (in Sec)", h ? Math.floor((Date.now() - h.since) / 1000) : 0),
            row("Lock Expiration timer (in Sec)", h ? Math.max(0, LOCK_EXPIRE_S - idle) : 0),
        ].join("\n");
    }

    /** `clear configuration lock` (after its [confirm]): the holder's terminal is told who cleared it. */
    clearLock(by: Line): void {
        const h = this.holder();
        if (!h) return;
        this.held = undefined;
        if (h.line !== by) h.line.notify(`The configuration lock was cleared by user <${by.username}> from terminal <${by.tty}>`);
    }

    // ------------------------------------------------------------------ Rollback Confirmed Change

    /**
     * `configure terminal revert timer [idle] N` / `configure replace ... time N`: archives
     * running-config and schedules its return. Returns IOS's answer; `ok` when the caller may go on.
     */
    async startRevert(line: Line, kind: "absolute" | "idle", minutes: number): Promise<{ ok: boolean; text: string }> {
        if (!this.archivePath()) return { ok: false, text: ARCHIVE_NEEDED };
        if (this.pending) return { ok: false, text: `%Rollback Confirmed Change already in progress, started by user ${this.pending.line.username}` };
        const file = (await this.archiveNow())!;
        this.pending = { file, line, kind, minutes, configuredAt: new Date() };
        this.deps.syslog(`%ARCHIVE_DIFF-5-ROLLBK_CNFMD_CHG_BACKUP: Backing up current running config to ${file}`);
        this.deps.syslog(
            kind === "absolute"
                ? `%ARCHIVE_DIFF-5-ROLLBK_CNFMD_CHG_START_ABSTIMER: ${who(line)}: Scheduled to rollback to config ${file} in ${minutes} minutes`
                : `%ARCHIVE_DIFF-5-ROLLBK_CNFMD_CHG_START_IDLETIMER: ${who(line)}: Scheduled to rollback to config ${file} if session has been idle for ${minutes} minutes`,
        );
        this.schedule();
        return { ok: true, text: `Rollback Confirmed Change: Backing up current running config to ${file}` };
    }

    private schedule(): void {
        const p = this.pending;
        if (!p) return;
        if (p.timer) clearTimeout(p.timer);
        const base = p.kind === "absolute" ? p.configuredAt.getTime() : p.line.lastActivity;
        const due = base + this.ms(p.minutes * 60);
        p.timer = setTimeout(() => {
            // An idle timer counts from the line's last command: if it typed since, wait again.
            if (p.kind === "idle" && p.line.lastActivity + this.ms(p.minutes * 60) > Date.now() + 1) return this.schedule();
            this.rollBack();
        }, Math.max(0, due - Date.now()));
        p.timer.unref();
    }

    /** Only the line that started the timer may confirm, reset or revert it. */
    private ownerCheck(line: Line): string | undefined {
        if (!this.pending) return NOTHING_PENDING;
        if (this.pending.line.username !== line.username)
            return `%Rollback Confirmed Change was started by user ${this.pending.line.username}; only that user can confirm, reset or revert it`;
        return undefined;
    }

    confirm(line: Line): string | undefined {
        const refused = this.ownerCheck(line);
        if (refused) return refused;
        clearTimeout(this.pending!.timer);
        this.pending = undefined;
        this.deps.syslog(`%ARCHIVE_DIFF-5-ROLLBK_CNFMD_CHG_CONFIRM: ${who(line)}: Confirm the configuration change`);
        return undefined;
    }

    /** `configure revert now`. */
    revertNow(line: Line): string | undefined {
        const refused = this.ownerCheck(line);
        if (refused) return refused;
        this.rollBack();
        return undefined;
    }

    /** `configure revert timer [idle] N`: the timer starts again with the new value. */
    resetTimer(line: Line, kind: "absolute" | "idle", minutes: number): string | undefined {
        const refused = this.ownerCheck(line);
        if (refused) return refused;
        const p = this.pending!;
        Object.assign(p, { kind, minutes, configuredAt: new Date() });
        this.deps.syslog(
            `%ARCHIVE_DIFF-5-ROLLBK_CNFMD_CHG_RESET_${kind === "absolute" ? "ABSTIMER" : "IDLETIMER"}: ${who(line)}: Reset Rollback Confirmed Change timer(${kind}) to ${minutes} minutes`,
        );
        this.schedule();
        return undefined;
    }

    /** The timer ran out (or `configure revert now`): running-config returns to the archived one. */
    private rollBack(): void {
        const p = this.pending;
        if (!p) return;
        clearTimeout(p.timer);
        this.pending = undefined;
        this.deps.syslog(`%ARCHIVE_DIFF-5-ROLLBK_CNFMD_CHG_ROLLBACK_START: Start rolling to: ${p.file}`);
        const text = this.flash.files[p.file];
        if (text === undefined) {
            this.deps.syslog(`%ARCHIVE_DIFF-3-ROLLBK_CNFMD_CHG_FAILED: Rollback to ${p.file} failed: file not found`);
            return;
        }
        this.deps.replaceConfig(text);
    }

    /** `show archive config rollback timer`. */
    showRollbackTimer(): string {
        const p = this.pending;
        if (!p) return NOTHING_PENDING;
        return [
            `Time configured(or reset): ${clockText(p.configuredAt)}`,
            `Timer type: ${p.kind}`,
            `Timer value: ${p.minutes} min`,
            `User: ${p.line.username}`,
        ].join("\n");
    }

    stop(): void {
        if (this.pending?.timer) clearTimeout(this.pending.timer);
        if (this.periodic) clearInterval(this.periodic.timer);
    }

    // ------------------------------------------------------------------ the emulated flash

    private file(): string | undefined {
        return this.deps.stateDir && path.join(this.deps.stateDir, "flash.json");
    }

    private load(): FlashState | undefined {
        const f = this.file();
        if (!f || !fs.existsSync(f)) return undefined;
        return JSON.parse(fs.readFileSync(f, "utf8")) as FlashState;
    }

    private save(): void {
        const f = this.file();
        if (!f) return;
        fs.mkdirSync(path.dirname(f), { recursive: true });
        fs.writeFileSync(`${f}.tmp`, JSON.stringify(this.flash), { mode: 0o600 });
        fs.renameSync(`${f}.tmp`, f);
    }
}
