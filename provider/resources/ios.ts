/**
 * The IOS resources. Their arguments and outputs are generated from the schemas (types.ts); a
 * reference to another object takes the resource itself or a name, which the class turns into the
 * name the schema expects.
 */
import * as pulumi from "@pulumi/pulumi";
import { dynamicResourceArgs, nameOf, peerInputs } from "./base";
import { recordDeclaration } from "./cross-end";
import {
    IkeV2KeyringArgs,
    IkeV2KeyringOutputs,
    IkeV2KeyringPeerArgs,
    IkeV2KeyringPeerOutputs,
    IkeV2PolicyArgs,
    IkeV2PolicyOutputs,
    IkeV2ProfileArgs,
    IkeV2ProfileOutputs,
    IkeV2ProposalArgs,
    IkeV2ProposalOutputs,
    IosTunnelCheckArgs,
    IosTunnelCheckOutputs,
    IpsecProfileArgs,
    IpsecProfileOutputs,
    IpsecTransformSetArgs,
    IpsecTransformSetOutputs,
    TunnelInterfaceArgs,
    TunnelInterfaceOutputs,
} from "./types";

// The arguments are generated with the types; they are exported here too, beside their classes.
export type { IkeV2KeyringArgs, IkeV2KeyringPeerArgs, IkeV2PolicyArgs, IkeV2ProfileArgs, IkeV2ProposalArgs, IosTunnelCheckArgs, IpsecProfileArgs, IpsecTransformSetArgs, TunnelInterfaceArgs };

/** `crypto ikev2 proposal`: the IKE SA's algorithms. IOS uses a proposal only when an IkeV2Policy lists it. */
export class IkeV2Proposal extends IkeV2ProposalOutputs {
    constructor(name: string, args: IkeV2ProposalArgs, opts?: pulumi.CustomResourceOptions) {
        super(...dynamicResourceArgs("IkeV2Proposal", name, args, opts));
        recordDeclaration(this, "IkeV2Proposal", name, args);
    }
}

/** `crypto ikev2 policy`: which proposals IKE negotiates, optionally per local address or front-door VRF. */
export class IkeV2Policy extends IkeV2PolicyOutputs {
    constructor(name: string, args: IkeV2PolicyArgs, opts?: pulumi.CustomResourceOptions) {
        const props = { ...args, proposals: args.proposals.map(nameOf) };
        super(...dynamicResourceArgs("IkeV2Policy", name, props, opts));
        recordDeclaration(this, "IkeV2Policy", name, args);
    }
}

/**
 * `crypto ikev2 keyring`: pre-shared keys per peer. The peer's name is only a label; IOS picks the key by the peer's
 * address, identity or hostname, so every peer needs one of them (check refuses a peer without). Keys travel as Pulumi
 * secrets in their own input `preSharedKeys`, so previews show the peers but never a key. On a router with `password
 * encryption aes` the keys show only encrypted: see keysVersion.
 */
export class IkeV2Keyring extends IkeV2KeyringOutputs {
    constructor(name: string, args: IkeV2KeyringArgs, opts?: pulumi.CustomResourceOptions) {
        // The keys travel in their own secret input (preSharedKeys), so that previews still show the peers.
        super(...dynamicResourceArgs("IkeV2Keyring", name, args, opts));
        recordDeclaration(this, "IkeV2Keyring", name, args);
    }
}

/**
 * One peer of a `crypto ikev2 keyring` (IOS `peer NAME` with its address, identity or hostname and its key), managed
 * apart from the keyring's other peers, so that adding or removing a tunnel on a hub touches only its own peer: the
 * keyring is created with its first peer and removed with its last. Do not also manage the same keyring with
 * IkeV2Keyring. The key is a Pulumi secret input of its own.
 */
export class IkeV2KeyringPeer extends IkeV2KeyringPeerOutputs {
    constructor(name: string, args: IkeV2KeyringPeerArgs, opts?: pulumi.CustomResourceOptions) {
        // The key travels as a secret input of its own; previews show the peer's address.
        super(...dynamicResourceArgs("IkeV2KeyringPeer", name, args, opts));
        recordDeclaration(this, "IkeV2KeyringPeer", name, args);
    }
}

/**
 * `crypto ikev2 profile`: which peers it matches (`match identity remote`), the local identity, authentication and
 * keyring.
 */
export class IkeV2Profile extends IkeV2ProfileOutputs {
    constructor(name: string, args: IkeV2ProfileArgs, opts?: pulumi.CustomResourceOptions) {
        const props = { ...args, keyring: args.keyring === undefined ? undefined : nameOf(args.keyring) };
        super(...dynamicResourceArgs("IkeV2Profile", name, props, opts));
        recordDeclaration(this, "IkeV2Profile", name, args);
    }
}

/** `crypto ipsec transform-set`: the ESP algorithms. */
export class IpsecTransformSet extends IpsecTransformSetOutputs {
    constructor(name: string, args: IpsecTransformSetArgs, opts?: pulumi.CustomResourceOptions) {
        super(...dynamicResourceArgs("IpsecTransformSet", name, args, opts));
        recordDeclaration(this, "IpsecTransformSet", name, args);
    }
}

/**
 * `crypto ipsec profile`: transform sets, IKEv2 profile, PFS and SA lifetimes; applied to a tunnel with `tunnel
 * protection`.
 */
export class IpsecProfile extends IpsecProfileOutputs {
    constructor(name: string, args: IpsecProfileArgs, opts?: pulumi.CustomResourceOptions) {
        const props = { ...args, transformSets: args.transformSets.map(nameOf), ikev2Profile: nameOf(args.ikev2Profile) };
        super(...dynamicResourceArgs("IpsecProfile", name, props, opts));
        recordDeclaration(this, "IpsecProfile", name, args);
    }
}

/**
 * `interface TunnelN` (a route-based VTI) plus the `ip route ... TunnelN` lines that send the remote networks into it;
 * routes are created after the interface and removed before it.
 */
export class TunnelInterface extends TunnelInterfaceOutputs {
    constructor(name: string, args: TunnelInterfaceArgs, opts?: pulumi.CustomResourceOptions) {
        const props = { ...args, protectionProfile: nameOf(args.protectionProfile) };
        super(...dynamicResourceArgs("TunnelInterface", name, props, opts));
        recordDeclaration(this, "TunnelInterface", name, args);
    }
}

const isTunnelInterface = (t: IosTunnelCheckArgs["tunnel"]): t is TunnelInterfaceOutputs => pulumi.Resource.isInstance(t);

/**
 * Proves an IOS tunnel came up, from the router: create and update wait until `show crypto ikev2 sa` shows the IKE SA
 * to the tunnel's destination READY and `show crypto ipsec sa` the tunnel's ESP SAs, then optionally ping through it
 * (`ping DEST source X`) and require the tunnel's packet counters to grow both ways. When it does not come up, the
 * error names the cause and the fix from the router's `debug crypto ikev2` lines (and the far end's log when `peer` is
 * set). Refresh reads the live SAs (`established` output). It configures nothing.
 */
export class IosTunnelCheck extends IosTunnelCheckOutputs {
    constructor(name: string, args: IosTunnelCheckArgs, opts?: pulumi.CustomResourceOptions) {
        const { tunnel, triggers, peer, ...rest } = args;
        const props = { ...rest, tunnel: isTunnelInterface(tunnel) ? tunnel.number : tunnel, triggers: triggers ?? [], ...peerInputs(peer) };
        const dependsOn = isTunnelInterface(tunnel) ? [tunnel] : [];
        super(...dynamicResourceArgs("IosTunnelCheck", name, props, pulumi.mergeOptions(opts, { dependsOn })));
    }
}
