/**
 * The lab's sites (from `.lab/lab.json`, written by `bash lab/lab.sh up`) as provider inputs, and
 * sessions on them opened with the provider's own pool and session code (connection defaults from
 * the schema): for tools and tests that read or change a lab device by hand.
 */
import * as fs from "fs";
import * as path from "path";
import { credentialsSchema, hostConnectionSchema, iosConnectionSchema } from "../provider/schema/device";
import { HostSession } from "../provider/ssh/host-session";
import { IosCliSession } from "../provider/ssh/ios-session";
import { SshPool } from "../provider/ssh/pool";

const LAB_DIR = process.env.LAB_DIR ?? path.resolve(__dirname, "..", "..", ".lab");

export interface LabHost {
    kind: "ios" | "strongswan";
    wan: string;
    lan: string;
    lanAddress: string;
    ssh: { host: string; port: number; username: string; hostKey: string; passwordFile?: string; enableSecretFile?: string; privateKeyFile?: string; sudoUser?: string };
    swanctlDir: string;
}

export function labHost(site: string): LabHost {
    const file = path.join(LAB_DIR, "lab.json");
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: bring the lab up with sudo bash lab/lab.sh up`);
    const host = JSON.parse(fs.readFileSync(file, "utf8")).hosts[site];
    if (!host) throw new Error(`the lab has no site ${site}`);
    return host;
}

const read = (f?: string) => (f ? fs.readFileSync(f, "utf8") : undefined);

/** `connection` and `credentials` inputs for a lab site. */
export function labDevice(site: string): { connection: Record<string, unknown>; credentials: Record<string, unknown> } {
    const h = labHost(site);
    const connection: Record<string, unknown> = { host: h.ssh.host, port: h.ssh.port, username: h.ssh.username, hostKey: h.ssh.hostKey };
    const credentials: Record<string, unknown> = {};
    if (h.ssh.passwordFile) credentials.password = read(h.ssh.passwordFile)!.trim();
    if (h.ssh.enableSecretFile) credentials.enableSecret = read(h.ssh.enableSecretFile)!.trim();
    if (h.ssh.privateKeyFile) credentials.privateKey = read(h.ssh.privateKeyFile);
    return { connection, credentials };
}

/** Runs fn in a privileged IOS CLI session on a lab router. */
export async function withLabIosSession<T>(site: string, fn: (session: IosCliSession) => Promise<T>): Promise<T> {
    const { connection, credentials } = labDevice(site);
    const conn = iosConnectionSchema.parse(connection);
    const creds = credentialsSchema.parse(credentials);
    return SshPool.shared.withDevice(conn, creds, async (client) => {
        const session = await IosCliSession.open(client, { device: site, enableSecret: creds.enableSecret, commandTimeoutMs: conn.commandTimeoutMs, secrets: [] });
        try {
            return await fn(session);
        } finally {
            await session.close();
        }
    });
}

/** Runs fn in a shell session on a lab strongSwan host, as the provider would. */
export async function withLabHostSession<T>(site: string, fn: (host: HostSession) => Promise<T>): Promise<T> {
    const { connection, credentials } = labDevice(site);
    const conn = hostConnectionSchema.parse(connection);
    return SshPool.shared.withDevice(conn, credentialsSchema.parse(credentials), (client) =>
        fn(new HostSession(client, { device: site, sudo: conn.sudo, commandTimeoutMs: conn.commandTimeoutMs, secrets: [] })),
    );
}
