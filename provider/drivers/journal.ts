/**
 * The intent journal: what this provider started on a device and has not yet seen the Pulumi engine
 * record, kept on the machine that runs the deployment, so that the next deployment can tell its own
 * unrecorded work from someone else's.
 *
 * Why it is needed: after `kill -9` of `pulumi up`, the engine keeps the creates that were in flight
 * as pending operations and calls create again in the next `up`. By then the device may hold the
 * object, complete (the create finished but the engine never recorded it) or partial (the session
 * died half-way). Without a record the provider cannot tell that object from one an administrator
 * made by hand, and must refuse it. With the journal it knows: a create it began (and did not see
 * recorded) left that object, so it may finish the job.
 *
 * What is written, and when:
 * - `beginCreate` before the first line of a create is sent (synchronously, fsync'ed), and
 *   `createDone` after the read-back; an entry for an object that is removed again (restored to
 *   absent) is dropped. Entries are keyed by the resource id (`Kind:user@host:name`).
 * - `forget` when the engine shows that it has recorded the object: a read, update or delete comes
 *   with its state. At the normal end of the provider process (the engine's SIGINT, after it has
 *   persisted every finished step) the process drops its finished creates.
 * - Per device: `unsaved` (changes confirmed on the device but not yet saved to startup-config)
 *   and `revertTimer` (a revert timer this process started and has not confirmed or reverted).
 *
 * Where: one file per provider process, `<pid>-<start time>.json` (0600) in a 0700 folder,
 * `$PULUMI_IKEV2_JOURNAL_DIR`, else `$PULUMI_HOME/ikev2-journal`, else `~/.pulumi/ikev2-journal`:
 * beside the Pulumi state of a local backend's user. A file whose process is gone (on this machine)
 * is "abandoned": its entries are evidence for the next deployment. Entries of another project or
 * folder never count as evidence for this one; a file written on another machine (a shared home) is
 * ignored. The journal holds no configuration and no secret: ids, operations and times.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** A create this provider began on a device: `started` until its read-back, then `done`. */
interface CreateEntry {
    state: "started" | "done";
    /** ISO time the create began. */
    at: string;
}

interface DeviceMarks {
    /** ISO time of the first change confirmed on the device but not saved to startup-config. */
    unsaved?: string;
    /** ISO time this process started a revert timer it has not confirmed or reverted. */
    revertTimer?: string;
}

interface JournalFile {
    version: 1;
    pid: number;
    /** The process's start time (clock ticks since boot, /proc/PID/stat field 22): tells a reused pid apart. */
    started: string;
    host: string;
    project: string;
    cwd: string;
    creates: Record<string, CreateEntry>;
    devices: Record<string, DeviceMarks>;
}

/** What abandoned journals (of processes that are gone) say about one device. */
export interface AbandonedMarks {
    /** A process that is gone left changes on the device unsaved. */
    unsaved: boolean;
    /** A process that is gone started a revert timer there and never confirmed or reverted it. */
    revertTimer: boolean;
}

const FILE = /^(\d+)-(\d+)\.json$/;

/** The start time of a process, or undefined when it does not exist (or /proc is not there). */
function processStart(pid: number): string | undefined {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
        return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
    } catch {
        return undefined;
    }
}

function alive(pid: number, started: string): boolean {
    const now = processStart(pid);
    if (now !== undefined) return now === started;
    if (fs.existsSync("/proc/self/stat")) return false;
    try {
        process.kill(pid, 0);
        return true;
    } catch (e) {
        return (e as NodeJS.ErrnoException).code === "EPERM";
    }
}

/** Writes a file atomically and durably: temp file, fsync, rename, fsync of the folder. */
function writeDurably(file: string, text: string): void {
    const tmp = `${file}.tmp`;
    const fd = fs.openSync(tmp, "w", 0o600);
    try {
        fs.writeSync(fd, text);
        fs.fsyncSync(fd);
    } finally {
        fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
    const dir = fs.openSync(path.dirname(file), "r");
    try {
        fs.fsyncSync(dir);
    } finally {
        fs.closeSync(dir);
    }
}

export class IntentJournal {
    /** The journal of this process; its folder follows the environment at each write. */
    static readonly shared = new IntentJournal();

    private readonly pid = process.pid;
    private readonly started = processStart(process.pid) ?? String(Date.now());
    private readonly own: JournalFile;

    private constructor() {
        this.own = {
            version: 1,
            pid: this.pid,
            started: this.started,
            host: os.hostname(),
            project: process.env.PULUMI_PROJECT ?? "",
            cwd: process.cwd(),
            creates: {},
            devices: {},
        };
    }

    /** The journal folder (created 0700 when missing). */
    directory(): string {
        const dir =
            process.env.PULUMI_IKEV2_JOURNAL_DIR ??
            path.join(process.env.PULUMI_HOME ?? path.join(os.homedir(), ".pulumi"), "ikev2-journal");
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        return dir;
    }

    private ownFile(): string {
        return path.join(this.directory(), `${this.pid}-${this.started}.json`);
    }

    private persist(): void {
        const file = this.ownFile();
        if (Object.keys(this.own.creates).length === 0 && Object.keys(this.own.devices).length === 0) {
            fs.rmSync(file, { force: true });
            return;
        }
        writeDurably(file, JSON.stringify(this.own));
    }

    /** Journals of processes on this machine that are gone, with their file names. */
    private abandoned(): Array<{ file: string; journal: JournalFile }> {
        const dir = this.directory();
        const out: Array<{ file: string; journal: JournalFile }> = [];
        for (const name of fs.readdirSync(dir)) {
            const m = FILE.exec(name);
            if (!m || (Number(m[1]) === this.pid && m[2] === this.started)) continue;
            const file = path.join(dir, name);
            let journal: JournalFile;
            try {
                journal = JSON.parse(fs.readFileSync(file, "utf8"));
            } catch {
                continue; // a file being written by its (live) process, or not ours
            }
            if (journal.version !== 1 || journal.host !== os.hostname() || alive(journal.pid, journal.started)) continue;
            out.push({ file, journal });
        }
        return out;
    }

    private sameProject(j: JournalFile): boolean {
        return j.project === this.own.project && j.cwd === this.own.cwd;
    }

    /** Rewrites an abandoned journal after entries were taken from it, or removes it once empty. */
    private rewriteAbandoned(file: string, journal: JournalFile): void {
        if (Object.keys(journal.creates).length === 0 && Object.values(journal.devices).every((d) => !d.unsaved && !d.revertTimer)) {
            fs.rmSync(file, { force: true });
        } else {
            writeDurably(file, JSON.stringify(journal));
        }
    }

    /** Removes what processes of this project that are gone recorded about a create. */
    private dropAbandonedCreate(resourceId: string): void {
        for (const { file, journal } of this.abandoned()) {
            if (!this.sameProject(journal) || !journal.creates[resourceId]) continue;
            delete journal.creates[resourceId];
            this.rewriteAbandoned(file, journal);
        }
    }

    /**
     * True when a process of this project (same Pulumi project and folder) on this machine that is
     * gone began creating the object and the engine has not been seen to record it since: the object
     * on the device is this provider's unrecorded work. The evidence moves to this process.
     * This process's own creates are no evidence: the engine never creates one resource twice in a
     * process, so a second create of the same object is another resource declaring it, and is refused.
     */
    ownsCreate(resourceId: string): boolean {
        let found = false;
        for (const { file, journal } of this.abandoned()) {
            if (!this.sameProject(journal) || !journal.creates[resourceId]) continue;
            found = true;
            delete journal.creates[resourceId];
            this.rewriteAbandoned(file, journal);
        }
        if (found) {
            this.own.creates[resourceId] = { state: "started", at: new Date().toISOString() };
            this.persist();
        }
        return found;
    }

    /**
     * Records, durably, that a create is about to send its first line. The object is absent, so
     * what a process that is gone recorded about it vouches for nothing any more: it goes.
     */
    beginCreate(resourceId: string): void {
        this.own.creates[resourceId] = { state: "started", at: new Date().toISOString() };
        this.persist();
        this.dropAbandonedCreate(resourceId);
    }

    /** The create's read-back matched (or its partial object is gone again: `present` false). */
    createDone(resourceId: string, present: boolean): void {
        const entry = this.own.creates[resourceId];
        if (!entry) return;
        if (present) entry.state = "done";
        else delete this.own.creates[resourceId];
        this.persist();
    }

    /** The engine has the object in its state: no journal needs to vouch for it any more. */
    forget(resourceId: string): void {
        let changed = false;
        if (this.own.creates[resourceId]) {
            delete this.own.creates[resourceId];
            changed = true;
        }
        if (changed) this.persist();
        this.dropAbandonedCreate(resourceId);
    }

    /** Sets or clears a device mark of this process. */
    mark(device: string, mark: keyof DeviceMarks, on: boolean): void {
        const marks = (this.own.devices[device] ??= {});
        if (on === (marks[mark] !== undefined)) return;
        if (on) marks[mark] = new Date().toISOString();
        else delete marks[mark];
        if (!marks.unsaved && !marks.revertTimer) delete this.own.devices[device];
        this.persist();
    }

    /** True when this process has the mark set on the device. */
    hasMark(device: string, mark: keyof DeviceMarks): boolean {
        return this.own.devices[device]?.[mark] !== undefined;
    }

    /** What processes that are gone left on the device. */
    abandonedMarks(device: string): AbandonedMarks {
        const marks: AbandonedMarks = { unsaved: false, revertTimer: false };
        for (const { journal } of this.abandoned()) {
            const d = journal.devices[device];
            if (d?.unsaved) marks.unsaved = true;
            if (d?.revertTimer) marks.revertTimer = true;
        }
        return marks;
    }

    /** Clears the device's marks in abandoned journals once this process has dealt with them. */
    settleAbandoned(device: string, mark: keyof DeviceMarks): void {
        for (const { file, journal } of this.abandoned()) {
            const d = journal.devices[device];
            if (!d?.[mark]) continue;
            delete d[mark];
            if (!d.unsaved && !d.revertTimer) delete journal.devices[device];
            this.rewriteAbandoned(file, journal);
        }
    }

    /**
     * The normal end of the process: the engine has recorded every finished create, so those
     * entries go; what is left (an unsaved device, a create that never finished) stays for the next run.
     */
    finishProcess(): void {
        for (const [id, entry] of Object.entries(this.own.creates)) if (entry.state === "done") delete this.own.creates[id];
        this.persist();
    }
}
