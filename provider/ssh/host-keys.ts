/**
 * Host key policy: a pinned SHA256 fingerprint, else an OpenSSH known_hosts file, else nothing
 * unless the user explicitly opted out. ssh2 hands the verifier the raw key blob, which is exactly
 * what `ssh-keygen -l` hashes, so fingerprints compare as OpenSSH prints them.
 */
import { createHash, createHmac } from "crypto";
import { readFileSync } from "fs";
import type { ServerHostKeyAlgorithm } from "ssh2";

export interface HostKeyPolicyInput {
    host: string;
    port: number;
    hostKey?: string;
    knownHostsFile?: string;
    insecureSkipHostKeyVerification?: boolean;
}

/** `SHA256:<base64 without padding>` of a raw SSH public key blob, as `ssh-keygen -l` prints it. */
function fingerprint(keyBlob: Buffer): string {
    return `SHA256:${createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "")}`;
}

/** The key type named inside an SSH public key blob (its first length-prefixed string). */
function keyType(keyBlob: Buffer): string {
    if (keyBlob.length < 4) return "";
    const len = keyBlob.readUInt32BE(0);
    return keyBlob.subarray(4, 4 + len).toString("latin1");
}

const ECDSA_ALGORITHMS: ServerHostKeyAlgorithm[] = ["ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"];

/** ssh2 host key algorithm names that can present a key of the given known_hosts key type. */
function algorithmsFor(type: string): ServerHostKeyAlgorithm[] {
    if (type === "ssh-rsa") return ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"];
    if (type === "ssh-ed25519") return ["ssh-ed25519"];
    return ECDSA_ALGORITHMS.filter((a) => a === type);
}

export interface KnownHostKey {
    type: string;
    blob: Buffer;
}

/** The name known_hosts uses for an endpoint: `host` on port 22, else `[host]:port`. */
function knownHostsName(host: string, port: number): string {
    return port === 22 ? host : `[${host}]:${port}`;
}

function wildcardMatch(pattern: string, name: string): boolean {
    const re = new RegExp(
        "^" + pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".") + "$",
        "i",
    );
    return re.test(name);
}

/** Does one known_hosts host field (comma list, hashed `|1|salt|hash`, wildcards, `!negation`) name the endpoint? */
function hostFieldMatches(field: string, name: string): boolean {
    if (field.startsWith("|1|")) {
        const [, , salt, hash] = field.split("|");
        if (!salt || !hash) return false;
        const digest = createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64");
        return digest === hash;
    }
    let matched = false;
    for (const pattern of field.split(",")) {
        if (pattern.startsWith("!")) {
            if (wildcardMatch(pattern.slice(1), name)) return false;
        } else if (wildcardMatch(pattern, name)) {
            matched = true;
        }
    }
    return matched;
}

/** Keys a known_hosts text lists for host:port; revoked keys are reported separately. */
export function parseKnownHosts(text: string, host: string, port: number): { keys: KnownHostKey[]; revoked: Buffer[] } {
    const name = knownHostsName(host, port);
    const keys: KnownHostKey[] = [];
    const revoked: Buffer[] = [];
    for (const raw of text.split(/\r?\n/)) {
        const line = raw.trim();
        if (!line || line.startsWith("#")) continue;
        const fields = line.split(/\s+/);
        let marker: string | undefined;
        if (fields[0].startsWith("@")) marker = fields.shift();
        if (fields.length < 3) continue;
        const [hosts, type, data] = fields;
        if (marker === "@cert-authority") continue; // certificates are not supported; a CA line is no host key
        if (!hostFieldMatches(hosts, name)) continue;
        const blob = Buffer.from(data, "base64");
        if (keyType(blob) !== type) continue; // damaged line
        if (marker === "@revoked") revoked.push(blob);
        else keys.push({ type, blob });
    }
    return { keys, revoked };
}

export interface HostKeyCheck {
    /** Restricts the host key algorithms offered, so the server presents a key type we can verify. */
    serverHostKeyAlgorithms?: ServerHostKeyAlgorithm[];
    /** Returns undefined when the offered key is accepted, else why it was refused (with the fix). */
    verify(keyBlob: Buffer): string | undefined;
}

/**
 * Builds the verifier for one device. Throws (a plain Error with the fix) when no policy is set
 * or the known_hosts file cannot be read; the caller wraps it with the device's name.
 */
export function hostKeyCheck(c: HostKeyPolicyInput, device: string): HostKeyCheck {
    if (c.hostKey) {
        const expected = c.hostKey.replace(/=+$/, "");
        return {
            verify(keyBlob) {
                const offered = fingerprint(keyBlob);
                if (offered === expected) return undefined;
                return (
                    `host key of ${device} does not match the pinned hostKey: expected ${expected}, the device offered ${offered} (${keyType(keyBlob)}). ` +
                    `Either the device's key changed or something is intercepting the connection. Fix: check the device's key out of band ` +
                    `(on its console, e.g. \`show ip ssh\` / \`ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub\`) and, if it is genuine, set hostKey to ${offered}`
                );
            },
        };
    }
    if (c.knownHostsFile) {
        let text: string;
        try {
            text = readFileSync(c.knownHostsFile, "utf8");
        } catch (e) {
            throw new Error(
                `cannot read knownHostsFile ${c.knownHostsFile} to verify ${device}: ${(e as NodeJS.ErrnoException).code ?? String(e)}. ` +
                    `Fix: point knownHostsFile at a readable OpenSSH known_hosts file or set hostKey`,
            );
        }
        const { keys, revoked } = parseKnownHosts(text, c.host, c.port);
        const name = knownHostsName(c.host, c.port);
        const algorithms = [...new Set(keys.flatMap((k) => algorithmsFor(k.type)))];
        return {
            serverHostKeyAlgorithms: algorithms.length > 0 ? algorithms : undefined,
            verify(keyBlob) {
                const offered = fingerprint(keyBlob);
                if (revoked.some((r) => r.equals(keyBlob))) {
                    return `host key of ${device} (${offered}) is marked @revoked in ${c.knownHostsFile}. Fix: give the device a new host key and list it`;
                }
                if (keys.some((k) => k.blob.equals(keyBlob))) return undefined;
                if (keys.length === 0) {
                    return (
                        `${c.knownHostsFile} has no entry for ${name}; the device offered ${offered} (${keyType(keyBlob)}). ` +
                        `Fix: after checking that fingerprint out of band, add the key (\`ssh-keyscan -p ${c.port} ${c.host} >> ${c.knownHostsFile}\`) or set hostKey to ${offered}`
                    );
                }
                return (
                    `host key of ${device} does not match ${c.knownHostsFile}: expected ${keys.map((k) => fingerprint(k.blob)).join(" or ")}, ` +
                    `the device offered ${offered} (${keyType(keyBlob)}). Either the device's key changed or something is intercepting the connection. ` +
                    `Fix: check the device's key out of band and, if it is genuine, replace its line for ${name} in ${c.knownHostsFile} (or set hostKey to ${offered})`
                );
            },
        };
    }
    if (c.insecureSkipHostKeyVerification) return { verify: () => undefined };
    throw new Error(
        `the SSH host key of ${device} would not be verified. Fix: set hostKey to its SHA256 fingerprint ` +
            "(`ssh-keyscan HOST | ssh-keygen -lf -`), or knownHostsFile, or explicitly insecureSkipHostKeyVerification: true",
    );
}
