/**
 * The IOS platform driver: reads an object's block from running-config, plans the minimal command
 * lines, applies them in one configuration session under the device lock, reads the block back and
 * compares it with the intent, and restores the previous block on any failure.
 */
import { deviceLabel, IosConnection } from "../schema/device";
import { IosKind, IosModels } from "../schema/ios";
import { ConfigNode, parseConfigTree, renderConfigTree } from "../ios/config-tree";
import { IosDeviceModels, iosObjects } from "../ios/objects";
import { planTransition } from "../ios/plan";
import { maskLine, redact } from "../masking";
import { DeviceError } from "../ssh/errors";
import { IosCliSession } from "../ssh/ios-session";
import { SshPool } from "../ssh/pool";
import { ApplyError, ApplyOptions, DeviceTarget, existingObjectError, ObjectState, OperationTarget, PlatformDriver, RollbackAttempt } from "./driver";
import { IntentJournal } from "./journal";

type Model<K extends IosKind> = IosModels[K];

/** What apply adds around a change: the create guard and the intent journal. */
interface ChangeHooks {
    /** Called with what the device has before anything is sent; throws to refuse the change. */
    guard?(before: ConfigNode[] | undefined): void;
    /** Returns what the device has as far as the intent knows it (keys shown encrypted). */
    known?(before: ConfigNode[] | undefined): ConfigNode[] | undefined;
    /** Called right before the first line is sent. */
    beforeLines?(before: ConfigNode[] | undefined): void;
    /** Called once the object is known to be as intended or as before: whether it is on the device. */
    settled?(present: boolean): void;
}
type State<K extends IosKind> = ObjectState<IosDeviceModels[K]>;

export class IosDriver<K extends IosKind> implements PlatformDriver<Model<K>, IosDeviceModels[K]> {
    private readonly device: string;
    private readonly connection: IosConnection;

    constructor(
        private readonly kind: K,
        private readonly target: DeviceTarget<IosConnection>,
    ) {
        this.connection = target.connection;
        this.device = deviceLabel(target.connection);
    }

    private get handler() {
        return iosObjects[this.kind];
    }

    async read(model: Model<K>): Promise<State<K> | undefined> {
        return this.inSession(async (session) => {
            const nodes = await this.currentNodes(session, model);
            return nodes && this.stateOf(nodes);
        });
    }

    async apply(desired: Model<K>, options: ApplyOptions<Model<K>>): Promise<State<K>> {
        const what = `${this.handler.describe(desired)} (resource ${options.resourceName})`;
        const target = this.handler.render(desired);
        const journal = IntentJournal.shared;
        const after = await this.change(desired, target, `applying ${what} on ${this.device}`, {
            guard: (before) => {
                if (!before || !options.creating || options.adopt || journal.ownsCreate(options.resourceId)) return;
                const removal = planTransition(this.kind, before, undefined).map(maskLine).join(" / ");
                throw existingObjectError(what, this.device, this.handler.sameConfig(before, target), options, `configure terminal / ${removal} / end`);
            },
            // Before the first line of a create: the journal must vouch for a half-made object after a crash.
            beforeLines: (before) => {
                if (options.creating && !before) journal.beginCreate(options.resourceId);
            },
            // Keys the device shows only encrypted hold the declared ones, unless they changed since the last apply.
            known: (before) => before && this.handler.withDeclaredKeys(before, desired, options.previous),
            settled: (present) => {
                if (options.creating) journal.createDone(options.resourceId, present);
            },
        });
        return this.stateOf(after!);
    }

    async remove(current: Model<K>, target: OperationTarget): Promise<void> {
        const what = `${this.handler.describe(current)} (resource ${target.resourceName})`;
        await this.change(current, undefined, `removing ${what} from ${this.device}`);
    }

    /**
     * Brings the object from what the device has to `target` (undefined: absent) in one session,
     * reads it back, and on any failure restores what was there (in a new session when the first
     * one died). A failure before the first line changed nothing. Returns the object's nodes afterwards.
     */
    private async change(model: Model<K>, target: ConfigNode[] | undefined, action: string, hooks: ChangeHooks = {}): Promise<ConfigNode[] | undefined> {
        let before: ConfigNode[] | undefined;
        let changing = false;
        /** The first thing that went wrong once lines were sent: what the error reports. */
        let cause: string | undefined;
        const fail = (outcome: RollbackAttempt): never => {
            // A rollback that did not finish leaves the object as it is: the journal keeps vouching for it.
            if (outcome.status === "removed" || outcome.status === "restored") hooks.settled?.(before !== undefined);
            throw new ApplyError(`${action} failed: ${cause}. ${outcome.summary}`, outcome);
        };
        try {
            return await this.inSession(async (session) => {
                before = await this.currentNodes(session, model);
                hooks.guard?.(before);
                const current = hooks.known ? hooks.known(before) : before;
                const lines = planTransition(this.kind, current, target);
                if (lines.length === 0 && (target ? current && this.handler.sameConfig(current, target) : !before)) {
                    hooks.settled?.(before !== undefined);
                    return before;
                }
                hooks.beforeLines?.(before);
                changing = true;
                cause = await this.send(session, lines);
                const after = cause ? undefined : await this.currentNodes(session, model);
                cause ??= this.readBackMismatch(after, target);
                if (cause) fail(await this.restore(session, model, before));
                await this.save(session);
                hooks.settled?.(after !== undefined);
                return after;
            });
        } catch (e) {
            if (!(e instanceof DeviceError)) throw e;
            if (!changing) throw new ApplyError(`${action} failed: ${e.message}. Nothing was changed.`, { status: "unchanged" });
            cause ??= e.message;
            // The session died: restore in a new one.
            return fail(
                await this.inSession((session) => this.restore(session, model, before)).catch(
                    (re: Error): RollbackAttempt => ({
                        status: "rollback-failed",
                        summary: `ROLLBACK FAILED: could not restore in a new session either (${this.redacted(re.message)}); check the device by hand.`,
                    }),
                ),
            );
        }
    }

    /** Sends the lines; returns why IOS refused one (a lost session throws DeviceError). */
    private async send(session: IosCliSession, lines: string[]): Promise<string | undefined> {
        if (lines.length === 0) return undefined;
        const result = await session.configure(lines);
        if (result.ok) return undefined;
        return `IOS refused command ${result.index + 1} of ${lines.length}, \`${maskLine(result.command)}\`: ${this.redacted(result.error)}`;
    }

    /**
     * Puts `before` back (or removes the object when it did not exist) and says how that went.
     * A lost session throws DeviceError, so that the caller can try again in a new one.
     */
    private async restore(session: IosCliSession, model: Model<K>, before: ConfigNode[] | undefined): Promise<RollbackAttempt> {
        const now = await this.currentNodes(session, model);
        const lines = planTransition(this.kind, now, before);
        if (lines.length > 0) {
            const result = await session.configure(lines);
            if (!result.ok) {
                const deviceState = this.maskedLines(now);
                return {
                    status: "rollback-failed",
                    summary: `ROLLBACK FAILED: IOS refused \`${maskLine(result.command)}\` (${this.redacted(result.error)}); the device is left as:\n${shown(deviceState)}`,
                    deviceState,
                };
            }
        }
        const restored = await this.currentNodes(session, model);
        const ok = before ? !!restored && this.handler.sameConfig(restored, before) : !restored;
        if (!ok) {
            const deviceState = this.maskedLines(restored);
            return {
                status: "rollback-incomplete",
                summary: `ROLLBACK INCOMPLETE: the device now shows:\n${shown(deviceState)}\nexpected:\n${shown(this.maskedLines(before))}`,
                deviceState,
            };
        }
        return before
            ? { status: "restored", summary: "The previous configuration was restored; nothing else changed." }
            : { status: "removed", summary: "The partial configuration was removed; the device is as before." };
    }

    private readBackMismatch(after: ConfigNode[] | undefined, target: ConfigNode[] | undefined): string | undefined {
        if (!target) return after ? `it is still in running-config after removal:\n${this.masked(after)}` : undefined;
        if (!after) return "the object is missing from running-config after the change";
        if (this.handler.sameConfig(after, target)) return undefined;
        return `read-back differs from the intent.\nDevice shows:\n${this.masked(after)}\nIntended:\n${this.masked(target)}`;
    }

    /**
     * `write memory` after a verified change. The change is in running-config whatever happens here,
     * so a failed save does not fail the change: the journal's `unsaved` mark stays, and the next
     * session on the device (in this deployment or the next one) saves first (savePending).
     */
    private async save(session: IosCliSession): Promise<void> {
        if (!this.connection.saveConfig) return;
        const journal = IntentJournal.shared;
        journal.mark(this.device, "unsaved", true);
        try {
            await session.exec("write memory");
        } catch (e) {
            if (!(e instanceof DeviceError)) throw e;
            process.stderr.write(`pulumi-ikev2: ${this.device}: the change is applied and verified, but saving it failed (${e.message}); the next session on this device saves it\n`);
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

    private async currentNodes(session: IosCliSession, model: Model<K>): Promise<ConfigNode[] | undefined> {
        const text = await session.exec("show running-config");
        return this.handler.extract(parseConfigTree(text), model);
    }

    private stateOf(nodes: ConfigNode[]): State<K> {
        const parsed = this.handler.parse(nodes);
        return {
            model: parsed.model,
            config: this.maskedLines(nodes),
            unmanaged: parsed.unknownLines.map(maskLine),
        };
    }

    /** The object's lines as the device shows them, secrets masked; empty when the object is absent. */
    private maskedLines(nodes: ConfigNode[] | undefined): string[] {
        return nodes ? renderConfigTree(nodes).map(maskLine) : [];
    }

    private masked(nodes: ConfigNode[]): string {
        return shown(this.maskedLines(nodes));
    }

    private redacted(text: string): string {
        return redact(text, this.target.secrets);
    }

    private inSession<T>(fn: (session: IosCliSession) => Promise<T>): Promise<T> {
        const { credentials, secrets } = this.target;
        return SshPool.shared.withDevice(this.connection, credentials, async (client) => {
            const session = await IosCliSession.open(client, {
                device: this.device,
                enableSecret: credentials.enableSecret,
                commandTimeoutMs: this.connection.commandTimeoutMs,
                secrets,
            });
            try {
                await this.savePending(session);
                return await fn(session);
            } catch (e) {
                if (e instanceof DeviceError) throw new DeviceError(e.device, this.redacted(e.message), e.command && maskLine(e.command));
                throw e;
            } finally {
                await session.close().catch(() => undefined);
            }
        });
    }
}

/** Lines for a message: the object's block, or a note that it is absent. */
function shown(lines: string[]): string {
    return lines.length > 0 ? lines.join("\n") : "(object absent)";
}
