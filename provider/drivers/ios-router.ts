/**
 * One IOS router as this provider process drives it. Every read and every change of every resource
 * on it goes through here, under the per-device lock of the SSH pool.
 *
 * A change runs in one configuration session:
 * 1. into configuration mode under the router's safety net (ios-safety-net.ts): a revert timer and
 *    the exclusive lock when the router has them;
 * 2. `do show running-config`: what each object holds before (inside the lock, so nobody changes it
 *    between this read and the lines);
 * 3. each object's lines (plan.ts), as one group per object: a line IOS refuses ends that object's
 *    group only;
 * 4. `do show running-config` again: each object must now be exactly as intended (read-back);
 * 5. the objects that are not (a refused line, a read-back that differs) are restored to what they
 *    were, and read back once more;
 * 6. `end`, then `configure confirm` when every object is either as intended or as before; when a
 *    restore failed, `configure revert now`: the router returns to the configuration archived when
 *    the session began, which is exactly "as before" for every object;
 * 7. `write memory` once something changed.
 * When the session dies on the way, a new one reverts the session through the router when a timer
 * is pending, reads what the device holds, and restores each object that is neither as intended
 * nor as before. Each object ends exactly as intended or exactly as before; its error says which.
 *
 * Device work grows with the deployment's dependency waves, not with its objects: the Pulumi engine
 * sends every object of a wave at once (they do not depend on each other), and the objects of the
 * next wave only once the changes they depend on have finished. So the router gathers what arrives
 * together (until nothing new came for GATHER_QUIET_MS) and serves it as one batch: all the batch's
 * changes in one configuration session (two whole-configuration reads, one save, one revert timer),
 * all its reads from one `show running-config` (reused by the reads of the next 10 s, unless this
 * process changed something: a refresh reads each router once). One SSH login per device (the pool), and one CLI
 * shell, reused by every batch while the connection lives.
 */
import { Client } from "ssh2";
import { ConfigNode, parseConfigTree } from "../ios/config-tree";
import { maskLine, redact } from "../masking";
import { IosConnection } from "../schema/device";
import { deviceLabel } from "../device-label";
import { DeviceError } from "../ssh/errors";
import { IosCliSession } from "../ssh/ios-session";
import { SshPool } from "../ssh/pool";
import { ApplyError, DeviceTarget, RollbackAttempt, RollbackOutcome } from "./driver";
import { RouterSafetyNet, SessionGuard } from "./ios-safety-net";
import { IntentJournal } from "./journal";
import { notice } from "./notices";

/** One object's change, as the driver of its kind describes it; the router needs no kind of its own. */
export interface ObjectChange {
    /** For messages: `applying crypto ikev2 keyring KR (resource IkeV2Keyring KR) on admin@host`. */
    action: string;
    /** The object's nodes as intended; undefined: the object is to be removed. */
    target: ConfigNode[] | undefined;
    /** The object's nodes in a parsed running-config; undefined when absent. */
    extract(tree: ConfigNode[]): ConfigNode[] | undefined;
    /** True when two sets of the object's nodes mean the same configuration. */
    same(a: ConfigNode[], b: ConfigNode[]): boolean;
    /**
     * The lines that bring the object from one state to another (undefined: absent), planned on
     * `tree`, the running-config `from` was read from (removing an object from a block others share,
     * a keyring peer, leaves the rest of that block).
     */
    plan(from: ConfigNode[] | undefined, to: ConfigNode[] | undefined, tree: ConfigNode[]): string[];
    /** For a removal: lines that remove a shared block the batch left empty, planned on the tree after it. */
    emptied?(tree: ConfigNode[]): string[];
    /** The object's lines for a message, secrets masked. */
    shown(nodes: ConfigNode[] | undefined): string[];
    /** Every secret the change's lines or answers could show, for redaction. */
    secrets: string[];
    /** Called with what the device holds before anything is sent; throws ApplyError to refuse the change. */
    guard?(before: ConfigNode[] | undefined): void;
    /** What the device holds as far as the intent knows it (keys IOS shows only encrypted count as declared). */
    known?(before: ConfigNode[] | undefined): ConfigNode[] | undefined;
    /** Called right before the object's first line is sent. */
    beforeLines?(before: ConfigNode[] | undefined): void;
    /** Called once the object is known to be as intended or as before: whether it is on the device. */
    settled?(present: boolean): void;
}

/** A change that has lines to send, and what became of it. */
interface Planned {
    change: ObjectChange;
    before: ConfigNode[] | undefined;
    lines: string[];
    /** Why it failed (the first thing that went wrong); undefined while it has not. */
    cause?: string;
    outcome?: RollbackAttempt;
    after?: ConfigNode[];
}

type Result = { ok: true; after: ConfigNode[] | undefined } | { ok: false; error: unknown };

/** Work waiting for the router: a read or a change, and the caller's promise. */
type Request =
    | { read: (tree: ConfigNode[]) => ConfigNode[] | undefined; settle: (result: Result) => void }
    | { change: ObjectChange; settle: (result: Result) => void };

/**
 * A batch is served once nothing new has arrived for this long. The engine sends a wave's requests
 * at once, but the dynamic-provider host deserializes each one's provider before it reaches this
 * code, one after the other, so on a loaded machine they arrive tens of milliseconds apart (with
 * 40 ms, a refresh of 27 objects came in 3 batches). A request that misses its batch is served by
 * the next one: one more read and save, nothing worse.
 */
const GATHER_QUIET_MS = 150;
/** Nor does a batch wait longer than this for a steady stream of requests. */
const GATHER_MAX_MS = 2000;
/**
 * Reads within this long of the last `show running-config`, with no change of this process in
 * between, are answered from it: a refresh reads each router once, however its reads arrive. A
 * refresh is a snapshot taken object by object anyway; this one is at most this old.
 */
const READ_REUSE_MS = 10_000;

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The object's lines for a message, or a note that it is absent. */
function shown(lines: string[]): string {
    return lines.length > 0 ? lines.join("\n") : "(object absent)";
}

function holds(change: ObjectChange, nodes: ConfigNode[] | undefined, state: ConfigNode[] | undefined): boolean {
    return state ? nodes !== undefined && change.same(nodes, state) : nodes === undefined;
}

export class IosRouter {
    private static readonly routers = new Map<string, IosRouter>();

    /** The router of a device label, with the settings of the latest resource that targets it. */
    static for(target: DeviceTarget<IosConnection>): IosRouter {
        const label = deviceLabel(target.connection);
        let router = IosRouter.routers.get(label);
        if (!router) {
            router = new IosRouter(label, target);
            IosRouter.routers.set(label, router);
        }
        router.target = target;
        return router;
    }

    private readonly safetyNet: RouterSafetyNet;
    /** Requests not yet taken into a batch. */
    private waiting: Request[] = [];
    private lastArrival = 0;
    private draining = false;
    /** The last configuration read for reads (not for changes, which read inside their session), and when. */
    private lastRead?: { tree: ConfigNode[]; at: number };
    /** The CLI shell reused by every batch, and the SSH connection it runs on. */
    private shell?: { session: IosCliSession; client: Client };

    private constructor(
        readonly device: string,
        private target: DeviceTarget<IosConnection>,
    ) {
        this.safetyNet = new RouterSafetyNet(device, () => this.target.connection);
    }

    private get connection(): IosConnection {
        return this.target.connection;
    }

    /** The object's nodes as the device holds them now; undefined when absent. */
    read(extract: (tree: ConfigNode[]) => ConfigNode[] | undefined): Promise<ConfigNode[] | undefined> {
        return this.enqueue((settle) => ({ read: extract, settle }));
    }

    /** Brings one object to its target; resolves with its nodes afterwards, or rejects with ApplyError. */
    change(change: ObjectChange): Promise<ConfigNode[] | undefined> {
        return this.enqueue((settle) => ({ change, settle }));
    }

    private enqueue(request: (settle: (result: Result) => void) => Request): Promise<ConfigNode[] | undefined> {
        return new Promise((resolve, reject) => {
            this.waiting.push(request((result) => (result.ok ? resolve(result.after) : reject(result.error))));
            this.lastArrival = Date.now();
            if (!this.draining) void this.drain();
        });
    }

    /** Serves the waiting requests, batch after batch, until none is left. */
    private async drain(): Promise<void> {
        this.draining = true;
        try {
            while (this.waiting.length > 0) {
                const started = Date.now();
                for (;;) {
                    const now = Date.now();
                    const wait = Math.min(this.lastArrival + GATHER_QUIET_MS - now, started + GATHER_MAX_MS - now);
                    if (wait <= 0) break;
                    await sleep(wait);
                }
                const batch = this.waiting;
                this.waiting = [];
                await this.serve(batch).catch((error: unknown) => {
                    for (const r of batch) r.settle({ ok: false, error });
                });
            }
        } finally {
            this.draining = false;
        }
    }

    /** One batch: its reads from one `show running-config`, its changes in one configuration session. */
    private async serve(batch: Request[]): Promise<void> {
        const reads = batch.flatMap((r) => ("read" in r ? [r] : []));
        const changes = batch.flatMap((r) => ("change" in r ? [r] : []));
        if (reads.length > 0) {
            try {
                const tree = await this.configForReads();
                for (const r of reads) r.settle({ ok: true, after: r.read(tree) });
            } catch (error) {
                for (const r of reads) r.settle({ ok: false, error });
            }
        }
        if (changes.length > 0) {
            this.lastRead = undefined;
            const results = await this.applyBatch(changes.map((r) => r.change));
            changes.forEach((r, i) => r.settle(results[i]));
        }
    }

    /** running-config for reads: the last one read when recent enough (READ_REUSE_MS), else a new read. */
    private async configForReads(): Promise<ConfigNode[]> {
        const now = Date.now();
        if (this.lastRead && now - this.lastRead.at < READ_REUSE_MS) return this.lastRead.tree;
        const tree = await this.inSession(this.target.secrets, async (session) => parseConfigTree(await session.exec("show running-config")));
        this.lastRead = { tree, at: now };
        return tree;
    }

    /** The changes in one configuration session (see the module comment); one result per change, in order. */
    private async applyBatch(changes: ObjectChange[]): Promise<Result[]> {
        const results: (Result | undefined)[] = changes.map(() => undefined);
        const planned: Planned[] = [];
        const secrets = [...new Set([...this.target.secrets, ...changes.flatMap((c) => c.secrets)])];
        let guard: SessionGuard | undefined;
        let sent = false;
        try {
            await this.inSession(secrets, async (session) => {
                guard = await this.safetyNet.enter(session);
                const tree = parseConfigTree(await session.execInConfig("show running-config"));
                changes.forEach((change, i) => {
                    const before = change.extract(tree);
                    try {
                        change.guard?.(before);
                    } catch (e) {
                        results[i] = { ok: false, error: e };
                        return;
                    }
                    const current = change.known ? change.known(before) : before;
                    const lines = change.plan(current, change.target, tree);
                    if (lines.length === 0 && holds(change, current, change.target)) {
                        change.settled?.(before !== undefined);
                        results[i] = { ok: true, after: before };
                        return;
                    }
                    planned.push({ change, before, lines });
                });
                if (planned.length > 0) {
                    for (const p of planned) p.change.beforeLines?.(p.before);
                    sent = true;
                    const refusals = await session.configureGroups(planned.map((p) => p.lines));
                    const after = parseConfigTree(await session.execInConfig("show running-config"));
                    planned.forEach((p, k) => {
                        const refusal = refusals[k];
                        p.after = p.change.extract(after);
                        p.cause = refusal.ok
                            ? this.readBackMismatch(p.change, p.after)
                            : `IOS refused command ${refusal.index + 1} of ${p.lines.length}, \`${maskLine(refusal.command)}\`: ${redact(refusal.error, secrets)}`;
                    });
                    const failing = planned.filter((p) => p.cause);
                    if (failing.length > 0) await this.restore(session, failing, after, secrets);
                    const emptied = [...new Set(planned.filter((p) => !p.cause).flatMap((p) => p.change.emptied?.(after) ?? []))];
                    if (emptied.length > 0) await session.configureGroups([emptied]);
                }
                await session.endConfig();
                if (guard.timer) await this.finishTimer(session, planned);
                if (planned.some((p) => !p.cause)) await this.save(session);
            });
        } catch (e) {
            if (e instanceof ApplyError) {
                // The router kept this session out (another session's lock or revert timer): nothing was sent.
                changes.forEach((_, i) => (results[i] ??= { ok: false, error: e }));
            } else if (!(e instanceof DeviceError)) {
                throw e;
            } else if (!sent) {
                const message = e.message;
                // A timer this session may have started (the journal marked it first) is cancelled: nothing was changed.
                if (guard?.timer || IntentJournal.shared.hasMark(this.device, "revertTimer")) {
                    await this.inSession(secrets, (session) => this.safetyNet.cancelUnchanged(session)).catch(() => undefined);
                }
                changes.forEach((c, i) => (results[i] ??= { ok: false, error: new ApplyError(`${c.action} failed: ${message}. Nothing was changed.`, { status: "unchanged" }) }));
            } else {
                await this.recoverAfterLoss(planned, guard?.timer ?? false, e.message, secrets);
            }
        }
        for (const p of planned) {
            const i = changes.indexOf(p.change);
            if (!p.cause) {
                p.change.settled?.(p.after !== undefined);
                results[i] = { ok: true, after: p.after };
                continue;
            }
            const outcome: RollbackOutcome = p.outcome ?? { status: "rollback-failed", summary: "ROLLBACK FAILED: the provider could not tell what the device holds; check it by hand." };
            // A rollback that did not finish leaves the object as it is: the journal keeps vouching for it.
            if (outcome.status === "removed" || outcome.status === "restored") p.change.settled?.(p.before !== undefined);
            results[i] = { ok: false, error: new ApplyError(`${p.change.action} failed: ${p.cause}. ${"summary" in outcome ? outcome.summary : ""}`.trim(), outcome) };
        }
        return results.map((r) => r!);
    }

    /**
     * In configuration mode: puts each failing object back to what it was, reads the device once
     * more and sets each one's outcome.
     */
    private async restore(session: IosCliSession, failing: Planned[], now: ConfigNode[], secrets: string[]): Promise<void> {
        const groups = failing.map((p) => p.change.plan(p.change.extract(now), p.before, now));
        const refusals = await session.configureGroups(groups);
        const tree = parseConfigTree(await session.execInConfig("show running-config"));
        failing.forEach((p, k) => {
            const current = p.change.extract(tree);
            const refusal = refusals[k];
            if (!refusal.ok) {
                const deviceState = p.change.shown(current);
                p.outcome = {
                    status: "rollback-failed",
                    summary: `ROLLBACK FAILED: IOS refused \`${maskLine(refusal.command)}\` (${redact(refusal.error, secrets)}); the device is left as:\n${shown(deviceState)}`,
                    deviceState,
                };
            } else if (holds(p.change, current, p.before)) {
                p.outcome = asBefore(p.before);
            } else {
                const deviceState = p.change.shown(current);
                p.outcome = {
                    status: "rollback-incomplete",
                    summary: `ROLLBACK INCOMPLETE: the device now shows:\n${shown(deviceState)}\nexpected:\n${shown(p.change.shown(p.before))}`,
                    deviceState,
                };
            }
        });
    }

    /**
     * After the session's lines, in EXEC with our revert timer pending: confirm when every object is
     * as intended or as before; otherwise let the router revert the whole session, which puts every
     * object back as it was. A timer that ran out first has reverted the session already.
     */
    private async finishTimer(session: IosCliSession, planned: Planned[]): Promise<void> {
        const unclean = planned.some((p) => p.outcome && p.outcome.status !== "restored" && p.outcome.status !== "removed");
        if (!unclean && (await this.safetyNet.confirm(session))) return;
        const reason = unclean
            ? "restoring an object failed, so the router reverted the whole session (configure revert now)"
            : `the revert timer (${this.connection.safetyNet.revertTimerMinutes} min) ran out before the read-back finished, and the router reverted the session. Fix: raise device.safetyNet.revertTimerMinutes`;
        if (unclean) await this.safetyNet.revertNow(session);
        const tree = parseConfigTree(await session.exec("show running-config"));
        for (const p of planned) {
            p.cause ??= reason;
            p.after = p.change.extract(tree);
            p.outcome = holds(p.change, p.after, p.before) ? revertedByRouter(p.before) : incompleteAfterRevert(p);
        }
    }

    /**
     * The session died after lines were sent. In a new session: a pending revert timer of ours is
     * reverted through the router; each object that is now as intended succeeded (the loss came after
     * it was complete), as before failed cleanly, and anything else is restored.
     */
    private async recoverAfterLoss(planned: Planned[], timer: boolean, cause: string, secrets: string[]): Promise<void> {
        try {
            await this.inSession(secrets, async (session) => {
                const reverted = timer && (await this.safetyNet.revertNow(session));
                const tree = parseConfigTree(await session.exec("show running-config"));
                const broken: Planned[] = [];
                for (const p of planned) {
                    p.after = p.change.extract(tree);
                    if (!p.cause && !reverted && holds(p.change, p.after, p.change.target)) continue;
                    p.cause ??= cause;
                    if (holds(p.change, p.after, p.before)) p.outcome = reverted ? revertedByRouter(p.before) : asBefore(p.before);
                    else broken.push(p);
                }
                if (broken.length > 0) {
                    const guard = await this.safetyNet.enter(session);
                    await this.restore(session, broken, parseConfigTree(await session.execInConfig("show running-config")), secrets);
                    await session.endConfig();
                    if (guard.timer) await this.finishTimer(session, broken);
                }
                if (planned.some((p) => !p.cause)) await this.save(session);
            });
        } catch (e) {
            const why = e instanceof Error ? redact(e.message, secrets) : String(e);
            for (const p of planned) {
                // What the device holds cannot be read: no change counts as done.
                p.cause ??= cause;
                if (p.outcome) continue;
                p.outcome = {
                    status: "rollback-failed",
                    summary: `ROLLBACK FAILED: could not restore in a new session either (${why}); ${timer ? "the router reverts the session itself when its revert timer runs out; " : ""}check the device by hand.`,
                };
            }
        }
    }

    private readBackMismatch(change: ObjectChange, after: ConfigNode[] | undefined): string | undefined {
        const target = change.target;
        if (!target) return after ? `it is still in running-config after removal:\n${shown(change.shown(after))}` : undefined;
        if (!after) return "the object is missing from running-config after the change";
        if (change.same(after, target)) return undefined;
        return `read-back differs from the intent.\nDevice shows:\n${shown(change.shown(after))}\nIntended:\n${shown(change.shown(target))}`;
    }

    /**
     * `write memory` after verified changes. The changes are in running-config whatever happens here,
     * so a failed save does not fail them: the journal's `unsaved` mark stays, and the next session on
     * the device (in this deployment or the next one) saves first (savePending).
     */
    private async save(session: IosCliSession): Promise<void> {
        if (!this.connection.saveConfig) return;
        const journal = IntentJournal.shared;
        journal.mark(this.device, "unsaved", true);
        try {
            await session.exec("write memory");
        } catch (e) {
            if (!(e instanceof DeviceError)) throw e;
            notice(`${this.device}: the change is applied and verified, but saving it failed (${e.message}); the next session on this device saves it`);
            return;
        }
        journal.mark(this.device, "unsaved", false);
        journal.settleAbandoned(this.device, "unsaved");
    }

    /** Saves changes that an earlier session (of this process, or of a deployment that died) left unsaved. */
    private async savePending(session: IosCliSession): Promise<void> {
        const journal = IntentJournal.shared;
        if (!this.connection.saveConfig || !(journal.hasMark(this.device, "unsaved") || journal.abandonedMarks(this.device).unsaved)) return;
        await this.save(session);
    }

    private inSession<T>(secrets: string[], fn: (session: IosCliSession) => Promise<T>): Promise<T> {
        const { connection, credentials } = this.target;
        return SshPool.shared.withDevice(connection, credentials, async (client) => {
            const session = await this.shellOn(client, secrets);
            try {
                await this.safetyNet.revertAbandoned(session);
                await this.savePending(session);
                return await fn(session);
            } catch (e) {
                // A session that failed may be anywhere (a sub-mode, a question): the next work gets a new one.
                if (!(e instanceof ApplyError)) await this.dropShell();
                if (e instanceof DeviceError) throw new DeviceError(e.device, redact(e.message, secrets), e.command && maskLine(e.command));
                throw e;
            }
        });
    }

    /** The reused CLI shell on this connection, or a new one (after a reconnect, a failure, a setting changed). */
    private async shellOn(client: Client, secrets: string[]): Promise<IosCliSession> {
        if (this.shell && (this.shell.client !== client || !this.shell.session.usable)) await this.dropShell();
        if (this.shell) {
            this.shell.session.redactSecrets(secrets);
            return this.shell.session;
        }
        const { connection, credentials } = this.target;
        const session = await IosCliSession.open(client, {
            device: this.device,
            enableSecret: credentials.enableSecret,
            commandTimeoutMs: connection.commandTimeoutMs,
            secrets,
        });
        this.shell = { session, client };
        return session;
    }

    private async dropShell(): Promise<void> {
        const shell = this.shell;
        this.shell = undefined;
        await shell?.session.close().catch(() => undefined);
    }
}

function asBefore(before: ConfigNode[] | undefined): RollbackAttempt {
    return before
        ? { status: "restored", summary: "The previous configuration was restored; nothing else changed." }
        : { status: "removed", summary: "The partial configuration was removed; the device is as before." };
}

function revertedByRouter(before: ConfigNode[] | undefined): RollbackAttempt {
    const back = "The router reverted the session to the configuration it archived when the session began";
    return before
        ? { status: "restored", summary: `${back}: the previous configuration is back; nothing else changed.` }
        : { status: "removed", summary: `${back}: the object is gone again; the device is as before.` };
}

function incompleteAfterRevert(p: Planned): RollbackAttempt {
    const deviceState = p.change.shown(p.after);
    return {
        status: "rollback-incomplete",
        summary: `ROLLBACK INCOMPLETE: after the router's revert the device shows:\n${shown(deviceState)}\nexpected:\n${shown(p.change.shown(p.before))}`,
        deviceState,
    };
}
