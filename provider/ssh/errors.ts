/**
 * The one error type that leaves the SSH edge. Every message is redacted (masking.ts) before it is
 * built: device output and commands may carry pre-shared keys and passwords.
 */

/** A failure talking to one device. The message names the device and never contains a secret. */
export class DeviceError extends Error {
    readonly device: string;
    /** The (redacted) command that failed, when one did. */
    readonly command?: string;

    constructor(device: string, message: string, command?: string) {
        super(message);
        this.name = "DeviceError";
        this.device = device;
        if (command !== undefined) this.command = command;
    }
}
