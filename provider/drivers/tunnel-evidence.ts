/**
 * Evidence from both ends of a tunnel that does not come up, and the diagnosis it supports
 * (tunnel/diagnosis.ts). While IOS ends log `debug crypto ikev2` (turned on only for this, and off
 * again unless it was on before), one end starts a negotiation: a strongSwan end with `swanctl
 * --initiate` (whose output is charon's log of it), else an IOS end with `clear crypto session
 * remote PEER` (its tunnel is down anyway). Then each end's configuration is read back (IOS
 * running-config, the connection's conf.d file), and the keys the two ends would use are compared
 * here, in memory: neither is ever put into a message.
 */
import * as path from "path";
import { redact } from "../masking";
import { credentialsSchema, HostConnection, IosConnection } from "../schema/device";
import { deviceLabel } from "../device-label";
import { TunnelCheckPeer } from "../schema/tunnel-check";
import { connectionFileName } from "../strongswan/swanctl-conf";
import { ikev2LogLines, lastLogLine, loggedAfter } from "../ios/show-crypto";
import { DeviceEnd, iosEndFromRunningConfig, strongSwanEndFromFile } from "../tunnel/device-ends";
import { diagnose, Diagnosis, EndEvidence } from "../tunnel/diagnosis";
import { HostSession } from "../ssh/host-session";
import { IosCliSession } from "../ssh/ios-session";
import { SshPool } from "../ssh/pool";
import { DeviceTarget } from "./driver";

/** How to reach one end of a tunnel and which of its objects the tunnel is. */
export type EndAccess =
    | { platform: "ios"; site: string; target: DeviceTarget<IosConnection>; tunnel: number }
    | { platform: "strongswan"; site: string; target: DeviceTarget<HostConnection>; connectionName: string; child: string };

/** What a tunnel check holds about its far end: where it is and how to log in (secrets). */
interface PeerFields {
    peer?: TunnelCheckPeer;
    peerPassword?: string;
    peerPrivateKey?: string;
    peerPrivateKeyPassphrase?: string;
    peerEnableSecret?: string;
}

/** The far end of a check's tunnel, when the check names it and how to log in. */
export function peerAccess(model: PeerFields, secrets: string[]): EndAccess | undefined {
    const p = model.peer;
    if (!p) return undefined;
    const login = Object.fromEntries(
        Object.entries({ password: model.peerPassword, privateKey: model.peerPrivateKey, privateKeyPassphrase: model.peerPrivateKeyPassphrase, enableSecret: model.peerEnableSecret }).filter(
            ([, v]) => v !== undefined,
        ),
    );
    const credentials = credentialsSchema.safeParse(login);
    if (!credentials.success) return undefined;
    return p.platform === "ios"
        ? { platform: "ios", site: p.site, target: { connection: p.connection, credentials: credentials.data, secrets }, tunnel: p.tunnel }
        : { platform: "strongswan", site: p.site, target: { connection: p.connection, credentials: credentials.data, secrets }, connectionName: p.connectionName, child: p.child };
}

/** A privileged IOS CLI session on the device, under its lock; closed afterwards. */
export async function withIosSession<T>(target: DeviceTarget<IosConnection>, fn: (session: IosCliSession) => Promise<T>): Promise<T> {
    const { connection, credentials, secrets } = target;
    return SshPool.shared.withDevice(connection, credentials, async (client) => {
        const session = await IosCliSession.open(client, {
            device: deviceLabel(connection),
            enableSecret: credentials.enableSecret,
            commandTimeoutMs: connection.commandTimeoutMs,
            secrets,
        });
        try {
            return await fn(session);
        } finally {
            await session.close().catch(() => undefined);
        }
    });
}

/** A shell session on a strongSwan host, under its lock. */
function withHostSession<T>(target: DeviceTarget<HostConnection>, fn: (host: HostSession) => Promise<T>): Promise<T> {
    const { connection, credentials, secrets } = target;
    return SshPool.shared.withDevice(connection, credentials, (client) =>
        fn(new HostSession(client, { device: deviceLabel(connection), sudo: connection.sudo, commandTimeoutMs: connection.commandTimeoutMs, secrets })),
    );
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The tunnel destination of an IOS end's tunnel (from `show running-config interface TunnelN`). */
export async function tunnelDestination(session: IosCliSession, tunnel: number): Promise<string | undefined> {
    const text = await session.exec(`show running-config interface Tunnel${tunnel}`).catch(() => "");
    return /^\s*tunnel destination (\S+)/m.exec(text)?.[1];
}

interface Collected {
    evidence: EndEvidence;
    device?: DeviceEnd;
}

/** IOS: turns `debug crypto ikev2` on (if it is off) and marks where the logging buffer is. */
async function startIosLog(end: Extract<EndAccess, { platform: "ios" }>): Promise<{ wasOn: boolean; mark: string }> {
    return withIosSession(end.target, async (s) => {
        const wasOn = /IKEv2/i.test(await s.exec("show debugging").catch(() => ""));
        if (!wasOn) await s.exec("debug crypto ikev2");
        return { wasOn, mark: lastLogLine(await s.exec("show logging")) };
    });
}

/** IOS: the IKEv2 lines logged since the mark (waiting up to `seconds` for some), the configuration, and debugging restored. */
async function finishIosLog(end: Extract<EndAccess, { platform: "ios" }>, started: { wasOn: boolean; mark: string }, seconds: number): Promise<Collected> {
    return withIosSession(end.target, async (s) => {
        const deadline = Date.now() + seconds * 1000;
        let lines: string[] = [];
        for (;;) {
            lines = ikev2LogLines(loggedAfter(await s.exec("show logging"), started.mark).join("\n"));
            // Logging is asynchronous: wait until the negotiation ended (a failure, or the peer's silence) or the time is up.
            if (lines.some((l) => /ERROR|FAILED|failed|NOTIFY\(|unacceptable|Maximum number|is UP/i.test(l)) || Date.now() >= deadline) break;
            await sleep(1000);
        }
        if (!started.wasOn) await s.exec("undebug crypto ikev2").catch(() => undefined);
        const config = await s.exec("show running-config");
        return {
            evidence: { site: end.site, platform: "ios", log: lines.map((l) => redact(l, end.target.secrets)) },
            device: iosEndFromRunningConfig(config, { site: end.site, device: deviceLabel(end.target.connection), tunnel: end.tunnel }),
        };
    });
}

/**
 * strongSwan: when `initiate`, starts the CHILD_SA (charon's log of the attempt is the output); then
 * reads the connection's file.
 */
async function strongSwanEvidence(end: Extract<EndAccess, { platform: "strongswan" }>, seconds: number, initiate: boolean): Promise<Collected> {
    return withHostSession(end.target, async (host) => {
        const r = initiate ? await host.run(["swanctl", "--initiate", "--child", end.child, "--timeout", String(seconds)]) : { stdout: "", stderr: "" };
        const log = `${r.stdout}\n${r.stderr}`
            .split("\n")
            .map((l) => l.trim())
            .filter((l) => l !== "" && !/^plugin '[^']+': failed to load/.test(l));
        const confd = path.posix.join(end.target.connection.swanctlDir, "conf.d");
        let file = path.posix.join(confd, connectionFileName(end.connectionName));
        let text = await host.readFile(file).catch(() => undefined);
        if (text === undefined) {
            // Not the provider's file: the one that defines the connection (written by hand).
            const found = await host.run(["grep", "-rlE", `^[[:space:]]*${end.connectionName}[[:space:]]*\\{`, confd]);
            file = found.stdout.split("\n")[0]?.trim() || file;
            text = await host.readFile(file).catch(() => undefined);
        }
        return {
            evidence: { site: end.site, platform: "strongswan", log: log.map((l) => redact(l, end.target.secrets)) },
            device: strongSwanEndFromFile(text, { site: end.site, device: deviceLabel(end.target.connection), connection: end.connectionName, child: end.child, file }),
        };
    });
}

/** Whether both ends would use the same key for each other; undefined when a key is missing or opaque. */
function keysAgree(a: DeviceEnd | undefined, b: DeviceEnd | undefined): boolean | undefined {
    if (!a || !b) return undefined;
    const ka = a.keyFor(b.end.address, b.end.localId);
    const kb = b.keyFor(a.end.address, a.end.localId);
    if (ka === undefined || kb === undefined || ka === "opaque" || kb === "opaque") return undefined;
    return ka === kb;
}

/**
 * Starts a negotiation and diagnoses it from both ends (one end when the far end cannot be
 * reached). `seconds`: how long the negotiation may take.
 */
export async function diagnoseTunnel(self: EndAccess, peer: EndAccess | undefined, seconds = 12): Promise<Diagnosis> {
    const ends = peer ? [self, peer] : [self];
    const ios = ends.filter((e): e is Extract<EndAccess, { platform: "ios" }> => e.platform === "ios");
    const started = await Promise.all(ios.map(startIosLog));
    const strongSwan = ends.filter((e): e is Extract<EndAccess, { platform: "strongswan" }> => e.platform === "strongswan");
    const collected = new Map<EndAccess, Collected>();
    // The first strongSwan end starts the negotiation; a second one (strongSwan <-> strongSwan) is read.
    for (const [i, end] of strongSwan.entries()) collected.set(end, await strongSwanEvidence(end, seconds, i === 0));
    if (strongSwan.length === 0) {
        await withIosSession(ios[0].target, async (s) => {
            const destination = await tunnelDestination(s, ios[0].tunnel);
            if (destination) await s.exec(`clear crypto session remote ${destination}`);
        });
    }
    for (const [i, end] of ios.entries()) collected.set(end, await finishIosLog(end, started[i], seconds));
    const evidence = (c: Collected): EndEvidence => ({ ...c.evidence, actual: c.device?.end });
    const a = collected.get(self)!;
    const b = peer ? collected.get(peer)! : undefined;
    const unreadable: EndEvidence = { site: "the far end", log: [] };
    return diagnose(evidence(a), b ? evidence(b) : unreadable, { keysAgree: keysAgree(a.device, b?.device) });
}
