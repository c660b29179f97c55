/**
 * The strongSwan platform driver: one file per connection in `<swanctlDir>/conf.d`, written
 * atomically with mode 0600, loaded with `swanctl --load-all` and checked against what charon then
 * has loaded. On failure the previous file is put back and loaded again.
 */
import * as path from "path";
import { maskLine } from "../masking";
import { StrongSwanConnectionModel } from "../schema/strongswan";
import { ConnectionFileModel, connectionFileName, parseConnectionFile, renderConnectionFile } from "../strongswan/swanctl-conf";
import { parseListConnsRaw } from "../strongswan/swanctl-output";
import { DeviceError } from "../ssh/errors";
import { HostSession } from "../ssh/host-session";
import { ApplyError, ApplyOptions, existingObjectError, ObjectState, OperationTarget, PlatformDriver, RollbackAttempt } from "./driver";
import { IntentJournal } from "./journal";
import { HostDriver } from "./host-driver";

export interface StrongSwanState extends ObjectState<ConnectionFileModel> {
    /** Whether charon has the connection loaded. */
    loaded: boolean;
    /** The connection's file on the host. */
    file: string;
}

/** A connection's file and whether charon had the connection loaded, before a change. */
interface Before {
    text?: string;
    loaded: boolean;
}

/** What a change of a connection's file is told, and the step that makes it. */
interface FileChangeHooks {
    /** Refuses (throws), returns nothing to do (undefined), or the step; the step returns why loading failed. */
    plan(found: Before): ((host: HostSession) => Promise<string | undefined>) | undefined;
    settled?(present: boolean): void;
}

/** The file's text with the secret masked, as lines (for outputs and messages). */
function maskedLines(text: string): string[] {
    return text.split("\n").filter((l) => l.trim() !== "").map(maskLine);
}

export class StrongSwanDriver extends HostDriver implements PlatformDriver<StrongSwanConnectionModel, ConnectionFileModel, StrongSwanState> {
    private fileOf(name: string): string {
        return path.posix.join(this.connection.swanctlDir, "conf.d", connectionFileName(name));
    }

    async read(model: StrongSwanConnectionModel): Promise<StrongSwanState | undefined> {
        return this.inSession(async (host) => {
            const file = this.fileOf(model.name);
            const text = await host.readFile(file);
            if (text === undefined) return undefined;
            const parsed = parseConnectionFile(text, model.name);
            if (!parsed) return undefined;
            return {
                model: parsed.model,
                config: maskedLines(text),
                unmanaged: parsed.unknownKeys,
                loaded: (await this.loadedConnections(host)).includes(model.name),
                file,
            };
        });
    }

    async apply(desired: StrongSwanConnectionModel, options: ApplyOptions<StrongSwanConnectionModel>): Promise<StrongSwanState> {
        const file = this.fileOf(desired.name);
        const what = `connection ${desired.name} (resource ${options.resourceName}, file ${file})`;
        const text = renderConnectionFile(desired);
        const journal = IntentJournal.shared;
        await this.change(`applying ${what} on ${this.device}`, file, desired.name, {
            plan: ({ text: before, loaded }) => {
                if (options.creating && !options.adopt) {
                    if (before !== undefined && !journal.ownsCreate(options.resourceId)) {
                        throw existingObjectError(what, this.device, before === text, options, `rm ${file} && swanctl --load-all`);
                    }
                    if (before === undefined && loaded) {
                        throw new ApplyError(
                            `a connection named ${desired.name} is already loaded on ${this.device} from another file; swanctl would merge both definitions. ` +
                                `Fix: choose another name or remove the other definition`,
                            { status: "unchanged" },
                        );
                    }
                }
                if (before === text && loaded) return undefined;
                // Before the file is written: the journal must vouch for it if the deployment dies now.
                if (options.creating && before === undefined) journal.beginCreate(options.resourceId);
                return async (host) => {
                    await host.writeFileAtomic(file, text, 0o600);
                    return this.loadAll(host, desired.name, true);
                };
            },
            settled: (present) => {
                if (options.creating) journal.createDone(options.resourceId, present);
            },
        });
        return this.stateOf(desired.name, text, true, file);
    }

    async remove(current: StrongSwanConnectionModel, target: OperationTarget): Promise<void> {
        const file = this.fileOf(current.name);
        await this.change(`removing connection ${current.name} (resource ${target.resourceName}) from ${this.device}`, file, current.name, {
            plan: ({ text: before }) => async (host) => {
                if (before !== undefined) await host.removeFile(file);
                const failure = await this.loadAll(host, current.name, false);
                // Unloading a connection leaves SAs started by hand or by start_action=start: close them.
                if (!failure) await this.swanctl(host, ["--terminate", "--ike", current.name, "--timeout", "10"]);
                return failure;
            },
        });
    }

    /**
     * One change of a connection's file in one session: reads the file and whether charon has the
     * connection, lets `hooks.plan` refuse or return the step (which returns why loading failed, if
     * it did), and restores the file on any failure: in the same session after a refused load, in a
     * new one when the session died. A failure before the step changed nothing. `hooks.settled`
     * learns whether the file is on the host, once it is as intended or as before.
     */
    private async change(action: string, file: string, name: string, hooks: FileChangeHooks): Promise<void> {
        let before: Before | undefined;
        /** The first thing that went wrong once the file was touched: what the error reports. */
        let cause: string | undefined;
        const fail = (outcome: RollbackAttempt): never => {
            if (outcome.status === "removed" || outcome.status === "restored") hooks.settled?.(before?.text !== undefined);
            throw new ApplyError(`${action} failed: ${cause}. ${outcome.summary}`, outcome);
        };
        try {
            await this.inSession(async (host) => {
                const found: Before = { text: await host.readFile(file), loaded: (await this.loadedConnections(host)).includes(name) };
                const step = hooks.plan(found);
                if (!step) return;
                before = found;
                cause = await step(host);
                if (cause) fail(await this.restore(host, file, name, found));
            });
        } catch (e) {
            if (!(e instanceof DeviceError)) throw e;
            if (!before) throw new ApplyError(`${action} failed: ${e.message}. Nothing was changed.`, { status: "unchanged" });
            cause ??= e.message;
            const previous = before;
            // The session died: restore in a new one.
            fail(
                await this.inSession((host) => this.restore(host, file, name, previous)).catch(
                    (re: Error): RollbackAttempt => ({
                        status: "rollback-failed",
                        summary: `ROLLBACK FAILED: could not restore in a new session either (${this.redacted(re.message)}); check ${file} by hand.`,
                    }),
                ),
            );
        }
        hooks.settled?.(true);
    }

    /**
     * Runs `swanctl --load-all` after the file changed; returns why that failed (any error included,
     * so that the caller restores the file), or undefined when `name` is (not) loaded as wanted.
     */
    private async loadAll(host: HostSession, name: string, shouldBeLoaded: boolean): Promise<string | undefined> {
        try {
            return await this.checkLoaded(host, name, shouldBeLoaded);
        } catch (e) {
            return (e as Error).message;
        }
    }

    private async checkLoaded(host: HostSession, name: string, shouldBeLoaded: boolean): Promise<string | undefined> {
        const { failure, output } = await this.runLoadAll(host);
        if (failure) return failure;
        const loaded = (await this.loadedConnections(host)).includes(name);
        if (loaded !== shouldBeLoaded) {
            return shouldBeLoaded
                ? `charon did not load connection ${name} (swanctl said: ${this.redacted(output)})`
                : `charon still has connection ${name} loaded after its file was removed`;
        }
        return undefined;
    }

    /**
     * swanctl exits 0 even when it cannot parse its configuration, so its output is read too.
     * It also warns on stderr about optional plugins it cannot load; those are not load failures.
     */
    private async runLoadAll(host: HostSession): Promise<{ failure?: string; output: string }> {
        const result = await this.swanctl(host, this.loadAllArgs());
        const output = `${result.stdout}\n${result.stderr}`.trim();
        const failedLines = output
            .split("\n")
            .filter((l) => !/^plugin '[^']+': failed to load/.test(l))
            .filter((l) => /fail|error|invalid|unable/i.test(l));
        if (result.code !== 0 || failedLines.length > 0) {
            return { output, failure: `swanctl --load-all ended with exit code ${result.code}: ${this.redacted(failedLines.join("; ") || output)}` };
        }
        return { output };
    }

    /**
     * Puts the previous file back (or removes the new one) and loads again. When that load fails
     * too (another file in conf.d is broken, or charon went away) but charon has the connection
     * loaded exactly when it had it before, the host is as before: a failed load changes nothing.
     * A lost session throws DeviceError, so that the caller can try again in a new one.
     */
    private async restore(host: HostSession, file: string, name: string, before: Before): Promise<RollbackAttempt> {
        if (before.text === undefined) await host.removeFile(file);
        else await host.writeFileAtomic(file, before.text, 0o600);
        const { failure } = await this.runLoadAll(host);
        const back = before.text === undefined ? "The new file was removed" : "The previous file was restored";
        if (failure) {
            const loaded = await this.loadedConnections(host).then((names) => names.includes(name), () => undefined);
            if (loaded !== before.loaded) {
                const unparsable = /invalid config file/.test(failure)
                    ? " swanctl cannot parse the host's configuration, and then unloads every connection: fix the file it names, then run swanctl --load-all."
                    : "";
                const charon = loaded === undefined ? "charon cannot say what it has loaded" : loaded ? "charon has the connection loaded" : "charon does not have the connection loaded";
                return {
                    status: "rollback-incomplete",
                    summary: `ROLLBACK INCOMPLETE: ${before.text === undefined ? "the new file is removed" : "the previous file is back"}, but loading failed too (${failure}) and ${charon}.${unparsable} Then run pulumi up again`,
                    deviceState: before.text === undefined ? [] : maskedLines(before.text),
                };
            }
            return {
                status: before.text === undefined ? "removed" : "restored",
                summary: `${back}; loading it failed too (${failure}), but charon has the connection ${loaded ? "loaded" : "not loaded"} as before: the host is as before.`,
            };
        }
        return before.text === undefined
            ? { status: "removed", summary: "The new file was removed and the configuration reloaded; the host is as before." }
            : { status: "restored", summary: "The previous file was restored and loaded again; nothing else changed." };
    }

    private async loadedConnections(host: HostSession): Promise<string[]> {
        const result = await this.swanctl(host, ["--list-conns", "--raw"]);
        if (result.code !== 0) {
            throw new DeviceError(
                this.device,
                `swanctl --list-conns failed on ${this.device} (exit ${result.code}): ${this.redacted(result.stderr || result.stdout)}. ` +
                    `Fix: check that charon runs on the host and that ${this.connection.username} may use swanctl${this.connection.sudo ? " through sudo -n" : " (or set device.sudo: true)"}`,
                "swanctl --list-conns --raw",
            );
        }
        return Object.keys(parseListConnsRaw(result.stdout));
    }

    private swanctl(host: HostSession, args: string[]) {
        return host.run(["swanctl", ...args]);
    }

    /** `--file` makes swanctlDir the base folder, so a non-default swanctlDir works too. */
    private loadAllArgs(): string[] {
        return ["--load-all", "--noprompt", "--file", path.posix.join(this.connection.swanctlDir, "swanctl.conf")];
    }

    private stateOf(name: string, text: string, loaded: boolean, file: string): StrongSwanState {
        const parsed = parseConnectionFile(text, name)!;
        return { model: parsed.model, config: maskedLines(text), unmanaged: parsed.unknownKeys, loaded, file };
    }
}
