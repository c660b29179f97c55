/**
 * Proves an IOS tunnel is up, from the router: the IKE SA to the tunnel's destination READY in
 * `show crypto ikev2 sa`, the tunnel's ESP SAs in `show crypto ipsec sa`, and optionally `ping
 * DEST source X repeat N` through it with the tunnel's `#pkts encaps`/`#pkts decaps` growing by N.
 * When the tunnel does not come up it diagnoses why from both ends (tunnel-evidence.ts).
 * Configures nothing, so there is nothing to roll back.
 */
import { redact } from "../masking";
import { parseIosPing, parseShowCryptoIkev2Sa, parseShowCryptoIpsecSa } from "../ios/show-crypto";
import { IosConnection } from "../schema/device";
import { deviceLabel } from "../device-label";
import { IosTunnelCheckModel } from "../schema/tunnel-check";
import { IosCliSession } from "../ssh/ios-session";
import { ApplyError, DeviceTarget, ObjectState, PlatformDriver } from "./driver";
import { diagnoseTunnel, EndAccess, peerAccess, tunnelDestination, withIosSession } from "./tunnel-evidence";

export interface IosTunnelState extends ObjectState<IosTunnelCheckModel> {
    established: boolean;
}

/** A check changes no configuration: there is never anything to roll back. */
const CONFIGURES_NOTHING = { status: "unchanged" } as const;

interface LiveTunnel {
    destination?: string;
    ikeStatus?: string;
    ikeDetail?: string;
    installed: boolean;
    encaps: number;
    decaps: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class IosTunnelProber implements PlatformDriver<IosTunnelCheckModel, IosTunnelCheckModel, IosTunnelState> {
    private readonly device: string;

    constructor(private readonly target: DeviceTarget<IosConnection>) {
        this.device = deviceLabel(target.connection);
    }

    async read(model: IosTunnelCheckModel): Promise<IosTunnelState> {
        return this.stateOf(model, await withIosSession(this.target, (s) => this.live(s, model)));
    }

    async apply(model: IosTunnelCheckModel): Promise<IosTunnelState> {
        const deadline = Date.now() + model.timeoutSeconds * 1000;
        let tunnel = await withIosSession(this.target, (s) => this.live(s, model));
        if (tunnel.destination === undefined) {
            throw new ApplyError(
                `Tunnel${model.tunnel} on ${this.device} has no tunnel destination (no such interface, or not an IPsec tunnel). Fix: create it first (TunnelInterface, which this check should depend on)`,
                CONFIGURES_NOTHING,
            );
        }
        while (!isUp(tunnel) && Date.now() < deadline) {
            await sleep(1000);
            tunnel = await withIosSession(this.target, (s) => this.live(s, model));
        }
        if (!isUp(tunnel)) {
            const diagnosis = await diagnoseTunnel(this.self(model), peerAccess(model, this.target.secrets));
            throw new ApplyError(`Tunnel${model.tunnel} on ${this.device} did not come up within ${model.timeoutSeconds} s (${describe(tunnel)}): ${diagnosis.message}`, CONFIGURES_NOTHING);
        }
        if (model.ping) await this.pingThrough(model, deadline + model.timeoutSeconds * 1000);
        return this.stateOf(model, await withIosSession(this.target, (s) => this.live(s, model)));
    }

    async remove(): Promise<void> {
        // A check configures nothing on the router.
    }

    private self(model: IosTunnelCheckModel): EndAccess {
        return { platform: "ios", site: model.site ?? this.device, target: this.target, tunnel: model.tunnel };
    }

    /**
     * Pings until every echo is answered and the tunnel's counters grew by as many packets both
     * ways, or the time is up: behind a hub, the far tunnel may still be coming up.
     */
    private async pingThrough(model: IosTunnelCheckModel, deadline: number): Promise<void> {
        const ping = model.ping!;
        const command = `ping ${ping.destination} source ${ping.source} repeat ${ping.count}`;
        for (;;) {
            const { before, output, after } = await withIosSession(this.target, async (s) => {
                const first = await this.live(s, model);
                const answer = await s.exec(command).catch((e: Error) => e.message);
                return { before: first, output: answer, after: await this.live(s, model) };
            });
            const result = parseIosPing(output);
            const encaps = after.encaps - before.encaps;
            const decaps = after.decaps - before.decaps;
            if (result && result.received === ping.count && encaps >= ping.count && decaps >= ping.count) return;
            if (Date.now() >= deadline) {
                const answered = result ? `${result.marks || "no echo"}, success rate ${result.successRate} percent (${result.received}/${result.sent})` : redact(output.trim(), this.target.secrets);
                throw new ApplyError(
                    `Tunnel${model.tunnel} on ${this.device} is up but does not carry traffic: \`${command}\` answered ${answered}; the tunnel's ` +
                        `#pkts encaps grew by ${encaps} and #pkts decaps by ${decaps} (expected ${ping.count} each). Fix: route ${ping.destination} ` +
                        `into Tunnel${model.tunnel} (ip route ... Tunnel${model.tunnel}), make sure the far end's traffic selectors include ${ping.source}'s ` +
                        "address and the far end routes the replies back into its tunnel",
                    CONFIGURES_NOTHING,
                );
            }
            await sleep(1000);
        }
    }

    private async live(s: IosCliSession, model: IosTunnelCheckModel): Promise<LiveTunnel> {
        const destination = await tunnelDestination(s, model.tunnel);
        const sa = parseShowCryptoIkev2Sa(await s.exec("show crypto ikev2 sa")).filter((r) => r.remote === destination);
        const ike = sa.find((r) => r.status === "READY") ?? sa[0];
        const ipsec = parseShowCryptoIpsecSa(await s.exec("show crypto ipsec sa")).find((b) => b.interface === `Tunnel${model.tunnel}`);
        return {
            destination,
            ikeStatus: ike?.status,
            ikeDetail: ike?.detail,
            installed: !!ipsec && ipsec.inboundSpis.length > 0 && ipsec.outboundSpis.length > 0,
            encaps: ipsec?.encaps ?? 0,
            decaps: ipsec?.decaps ?? 0,
        };
    }

    private stateOf(model: IosTunnelCheckModel, tunnel: LiveTunnel): IosTunnelState {
        return { model, config: [describe(tunnel)], unmanaged: [], established: isUp(tunnel) };
    }
}

function isUp(t: LiveTunnel): boolean {
    return t.ikeStatus === "READY" && t.installed;
}

function describe(t: LiveTunnel): string {
    if (!t.destination) return "no tunnel destination";
    if (!t.ikeStatus) return `no IKE SA with ${t.destination}`;
    const ike = `IKE SA with ${t.destination} ${t.ikeStatus}${t.ikeDetail ? ` (${t.ikeDetail})` : ""}`;
    return t.installed ? `${ike}; ESP SAs installed, #pkts encaps ${t.encaps}, #pkts decaps ${t.decaps}` : `${ike}; no ESP SA`;
}
