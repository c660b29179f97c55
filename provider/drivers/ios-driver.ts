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
import { ApplyError, ApplyOptions, DeviceTarget, ObjectState, PlatformDriver, RollbackAttempt } from "./driver";

/** The session died (dropped connection, timeout): the restore needs a fresh one. */
class SessionLost extends Error {
    constructor(readonly before: ConfigNode[] | undefined, readonly cause: string) {
        super(cause);
    }
}

type Model<K extends IosKind> = IosModels[K];
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
        const after = await this.change(desired, this.handler.render(desired), `applying ${what} on ${this.device}`, (before) => {
            if (before && options.creating && !options.adopt) {
                throw new ApplyError(
                    `${what} already exists on ${this.device}; nothing was changed. Fix: choose another name, ` +
                        `remove it from the device, or set adopt: true to take over the existing configuration`,
                    { status: "unchanged" },
                );
            }
            // Keys the device shows only encrypted hold the declared ones, unless they changed since the last apply.
            return before && this.handler.withDeclaredKeys(before, desired, options.previous);
        });
        return this.stateOf(after!);
    }

    async remove(current: Model<K>, resourceName: string): Promise<void> {
        const what = `${this.handler.describe(current)} (resource ${resourceName})`;
        await this.change(current, undefined, `removing ${what} from ${this.device}`);
    }

    /**
     * Brings the object from what the device has to `target` (undefined: absent) in one session,
     * reads it back, and on any failure restores what was there (in a new session when the first
     * one died). `known` checks what the device has and returns it as far as the intent knows it
     * (keys shown encrypted). Returns the object's nodes afterwards.
     */
    private async change(
        model: Model<K>,
        target: ConfigNode[] | undefined,
        action: string,
        known?: (before: ConfigNode[] | undefined) => ConfigNode[] | undefined,
    ): Promise<ConfigNode[] | undefined> {
        try {
            return await this.inSession(async (session) => {
                const tree = parseConfigTree(await session.exec("show running-config"));
                const before = this.handler.extract(tree, model);
                const current = known ? known(before) : before;
                // Removing an object from a block others share (a keyring peer) leaves the rest of that block.
                const planned = target ?? this.handler.remainder?.(tree, model);
                const lines = planTransition(this.kind, current, planned);
                if (lines.length === 0 && (target ? current && this.handler.sameConfig(current, target) : !before)) return before;
                const failure = await this.send(session, lines, before);
                const after = failure ? undefined : await this.currentNodes(session, model);
                const mismatch = failure ?? this.readBackMismatch(after, target);
                if (mismatch) {
                    const outcome = await this.restore(session, model, before);
                    throw new ApplyError(`${action} failed: ${mismatch}. ${outcome.summary}`, outcome);
                }
                await this.save(session);
                return after;
            });
        } catch (e) {
            if (!(e instanceof SessionLost)) throw e;
            const outcome = await this.inSession((session) => this.restore(session, model, e.before)).catch(
                (re: Error): RollbackAttempt => ({
                    status: "rollback-failed",
                    summary: `Rollback could not connect either (${re.message}): check the device by hand.`,
                }),
            );
            throw new ApplyError(`${action} failed: ${e.cause}. ${outcome.summary}`, outcome);
        }
    }

    /** Sends the lines; returns why IOS refused one, or throws SessionLost when the session died. */
    private async send(session: IosCliSession, lines: string[], before: ConfigNode[] | undefined): Promise<string | undefined> {
        if (lines.length === 0) return undefined;
        let result;
        try {
            result = await session.configure(lines);
        } catch (e) {
            throw new SessionLost(before, this.redacted((e as Error).message));
        }
        if (result.ok) return undefined;
        return `IOS refused command ${result.index + 1} of ${lines.length}, \`${maskLine(result.command)}\`: ${this.redacted(result.error)}`;
    }

    /** Puts `before` back (or removes the object when it did not exist) and says how that went. */
    private async restore(session: IosCliSession, model: Model<K>, before: ConfigNode[] | undefined): Promise<RollbackAttempt> {
        try {
            const tree = parseConfigTree(await session.exec("show running-config"));
            const now = this.handler.extract(tree, model);
            // An object that did not exist goes, but not the rest of a block others share (a keyring's other peers).
            const lines = planTransition(this.kind, now, before ?? this.handler.remainder?.(tree, model));
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
        } catch (e) {
            return { status: "rollback-failed", summary: `ROLLBACK FAILED: ${this.redacted((e as Error).message)}; check the device by hand.` };
        }
    }

    private readBackMismatch(after: ConfigNode[] | undefined, target: ConfigNode[] | undefined): string | undefined {
        if (!target) return after ? `it is still in running-config after removal:\n${this.masked(after)}` : undefined;
        if (!after) return "the object is missing from running-config after the change";
        if (this.handler.sameConfig(after, target)) return undefined;
        return `read-back differs from the intent.\nDevice shows:\n${this.masked(after)}\nIntended:\n${this.masked(target)}`;
    }

    private async save(session: IosCliSession): Promise<void> {
        if (this.connection.saveConfig) await session.exec("write memory");
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
