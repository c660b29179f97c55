/** The strongSwan resource: one swanctl connection in its own conf.d file. */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { strongSwanConnectionSchema } from "../schema/strongswan";
import { CommonArgs, DeepInput, dynamicResourceArgs, splitDevice, StrongSwanHost } from "./base";

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
    declare readonly loaded: pulumi.Output<boolean>;
    /** Path of the connection's file on the host. */
    declare readonly file: pulumi.Output<string>;

    constructor(name: string, args: StrongSwanConnectionArgs, opts?: pulumi.CustomResourceOptions) {
        const { device, ...rest } = args;
        const props = { ...rest, preSharedKey: rest.preSharedKey === undefined ? undefined : pulumi.secret(rest.preSharedKey), ...splitDevice(device), loaded: undefined, file: undefined };
        super(...dynamicResourceArgs("StrongSwanConnection", name, props as Record<string, unknown>, opts));
    }
}
