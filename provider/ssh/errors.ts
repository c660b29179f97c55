/**
 * The one error type that leaves the SSH edge, and the redaction every message goes through
 * before it is built: device output and commands may carry pre-shared keys and passwords.
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

const MASK = "*****";

/**
 * Lines whose tail is a secret even when the caller did not list it: IOS keyring keys
 * (`pre-shared-key [local|remote] [0|6|7] KEY`), IOS user and enable passwords, and
 * swanctl.conf `secret = "..."`.
 */
const SECRET_TAILS: RegExp[] = [
    /(\bpre-shared-key(?:[ \t]+(?:local|remote))?(?:[ \t]+[067](?=[ \t]))?[ \t]+)[^\r\n]+/g,
    /(\benable[ \t]+(?:secret|password)(?:[ \t]+(?:level[ \t]+\d+))?(?:[ \t]+\d+(?=[ \t]))?[ \t]+)[^\r\n]+/g,
    /(\busername[ \t]+\S+(?:[ \t]+privilege[ \t]+\d+)?[ \t]+(?:secret|password)(?:[ \t]+\d+(?=[ \t]))?[ \t]+)[^\r\n]+/g,
    /(\bsecret[ \t]*=[ \t]*)[^\r\n]+/g,
];

/** The forms a secret takes when it is quoted or escaped by the usual layers. */
function escapings(secret: string): string[] {
    return [
        secret,
        JSON.stringify(secret).slice(1, -1), // JSON / JS strings
        secret.replace(/'/g, `'\\''`), // inside a single-quoted sh word
        secret.replace(/[\\"]/g, (c) => `\\${c}`), // double-quoted (swanctl.conf, C strings)
        encodeURIComponent(secret),
    ];
}

/** Replaces each secret (and its common escapings) and secret-bearing config tails with *****. */
export function redact(text: string, secrets: string[]): string {
    const forms = new Set<string>();
    for (const s of secrets) {
        if (!s) continue;
        for (const f of escapings(s)) if (f) forms.add(f);
    }
    // Longest first, so a secret that contains another is masked whole.
    let out = text;
    for (const f of [...forms].sort((a, b) => b.length - a.length)) out = out.split(f).join(MASK);
    for (const re of SECRET_TAILS) out = out.replace(re, `$1${MASK}`);
    return out;
}
