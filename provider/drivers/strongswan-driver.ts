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
import { ApplyError, ApplyOptions, ObjectState, PlatformDriver, RollbackAttempt } from "./driver";
import { HostDriver } from "./host-driver";

export interface StrongSwanState extends ObjectState<ConnectionFileModel> {
    /** Whether charon has the connection loaded. */
    loaded: boolean;
    /** The connection's file on the host. */
    file: string;
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
        return this.inSession(async (host) => {
            const before = await host.readFile(file);
            const loadedBefore = await this.loadedConnections(host);
            if (options.creating && !options.adopt) {
                if (before !== undefined) {
                    throw new ApplyError(
                        `${what} already exists on ${this.device}; nothing was changed. Fix: choose another name, remove the file, or set adopt: true`,
                        { status: "unchanged" },
                    );
                }
                if (loadedBefore.includes(desired.name)) {
                    throw new ApplyError(
                        `a connection named ${desired.name} is already loaded on ${this.device} from another file; swanctl would merge both definitions. ` +
                            `Fix: choose another name or remove the other definition`,
                        { status: "unchanged" },
                    );
                }
            }
            if (before === text && loadedBefore.includes(desired.name)) {
                return this.stateOf(desired.name, text, true, file);
            }
            await host.writeFileAtomic(file, text, 0o600);
            const failure = await this.loadAll(host, desired.name, true);
            if (failure) {
                const outcome = await this.restore(host, file, before);
                throw new ApplyError(`applying ${what} on ${this.device} failed: ${failure}. ${outcome.summary}`, outcome);
            }
            return this.stateOf(desired.name, text, true, file);
        });
    }

    async remove(current: StrongSwanConnectionModel, resourceName: string): Promise<void> {
        const file = this.fileOf(current.name);
        await this.inSession(async (host) => {
            const before = await host.readFile(file);
            if (before !== undefined) await host.removeFile(file);
            const failure = await this.loadAll(host, current.name, false);
            if (failure) {
                const outcome = await this.restore(host, file, before);
                throw new ApplyError(
                    `removing connection ${current.name} (resource ${resourceName}) from ${this.device} failed: ${failure}. ${outcome.summary}`,
                    outcome,
                );
            }
            // Unloading a connection leaves SAs started by hand or by start_action=start: close them.
            await this.swanctl(host, ["--terminate", "--ike", current.name, "--timeout", "10"]);
        });
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

    private async restore(host: HostSession, file: string, before: string | undefined): Promise<RollbackAttempt> {
        try {
            if (before === undefined) await host.removeFile(file);
            else await host.writeFileAtomic(file, before, 0o600);
            const { failure } = await this.runLoadAll(host);
            if (failure) {
                return {
                    status: "rollback-incomplete",
                    summary: `ROLLBACK INCOMPLETE: the previous file is back but loading it failed too (${failure}); fix the host's swanctl configuration, then run pulumi up again`,
                    deviceState: before === undefined ? [] : maskedLines(before),
                };
            }
            return before === undefined
                ? { status: "removed", summary: "The new file was removed and the configuration reloaded; the host is as before." }
                : { status: "restored", summary: "The previous file was restored and loaded again; nothing else changed." };
        } catch (e) {
            return { status: "rollback-failed", summary: `ROLLBACK FAILED: ${this.redacted((e as Error).message)}; check ${file} by hand.` };
        }
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
