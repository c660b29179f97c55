/**
 * The IOS platform driver: reads an object's block from running-config, plans the minimal command
 * lines, applies them in one configuration session under the device lock, reads the block back and
 * compares it with the intent, and restores the previous block on any failure.
 */
import { Credentials, deviceLabel, IosConnection } from "../schema/device";
import { IosKind, IosModels } from "../schema/ios";
import { ConfigNode, parseConfigTree, renderConfigTree } from "../ios/config-tree";
import { iosObjects } from "../ios/objects";
import { planTransition } from "../ios/plan";
import { maskLine, redact } from "../masking";
import { DeviceError } from "../ssh/errors";
import { IosCliSession } from "../ssh/ios-session";
import { SshPool } from "../ssh/pool";
import { ApplyError, ApplyOptions, ObjectState, PlatformDriver } from "./driver";

/** The session died (dropped connection, timeout): the restore needs a fresh one. */
class SessionLost extends Error {
    constructor(readonly before: ConfigNode[] | undefined, readonly cause: string) {
        super(cause);
    }
}

export class IosDriver<K extends IosKind> implements PlatformDriver<IosModels[K]> {
    private readonly device: string;

    constructor(
        private readonly kind: K,
        private readonly connection: IosConnection,
        private readonly credentials: Credentials,
        /** Every secret value that could show up in a command or an answer, for redaction. */
        private readonly secrets: string[],
    ) {
        this.device = deviceLabel(connection);
    }

    private get handler() {
        return iosObjects[this.kind];
    }

    async read(model: IosModels[K]): Promise<ObjectState<IosModels[K]> | undefined> {
        return this.inSession(async (session) => {
            const nodes = await this.currentNodes(session, model);
            return nodes && this.stateOf(nodes);
        });
    }

    async apply(desired: IosModels[K], options: ApplyOptions): Promise<ObjectState<IosModels[K]>> {
        const what = `${this.handler.describe(desired)} (resource ${options.resourceName})`;
        const after = await this.change(desired, this.handler.render(desired), `applying ${what} on ${this.device}`, (before) => {
            if (before && options.creating && !options.adopt) {
                throw new ApplyError(
                    `${what} already exists on ${this.device}; nothing was changed. Fix: choose another name, ` +
                        `remove it from the device, or set adopt: true to take over the existing configuration`,
                );
            }
        });
        return this.stateOf(after!);
    }

    async remove(current: IosModels[K], resourceName: string): Promise<void> {
        const what = `${this.handler.describe(current)} (resource ${resourceName})`;
        await this.change(current, undefined, `removing ${what} from ${this.device}`);
    }

    /**
     * Brings the object from what the device has to `target` (undefined: absent) in one session,
     * reads it back, and on any failure restores what was there (in a new session when the first
     * one died). Returns the object's nodes afterwards.
     */
    private async change(
        model: IosModels[K],
        target: ConfigNode[] | undefined,
        action: string,
        guard?: (before: ConfigNode[] | undefined) => void,
    ): Promise<ConfigNode[] | undefined> {
        try {
            return await this.inSession(async (session) => {
                const before = await this.currentNodes(session, model);
                guard?.(before);
                if (target ? before && this.handler.sameConfig(before, target) : !before) return before;
                const failure = await this.send(session, planTransition(this.kind, before, target), before);
                const after = failure ? undefined : await this.currentNodes(session, model);
                const mismatch = failure ?? this.readBackMismatch(after, target);
                if (mismatch) {
                    const outcome = await this.restore(session, model, before);
                    throw new ApplyError(`${action} failed: ${mismatch}. ${outcome}`);
                }
                await this.save(session);
                return after;
            });
        } catch (e) {
            if (!(e instanceof SessionLost)) throw e;
            const outcome = await this.inSession((session) => this.restore(session, model, e.before)).catch(
                (re: Error) => `Rollback could not connect either (${re.message}): check the device by hand.`,
            );
            throw new ApplyError(`${action} failed: ${e.cause}. ${outcome}`);
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
    private async restore(session: IosCliSession, model: IosModels[K], before: ConfigNode[] | undefined): Promise<string> {
        try {
            const now = await this.currentNodes(session, model);
            const lines = planTransition(this.kind, now, before);
            if (lines.length > 0) {
                const result = await session.configure(lines);
                if (!result.ok) {
                    return `ROLLBACK FAILED: IOS refused \`${maskLine(result.command)}\` (${this.redacted(result.error)}); the device is left as:\n${now ? this.masked(now) : "(object absent)"}`;
                }
            }
            const restored = await this.currentNodes(session, model);
            const ok = before ? !!restored && this.handler.sameConfig(restored, before) : !restored;
            if (!ok) {
                return `ROLLBACK INCOMPLETE: the device now shows:\n${restored ? this.masked(restored) : "(object absent)"}\nexpected:\n${before ? this.masked(before) : "(object absent)"}`;
            }
            return before ? "The previous configuration was restored; nothing else changed." : "The partial configuration was removed; the device is as before.";
        } catch (e) {
            return `ROLLBACK FAILED: ${this.redacted((e as Error).message)}; check the device by hand.`;
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

    private async currentNodes(session: IosCliSession, model: IosModels[K]): Promise<ConfigNode[] | undefined> {
        const text = await session.exec("show running-config");
        return this.handler.extract(parseConfigTree(text), model);
    }

    private stateOf(nodes: ConfigNode[]): ObjectState<IosModels[K]> {
        const parsed = this.handler.parse(nodes);
        return {
            model: parsed.model,
            config: renderConfigTree(nodes).map(maskLine),
            unmanaged: parsed.unknownLines.map(maskLine),
        };
    }

    private masked(nodes: ConfigNode[]): string {
        return renderConfigTree(nodes).map(maskLine).join("\n");
    }

    private redacted(text: string): string {
        return redact(text, this.secrets);
    }

    private inSession<T>(fn: (session: IosCliSession) => Promise<T>): Promise<T> {
        return SshPool.shared.withDevice(this.connection, this.credentials, async (client) => {
            const session = await IosCliSession.open(client, {
                device: this.device,
                enableSecret: this.credentials.enableSecret,
                commandTimeoutMs: this.connection.commandTimeoutMs,
                secrets: this.secrets,
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
