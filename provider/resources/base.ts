/**
 * What all resource classes share: splitting a device into its plain connection settings and its
 * secret credentials, resolving references, and registering the dynamic resource under a readable
 * type token (`pulumi-nodejs:dynamic/ikev2:<Kind>`). The types users write are generated
 * (types.ts, from the schemas), and so is what this module needs of each kind (wire-layouts.ts):
 * a program loads neither the schemas nor zod.
 */
import * as pulumi from "@pulumi/pulumi";
import { deviceProviderStub } from "../dynamic/provider-stub";
import type { ResourceKind } from "../dynamic/registry";
import { inputsFromModel, KIND_INPUT, secretInputs } from "../dynamic/wire";
import { adviseOnWaveWidth } from "./parallelism";
import { IosDevice, Ref, StrongSwanHost, TunnelCheckPeer } from "./types";
import { CREDENTIAL_FIELDS, WIRE_LAYOUTS } from "./wire-layouts";

/** Splits a device into plain connection settings and credentials that are always secret. */
function splitDevice(device: IosDevice | StrongSwanHost): { connection: Record<string, unknown>; credentials: pulumi.Output<object> } {
    const connection: Record<string, unknown> = {};
    const credentials: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(device)) {
        if (v === undefined) continue;
        if (CREDENTIAL_FIELDS.includes(k)) credentials[k] = v;
        else connection[k] = v;
    }
    return { connection, credentials: pulumi.secret(credentials) };
}

export function nameOf(ref: Ref<pulumi.Resource & { name: pulumi.Output<string> }>): pulumi.Input<string> {
    return pulumi.Resource.isInstance(ref) ? (ref as { name: pulumi.Output<string> }).name : (ref as pulumi.Input<string>);
}

/**
 * The wire inputs of a resource (dynamic/wire.ts): the device split into connection and secret
 * credentials, each secret the schema marks in an input of its own, stored as a Pulumi secret,
 * every computed output present (undefined) so that the engine knows it, and the kind, which the
 * shared provider stub dispatches on.
 */
function wireInputs(kind: ResourceKind, args: { device: IosDevice | StrongSwanHost }): Record<string, unknown> {
    const entry = WIRE_LAYOUTS[kind];
    const { device, ...rest } = args;
    const fields: [string, unknown][] = Object.entries(rest);
    const props: Record<string, unknown> = Object.fromEntries(fields);
    for (const f of entry.secrets.fields) if (props[f] !== undefined) props[f] = pulumi.secret(props[f]);
    for (const list of entry.secrets.lists) {
        if (props[list.property] === undefined) continue;
        // The list travels without the secrets and stays readable in previews; the secrets travel apart.
        // The schema says this property is a list (secretLayout only lists arrays); its entries may be Inputs.
        const entries = pulumi.output(props[list.property] as pulumi.Input<unknown[]>);
        const split = entries.apply((values) => inputsFromModel({ fields: [], lists: [list], notOnDevice: [] }, { [list.property]: values }));
        props[list.property] = pulumi.unsecret(split.apply((s) => s[list.property]));
        props[list.input] = pulumi.secret(split.apply((s) => s[list.input]));
    }
    const outputs = Object.fromEntries(entry.outputNames.map((n) => [n, undefined]));
    return { ...outputs, ...props, ...splitDevice(device), [KIND_INPUT]: kind };
}

/** The arguments of dynamic.Resource's constructor for a resource of this kind. */
export function dynamicResourceArgs(
    kind: ResourceKind,
    name: string,
    args: { device: IosDevice | StrongSwanHost },
    opts: pulumi.CustomResourceOptions | undefined,
): [pulumi.dynamic.ResourceProvider, string, Record<string, unknown>, pulumi.CustomResourceOptions, string, string] {
    // Routers batch what arrives together; say when the engine's parallelism would split their waves.
    if (WIRE_LAYOUTS[kind].iosObject) adviseOnWaveWidth(kind, args.device);
    return [
        deviceProviderStub(),
        name,
        wireInputs(kind, args),
        pulumi.mergeOptions(opts, { additionalSecretOutputs: secretInputs(WIRE_LAYOUTS[kind].secrets) }),
        "ikev2",
        kind,
    ];
}

/** A check's `peer` and its credentials, each credential a secret input of its own (schema/tunnel-check.ts). */
export function peerInputs(peer: TunnelCheckPeer | undefined): Record<string, unknown> {
    if (!peer) return {};
    const device = "ios" in peer ? peer.ios : peer.strongSwan;
    const { connection } = splitDevice(device);
    const described =
        "ios" in peer
            ? { platform: "ios", site: peer.site, connection, tunnel: peer.tunnel }
            : { platform: "strongswan", site: peer.site, connection, connectionName: peer.connectionName, child: peer.child };
    return {
        peer: described,
        peerPassword: device.password,
        peerPrivateKey: device.privateKey,
        peerPrivateKeyPassphrase: device.privateKeyPassphrase,
        peerEnableSecret: "ios" in peer ? peer.ios.enableSecret : undefined,
    };
}
