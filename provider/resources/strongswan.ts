/**
 * The strongSwan resources: a swanctl connection in its own conf.d file, and the check that a
 * tunnel came up. Their arguments and outputs are generated from the schemas (types.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import { dynamicResourceArgs, nameOf, peerInputs } from "./base";
import { recordDeclaration } from "./cross-end";
import { StrongSwanConnectionArgs, StrongSwanConnectionOutputs, StrongSwanTunnelCheckArgs, StrongSwanTunnelCheckOutputs } from "./types";

// The arguments are generated with the types; they are exported here too, beside their classes.
export type { StrongSwanConnectionArgs, StrongSwanTunnelCheckArgs };

/**
 * A swanctl connection on a strongSwan host, written to its own file `<swanctlDir>/conf.d/pulumi-<name>.conf` (mode
 * 0600, with its pre-shared key in the file's own `secrets` section) and loaded with `swanctl --load-all`.
 */
export class StrongSwanConnection extends StrongSwanConnectionOutputs {
    constructor(name: string, args: StrongSwanConnectionArgs, opts?: pulumi.CustomResourceOptions) {
        // The pre-shared key travels as a secret input of its own.
        super(...dynamicResourceArgs("StrongSwanConnection", name, args, opts));
        recordDeclaration(this, "StrongSwanConnection", name, args);
    }
}

/**
 * Proves a tunnel came up: create and update initiate the CHILD_SA when needed, wait until it is installed and
 * optionally ping through it, failing the deployment with the cause and the fix, from both ends' evidence when `peer`
 * is set. Refresh reads the live SAs (`established` output), so a tunnel that went down is drift that the next `pulumi
 * up` repairs. It configures nothing. The resource class takes the StrongSwanConnection resource (or its name) as
 * `connection`.
 */
export class StrongSwanTunnelCheck extends StrongSwanTunnelCheckOutputs {
    constructor(name: string, args: StrongSwanTunnelCheckArgs, opts?: pulumi.CustomResourceOptions) {
        const { connection, triggers, peer, ...rest } = args;
        const props = { ...rest, connectionName: nameOf(connection), triggers: triggers ?? [], ...peerInputs(peer) };
        super(...dynamicResourceArgs("StrongSwanTunnelCheck", name, props, opts));
    }
}
