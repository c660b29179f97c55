/**
 * Running-config -> one swanctl.conf for the router's charon, by the rules IOS follows:
 * tunnel protection -> ipsec profile -> ikev2 profile -> keyring; the key is chosen by the peer's
 * address (most specific mask first), else its identity, else its hostname; never by the label
 * after `peer`. Pure: no I/O. What cannot be carried over becomes a debug line, as IOS would log it.
 */
import { Iface, Keyring, Peer, Profile, RunningConfig } from "../config";
import { espProposal, ikeProposal } from "./algorithms";

/** A route into the tunnel: `ip route replace PREFIX dev ipsec0 src LAN-ADDRESS`. */
export interface TunnelRoute {
    /** CIDR, e.g. 10.2.0.0/24. */
    prefix: string;
    tunnel: string;
}

export interface TunnelPlan {
    /** The swanctl connection (and child) name: the tunnel interface's name, e.g. Tunnel1. */
    name: string;
    local: string;
    remote: string;
    ipsecProfile: string;
    ikev2Profile?: string;
    keyring?: string;
    /** The keyring peer whose address/identity/hostname matched (its label), if any. */
    matchedPeer?: string;
    hasKey: boolean;
}

export interface Translation {
    /** The complete swanctl.conf text (contains secrets: write it 0600). */
    conf: string;
    tunnels: TunnelPlan[];
    routes: TunnelRoute[];
    /**
     * Addresses (the network address of a prefix routed into a tunnel) the router must hold on
     * `lo` so that charon can install the hub's transit CHILD_SAs (README: "The hub").
     */
    anchors: string[];
    /** IOS-like `debug crypto ikev2` lines about the lookups that failed. */
    debug: string[];
}

export function ipNum(ip: string): number {
    return ip.split(".").reduce((a, o) => a * 256 + Number(o), 0) >>> 0;
}

export function maskLength(mask: string): number {
    let n = ipNum(mask);
    let len = 0;
    while (n & 0x80000000) {
        len++;
        n = (n << 1) >>> 0;
    }
    return len;
}

function inSubnet(ip: string, net: string, mask: string): boolean {
    const m = ipNum(mask);
    return ((ipNum(ip) & m) >>> 0) === ((ipNum(net) & m) >>> 0);
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** The address a `tunnel source` names: an interface's address or a literal address. */
function sourceAddress(c: RunningConfig, source: string | undefined): string | undefined {
    if (!source) return undefined;
    if (IPV4.test(source)) return source;
    return c.interfaces.get(source)?.address?.ip;
}

/** IOS identity ("address A", "fqdn X", "email X", "key-id X") as a strongSwan identity. */
export function identityToStrongSwan(identity: string): string {
    const [kind, ...rest] = identity.split(/\s+/);
    const value = rest.filter((w) => w !== "domain").join(" ");
    if (kind === "address") return value;
    if (kind === "fqdn") return `fqdn:${value}`;
    if (kind === "email") return `email:${value}`;
    return `keyid:${value}`;
}

/** `match identity remote ...` entries as strongSwan remote identities (address + mask -> subnet). */
function remoteIdentities(p: Profile | undefined, remote: string): string[] {
    if (!p || p.matchIdentities.length === 0) return [remote];
    return p.matchIdentities.map((m) => {
        const w = m.split(/\s+/);
        if (w[0] === "address") {
            const len = w[2] ? maskLength(w[2]) : 32;
            if (len === 0) return "%any";
            return len === 32 ? w[1] : `${w[1]}/${len}`;
        }
        return identityToStrongSwan(m);
    });
}

/**
 * IOS's keyring lookup for a peer at `remote` (sending `remoteId`): by address (most specific
 * mask first), else by identity, else by hostname. The label after `peer` is never compared.
 */
export function findKeyringPeer(k: Keyring, remote: string, remoteId?: string): Peer | undefined {
    const byAddress = k.peers
        .filter((p) => p.address && IPV4.test(p.address.split(/\s+/)[0]))
        .map((p) => {
            const [net, mask = "255.255.255.255"] = p.address!.split(/\s+/);
            return { p, net, mask, len: maskLength(mask) };
        })
        .filter((x) => inSubnet(remote, x.net, x.mask))
        .sort((a, b) => b.len - a.len);
    if (byAddress.length) return byAddress[0].p;
    const id = remoteId ?? `address ${remote}`;
    const byIdentity = k.peers.find((p) => p.identity && p.identity.replace(/\s+/g, " ") === id);
    if (byIdentity) return byIdentity;
    // Hostname matching needs a DNS name for the peer; the lab's peers are addresses.
    return k.peers.find((p) => p.hostname !== undefined && p.hostname === remote);
}

/** `dpd 10 2 periodic` -> seconds. */
function dpdDelay(dpd: string | undefined): number | undefined {
    return dpd ? Number(dpd.split(/\s+/)[0]) : undefined;
}

/** A value for swanctl.conf: quoted, with backslash escapes (IOS keys are single words anyway). */
function quote(v: string): string {
    return `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

function usable(t: Iface): boolean {
    return !t.shutdown && t.tunnelMode === "ipsec ipv4" && !!t.tunnelDestination && !!t.tunnelProtection;
}

export function translate(c: RunningConfig): Translation {
    const debug: string[] = [];
    const tunnels: TunnelPlan[] = [];
    const conns: string[] = [];
    const secrets: string[] = [];

    // IOS offers the proposals of its IKEv2 policies (a proposal no policy names is never used).
    const ikeProposals: string[] = [];
    for (const pol of c.policies.values())
        for (const name of pol.proposals) {
            const p = c.proposals.get(name);
            if (!p) {
                debug.push(`IKEv2-ERROR:: Proposal ${name} referenced by policy ${pol.name} does not exist`);
                continue;
            }
            try {
                const s = ikeProposal(p);
                if (!ikeProposals.includes(s)) ikeProposals.push(s);
            } catch (e) {
                debug.push(`IKEv2-ERROR:: Proposal ${name} is incomplete: ${(e as Error).message}`);
            }
        }

    const tunnelIfaces = [...c.interfaces.values()].filter((i) => i.name.startsWith("Tunnel"));
    const routedInto = (tunnel: string): string[] =>
        c.routes.filter((r) => r.iface === tunnel).map((r) => `${r.prefix}/${maskLength(r.mask)}`);
    for (const t of tunnelIfaces) {
        if (!usable(t)) continue;
        const remote = t.tunnelDestination!;
        const local = sourceAddress(c, t.tunnelSource);
        if (!local) {
            debug.push(`IKEv2:${t.name}: tunnel source has no address, tunnel not started`);
            continue;
        }
        if (ikeProposals.length === 0) {
            debug.push(`IKEv2-ERROR:: No policy with a usable proposal: ${t.name} to ${remote} cannot negotiate`);
            continue;
        }
        const ips = c.ipsecProfiles.get(t.tunnelProtection!);
        if (!ips) {
            debug.push(`IKEv2-ERROR:: ${t.name}: ipsec profile ${t.tunnelProtection} does not exist`);
            continue;
        }
        const prof = ips.ikev2Profile ? c.profiles.get(ips.ikev2Profile) : undefined;
        if (!prof) {
            debug.push(`IKEv2-ERROR:: ${t.name}: ipsec profile ${ips.name} has no IKEv2 profile`);
            continue;
        }
        const espProposals: string[] = [];
        for (const tsName of ips.transformSets) {
            const ts = c.transformSets.get(tsName);
            if (!ts) continue;
            try {
                espProposals.push(espProposal(ts.transforms.join(" ").split(/\s+/), ips.pfs));
            } catch (e) {
                debug.push(`IPSEC(validate_proposal): transform-set ${tsName}: ${(e as Error).message}`);
            }
        }
        if (espProposals.length === 0) {
            debug.push(`IPSEC: ${t.name}: ipsec profile ${ips.name} has no usable transform set`);
            continue;
        }
        const localId = prof.identityLocal ? identityToStrongSwan(prof.identityLocal) : local;
        const remoteIds = remoteIdentities(prof, remote);
        const keyring = prof.keyringLocal ? c.keyrings.get(prof.keyringLocal) : undefined;
        const peer = keyring ? findKeyringPeer(keyring, remote) : undefined;
        const key = peer?.psk ?? peer?.pskLocal;
        const plan: TunnelPlan = {
            name: t.name,
            local,
            remote,
            ipsecProfile: ips.name,
            ikev2Profile: prof.name,
            keyring: keyring?.name,
            matchedPeer: peer?.name,
            hasKey: false,
        };
        if (!keyring) {
            debug.push(`IKEv2-ERROR:(${t.name}):: Keyring ${prof.keyringLocal ?? "(none)"} of profile ${prof.name} not found`);
        } else if (!peer) {
            debug.push(
                `IKEv2:(${t.name}):Searching policy based on peer's identity '${remote}' of type 'IPv4 address'`,
                `IKEv2:(${t.name}):Searching keyring ${keyring.name} for peer ${remote}: no peer with address, identity or hostname matching ${remote}` +
                    (keyring.peers.some((p) => p.name === remote) ? ` (peer ${remote} is only a label: it has no 'address ${remote}' line)` : ""),
                `IKEv2-ERROR:(${t.name}):: Failed to locate an item in the database`,
                `IKEv2-ERROR:(${t.name}):: no matching pre-shared key for peer ${remote}`,
                `IKEv2:(${t.name}):Auth exchange failed`,
            );
        } else if (!key || key.type !== "0") {
            // Type-6 keys are opaque in the emulator: it cannot decrypt them for charon.
            debug.push(`IKEv2-ERROR:(${t.name}):: pre-shared key of peer ${peer.name} is not usable (type 6 keys are not decrypted by the emulator)`);
        } else {
            plan.hasKey = true;
            secrets.push(
                `    ike-${t.name} {`,
                `        id-local = ${localId}`,
                ...remoteIds.map((id, n) => `        id-remote${n} = ${id}`),
                `        secret = ${quote(key.value)}`,
                `    }`,
            );
        }
        // Deviation from IOS (README): a VTI negotiates 0.0.0.0/0 <-> 0.0.0.0/0, but kernel-libipsec
        // cannot tell two 0/0 CHILD_SAs apart (no per-interface SAs). So the remote side proposes
        // the prefixes routed into this tunnel; the local side stays 0/0 as IOS proposes it: the
        // peer narrows it, and traffic the hub forwards from another tunnel still fits.
        const remoteTs = routedInto(t.name);
        const ikeLife = Number(prof.lifetime ?? 86400);
        const childLife = Number(ips.saLifetimeSeconds ?? 3600);
        const dpd = dpdDelay(prof.dpd);
        conns.push(
            `    ${t.name} {`,
            `        version = 2`,
            // IOS has no MOBIKE: IKE stays on port 500 unless NAT is detected.
            `        mobike = no`,
            `        local_addrs = ${local}`,
            `        remote_addrs = ${remote}`,
            `        proposals = ${ikeProposals.join(", ")}`,
            `        rekey_time = ${ikeLife}s`,
            ...(dpd ? [`        dpd_delay = ${dpd}s`] : []),
            `        local {`,
            `            auth = psk`,
            `            id = ${localId}`,
            `        }`,
            `        remote {`,
            `            auth = psk`,
            `            id = ${remoteIds.length === 1 ? remoteIds[0] : "%any"}`,
            `        }`,
            `        children {`,
            `            ${t.name} {`,
            `                local_ts = 0.0.0.0/0`,
            `                remote_ts = ${remoteTs.length ? remoteTs.join(", ") : "0.0.0.0/0"}`,
            `                esp_proposals = ${espProposals.join(", ")}`,
            `                rekey_time = ${childLife}s`,
            // IOS brings a VTI's SA up as soon as the tunnel is configured, and again after a loss.
            `                start_action = start`,
            `                close_action = start`,
            ...(dpd ? [`                dpd_action = restart`] : []),
            `            }`,
            `        }`,
            `    }`,
        );
        tunnels.push(plan);
    }

    const names = new Set(tunnels.map((t) => t.name));
    const routes: TunnelRoute[] = c.routes
        .filter((r) => r.iface && names.has(r.iface))
        .map((r) => ({ prefix: `${r.prefix}/${maskLength(r.mask)}`, tunnel: r.iface! }));

    // A hub's CHILD_SA toward one peer gets the prefixes routed into its OTHER tunnels as local
    // selectors (the peer narrows our 0/0 to what it routes to us). kernel-libipsec refuses to
    // install an outbound policy whose source selector holds no local address, so the router
    // holds the network address of each such prefix (never a host's address: /31 and /32 are skipped).
    const ownAddresses = [...c.interfaces.values()].flatMap((i) => (i.address ? [i.address.ip] : []));
    const anchors =
        tunnels.length < 2
            ? []
            : [...new Set(
                  c.routes
                      .filter((r) => r.iface && names.has(r.iface) && maskLength(r.mask) > 0 && maskLength(r.mask) <= 30)
                      .filter((r) => !ownAddresses.some((a) => inSubnet(a, r.prefix, r.mask)))
                      .map((r) => r.prefix),
              )];

    const conf = [
        "# Generated by the IOS emulator from its running-config. Do not edit.",
        "connections {",
        ...conns,
        "}",
        "secrets {",
        ...secrets,
        "}",
        "",
    ].join("\n");
    return { conf, tunnels, routes, anchors, debug };
}
