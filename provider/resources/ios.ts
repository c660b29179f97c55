/**
 * The IOS resources. Each one's arguments are its zod schema's input type (provider/schema/ios.ts),
 * plus the device, with references to other objects accepting the resource itself or a name.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import {
    ikeV2KeyringPeerSchema,
    ikeV2KeyringSchema,
    ikeV2PolicySchema,
    ikeV2ProfileSchema,
    ikeV2ProposalSchema,
    ipsecProfileSchema,
    ipsecTransformSetSchema,
    tunnelInterfaceSchema,
} from "../schema/ios";
import { iosTunnelCheckSchema } from "../schema/tunnel-check";
import { CommonArgs, DeepInput, dynamicResourceArgs, IosDevice, nameOf, OutputOf, peerInputs, Ref, TunnelCheckPeerArgs } from "./base";
import { recordDeclaration } from "./cross-end";

type Fields<S extends z.ZodType> = { [K in keyof z.input<S>]: DeepInput<z.input<S>[K]> };

interface OnIosDevice extends CommonArgs {
    /** The router this object is configured on. */
    device: IosDevice;
}

/** Outputs every IOS resource has. */
abstract class IosObject extends pulumi.dynamic.Resource {
    /** `user@host` of the device. */
    declare readonly device: pulumi.Output<string>;
    /** The object's block as the device shows it after the change, keys masked. */
    declare readonly config: pulumi.Output<string[]>;
    /** Lines found on the device that this resource does not declare (drift); removed by the next update. */
    declare readonly unmanaged: pulumi.Output<string[]>;
}

export type IkeV2ProposalArgs = Fields<typeof ikeV2ProposalSchema> & OnIosDevice;
/** `crypto ikev2 proposal NAME`: IKE SA algorithms. Used only when an IkeV2Policy lists it. */
export class IkeV2Proposal extends IosObject {
    declare readonly name: pulumi.Output<string>;
    constructor(name: string, args: IkeV2ProposalArgs, opts?: pulumi.CustomResourceOptions) {
        super(...dynamicResourceArgs("IkeV2Proposal", name, args, opts));
        recordDeclaration(this, "IkeV2Proposal", name, args);
    }
}

export type IkeV2PolicyArgs = Omit<Fields<typeof ikeV2PolicySchema>, "proposals"> &
    OnIosDevice & {
        /** The proposals, in order of preference: resources or names. */
        proposals: Ref<IkeV2Proposal>[];
    };
/** `crypto ikev2 policy NAME`: which proposals IKE negotiates. */
export class IkeV2Policy extends IosObject {
    declare readonly name: pulumi.Output<string>;
    constructor(name: string, args: IkeV2PolicyArgs, opts?: pulumi.CustomResourceOptions) {
        const props = { ...args, proposals: args.proposals.map(nameOf) };
        super(...dynamicResourceArgs("IkeV2Policy", name, props, opts));
        recordDeclaration(this, "IkeV2Policy", name, args);
    }
}

export type IkeV2KeyringArgs = Fields<typeof ikeV2KeyringSchema> & OnIosDevice;
/**
 * `crypto ikev2 keyring NAME`. A peer's name is only a label: IOS picks the key by the peer's
 * address, identity or hostname, so every peer needs one of them.
 */
export class IkeV2Keyring extends IosObject {
    declare readonly name: pulumi.Output<string>;
    constructor(name: string, args: IkeV2KeyringArgs, opts?: pulumi.CustomResourceOptions) {
        // The keys travel in their own secret input (preSharedKeys), so that previews still show the peers.
        super(...dynamicResourceArgs("IkeV2Keyring", name, args, opts));
        recordDeclaration(this, "IkeV2Keyring", name, args);
    }
}

export type IkeV2KeyringPeerArgs = Fields<typeof ikeV2KeyringPeerSchema> & OnIosDevice;
/**
 * One peer of `crypto ikev2 keyring KEYRING`, managed apart from the keyring's other peers: a hub's
 * tunnels each own their peer, so adding or removing one touches no other tunnel's object. The
 * keyring is created with its first peer and removed with its last. The key travels as a secret
 * input of its own; previews show the peer's address.
 */
export class IkeV2KeyringPeer extends IosObject {
    declare readonly name: pulumi.Output<string>;
    declare readonly keyring: pulumi.Output<string>;
    constructor(name: string, args: IkeV2KeyringPeerArgs, opts?: pulumi.CustomResourceOptions) {
        super(...dynamicResourceArgs("IkeV2KeyringPeer", name, args, opts));
        recordDeclaration(this, "IkeV2KeyringPeer", name, args);
    }
}

export type IkeV2ProfileArgs = Omit<Fields<typeof ikeV2ProfileSchema>, "keyring"> &
    OnIosDevice & {
        /** `keyring local`: the keyring resource, or its name (e.g. the `keyring` of IkeV2KeyringPeer resources). */
        keyring?: Ref<IkeV2Keyring>;
    };
/** `crypto ikev2 profile NAME`: identities, authentication and keyring for matching peers. */
export class IkeV2Profile extends IosObject {
    declare readonly name: pulumi.Output<string>;
    constructor(name: string, args: IkeV2ProfileArgs, opts?: pulumi.CustomResourceOptions) {
        const props = { ...args, keyring: args.keyring === undefined ? undefined : nameOf(args.keyring) };
        super(...dynamicResourceArgs("IkeV2Profile", name, props, opts));
        recordDeclaration(this, "IkeV2Profile", name, args);
    }
}

export type IpsecTransformSetArgs = Fields<typeof ipsecTransformSetSchema> & OnIosDevice;
/** `crypto ipsec transform-set NAME ...`: ESP algorithms. */
export class IpsecTransformSet extends IosObject {
    declare readonly name: pulumi.Output<string>;
    constructor(name: string, args: IpsecTransformSetArgs, opts?: pulumi.CustomResourceOptions) {
        super(...dynamicResourceArgs("IpsecTransformSet", name, args, opts));
        recordDeclaration(this, "IpsecTransformSet", name, args);
    }
}

export type IpsecProfileArgs = Omit<Fields<typeof ipsecProfileSchema>, "transformSets" | "ikev2Profile"> &
    OnIosDevice & {
        /** `set transform-set`: resources or names, in order of preference. */
        transformSets: Ref<IpsecTransformSet>[];
        /** `set ikev2-profile`: the resource or its name. */
        ikev2Profile: Ref<IkeV2Profile>;
    };
/** `crypto ipsec profile NAME`: what `tunnel protection` applies to a tunnel interface. */
export class IpsecProfile extends IosObject {
    declare readonly name: pulumi.Output<string>;
    constructor(name: string, args: IpsecProfileArgs, opts?: pulumi.CustomResourceOptions) {
        const props = { ...args, transformSets: args.transformSets.map(nameOf), ikev2Profile: nameOf(args.ikev2Profile) };
        super(...dynamicResourceArgs("IpsecProfile", name, props, opts));
        recordDeclaration(this, "IpsecProfile", name, args);
    }
}

export type TunnelInterfaceArgs = Omit<Fields<typeof tunnelInterfaceSchema>, "protectionProfile"> &
    OnIosDevice & {
        /** `tunnel protection ipsec profile`: the resource or its name. */
        protectionProfile: Ref<IpsecProfile>;
    };
/**
 * `interface TunnelN` in `tunnel mode ipsec ipv4` with its `ip route ... TunnelN` lines: the
 * routes are created after the interface and removed before it.
 */
export class TunnelInterface extends IosObject {
    declare readonly number: pulumi.Output<number>;
    constructor(name: string, args: TunnelInterfaceArgs, opts?: pulumi.CustomResourceOptions) {
        const props = { ...args, protectionProfile: nameOf(args.protectionProfile) };
        super(...dynamicResourceArgs("TunnelInterface", name, props, opts));
        recordDeclaration(this, "TunnelInterface", name, args);
    }
}

export type IosTunnelCheckArgs = Omit<Fields<typeof iosTunnelCheckSchema>, "tunnel" | "triggers" | "peer" | "peerPassword" | "peerPrivateKey" | "peerPrivateKeyPassphrase" | "peerEnableSecret"> & {
    /** The router. */
    device: IosDevice;
    /** The TunnelInterface (which also orders this check after it) or its number. */
    tunnel: TunnelInterface | pulumi.Input<number>;
    /** Values whose change makes the check run again, e.g. the `config` outputs of both ends. */
    triggers?: pulumi.Input<unknown>[];
    /** The tunnel's far end, read only when the tunnel does not come up, so that the error names the cause from both ends. */
    peer?: TunnelCheckPeerArgs;
};

/**
 * Proves an IOS tunnel came up, from the router: `show crypto ikev2 sa` READY for the tunnel's
 * destination, its ESP SAs in `show crypto ipsec sa`, and optionally `ping DEST source X` through it
 * with the tunnel's packet counters growing both ways. When it does not come up, the deployment
 * fails with the cause and the fix, from the router's `debug crypto ikev2` lines and, with `peer`,
 * the far end's log. Refresh reads the live SAs. Configures nothing.
 */
export class IosTunnelCheck extends pulumi.dynamic.Resource {
    /** Whether the IKE SA is READY and the ESP SAs installed (at the last up or refresh). */
    declare readonly established: pulumi.Output<OutputOf<"IosTunnelCheck", "established">>;
    /** The SAs as the router shows them. */
    declare readonly config: pulumi.Output<string[]>;
    declare readonly device: pulumi.Output<string>;

    constructor(name: string, args: IosTunnelCheckArgs, opts?: pulumi.CustomResourceOptions) {
        const { tunnel, triggers, peer, ...rest } = args;
        const number = pulumi.Resource.isInstance(tunnel) ? tunnel.number : tunnel;
        const props = { ...rest, tunnel: number, triggers: triggers ?? [], ...peerInputs(peer) };
        const dependsOn = pulumi.Resource.isInstance(tunnel) ? [tunnel] : [];
        super(...dynamicResourceArgs("IosTunnelCheck", name, props, pulumi.mergeOptions(opts, { dependsOn })));
    }
}
