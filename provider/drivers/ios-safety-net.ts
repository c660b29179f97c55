/**
 * The router's own safety net around a configuration session, as Cisco documents it for IOS-XE
 * 16/17 and as NAPALM and Ansible use it:
 * - Rollback Confirmed Change: `configure terminal revert timer N` archives running-config and
 *   starts a timer; unless `configure confirm` comes before it runs out, the router itself returns
 *   to the archived configuration. The provider confirms only after the read-back matched, so a
 *   session that dies half-way (the provider killed, the management link lost) is undone by the
 *   router. It needs a configuration archive (`archive` / `path`).
 * - The exclusive configuration lock: `configure terminal lock` (with `configuration mode
 *   exclusive`) keeps every other session out of configuration mode until this one leaves it.
 *
 * What a router cannot do is learned from its answers, once per router and process, and said once
 * (on stderr, which the Pulumi CLI shows) with what to configure; the device settings
 * (`safetyNet`) let the provider configure the archive and exclusive mode itself. A lock or a
 * revert timer held by someone else is waited for, with bounded retries, then named in the error.
 */
import { IosConnection } from "../schema/device";
import { DeviceError } from "../ssh/errors";
import { IosCliSession } from "../ssh/ios-session";
import { ApplyError } from "./driver";
import { IntentJournal } from "./journal";
import { notice } from "./notices";

/** IOS's answers, from Cisco's documentation and parsers (emulator/ios/README.md, "Safety net", lists the sources). */
const ARCHIVE_NEEDED = /Turn config archive on before using Rollback Confirmed Change/;
const TIMER_PENDING = /Rollback Confirmed Change (?:already )?in progress(?:, started by user (\S+))?/;
const NOTHING_PENDING = /No Rollback Confirmed Change pending/;
const LOCKED_BY = /Configuration mode (?:is )?locked (?:exclusively )?by (?:process '(\d+)' user '([^']*)'|user '([^']*)' process '(\d+)') from terminal '([^']*)'/;
const LOCK_TAKEN = /Configuration mode locked exclusively\./;
const INVALID = /% Invalid input|% Incomplete command|% Ambiguous command/;

/** The safety net in force for one configuration session. */
export interface SessionGuard {
    /** A revert timer of this session is pending: confirm it or revert it before the session is done. */
    timer: boolean;
    /** This session holds the exclusive configuration lock until it leaves configuration mode. */
    locked: boolean;
}

/** Why a session could not enter configuration mode yet: someone else's lock or pending revert timer. */
interface Blocked {
    /** Who, in words: `process '231' user 'ops' from terminal '3' holds the configuration lock`. */
    holder: string;
    /** IOS's own sentence. */
    ios: string;
    /** The read that tells more (`show configuration lock`, `show archive config rollback timer`). */
    details: string;
    fix: string;
}

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Pause between attempts while another session is in the way. */
const RETRY_MS = 2000;

export class RouterSafetyNet {
    /** Learned from the router's answers: undefined until known. */
    private archive?: boolean;
    private exclusive?: boolean;
    private readonly warned = new Set<string>();
    /** What the provider configured on the router for the safety net (once each: a router that still refuses is not retried). */
    private readonly configured = new Set<string>();

    constructor(
        private readonly device: string,
        private readonly connection: () => IosConnection,
    ) {}

    private get settings() {
        return this.connection().safetyNet;
    }

    /**
     * Takes the session from privileged EXEC into configuration mode under the revert timer and
     * the lock, as far as the router allows; waits while another session holds the lock or has a
     * revert timer pending. Throws ApplyError (nothing changed) when the wait runs out.
     */
    async enter(session: IosCliSession): Promise<SessionGuard> {
        const deadline = Date.now() + this.settings.lockWaitSeconds * 1000;
        for (;;) {
            const blocked = await this.tryEnter(session);
            if (!("holder" in blocked)) return blocked;
            const remaining = deadline - Date.now();
            if (remaining <= 0) {
                throw new ApplyError(
                    `${this.device}: ${blocked.holder} (IOS: "${blocked.ios}"), and still did after ${this.settings.lockWaitSeconds} s of retries. ` +
                        `Nothing was changed.${blocked.details ? ` The router says:\n${blocked.details}\n` : " "}Fix: ${blocked.fix}, then run pulumi up again; ` +
                        "device.safetyNet.lockWaitSeconds sets how long the provider waits",
                    { status: "unchanged" },
                );
            }
            await sleep(Math.min(RETRY_MS, remaining));
        }
    }

    /** One attempt: the guard when configuration mode was entered, or who is in the way. */
    private async tryEnter(session: IosCliSession): Promise<SessionGuard | Blocked> {
        const journal = IntentJournal.shared;
        let timer = false;
        let locked = false;
        let entered = false;
        if (this.settings.revertTimerMinutes > 0 && this.archive !== false) {
            // Durable before the timer starts: a deployment that dies now leaves a timer the next one knows is its own.
            journal.mark(this.device, "revertTimer", true);
            const command = `configure terminal revert timer ${this.settings.revertTimerMinutes}`;
            const entry = await session.enterConfig(command);
            if (entry.entered) {
                timer = entered = true;
                this.archive = true;
                // IOS runs one revert timer at a time: one that a deployment which died left pending is gone.
                journal.settleAbandoned(this.device, "revertTimer");
                locked = LOCK_TAKEN.test(entry.text);
            } else {
                journal.mark(this.device, "revertTimer", false);
                if (ARCHIVE_NEEDED.test(entry.text)) {
                    if (this.settings.archivePath && !this.configured.has("archive")) {
                        this.configured.add("archive");
                        await this.configureOnce(session, ["archive", `path ${this.settings.archivePath}`, "exit"], "a configuration archive");
                        return this.tryEnter(session);
                    }
                    this.archive = false;
                    this.warn(
                        "archive",
                        "this router has no configuration archive, so changes are applied without a revert timer: if a session dies half-way, the router keeps " +
                            "what arrived until the provider's next run restores it. Fix: configure `archive` / ` path flash:<name>` on the router, or set " +
                            "device.safetyNet.archivePath to let the provider do it, or device.safetyNet.revertTimerMinutes: 0 to apply without the timer and not be told again",
                    );
                } else {
                    const blocked = await this.blockedBy(session, entry.text);
                    if (blocked === "retry") return this.tryEnter(session);
                    if (blocked) return blocked;
                    throw new DeviceError(this.device, `${this.device} did not enter configuration mode on \`${command}\`: ${entry.text.trim() || "no answer"}`, command);
                }
            }
        }
        if (!locked && this.exclusive !== false) {
            // The timer's session did not take the lock (exclusive mode manual, or none): take it now, the timer keeps running.
            if (entered) await session.endConfig();
            const entry = await session.enterConfig("configure terminal lock");
            if (entry.entered) {
                this.exclusive = true;
                return { timer, locked: LOCK_TAKEN.test(entry.text) };
            }
            if (INVALID.test(entry.text)) {
                if (this.settings.configureExclusiveMode && !this.configured.has("exclusive")) {
                    this.configured.add("exclusive");
                    await this.configureOnce(session, ["configuration mode exclusive manual"], "exclusive configuration mode");
                    if (timer) return this.cancelThen(session, () => this.tryEnter(session));
                    return this.tryEnter(session);
                }
                this.exclusive = false;
                this.warn(
                    "exclusive",
                    "this router has no exclusive configuration mode, so other sessions can change the configuration while the provider applies a change " +
                        "(the read-back still catches what differs). Fix: configure `configuration mode exclusive manual` on the router, or set " +
                        "device.safetyNet.configureExclusiveMode: true to let the provider do it",
                );
            } else {
                const blocked = await this.blockedBy(session, entry.text);
                if (blocked === "retry") return this.tryEnter(session);
                if (!blocked) throw new DeviceError(this.device, `${this.device} did not enter configuration mode on \`configure terminal lock\`: ${entry.text.trim() || "no answer"}`, "configure terminal lock");
                // Our timer is pending while someone else holds the lock: cancel it (nothing was changed) and wait.
                if (timer) await this.cancelUnchanged(session);
                return blocked;
            }
            entered = false;
        }
        if (!entered) {
            const entry = await session.enterConfig("configure terminal");
            if (!entry.entered) {
                const blocked = await this.blockedBy(session, entry.text);
                if (blocked === "retry") return this.tryEnter(session);
                if (blocked) {
                    if (timer) await this.cancelUnchanged(session);
                    return blocked;
                }
                throw new DeviceError(this.device, `${this.device} did not enter configuration mode: ${entry.text.trim() || "no answer"}`, "configure terminal");
            }
            locked = LOCK_TAKEN.test(entry.text);
        }
        return { timer, locked };
    }

    /**
     * Who is in the way, from IOS's answer: another session's lock, or a pending revert timer. A
     * timer left by a deployment of this machine that died is reverted at once ("retry"): the
     * router would revert it anyway when it runs out.
     */
    private async blockedBy(session: IosCliSession, text: string): Promise<Blocked | "retry" | undefined> {
        const lock = LOCKED_BY.exec(text);
        if (lock) {
            const [pid, user, tty] = [lock[1] ?? lock[4], lock[2] ?? lock[3], lock[5]];
            return {
                holder: `the configuration is locked by process '${pid}' user '${user}' from terminal '${tty}'`,
                ios: lock[0],
                details: await this.show(session, "show configuration lock"),
                fix: `wait until that session leaves configuration mode, or end it (\`clear configuration lock\` on the router, which ends user ${user}'s configuration session)`,
            };
        }
        const pending = TIMER_PENDING.exec(text);
        if (pending) {
            const user = pending[1];
            const journal = IntentJournal.shared;
            const login = this.connection().username;
            if (user === login && journal.abandonedMarks(this.device).revertTimer) {
                notice(`${this.device}: a revert timer that a deployment of this project which died left pending is reverted now (configure revert now), as the router would when it ran out`);
                await session.ask("configure revert now");
                journal.settleAbandoned(this.device, "revertTimer");
                return "retry";
            }
            return {
                holder: `a Rollback Confirmed Change started by user ${user ?? "(unknown)"} is pending on the router`,
                ios: pending[0],
                details: await this.show(session, "show archive config rollback timer"),
                fix:
                    user === login
                        ? `if no other deployment or session of user ${user} is running, one that died left it: revert it (\`configure revert now\` as ${user}) or wait until the router reverts it`
                        : `wait until user ${user ?? "who started it"} confirms it (\`configure confirm\`) or the router reverts it when its timer runs out`,
            };
        }
        return undefined;
    }

    /**
     * A revert timer that a deployment of this machine which died left pending undoes its session
     * when it runs out: revert it now, from EXEC, before anything reads or saves what it is about to
     * undo (a refresh would record a half-made object, a save would keep it past a reload).
     */
    async revertAbandoned(session: IosCliSession): Promise<void> {
        const journal = IntentJournal.shared;
        if (!journal.abandonedMarks(this.device).revertTimer) return;
        const out = await session.ask("configure revert now");
        if (!NOTHING_PENDING.test(out) && !/started by user/.test(out)) {
            notice(`${this.device}: a revert timer that a deployment of this project which died left pending is reverted now (configure revert now), as the router would when it ran out`);
        }
        // Nothing pending, another user's timer (IOS runs one at a time), or ours reverted: the mark is dealt with.
        journal.settleAbandoned(this.device, "revertTimer");
    }

    /** A partial read for an error message; never fails the apply. */
    private async show(session: IosCliSession, command: string): Promise<string> {
        return session.ask(command).then(
            (out) => out.trim(),
            () => "",
        );
    }

    /** Configures a global setting the device settings allow (the archive, exclusive mode), from EXEC back to EXEC. */
    private async configureOnce(session: IosCliSession, lines: string[], what: string): Promise<void> {
        const result = await session.configure(lines);
        if (!result.ok) {
            throw new ApplyError(
                `${this.device}: configuring ${what} for the safety net failed: IOS refused \`${result.command}\` (${result.error}). Nothing else was changed. ` +
                    `Fix: configure it on the router by hand, or unset the device setting that asks for it`,
                { status: "unchanged" },
            );
        }
        notice(`${this.device}: configured ${what} (${lines.filter((l) => l !== "exit").join(" / ")}), as device.safetyNet allows`);
    }

    /** In configuration mode with our timer pending and nothing changed: leave, cancel the timer, then go on. */
    private async cancelThen<T>(session: IosCliSession, next: () => Promise<T>): Promise<T> {
        await this.cancelUnchanged(session);
        return next();
    }

    /**
     * Nothing was changed in this session: cancel its timer with `configure confirm` (a revert
     * would also undo changes others made since the archive was taken). From EXEC.
     */
    async cancelUnchanged(session: IosCliSession): Promise<void> {
        await session.ask("configure confirm");
        IntentJournal.shared.mark(this.device, "revertTimer", false);
    }

    /**
     * The read-back matched: `configure confirm`, from EXEC. False when no timer was pending any
     * more: it ran out first, and the router has reverted the session.
     */
    async confirm(session: IosCliSession): Promise<boolean> {
        const out = await session.ask("configure confirm");
        IntentJournal.shared.mark(this.device, "revertTimer", false);
        return !NOTHING_PENDING.test(out);
    }

    /** The router returns to the configuration archived when the timer started; false when none was pending. From EXEC. */
    async revertNow(session: IosCliSession): Promise<boolean> {
        const out = await session.ask("configure revert now");
        IntentJournal.shared.mark(this.device, "revertTimer", false);
        return !NOTHING_PENDING.test(out);
    }

    /** Once per router and process: what it cannot do, and what to configure. */
    private warn(what: string, message: string): void {
        if (this.warned.has(what)) return;
        this.warned.add(what);
        notice(`${this.device}: ${message}`);
    }
}
