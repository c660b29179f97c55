/**
 * Cross-end checks: do the two ends of a tunnel agree? Each check compares what one end sends with
 * what the other accepts (algorithms, key, identities, addresses, traffic selectors, routes, IKE
 * version), or one IOS end's tunnel with the other tunnels on the same router, and says what would
 * happen on the wire (NO_PROPOSAL_CHOSEN, AUTHENTICATION_FAILED, TS_UNACCEPTABLE ...), naming the
 * resources of both ends and the fix. A check whose inputs are not known (a value only known after
 * another resource is created) does not run. No I/O: the same functions serve SiteToSiteTunnel,
 * checkTunnelEnds() for hand-written resources, and the diagnosis.
 */
import { DH_GROUP_KEYWORDS, DH_GROUPS } from "../algorithms";
import { ipv4Contains, ipv4Overlap, isIpv4 } from "../address";
import { withFix } from "../fix";
import { Identity } from "../strongswan/swanctl-ids";
import { IdentityMatch, identityLiteral, identityText, KeyringPeerView, ProposalSets, TunnelEnd } from "./ends";
import { Role } from "./roles";

export type CheckName =
    | "ikeVersion"
    | "ikeProposals"
    | "dhGroups"
    | "espProposals"
    | "pfsGroup"
    | "preSharedKey"
    | "identity"
    | "keyringPeer"
    | "peerAddress"
    | "trafficSelectors"
    | "routes"
    | "tunnelInterface";

export interface Finding {
    check: CheckName;
    /** What disagrees, what it leads to, and the fix ("... Fix: ..."). */
    message: string;
}

export interface PairFacts {
    /** Whether both ends hold the same pre-shared key (compared where the keys are; never the keys themselves). */
    keysAgree?: boolean;
    /** The other tunnels declared on the same router as each IOS end. */
    neighbours?: { a?: TunnelEnd[]; b?: TunnelEnd[] };
}

/** Every disagreement between the two ends that can be seen from what is known. */
export function crossEndFindings(a: TunnelEnd, b: TunnelEnd, facts: PairFacts = {}): Finding[] {
    const findings: Finding[] = [];
    const add = (f: Finding | undefined) => f && findings.push(f);
    add(ikeVersion(a, b));
    add(ikeProposals(a, b));
    add(espProposals(a, b));
    add(preSharedKey(a, b, facts.keysAgree));
    for (const [from, to] of [[a, b], [b, a]]) {
        add(identity(from, to));
        add(keyLookup(from, to));
        add(peerAddress(from, to));
        add(routes(from, to));
    }
    add(trafficSelectors(a, b));
    add(tunnelPair(a, b));
    for (const [end, others] of [[a, facts.neighbours?.a], [b, facts.neighbours?.b]] as const) {
        for (const other of others ?? []) findings.push(...tunnelClash(end, other));
    }
    return findings;
}

// ---------------------------------------------------------------------------------------------
// Naming things in messages

const DH_BY_KEYWORD = new Map<string, number>(DH_GROUPS.map((g) => [DH_GROUP_KEYWORDS[g], g]));

/** `home (IkeV2Profile "home-vps-profile")`, or just the site when the resource is not named. */
function at(end: TunnelEnd, role: Role): string {
    const r = end.resources[role];
    return r ? `${end.site} (${r})` : end.site;
}

function proposalsText(list: ProposalSets[]): string {
    return list.length ? list.map((p) => p.text).join(", ") : "nothing";
}

function groupText(keyword: string): string {
    if (keyword === "none") return "no PFS";
    const n = DH_BY_KEYWORD.get(keyword);
    return n ? `${keyword} (group ${n})` : keyword;
}

const intersects = (x: string[], y: string[]) => x.some((v) => y.includes(v));

// ---------------------------------------------------------------------------------------------
// Versions and algorithms

function ikeVersion(a: TunnelEnd, b: TunnelEnd): Finding | undefined {
    if (a.ikeVersion === undefined || b.ikeVersion === undefined || a.ikeVersion === b.ikeVersion) return undefined;
    const v1 = a.ikeVersion === 1 ? a : b;
    return {
        check: "ikeVersion",
        message: withFix(
            `${a.site} speaks IKEv${a.ikeVersion} and ${b.site} IKEv${b.ikeVersion}: the responder answers nothing it can use (IOS IKEv2 profiles never answer IKEv1)`,
            `set version: 2 on ${at(v1, "ike")}`,
        ),
    };
}

/** Same cipher, integrity and PRF (groups aside). */
function sameCipher(p: ProposalSets, q: ProposalSets, kind: "ike" | "esp"): boolean {
    if (p.aead !== q.aead || !intersects(p.encryption, q.encryption)) return false;
    if (!p.aead && !intersects(p.integrity, q.integrity)) return false;
    return kind === "esp" || intersects(p.prf, q.prf);
}

function ikeProposals(a: TunnelEnd, b: TunnelEnd): Finding | undefined {
    if (!a.ike || !b.ike) return undefined;
    const ciphers = a.ike.flatMap((p) => b.ike!.filter((q) => sameCipher(p, q, "ike")).map((q) => [p, q] as const));
    if (ciphers.length === 0) {
        return {
            check: "ikeProposals",
            message: withFix(
                `no common IKE proposal: ${at(a, "ike")} offers ${proposalsText(a.ike)} and ${at(b, "ike")} offers ${proposalsText(b.ike)}, ` +
                    "so IKE_SA_INIT ends in NO_PROPOSAL_CHOSEN",
                "declare the same IKE algorithms on both ends (one algorithms object used for both)",
            ),
        };
    }
    if (ciphers.some(([p, q]) => intersects(p.groups, q.groups))) return undefined;
    const [p, q] = ciphers[0];
    return {
        check: "dhGroups",
        message: withFix(
            `no common Diffie-Hellman group: ${at(a, "ike")} offers ${p.groups.map(groupText).join(", ")} and ${at(b, "ike")} offers ` +
                `${q.groups.map(groupText).join(", ")} with the same cipher, so IKE_SA_INIT ends in NO_PROPOSAL_CHOSEN ` +
                "(a group both have but neither prefers only costs an INVALID_KE_PAYLOAD round trip)",
            `offer the same group on both ends, e.g. groups: [${DH_BY_KEYWORD.get(p.groups[0]) ?? p.groups[0]}] on ${b.site}`,
        ),
    };
}

function espProposals(a: TunnelEnd, b: TunnelEnd): Finding | undefined {
    if (!a.esp || !b.esp) return undefined;
    const ciphers = a.esp.flatMap((p) => b.esp!.filter((q) => sameCipher(p, q, "esp")).map((q) => [p, q] as const));
    if (ciphers.length === 0) {
        return {
            check: "espProposals",
            message: withFix(
                `no common ESP proposal: ${at(a, "esp")} offers ${proposalsText(a.esp)} and ${at(b, "esp")} offers ${proposalsText(b.esp)}, ` +
                    "so the IKE_SA comes up but IKE_AUTH installs no CHILD_SA (NO_PROPOSAL_CHOSEN)",
                "declare the same ESP transform on both ends (IOS transform set and strongSwan esp_proposals from one object)",
            ),
        };
    }
    if (ciphers.some(([p, q]) => intersects(p.groups, q.groups))) return undefined;
    const [p, q] = ciphers[0];
    return {
        check: "pfsGroup",
        message: withFix(
            `the PFS groups differ: ${at(a, "esp")} uses ${p.groups.map(groupText).join(", ")} and ${at(b, "esp")} uses ${q.groups.map(groupText).join(", ")}. ` +
                "The first CHILD_SA comes up (IKE_AUTH carries no key exchange), and every rekey fails (NO_PROPOSAL_CHOSEN or INVALID_KE_PAYLOAD) after the IPsec lifetime",
            "use the same pfsGroup on both ends (IOS `set pfs groupN`, strongSwan's ESP proposal with the same group)",
        ),
    };
}

function preSharedKey(a: TunnelEnd, b: TunnelEnd, keysAgree: boolean | undefined): Finding | undefined {
    if (keysAgree !== false) return undefined;
    return {
        check: "preSharedKey",
        message: withFix(
            `the pre-shared keys differ: ${at(a, "keys")} and ${at(b, "keys")} hold different keys (neither is shown), so IKE_AUTH ends in AUTHENTICATION_FAILED`,
            "give both ends the same secret, e.g. one `config.requireSecret(...)` used for both",
        ),
    };
}

// ---------------------------------------------------------------------------------------------
// Identities, keys and addresses

const sameText = (x: string, y: string) => x.toLowerCase() === y.toLowerCase();

/** Whether an identity is accepted by a match (IOS address + mask, or the same identity). */
function identityMatches(match: IdentityMatch, id: Identity): boolean {
    if (match.address !== undefined) {
        if (id.address === undefined) return false;
        if (!match.mask || match.mask === "255.255.255.255") return match.address === id.address;
        return ipv4Contains(`${match.address}/${maskLength(match.mask)}`, id.address);
    }
    if (match.fqdn !== undefined) return id.fqdn !== undefined && sameText(match.fqdn, id.fqdn);
    if (match.email !== undefined) return id.email !== undefined && sameText(match.email, id.email);
    return match.keyId !== undefined && match.keyId === id.keyId;
}

function maskLength(mask: string): number {
    return mask.split(".").reduce((n, o) => n + Number(o).toString(2).replace(/0/g, "").length, 0);
}

/** `from` sends its identity; does `to` accept it (IOS: selects a profile; strongSwan: remote.id)? */
function identity(from: TunnelEnd, to: TunnelEnd): Finding | undefined {
    if (!from.localId || !to.remoteIds || to.remoteIds.some((m) => identityMatches(m, from.localId!))) return undefined;
    const sent = from.platform === "ios" ? `\`identity local ${identityText(from.localId)}\`` : `identity ${identityText(from.localId)}`;
    const expected = to.remoteIds.map(identityText).join(" or ");
    const consequence =
        to.platform === "ios"
            ? `IOS selects no IKEv2 profile for it (\`% IKEv2 profile not found\`) and IKE_AUTH ends in AUTHENTICATION_FAILED`
            : "charon finds no connection for that identity (`no matching peer config found`) and IKE_AUTH ends in AUTHENTICATION_FAILED";
    const fixTo =
        to.platform === "ios"
            ? `match it on ${at(to, "identity")}: matchIdentityRemote: [${identityLiteral(from.localId)}] (IOS \`match identity remote ${identityText(from.localId)}\`)`
            : `set remote.id: ${identityLiteral(from.localId)} on ${at(to, "identity")}`;
    const fixFrom = from.platform === "ios" ? `identityLocal on ${at(from, "identity")}` : `local.id on ${at(from, "identity")}`;
    return {
        check: "identity",
        message: withFix(`identity mismatch: ${at(from, "identity")} sends ${sent}, but ${at(to, "identity")} accepts only ${expected}, so ${consequence}`, `${fixTo}, or change ${fixFrom}`),
    };
}

/** The keyring peer IOS would take the key from for a peer with this address and identity (address first). */
export function keyringPeerFor(peers: KeyringPeerView[], address: string | undefined, id: Identity | undefined): KeyringPeerView | undefined | "unknown" {
    const byAddress = peers
        .filter((p) => p.address !== undefined && address !== undefined && (p.mask ? ipv4Contains(`${p.address}/${maskLength(p.mask)}`, address) : p.address === address))
        .sort((x, y) => maskLength(y.mask ?? "255.255.255.255") - maskLength(x.mask ?? "255.255.255.255"));
    if (byAddress.length) return byAddress[0];
    const byIdentity = id && peers.find((p) => p.identity && identityMatches(p.identity, id));
    if (byIdentity) return byIdentity;
    // A hostname is matched through DNS, which a check cannot see.
    return peers.some((p) => p.hostname !== undefined) ? "unknown" : undefined;
}

/** Does `to` find a key for `from`? */
function keyLookup(from: TunnelEnd, to: TunnelEnd): Finding | undefined {
    if (to.platform === "ios") {
        if (!to.keyringPeers || from.address === undefined) return undefined;
        if (keyringPeerFor(to.keyringPeers, from.address, from.localId) !== undefined) return undefined;
        const labelled = to.keyringPeers.find((p) => p.name === from.address || p.name.toLowerCase() === from.site.toLowerCase());
        const story = labelled
            ? `keyring peer "${labelled.name}" has ${labelled.address ? `address ${labelled.address}` : "no address"}: a peer's name is only a label, IOS never matches on it. `
            : "";
        return {
            check: "keyringPeer",
            message: withFix(
                `${at(to, "keys")} has no pre-shared key for ${from.site}: ${story}No keyring peer has \`address ${from.address}\` (${from.site}'s address)` +
                    `${from.localId && !from.localId.address ? ` or \`identity ${identityText(from.localId)}\`` : ""}, so IOS finds no key ` +
                    "(`Failed to locate an item in the database`) and IKE_AUTH ends in AUTHENTICATION_FAILED",
                `add address: "${from.address}" to ${labelled ? `keyring peer "${labelled.name}"` : `a keyring peer for ${from.site}`} (IOS: \`address ${from.address}\`)`,
            ),
        };
    }
    // With remote.id set, the key is filed under it: the identity check covers that case.
    if (!to.keyOwners || !from.localId || to.remoteIds) return undefined;
    if (to.keyOwners.some((o) => identityMatches(o, from.localId!))) return undefined;
    return {
        check: "keyringPeer",
        message: withFix(
            `${at(to, "keys")} files its pre-shared key under ${to.keyOwners.map(identityText).join(", ")}, but ${from.site} sends identity ` +
                `${identityText(from.localId)}, so charon finds no shared key for it (\`no shared key found\`) and IKE_AUTH ends in AUTHENTICATION_FAILED`,
            `set remote.id: ${identityLiteral(from.localId)} on ${at(to, "keys")}`,
        ),
    };
}

/** Does `from` send IKE to where `to` is? */
function peerAddress(from: TunnelEnd, to: TunnelEnd): Finding | undefined {
    if (!from.peerAddresses || to.address === undefined) return undefined;
    const reaches = from.peerAddresses.some((p) => p === "%any" || p === to.address || (p.includes("/") && ipv4Contains(p, to.address!)) || !isIpv4(p));
    if (reaches) return undefined;
    const what = from.platform === "ios" ? `tunnel destination ${from.peerAddresses.join(", ")}` : `remote_addrs ${from.peerAddresses.join(", ")}`;
    return {
        check: "peerAddress",
        message: withFix(
            `${at(from, "tunnel")} sends IKE to ${what}, but ${to.site}'s address is ${to.address}, so ${from.site}'s packets never reach it (the peer does not answer)`,
            from.platform === "ios" ? `set tunnelDestination: "${to.address}"` : `set remoteAddrs: ["${to.address}"]`,
        ),
    };
}

// ---------------------------------------------------------------------------------------------
// Traffic

const sameSet = (x: string[], y: string[]) => x.length === y.length && x.every((v) => y.includes(v));
const covered = (network: string, by: string[]) => by.some((o) => o === network || ipv4Contains(o, network));

function trafficSelectors(a: TunnelEnd, b: TunnelEnd): Finding | undefined {
    if (a.platform !== "strongswan" || b.platform !== "strongswan") return undefined;
    if (!a.localTs || !a.remoteTs || !b.localTs || !b.remoteTs) return undefined;
    if (sameSet(a.localTs, b.remoteTs) && sameSet(a.remoteTs, b.localTs)) return undefined;
    return {
        check: "trafficSelectors",
        message: withFix(
            `the traffic selectors are not mirror images: ${at(a, "selectors")} has local_ts ${a.localTs.join(", ")} and remote_ts ${a.remoteTs.join(", ")}, ` +
                `${at(b, "selectors")} has local_ts ${b.localTs.join(", ")} and remote_ts ${b.remoteTs.join(", ")}, so the responder narrows them or ` +
                "refuses the CHILD_SA (TS_UNACCEPTABLE), and traffic outside the narrowed selectors is dropped",
            `make ${b.site}'s remoteTs ${a.localTs.join(", ")} and its localTs ${a.remoteTs.join(", ")}`,
        ),
    };
}

/** Route-based IOS end `to`: are the LANs behind `from` routed into its tunnel? */
function routes(from: TunnelEnd, to: TunnelEnd): Finding | undefined {
    if (to.platform !== "ios" || !to.routes) return undefined;
    const behind = from.platform === "strongswan" ? from.localTs?.filter((t) => t !== "dynamic" && t !== "0.0.0.0/0") : from.lans;
    if (!behind) return undefined;
    const missing = behind.filter((n) => !covered(n, to.routes!));
    if (missing.length === 0) return undefined;
    const tunnel = to.tunnel ? `Tunnel${to.tunnel.number}` : "its tunnel";
    const route = (n: string) => `{ destination: "${n}" }`;
    const ts = from.platform === "strongswan" ? `${from.site}'s local_ts` : `the LANs behind ${from.site}`;
    return {
        check: "routes",
        message: withFix(
            `${ts} ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not routed into ${tunnel} on ${at(to, "tunnel")}: traffic from ${to.site} to ` +
                `${missing.length === 1 ? "it" : "them"} never enters the tunnel` +
                (from.platform === "strongswan" ? ", and the CHILD_SA's selectors do not meet (TS_UNACCEPTABLE with routed selectors)" : ""),
            `add routes: [${missing.map(route).join(", ")}] to the tunnel on ${to.site} (IOS \`ip route ... ${tunnel}\`)`,
        ),
    };
}

// ---------------------------------------------------------------------------------------------
// Tunnel interfaces

function tunnelPair(a: TunnelEnd, b: TunnelEnd): Finding | undefined {
    if (!a.tunnel?.network || !b.tunnel?.network || a.tunnel.address === undefined || b.tunnel.address === undefined) return undefined;
    if (a.tunnel.network === b.tunnel.network && a.tunnel.address !== b.tunnel.address) return undefined;
    const problem =
        a.tunnel.address === b.tunnel.address
            ? `both ends of the tunnel have the address ${a.tunnel.address}`
            : `the tunnel addresses are not in one subnet: ${at(a, "tunnel")} has ${a.tunnel.address} (${a.tunnel.network}) and ${at(b, "tunnel")} has ${b.tunnel.address} (${b.tunnel.network})`;
    return {
        check: "tunnelInterface",
        message: withFix(`${problem}, so the two routers cannot reach each other's tunnel address`, "give the two ends two addresses of one small subnet, e.g. 172.16.0.1/30 and 172.16.0.2/30"),
    };
}

/** Another tunnel on the same router (same device): clashing numbers, addresses, destinations or profile matches. */
function tunnelClash(end: TunnelEnd, other: TunnelEnd): Finding[] {
    if (end.platform !== "ios" || other.platform !== "ios" || !end.device || end.device !== other.device) return [];
    const findings: Finding[] = [];
    const t = end.tunnel;
    const o = other.tunnel;
    if (t && o && t.number === o.number) {
        findings.push({
            check: "tunnelInterface",
            message: withFix(
                `Tunnel${t.number} on ${end.site} is declared twice: by ${end.resources.tunnel ?? "this tunnel"} and by ${other.resources.tunnel ?? "another tunnel"}, so one overwrites the other`,
                "give each tunnel on a router its own number",
            ),
        });
    } else if (t?.network && o?.network && ipv4Overlap(t.network, o.network)) {
        findings.push({
            check: "tunnelInterface",
            message: withFix(
                `the tunnel subnets overlap on ${end.site}: Tunnel${t.number} (${end.resources.tunnel ?? "this tunnel"}) has ${t.address} (${t.network}) and ` +
                    `Tunnel${o.number} (${other.resources.tunnel ?? "another tunnel"}) has ${o.address} (${o.network}); IOS refuses the second address ("overlaps with")`,
                "give each tunnel its own subnet, e.g. the next /30",
            ),
        });
    }
    const shared = end.peerAddresses?.find((p) => other.peerAddresses?.includes(p));
    if (shared) {
        findings.push({
            check: "tunnelInterface",
            message: withFix(
                `two tunnels on ${end.site} go to ${shared}: ${end.resources.tunnel ?? "this tunnel"} and ${other.resources.tunnel ?? "another tunnel"}; ` +
                    "IKE cannot tell their SAs apart",
                "declare one tunnel per peer",
            ),
        });
    }
    const ambiguous = (end.remoteIds ?? []).find((m) => (other.remoteIds ?? []).some((n) => overlapIdentity(m, n)));
    if (ambiguous && end.resources.identity !== other.resources.identity) {
        findings.push({
            check: "identity",
            message: withFix(
                `two IKEv2 profiles on ${end.site} match the same peer identity (${identityText(ambiguous)}): ${end.resources.identity ?? "this tunnel's"} and ` +
                    `${other.resources.identity ?? "another tunnel's"}, so IOS may answer that peer with the wrong profile`,
                "match each peer in one profile only",
            ),
        });
    }
    return findings;
}

function overlapIdentity(m: IdentityMatch, n: IdentityMatch): boolean {
    if (m.address !== undefined && n.address !== undefined) {
        const net = (x: IdentityMatch) => `${x.address}/${maskLength(x.mask ?? "255.255.255.255")}`;
        return ipv4Overlap(net(m), net(n));
    }
    return identityMatches(m, n);
}
