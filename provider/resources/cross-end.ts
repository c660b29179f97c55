/**
 * The cross-end checks for a tunnel's two ends, as the program declares them: SiteToSiteTunnel runs
 * them on its own declarations, and checkTunnelEnds() on resources written by hand, found through
 * what each resource class recorded of its arguments (a reference given as a name is looked up among
 * the resources declared on the same device). Both end in a CrossEndCheck resource, whose check()
 * runs at `pulumi preview` and again at `pulumi up` when every value is known (dynamic/cross-end-check.ts).
 * Keys never go into it: whether the two ends' keys agree is compared here, in an Output, and only
 * the answer travels.
 */
import * as pulumi from "@pulumi/pulumi";
import { deviceProviderStub } from "../dynamic/provider-stub";
import { KIND_INPUT } from "../dynamic/wire";
import { Identity } from "../strongswan/swanctl-ids";
import { keyringPeerFor } from "../tunnel/cross-check";
import { KeyringPeerView } from "../tunnel/ends";
import { Role } from "../tunnel/roles";
import { IosDevice, StrongSwanHost } from "./types";

type Args = Record<string, unknown>;

/**
 * A resource kind's name (`TunnelInterface`). A string rather than the registry's ResourceKind: the
 * package's public declarations include this module and must not reach the schemas' zod types.
 */
type KindName = string;

interface Declaration {
    kind: KindName;
    name: string;
    args: Args;
}

const declarations = new WeakMap<pulumi.Resource, Declaration>();
/** Every resource declared so far, in order: where a reference by name is looked up. */
const declared: pulumi.Resource[] = [];

/** Called by each resource class: what the resource was declared with, for the cross-end checks. */
export function recordDeclaration(resource: pulumi.Resource, kind: KindName, name: string, args: object): void {
    declarations.set(resource, { kind, name, args: { ...args } });
    declared.push(resource);
}

// ---------------------------------------------------------------------------------------------
// Ends as declarations

/** The arguments of an IOS end's objects (references as names), keys included: they are stripped before the check. */
export interface IosEndDeclaration {
    platform: "ios";
    site: string;
    device: IosDevice;
    address?: pulumi.Input<string>;
    lans?: pulumi.Input<string>[];
    resources: Partial<Record<Role, string>>;
    proposals: Args[];
    keyringPeers: pulumi.Input<Args[]>;
    profile?: Args;
    ipsecProfile?: Args;
    transformSets: Args[];
    tunnel?: Args;
}

export interface StrongSwanEndDeclaration {
    platform: "strongswan";
    site: string;
    device: StrongSwanHost;
    lans?: pulumi.Input<string>[];
    resources: Partial<Record<Role, string>>;
    connection: Args;
    child?: pulumi.Input<string>;
}

export type EndDeclaration = IosEndDeclaration | StrongSwanEndDeclaration;

const KEY_FIELDS = ["preSharedKey", "localPreSharedKey", "remotePreSharedKey"];

function omit(args: Args, keys: string[]): Args {
    return Object.fromEntries(Object.entries(args).filter(([k]) => !keys.includes(k)));
}

/** An object's model as the check takes it: no device, no adopt flag, no key. */
const withoutDevice = (args: Args): Args => omit(args, ["device", "adopt", ...KEY_FIELDS]);

/** A keyring peer as the checks see it: how IOS finds it, never its key. */
function peerView(p: Args): KeyringPeerView {
    const a = p.address;
    const address = typeof a === "string" ? (a.includes(":") ? { ipv6Prefix: a } : { address: a }) : ((a ?? {}) as Args);
    return JSON.parse(
        JSON.stringify({ name: p.name, address: address.address, mask: address.mask, ipv6Prefix: address.ipv6Prefix, identity: p.identity, hostname: p.hostname }),
    );
}

/** What the CrossEndCheck resource receives for one end: the models, no key, no credentials. */
function endInput(end: EndDeclaration): pulumi.Input<Args> {
    const device = pulumi.output(end.device.host).apply((h) => `${end.device.username}@${h}`);
    const common = { site: end.site, platform: end.platform, device, lans: end.lans, resources: end.resources };
    if (end.platform === "strongswan") return { ...common, connection: withoutDevice(end.connection), child: end.child };
    return {
        ...common,
        address: end.address,
        proposals: end.proposals.map(withoutDevice),
        // The peers' keys are secrets; what remains of a peer is not.
        keyringPeers: pulumi.unsecret(pulumi.output(end.keyringPeers).apply((peers) => peers.map(peerView))),
        profile: end.profile && withoutDevice(end.profile),
        ipsecProfile: end.ipsecProfile && withoutDevice(end.ipsecProfile),
        transformSets: end.transformSets.map(withoutDevice),
        tunnel: end.tunnel && withoutDevice(end.tunnel),
    };
}

/**
 * What the clash checks need of another tunnel on the same router: its interface and the peer it
 * matches. Nothing else, so that changing that tunnel's algorithms or timers leaves this check alone.
 */
function neighbourInput(end: EndDeclaration): pulumi.Input<Args> | undefined {
    if (end.platform !== "ios") return undefined;
    const profile = end.profile && { name: end.profile.name, matchIdentityRemote: end.profile.matchIdentityRemote, keyring: end.profile.keyring };
    return {
        site: end.site,
        platform: end.platform,
        device: pulumi.output(end.device.host).apply((h) => `${end.device.username}@${h}`),
        resources: { identity: end.resources.identity, tunnel: end.resources.tunnel },
        profile,
        tunnel: end.tunnel && withoutDevice(end.tunnel),
    };
}

/** The key an end uses for its peer, found as the device would find it. */
function keyFor(end: EndDeclaration, peerAddress: string | undefined, peerId: Identity | undefined, peers: Args[]): string | undefined {
    if (end.platform === "strongswan") return undefined;
    const found = keyringPeerFor(peers.map(peerView), peerAddress, peerId);
    if (found === undefined || found === "unknown") return undefined;
    const peer = peers.find((p) => p.name === found.name);
    return typeof peer?.preSharedKey === "string" ? peer.preSharedKey : undefined;
}

/** The end's address and identity as the far end sees them (plain values only). */
function sent(end: EndDeclaration): { address: pulumi.Output<string | undefined>; id: pulumi.Output<Identity | undefined> } {
    if (end.platform === "ios") {
        const local = end.profile?.identityLocal as pulumi.Input<Identity> | undefined;
        const address = pulumi.output(end.address ?? (end.tunnel?.tunnelSource as pulumi.Input<string> | undefined));
        return { address, id: pulumi.all([local, address]).apply(([l, a]) => l ?? (a ? { address: a } : undefined)) };
    }
    const addrs = pulumi.output(end.connection.localAddrs as pulumi.Input<string[]> | undefined);
    const local = end.connection.local as pulumi.Input<{ id?: Identity }> | undefined;
    const address = addrs.apply((a) => a?.[0]);
    return { address, id: pulumi.all([local, address]).apply(([l, a]) => l?.id ?? (a ? { address: a } : undefined)) };
}

/** Whether the keys agree, as a plain boolean (undefined when a key cannot be found). */
function keysAgree(a: EndDeclaration, b: EndDeclaration): pulumi.Output<boolean | undefined> {
    const keyOf = (end: EndDeclaration, far: EndDeclaration): pulumi.Output<string | undefined> => {
        if (end.platform === "strongswan") return pulumi.output(end.connection.preSharedKey as pulumi.Input<string> | undefined);
        const { address, id } = sent(far);
        return pulumi.all([end.keyringPeers, address, id]).apply(([peers, addr, peerId]) => keyFor(end, addr, peerId, peers as Args[]));
    };
    const agree = pulumi.all([keyOf(a, b), keyOf(b, a)]).apply(([x, y]) => (x === undefined || y === undefined ? undefined : x === y));
    return pulumi.unsecret(agree);
}

/** A CrossEndCheck resource for two declared ends and the other tunnels on their routers. */
export function crossEndCheck(
    name: string,
    tunnel: string,
    a: EndDeclaration,
    b: EndDeclaration,
    neighbours: { a: EndDeclaration[]; b: EndDeclaration[] },
    opts?: pulumi.CustomResourceOptions,
): CrossEndCheck {
    return new CrossEndCheck(
        name,
        {
            tunnel,
            a: endInput(a),
            b: endInput(b),
            keysAgree: keysAgree(a, b),
            neighbours: { a: neighbours.a.map(neighbourInput), b: neighbours.b.map(neighbourInput) },
        },
        opts,
    );
}

/**
 * Runs the cross-end checks on a tunnel's two ends: the disagreements fail `pulumi preview` (and
 * `pulumi up`) with a message that names both ends' resources and the fix. Used by
 * SiteToSiteTunnel; checkTunnelEnds() builds the same from resources written by hand.
 */
export class CrossEndCheck extends pulumi.dynamic.Resource {
    constructor(name: string, props: Args, opts?: pulumi.CustomResourceOptions) {
        super(deviceProviderStub(), name, { ...props, [KIND_INPUT]: "CrossEndCheck" }, opts, "ikev2", "CrossEndCheck");
    }
}

// ---------------------------------------------------------------------------------------------
// Ends written by hand

function declarationOf(resource: pulumi.Resource): Declaration | undefined {
    return declarations.get(resource);
}

function sameDevice(x: unknown, y: unknown): boolean {
    if (x === y) return true;
    const hx = (x as { host?: unknown } | undefined)?.host;
    const hy = (y as { host?: unknown } | undefined)?.host;
    return typeof hx === "string" && hx === hy;
}

/** A reference (resource or name) to the declaration of the object it names, on the same device. */
function resolve(ref: unknown, kind: KindName, device: unknown): Declaration | undefined {
    if (pulumi.Resource.isInstance(ref)) return declarationOf(ref);
    if (typeof ref !== "string") return undefined;
    for (const r of declared) {
        const d = declarations.get(r)!;
        if (d.kind === kind && d.args.name === ref && sameDevice(d.args.device, device)) return d;
    }
    return undefined;
}

/** Arguments with their references replaced by the names they stand for. */
function named(d: Declaration | undefined, refs: string[]): Args | undefined {
    if (!d) return undefined;
    const out: Args = { ...d.args };
    const nameOf = (ref: unknown) => (pulumi.Resource.isInstance(ref) ? (declarationOf(ref)?.args.name ?? ref.urn.apply((u) => u.split("::").pop()!)) : ref);
    for (const k of refs) {
        const v = out[k];
        if (v !== undefined) out[k] = Array.isArray(v) ? v.map(nameOf) : nameOf(v);
    }
    return out;
}

const label = (d: Declaration | undefined) => d && `${d.kind} "${d.name}"`;

/** What the program declared for the IOS end whose tunnel interface this is. */
function iosEndFromResources(site: string, tunnel: pulumi.Resource, lans?: pulumi.Input<string>[], address?: pulumi.Input<string>): IosEndDeclaration {
    const t = declarationOf(tunnel);
    if (!t || t.kind !== "TunnelInterface") throw new Error(`checkTunnelEnds: ${site}'s end must be a TunnelInterface of this package. Fix: pass the TunnelInterface resource`);
    const device = t.args.device as IosDevice;
    const ipsec = resolve(t.args.protectionProfile, "IpsecProfile", device);
    const transformSets = ((ipsec?.args.transformSets as unknown[]) ?? []).map((r) => resolve(r, "IpsecTransformSet", device));
    const profile = resolve(ipsec?.args.ikev2Profile, "IkeV2Profile", device);
    const keyringRef = profile?.args.keyring;
    const keyring = resolve(keyringRef, "IkeV2Keyring", device);
    const keyringName = keyring ? keyring.args.name : keyringRef;
    const members = declared.map((r) => declarations.get(r)!).filter((d) => d.kind === "IkeV2KeyringPeer" && d.args.keyring === keyringName && sameDevice(d.args.device, device));
    const policies = declared.map((r) => declarations.get(r)!).filter((d) => d.kind === "IkeV2Policy" && sameDevice(d.args.device, device));
    const proposals = policies.flatMap((p) => (p.args.proposals as unknown[]).map((r) => resolve(r, "IkeV2Proposal", device)));
    return {
        platform: "ios",
        site,
        device,
        address,
        lans,
        resources: {
            ike: policies.map(label).join(", ") || undefined,
            esp: label(ipsec),
            keys: label(keyring) ?? members.map(label).join(", "),
            identity: label(profile),
            tunnel: label(t),
        },
        proposals: proposals.every((p) => p !== undefined) ? proposals.map((p) => named(p, [])!) : [],
        keyringPeers: keyring ? (keyring.args.peers as pulumi.Input<Args[]>) : members.map((m) => omit(m.args, ["device", "adopt", "keyring"])),
        profile: named(profile, ["keyring"]),
        ipsecProfile: named(ipsec, ["transformSets", "ikev2Profile"]),
        transformSets: transformSets.every((x) => x !== undefined) ? transformSets.map((x) => named(x, [])!) : [],
        tunnel: named(t, ["protectionProfile"]),
    };
}

function strongSwanEndFromResources(site: string, connection: pulumi.Resource, child?: pulumi.Input<string>, lans?: pulumi.Input<string>[]): StrongSwanEndDeclaration {
    const c = declarationOf(connection);
    if (!c || c.kind !== "StrongSwanConnection") throw new Error(`checkTunnelEnds: ${site}'s end must be a StrongSwanConnection of this package. Fix: pass the StrongSwanConnection resource`);
    return { platform: "strongswan", site, device: c.args.device as StrongSwanHost, lans, resources: Object.fromEntries((["ike", "esp", "keys", "identity", "selectors"] as const).map((r) => [r, label(c)!])), connection: c.args, child };
}

/** One end of a hand-written tunnel: the IOS tunnel interface, or the strongSwan connection (and child). */
export type HandWrittenEnd =
    | { site: string; tunnel: pulumi.Resource; lans?: pulumi.Input<string>[]; address?: pulumi.Input<string> }
    | { site: string; connection: pulumi.Resource; child?: pulumi.Input<string>; lans?: pulumi.Input<string>[] };

function handWritten(end: HandWrittenEnd): EndDeclaration {
    return "tunnel" in end ? iosEndFromResources(end.site, end.tunnel, end.lans, end.address) : strongSwanEndFromResources(end.site, end.connection, end.child, end.lans);
}

/** The other tunnel interfaces declared on the same router as an IOS end. */
function otherTunnels(end: HandWrittenEnd): EndDeclaration[] {
    if (!("tunnel" in end)) return [];
    const own = declarationOf(end.tunnel);
    return declared
        .filter((r) => r !== end.tunnel && declarations.get(r)!.kind === "TunnelInterface" && sameDevice(declarations.get(r)!.args.device, own?.args.device))
        .map((r) => iosEndFromResources(end.site, r));
}

/**
 * The cross-end checks for a tunnel written by hand: pass each end's TunnelInterface (IOS) or
 * StrongSwanConnection (strongSwan), declared before this call. Disagreements (algorithms, keys,
 * identities, keyring peer addresses, selectors and routes, IKE version, clashing tunnel interfaces)
 * fail `pulumi preview` naming both ends' resources and the fix.
 */
export function checkTunnelEnds(name: string, ends: { a: HandWrittenEnd; b: HandWrittenEnd }, opts?: pulumi.CustomResourceOptions): CrossEndCheck {
    return crossEndCheck(name, name, handWritten(ends.a), handWritten(ends.b), { a: otherTunnels(ends.a), b: otherTunnels(ends.b) }, opts);
}
