/**
 * The hub's objects (bench/hub.ts) as this provider's resources on one IOS router. References are
 * given by name with the referenced resources in `dependsOn`, which orders create and delete the
 * same way as passing the resource itself.
 */
import * as pulumi from "@pulumi/pulumi";
import {
    IkeV2Keyring,
    IkeV2KeyringPeer,
    IkeV2Policy,
    IkeV2Profile,
    IkeV2Proposal,
    IosDevice,
    IpsecProfile,
    IpsecTransformSet,
    TunnelInterface,
} from "../../provider";
import { HubObject, peerKey } from "../hub";

/** Creates one resource per object; returns them by resource name. */
export function hubResources(device: IosDevice, objects: HubObject[], pskSeed: pulumi.Output<string>): Map<string, pulumi.CustomResource> {
    const created = new Map<string, pulumi.CustomResource>();
    for (const o of objects) {
        const opts: pulumi.CustomResourceOptions = {
            dependsOn: o.dependsOn.map((name) => {
                const r = created.get(name);
                if (!r) throw new Error(`${o.resourceName} depends on ${name}, which comes later or not at all`);
                return r;
            }),
        };
        created.set(o.resourceName, resourceOf(device, o, pskSeed, opts));
    }
    return created;
}

function resourceOf(device: IosDevice, o: HubObject, pskSeed: pulumi.Output<string>, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
    switch (o.kind) {
        case "IkeV2Proposal":
            return new IkeV2Proposal(o.resourceName, { device, ...o.input }, opts);
        case "IkeV2Policy":
            return new IkeV2Policy(o.resourceName, { device, ...o.input }, opts);
        case "IkeV2Keyring":
            return new IkeV2Keyring(
                o.resourceName,
                { device, ...o.input, peers: o.input.peers.map((p) => ({ ...p, preSharedKey: pskSeed.apply((seed) => peerKey(seed, p.name)) })) },
                opts,
            );
        case "IkeV2KeyringPeer":
            return new IkeV2KeyringPeer(o.resourceName, { device, ...o.input, preSharedKey: pskSeed.apply((seed) => peerKey(seed, o.input.name)) }, opts);
        case "IkeV2Profile":
            return new IkeV2Profile(o.resourceName, { device, ...o.input }, opts);
        case "IpsecTransformSet":
            return new IpsecTransformSet(o.resourceName, { device, ...o.input }, opts);
        case "IpsecProfile":
            return new IpsecProfile(o.resourceName, { device, ...o.input }, opts);
        case "TunnelInterface":
            return new TunnelInterface(o.resourceName, { device, ...o.input }, opts);
    }
}
