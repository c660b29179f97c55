/** Starts an in-process IOS emulator and builds provider inputs that point at it. */
import { createHash } from "crypto";
import { IosEmulator, IosEmulatorOptions, startIosEmulator } from "../../emulator/ios/server";
import { ed25519KeyPair } from "./keys";

export const PASSWORD = "Lab-Login-Pw-91";
export const ENABLE_SECRET = "Lab-Enable-Secret-77";

export interface EmulatedRouter {
    emulator: IosEmulator;
    hostKey: string;
    connection: Record<string, unknown>;
    credentials: Record<string, unknown>;
    /** Every command line the emulator received, in order (keys redacted by the emulator). */
    received: string[];
    /** Logins the emulator accepted so far (from its log). */
    logins(): number;
}

/** OpenSSH SHA256 fingerprint of an authorized_keys-style public key line. */
type RouterCounters = ReturnType<EmulatedRouter["emulator"]["stats"]>;

/** What happened on the router between two snapshots of its counters (emu.stats()). */
export function routerWork(after: RouterCounters, before: RouterCounters) {
    return {
        logins: after.logins - before.logins,
        shellSessions: after.shellSessions - before.shellSessions,
        wholeConfigGenerations: after.wholeConfigGenerations - before.wholeConfigGenerations,
        saves: after.saves - before.saves,
    };
}

export function fingerprintOf(publicKeyLine: string): string {
    const blob = Buffer.from(publicKeyLine.trim().split(/\s+/)[1], "base64");
    return "SHA256:" + createHash("sha256").update(blob).digest("base64").replace(/=+$/, "");
}

export async function startRouter(extra: Partial<IosEmulatorOptions> = {}): Promise<EmulatedRouter> {
    const keys = ed25519KeyPair();
    const received: string[] = [];
    let logins = 0;
    const emulator = await startIosEmulator({
        hostname: "home",
        hostKey: keys.private,
        users: [{ username: "admin", password: PASSWORD, privilege: 1 }],
        enableSecret: ENABLE_SECRET,
        port: 0,
        log: (line) => {
            if (/^\[[^\]]+\] \S+ logged in at privilege /.test(line)) logins++;
            // Session lines look like `[conn] admin@home(config)# crypto ikev2 keyring KR`.
            const command = /^\[[^\]]+\] \S+@\S+?[>#] (.*)$/.exec(line);
            if (command) received.push(command[1]);
        },
        ...extra,
    });
    const hostKey = fingerprintOf(keys.public);
    return {
        emulator,
        hostKey,
        received,
        logins: () => logins,
        connection: { host: "127.0.0.1", port: emulator.port, username: "admin", hostKey, saveConfig: true, connectTimeoutMs: 5000, commandTimeoutMs: 10000 },
        credentials: { password: PASSWORD, enableSecret: ENABLE_SECRET },
    };
}
