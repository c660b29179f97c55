/** The strongSwan resource: one swanctl connection in its own conf.d file. */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { strongSwanConnectionSchema } from "../schema/strongswan";
import { strongSwanTunnelCheckSchema } from "../schema/tunnel-check";
import { CommonArgs, DeepInput, dynamicResourceArgs, nameOf, OutputOf, peerInputs, Ref, StrongSwanHost, TunnelCheckPeerArgs } from "./base";
import { recordDeclaration } from "./cross-end";

export type StrongSwanConnectionArgs = { [K in keyof z.input<typeof strongSwanConnectionSchema>]: DeepInput<z.input<typeof strongSwanConnectionSchema>[K]> } &
    CommonArgs & {
        /** The strongSwan host this connection is configured on. */
        device: StrongSwanHost;
    };

/**
 * A swanctl connection with its pre-shared key, written to `<swanctlDir>/conf.d/` with mode 0600
 * and loaded with `swanctl --load-all`.
 */
export class StrongSwanConnection extends pulumi.dynamic.Resource {
    declare readonly name: pulumi.Output<string>;
    /** `user@host` of the strongSwan host. */
    declare readonly device: pulumi.Output<string>;
    /** The connection file as written, secret masked. */
    declare readonly config: pulumi.Output<string[]>;
    /** Keys in the file that this resource does not declare (drift). */
    declare readonly unmanaged: pulumi.Output<string[]>;
    /** Whether charon had the connection loaded when last applied or refreshed. */
    declare readonly loaded: pulumi.Output<OutputOf<"StrongSwanConnection", "loaded">>;
    /** Path of the connection's file on the host. */
    declare readonly file: pulumi.Output<OutputOf<"StrongSwanConnection", "file">>;

    constructor(name: string, args: StrongSwanConnectionArgs, opts?: pulumi.CustomResourceOptions) {
        // The pre-shared key travels as a secret input of its own.
        super(...dynamicResourceArgs("StrongSwanConnection", name, args, opts));
        recordDeclaration(this, "StrongSwanConnection", name, args);
    }
}

export type StrongSwanTunnelCheckArgs = Omit<
    { [K in keyof z.input<typeof strongSwanTunnelCheckSchema>]: DeepInput<z.input<typeof strongSwanTunnelCheckSchema>[K]> },
    "connectionName" | "triggers" | "peer" | "peerPassword" | "peerPrivateKey" | "peerPrivateKeyPassphrase" | "peerEnableSecret"
> & {
    /** The strongSwan host that holds the connection. */
    device: StrongSwanHost;
    /** The StrongSwanConnection (which also orders this check after it) or its name. */
    connection: Ref<StrongSwanConnection>;
    /** Values whose change makes the check run again, e.g. the `config` outputs of both ends. */
    triggers?: pulumi.Input<unknown>[];
    /** The tunnel's far end, read only when the tunnel does not come up, so that the error names the cause from both ends. */
    peer?: TunnelCheckPeerArgs;
};

/**
 * Proves that a tunnel came up: on create and update it initiates the CHILD_SA if needed, waits until
 * it is installed and optionally pings through it, failing the deployment with the reason (and the
 * likely fix) when it does not. `pulumi refresh` reads the live SAs: a tunnel that went down shows
 * `established: false` and the next `pulumi up` brings it up again. Configures nothing.
 */
export class StrongSwanTunnelCheck extends pulumi.dynamic.Resource {
    /** Whether the IKE_SA is established and the CHILD_SA installed (at the last up or refresh). */
    declare readonly established: pulumi.Output<OutputOf<"StrongSwanTunnelCheck", "established">>;
    /** The SAs as swanctl reports them. */
    declare readonly config: pulumi.Output<string[]>;
    declare readonly device: pulumi.Output<string>;

    constructor(name: string, args: StrongSwanTunnelCheckArgs, opts?: pulumi.CustomResourceOptions) {
        const { connection, triggers, peer, ...rest } = args;
        const props = { ...rest, connectionName: nameOf(connection), triggers: triggers ?? [], ...peerInputs(peer) };
        super(...dynamicResourceArgs("StrongSwanTunnelCheck", name, props, opts));
    }
}
