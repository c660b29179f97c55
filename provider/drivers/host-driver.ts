/**
 * What every driver for a Linux host (strongSwan) shares: the device's label for messages, a shell
 * session on it under the device lock, and redaction of what the host answers.
 */
import { redact } from "../masking";
import { HostConnection } from "../schema/device";
import { deviceLabel } from "../device-label";
import { HostSession } from "../ssh/host-session";
import { SshPool } from "../ssh/pool";
import { DeviceTarget } from "./driver";

export abstract class HostDriver {
    protected readonly device: string;
    protected readonly connection: HostConnection;

    constructor(protected readonly target: DeviceTarget<HostConnection>) {
        this.connection = target.connection;
        this.device = deviceLabel(target.connection);
    }

    protected redacted(text: string): string {
        return redact(text, this.target.secrets);
    }

    /** Runs fn with a host session on the device, under the device lock. */
    protected inSession<T>(fn: (host: HostSession) => Promise<T>): Promise<T> {
        const { credentials, secrets } = this.target;
        return SshPool.shared.withDevice(this.connection, credentials, (client) =>
            fn(
                new HostSession(client, {
                    device: this.device,
                    sudo: this.connection.sudo,
                    commandTimeoutMs: this.connection.commandTimeoutMs,
                    secrets,
                }),
            ),
        );
    }
}
