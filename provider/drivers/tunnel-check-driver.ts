/**
 * Proves a strongSwan tunnel is up: reads the live SAs (`swanctl --list-sas --raw`), initiates the
 * CHILD_SA when it is not installed, waits for it, and optionally pings through it, checking that
 * the packet counters of the child's SAs grow. Configures nothing, so there is nothing to roll back.
 */
import { StrongSwanTunnelCheckModel } from "../schema/tunnel-check";
import { ChildSaSummary, IkeSaSummary, parseListSasRaw } from "../strongswan/swanctl-output";
import { HostSession } from "../ssh/host-session";
import { ApplyError, ObjectState, PlatformDriver } from "./driver";
import { HostDriver } from "./host-driver";
import { diagnoseTunnel, EndAccess, peerAccess } from "./tunnel-evidence";

export interface TunnelState extends ObjectState<StrongSwanTunnelCheckModel> {
    established: boolean;
}

interface LiveTunnel {
    ike?: IkeSaSummary;
    child?: ChildSaSummary;
    /**
     * Every installed CHILD_SA of the child, in every IKE_SA of the connection: when both ends
     * initiate at once (two strongSwan ends, each proven by its own check), charon keeps both
     * pairs of SAs, and the kernel sends the traffic through either.
     */
    installed: ChildSaSummary[];
}

/** Packets out and in that the installed SAs counted between two readings; an SA new in the second (a rekey) counts from zero. */
function grownBetween(before: ChildSaSummary[], after: ChildSaSummary[]): { sent: number; received: number } {
    let sent = 0;
    let received = 0;
    for (const sa of after) {
        const was = before.find((b) => b.uniqueId === sa.uniqueId);
        sent += sa.packetsOut - (was?.packetsOut ?? 0);
        received += sa.packetsIn - (was?.packetsIn ?? 0);
    }
    return { sent, received };
}

/** A check initiates SAs and pings, but changes no configuration: there is never anything to roll back. */
const CONFIGURES_NOTHING = { status: "unchanged" } as const;

export class StrongSwanTunnelProber extends HostDriver implements PlatformDriver<StrongSwanTunnelCheckModel, StrongSwanTunnelCheckModel, TunnelState> {
    async read(model: StrongSwanTunnelCheckModel): Promise<TunnelState> {
        return this.inSession(async (host) => this.stateOf(model, await this.live(host, model)));
    }

    async apply(model: StrongSwanTunnelCheckModel): Promise<TunnelState> {
        return this.inSession(async (host) => {
            let tunnel = await this.live(host, model);
            let initiateOutput = "";
            if (!isUp(tunnel)) {
                const r = await host.run(["swanctl", "--initiate", "--child", model.child, "--timeout", String(model.timeoutSeconds)]);
                initiateOutput = `${r.stdout}\n${r.stderr}`;
                const deadline = Date.now() + model.timeoutSeconds * 1000;
                while (!isUp((tunnel = await this.live(host, model))) && Date.now() < deadline) await sleep(500);
            }
            return { tunnel, initiateOutput };
        }).then(async ({ tunnel, initiateOutput }) => {
            if (!isUp(tunnel)) {
                // Outside the session: the diagnosis opens sessions of its own, on this host and the far end.
                const diagnosis = await diagnoseTunnel(this.self(model), peerAccess(model, this.target.secrets)).catch(
                    (e: Error) => ({ message: `(no diagnosis: ${this.redacted(e.message)}) swanctl said: ${this.redacted(lastLines(initiateOutput, 12))}` }),
                );
                throw new ApplyError(
                    `tunnel ${model.connectionName}/${model.child} on ${this.device} did not come up within ${model.timeoutSeconds} s (${describe(tunnel)}): ${diagnosis.message}`,
                    CONFIGURES_NOTHING,
                );
            }
            return this.inSession(async (host) => {
                if (model.ping) await this.pingThrough(host, model);
                return this.stateOf(model, await this.live(host, model));
            });
        });
    }

    private self(model: StrongSwanTunnelCheckModel): EndAccess {
        return { platform: "strongswan", site: model.site ?? this.device, target: this.target, connectionName: model.connectionName, child: model.child };
    }

    async remove(): Promise<void> {
        // A check configures nothing on the host.
    }

    /**
     * Pings until every echo request is answered and the CHILD_SA counted the traffic both ways, or
     * the timeout ends: behind a hub, the far tunnel may still be coming up when this one is.
     */
    private async pingThrough(host: HostSession, model: StrongSwanTunnelCheckModel): Promise<void> {
        const ping = model.ping!;
        const deadline = Date.now() + model.timeoutSeconds * 1000;
        for (;;) {
            const before = (await this.live(host, model)).installed;
            const r = await host.run(["ping", "-n", "-c", String(ping.count), "-W", "2", "-I", ping.source, ping.destination]);
            const { sent, received } = grownBetween(before, (await this.live(host, model)).installed);
            if (r.code === 0 && sent >= ping.count && received >= ping.count) return;
            if (Date.now() >= deadline) {
                throw new ApplyError(
                    `tunnel ${model.connectionName}/${model.child} on ${this.device} is up but does not carry traffic: ping -I ${ping.source} ${ping.destination} ` +
                        `exited ${r.code} (${lastLines(r.stdout, 2)}), the CHILD_SAs' counters grew by ${sent} packets out and ${received} in (expected ${ping.count} each), ` +
                        `for ${model.timeoutSeconds} s. Fix: check that ${ping.source} and ${ping.destination} are inside the traffic selectors and that the peer routes the replies into its tunnel`,
                    CONFIGURES_NOTHING,
                );
            }
            await sleep(1000);
        }
    }

    private async live(host: HostSession, model: StrongSwanTunnelCheckModel): Promise<LiveTunnel> {
        const r = await host.run(["swanctl", "--list-sas", "--raw", "--ike", model.connectionName]);
        if (r.code !== 0) {
            throw new ApplyError(`swanctl --list-sas failed on ${this.device} (exit ${r.code}): ${this.redacted(r.stderr || r.stdout)}`, CONFIGURES_NOTHING);
        }
        const sas = parseListSasRaw(r.stdout).filter((s) => s.name === model.connectionName);
        const ike = sas.find((s) => s.state === "ESTABLISHED" && s.children.some((c) => c.name === model.child && c.state === "INSTALLED")) ?? sas[0];
        const installed = sas.flatMap((s) => s.children.filter((c) => c.name === model.child && c.state === "INSTALLED"));
        return { ike, child: ike?.children.find((c) => c.name === model.child && c.state === "INSTALLED") ?? ike?.children.find((c) => c.name === model.child), installed };
    }

    private stateOf(model: StrongSwanTunnelCheckModel, tunnel: LiveTunnel): TunnelState {
        return { model, config: [describe(tunnel)], unmanaged: [], established: isUp(tunnel) };
    }

}

function isUp(t: LiveTunnel): boolean {
    return t.ike?.state === "ESTABLISHED" && t.child?.state === "INSTALLED";
}

function describe(t: LiveTunnel): string {
    if (!t.ike) return "no IKE_SA";
    const ike = `IKE_SA ${t.ike.name} ${t.ike.state} ${t.ike.localHost}[${t.ike.localId}] <-> ${t.ike.remoteHost}[${t.ike.remoteId}]`;
    if (!t.child) return `${ike}, no CHILD_SA`;
    return `${ike}; CHILD_SA ${t.child.name} ${t.child.state} ${t.child.localTs.join(",")} <-> ${t.child.remoteTs.join(",")}, ` +
        `${t.child.packetsOut} packets out, ${t.child.packetsIn} in`;
}

function lastLines(text: string, n: number): string {
    return text.trim().split("\n").filter((l) => !/^plugin '[^']+': failed to load/.test(l)).slice(-n).join(" | ");
}

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}
