/**
 * One end of a site-to-site tunnel as the other end sees it: what it sends (address, identity,
 * proposals, selectors) and what it accepts (identities, a key for the peer, proposals, routes).
 * Built from the validated models of the resources that make the end (IOS: proposals, keyring
 * peer, IKEv2 profile, IPsec profile, transform sets, tunnel interface; strongSwan: the connection
 * and its child), so that the cross-end checks (cross-check.ts) and the diagnosis (diagnosis.ts)
 * reason about IOS and strongSwan alike. Every field is optional: a value not known yet (preview)
 * or not declared leaves it out, and the checks that need it do not run. No I/O.
 */
import { DH_GROUPS, DhGroup, espProposalToStrongSwan, ikeProposalToStrongSwan } from "../algorithms";
import { ipv4NetworkOf, isIpv4 } from "../address";
import { IkeV2ProfileModel, IkeV2ProposalModel, IpsecProfileModel, IpsecTransformSetModel, TunnelInterfaceModel } from "../schema/ios";
import { StrongSwanConnectionModel } from "../schema/strongswan";
import { parseStrongSwanProposal } from "../strongswan/proposals";
import { Identity, pskOwners } from "../strongswan/swanctl-ids";
import { Role } from "./roles";


/** An identity the end accepts from its peer: an identity, an address with a mask (IOS), or any. */
export type IdentityMatch = Identity & { mask?: string };

/** How an IOS keyring finds the key for a peer (`peer NAME` with `address`, `identity` or `hostname`). */
export interface KeyringPeerView {
    name: string;
    address?: string;
    mask?: string;
    ipv6Prefix?: string;
    identity?: Identity;
    hostname?: string;
}

/** One IKE or ESP proposal as sets of strongSwan keywords (a PRF that follows integrity written out). */
export interface ProposalSets {
    text: string;
    aead: boolean;
    encryption: string[];
    integrity: string[];
    prf: string[];
    /** DH groups; for ESP, the PFS groups ("none" when the proposal may go without). */
    groups: string[];
}

export interface TunnelEnd {
    /** The site's name in messages ("home", "vps"). */
    site: string;
    platform: "ios" | "strongswan";
    /** `user@host` of the device. */
    device?: string;
    /** The resource that holds each part of the end, as messages name it (`IkeV2Profile "home-vps-profile"`). */
    resources: Partial<Record<Role, string>>;
    /** The address IKE leaves from. */
    address?: string;
    /** The address IKE goes to (IOS `tunnel destination`, strongSwan `remote_addrs`). */
    peerAddresses?: string[];
    ikeVersion?: number;
    ike?: ProposalSets[];
    esp?: ProposalSets[];
    /** The identity this end sends. */
    localId?: Identity;
    /** What it accepts from the peer; undefined: any identity. */
    remoteIds?: IdentityMatch[];
    /** IOS: the keyring peers of the keyring the profile uses. */
    keyringPeers?: KeyringPeerView[];
    /** strongSwan: the identities the pre-shared key is filed under for the peer (`id-N`). */
    keyOwners?: Identity[];
    /** Route-based (IOS VTI): the prefixes routed into the tunnel. */
    routes?: string[];
    /** Policy-based (strongSwan): the CHILD_SA's selectors. */
    localTs?: string[];
    remoteTs?: string[];
    /** The LANs behind this end that the tunnel carries, when declared. */
    lans?: string[];
    /** IOS: the tunnel interface. */
    tunnel?: { number: number; address?: string; mask?: string; network?: string };
}

// ---------------------------------------------------------------------------------------------
// Proposals as sets

const prfOf = (integrity: string) => `prf${integrity}`;

/** Reads a strongSwan proposal string; undefined when it is not one (a raw string the schema refused). */
function proposalSets(text: string, kind: "ike" | "esp"): ProposalSets | undefined {
    const parsed = parseStrongSwanProposal(text, kind);
    if (!parsed.ok) return undefined;
    const p = parsed.value;
    return {
        text,
        aead: p.aead,
        encryption: p.encryption,
        integrity: p.integrity,
        // Without an explicit PRF, IKE uses the PRF of the integrity algorithm.
        prf: kind === "ike" ? (p.prf.length ? p.prf : p.integrity.map(prfOf)) : [],
        groups: kind === "esp" && p.groups.length === 0 ? ["none"] : p.groups,
    };
}

const isDhGroup = (g: number): g is DhGroup => (DH_GROUPS as readonly number[]).includes(g);

/** An IOS proposal (whose schema types a group as a number) as strongSwan keywords. */
function iosIkeProposal(p: IkeV2ProposalModel): ProposalSets | undefined {
    return proposalSets(ikeProposalToStrongSwan({ ...p, groups: p.groups.filter(isDhGroup) }), "ike");
}

const definedOnly = <T>(list: (T | undefined)[]): T[] => list.filter((x): x is T => x !== undefined);

// ---------------------------------------------------------------------------------------------
// IOS

/** The models of an IOS end, as far as they are known (keys never included). */
export interface IosEndParts {
    site: string;
    device?: string;
    resources: Partial<Record<Role, string>>;
    /** The WAN address IKE leaves from; by default the tunnel source when it is an address. */
    address?: string;
    /** The proposals the router's IKEv2 policies offer. */
    proposals?: IkeV2ProposalModel[];
    keyringPeers?: KeyringPeerView[];
    profile?: IkeV2ProfileModel;
    ipsecProfile?: IpsecProfileModel;
    /** The transform sets the IPsec profile names (others are ignored). */
    transformSets?: IpsecTransformSetModel[];
    tunnel?: TunnelInterfaceModel;
    lans?: string[];
}

function iosEsp(ipsecProfile: IpsecProfileModel | undefined, transformSets: IpsecTransformSetModel[] | undefined): ProposalSets[] | undefined {
    if (!ipsecProfile || !transformSets) return undefined;
    const named = ipsecProfile.transformSets.map((n) => transformSets.find((t) => t.name === n));
    // A transform set that is not known (yet) makes the whole list unknown.
    if (named.some((t) => t === undefined)) return undefined;
    return definedOnly(
        definedOnly(named).map((t) =>
            proposalSets(
                espProposalToStrongSwan({ encryption: t.encryption, integrity: t.integrity }, ipsecProfile.pfsGroup !== undefined && isDhGroup(ipsecProfile.pfsGroup) ? ipsecProfile.pfsGroup : undefined),
                "esp",
            ),
        ),
    );
}

export function iosEnd(p: IosEndParts): TunnelEnd {
    const source = p.tunnel?.tunnelSource;
    const address = p.address ?? (source !== undefined && isIpv4(source) ? source : undefined);
    const t = p.tunnel;
    return {
        site: p.site,
        platform: "ios",
        device: p.device,
        resources: p.resources,
        address,
        peerAddresses: t ? [t.tunnelDestination] : undefined,
        ikeVersion: 2,
        ike: p.proposals && definedOnly(p.proposals.map(iosIkeProposal)),
        esp: iosEsp(p.ipsecProfile, p.transformSets),
        // IOS sends its address when the profile has no `identity local`.
        localId: p.profile ? (p.profile.identityLocal ?? (address ? { address } : undefined)) : undefined,
        remoteIds: p.profile?.matchIdentityRemote,
        keyringPeers: p.keyringPeers,
        routes: t?.routes.map((r) => r.destination),
        lans: p.lans,
        tunnel: t && { number: t.number, address: t.ipAddress.address, mask: t.ipAddress.mask, network: ipv4NetworkOf(t.ipAddress.address, t.ipAddress.mask) },
    };
}

// ---------------------------------------------------------------------------------------------
// strongSwan

export interface StrongSwanEndParts {
    site: string;
    device?: string;
    resources: Partial<Record<Role, string>>;
    connection?: StrongSwanConnectionModel;
    /** The child that carries the tunnel; the first one by default. */
    child?: string;
    lans?: string[];
}

export function strongSwanEnd(p: StrongSwanEndParts): TunnelEnd {
    const c = p.connection;
    const child = c && (c.children.find((x) => x.name === p.child) ?? c.children[0]);
    const address = c?.localAddrs?.find(isIpv4);
    const owners = c ? pskOwners(c).remote : undefined;
    return {
        site: p.site,
        platform: "strongswan",
        device: p.device,
        resources: p.resources,
        address,
        peerAddresses: c?.remoteAddrs,
        ikeVersion: c?.version,
        ike: c && definedOnly(c.proposals.map((x) => proposalSets(x, "ike"))),
        esp: child && definedOnly(child.espProposals.map((x) => proposalSets(x, "esp"))),
        // charon sends its IP address when local.id is not set.
        localId: c ? (c.local.id ?? (address ? { address } : undefined)) : undefined,
        remoteIds: c ? (c.remote.id ? [c.remote.id] : undefined) : undefined,
        keyOwners: owners?.map((o) => (isIpv4(o) ? { address: o } : identityFromOwner(o))),
        localTs: child?.localTs,
        remoteTs: child?.remoteTs,
        lans: p.lans,
    };
}

/** `fqdn:x`, `email:x`, `keyid:x` as swanctl files a secret. */
function identityFromOwner(owner: string): Identity {
    const [kind, ...rest] = owner.split(":");
    const value = rest.join(":");
    if (kind === "fqdn") return { fqdn: value };
    if (kind === "email") return { email: value };
    if (kind === "keyid") return { keyId: value };
    return { address: owner };
}

// ---------------------------------------------------------------------------------------------
// Identities

/** `address 198.51.100.1`, `fqdn vps.example.net` ... as IOS and people write them. */
export function identityText(id: IdentityMatch): string {
    if (id.address !== undefined) return `address ${id.address}${id.mask && id.mask !== "255.255.255.255" ? ` ${id.mask}` : ""}`;
    if (id.fqdn !== undefined) return `fqdn ${id.fqdn}`;
    if (id.email !== undefined) return `email ${id.email}`;
    return `key-id ${id.keyId}`;
}

/** The identity as a TypeScript literal for a fix (`{ address: "198.51.100.1" }`). */
export function identityLiteral(id: Identity): string {
    const [k, v] = Object.entries(id).find(([, x]) => x !== undefined) ?? ["address", ""];
    return `{ ${k}: "${v}" }`;
}
