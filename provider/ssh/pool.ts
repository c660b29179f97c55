/**
 * One SSH connection per device, shared by every resource that targets it, with a per-device FIFO
 * lock: the Pulumi engine runs resources in parallel and an IOS CLI session or a swanctl reload
 * must not interleave. Different devices run in parallel.
 */
import { createHash } from "crypto";
import { Client, ConnectConfig } from "ssh2";
import { Connection, Credentials } from "../schema/device";
import { deviceLabel } from "../device-label";
import { DeviceError } from "./errors";
import { hostKeyCheck } from "./host-keys";

export interface SshPoolOptions {
    /** Close a connection after this long without use. */
    idleMs?: number;
    /** First pause between connection attempts; doubles each attempt, capped at 2 s. */
    retryBackoffMs?: number;
}

interface DeviceEntry {
    /** Resolves when the previous holder of the lock is done; new callers chain on it (FIFO). */
    tail: Promise<void>;
    /** Callers holding or waiting for the lock. */
    users: number;
    client?: Client;
    /** Hash of the settings the open client was made with; a change reopens the connection. */
    signature?: string;
    idleTimer?: NodeJS.Timeout;
}

const KEEPALIVE_COUNT_MAX = 3;

class AuthOrPolicyError extends Error {}

export class SshPool {
    static readonly shared: SshPool = new SshPool();

    private readonly idleMs: number;
    private readonly retryBackoffMs: number;
    private readonly devices = new Map<string, DeviceEntry>();

    constructor(opts: SshPoolOptions = {}) {
        this.idleMs = opts.idleMs ?? 30000;
        this.retryBackoffMs = opts.retryBackoffMs ?? 250;
    }

    /** Runs fn with exclusive use of the device's connection (opened, reused or reopened as needed). */
    async withDevice<T>(connection: Connection, credentials: Credentials, fn: (client: Client) => Promise<T>): Promise<T> {
        const label = deviceLabel(connection);
        const entry = this.entry(label);
        entry.users++;
        const previous = entry.tail;
        let release!: () => void;
        entry.tail = new Promise<void>((resolve) => (release = resolve));
        try {
            await previous;
            if (entry.idleTimer) {
                clearTimeout(entry.idleTimer);
                entry.idleTimer = undefined;
            }
            const client = await this.ensureClient(entry, label, connection, credentials);
            return await fn(client);
        } finally {
            entry.users--;
            if (entry.users === 0) this.scheduleIdleClose(entry);
            release();
        }
    }

    /** Ends every connection; later calls open new ones. */
    async closeAll(): Promise<void> {
        const closing: Promise<void>[] = [];
        for (const entry of this.devices.values()) {
            if (entry.idleTimer) clearTimeout(entry.idleTimer);
            entry.idleTimer = undefined;
            if (entry.client) closing.push(endClient(entry.client));
            entry.client = undefined;
            entry.signature = undefined;
        }
        await Promise.all(closing);
    }

    /** Drops every connection at once, without a goodbye: for a process that must let go of its devices now. */
    destroyAll(): void {
        for (const entry of this.devices.values()) {
            if (entry.idleTimer) clearTimeout(entry.idleTimer);
            entry.idleTimer = undefined;
            entry.client?.destroy();
            entry.client = undefined;
            entry.signature = undefined;
        }
    }

    private entry(label: string): DeviceEntry {
        let entry = this.devices.get(label);
        if (!entry) {
            entry = { tail: Promise.resolve(), users: 0 };
            this.devices.set(label, entry);
        }
        return entry;
    }

    private scheduleIdleClose(entry: DeviceEntry): void {
        if (!entry.client) return;
        const client = entry.client;
        entry.idleTimer = setTimeout(() => {
            entry.idleTimer = undefined;
            if (entry.users === 0 && entry.client === client) {
                entry.client = undefined;
                entry.signature = undefined;
                void endClient(client);
            }
        }, this.idleMs);
        entry.idleTimer.unref();
    }

    private async ensureClient(entry: DeviceEntry, label: string, connection: Connection, credentials: Credentials): Promise<Client> {
        const signature = settingsSignature(connection, credentials);
        if (entry.client && entry.signature === signature) return entry.client;
        if (entry.client) {
            const old = entry.client;
            entry.client = undefined;
            await endClient(old);
        }
        const client = await this.connectWithRetries(label, connection, credentials);
        entry.client = client;
        entry.signature = signature;
        client.on("close", () => {
            if (entry.client === client) {
                entry.client = undefined;
                entry.signature = undefined;
            }
        });
        return client;
    }

    private async connectWithRetries(label: string, connection: Connection, credentials: Credentials): Promise<Client> {
        const attempts = 1 + connection.connectRetries;
        let lastError = "";
        for (let attempt = 0; attempt < attempts; attempt++) {
            if (attempt > 0) await sleep(Math.min(this.retryBackoffMs * 2 ** (attempt - 1), 2000));
            try {
                return await connectOnce(label, connection, credentials);
            } catch (e) {
                if (e instanceof AuthOrPolicyError) throw new DeviceError(label, e.message);
                lastError = (e as Error).message;
            }
        }
        throw new DeviceError(
            label,
            `cannot connect to ${label} (${attempts} attempt${attempts === 1 ? "" : "s"}): ${lastError}. ` +
                "Fix: check host and port, that the device's SSH server runs and that no firewall drops the connection; raise connectTimeoutMs for slow links",
        );
    }
}

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

function settingsSignature(connection: Connection, credentials: Credentials): string {
    return createHash("sha256").update(JSON.stringify([connection, credentials])).digest("hex");
}

function endClient(client: Client): Promise<void> {
    return new Promise((resolve) => {
        const timer = setTimeout(() => {
            client.destroy();
            resolve();
        }, 1000);
        timer.unref();
        client.once("close", () => {
            clearTimeout(timer);
            resolve();
        });
        client.end();
    });
}

/**
 * One connection attempt. Rejects with AuthOrPolicyError for failures that a retry cannot fix
 * (refused host key, missing policy, refused credentials, unusable private key).
 */
function connectOnce(label: string, connection: Connection, credentials: Credentials): Promise<Client> {
    let check;
    try {
        check = hostKeyCheck(connection, label);
    } catch (e) {
        return Promise.reject(new AuthOrPolicyError((e as Error).message));
    }
    const client = new Client();
    return new Promise<Client>((resolve, reject) => {
        let hostKeyRefusal: string | undefined;
        let settled = false;
        const fail = (err: Error) => {
            if (settled) return;
            settled = true;
            client.destroy();
            reject(err);
        };
        // Errors after the handshake end in "close", which the pool watches; never leave "error" unhandled.
        client.on("error", (err: Error & { level?: string }) => {
            if (hostKeyRefusal) fail(new AuthOrPolicyError(hostKeyRefusal));
            else if (err.level === "client-authentication") {
                fail(
                    new AuthOrPolicyError(
                        `${label} refused the login (${err.message}). Fix: check username and password or privateKey (and its passphrase) for this device`,
                    ),
                );
            } else fail(err);
        });
        client.on("close", () => fail(new Error(hostKeyRefusal ?? "connection closed during the SSH handshake")));
        client.on("ready", () => {
            // A CLI session is many small request/answer exchanges: Nagle would add a delay to each.
            client.setNoDelay(true);
            settled = true;
            resolve(client);
        });
        // IOS devices often offer keyboard-interactive only; answer its password prompt.
        client.on("keyboard-interactive", (_name, _instructions, _lang, prompts, finish) => {
            finish(prompts.map((p) => (/pass(word|code)|secret/i.test(p.prompt) ? credentials.password ?? "" : "")));
        });
        const config: ConnectConfig = {
            host: connection.host,
            port: connection.port,
            username: connection.username,
            readyTimeout: connection.connectTimeoutMs,
            keepaliveInterval: connection.keepaliveIntervalMs,
            keepaliveCountMax: KEEPALIVE_COUNT_MAX,
            hostVerifier: (key: Buffer) => {
                hostKeyRefusal = check.verify(key);
                return hostKeyRefusal === undefined;
            },
        };
        if (check.serverHostKeyAlgorithms) config.algorithms = { serverHostKey: check.serverHostKeyAlgorithms };
        if (credentials.password) {
            config.password = credentials.password;
            config.tryKeyboard = true;
        }
        if (credentials.privateKey) {
            config.privateKey = credentials.privateKey;
            if (credentials.privateKeyPassphrase) config.passphrase = credentials.privateKeyPassphrase;
        }
        try {
            client.connect(config);
        } catch (e) {
            // ssh2 parses the private key synchronously; its messages never include key material.
            fail(
                new AuthOrPolicyError(
                    `cannot use the privateKey for ${label}: ${(e as Error).message}. Fix: give an OpenSSH/PEM private key and the right privateKeyPassphrase`,
                ),
            );
        }
    });
}
