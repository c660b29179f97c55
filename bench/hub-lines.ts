/**
 * The hub's objects as IOS lines, for Ansible's `src:` files: what the provider's own renderers
 * make of each object, and its own removal plan. Apart from hub.ts, which the hub's Pulumi program
 * loads, so that the program does not load the schemas and renderers.
 */
import { ConfigNode, renderConfigTree } from "../provider/ios/config-tree";
import { iosObjects } from "../provider/ios/objects";
import { planTransition } from "../provider/ios/plan";
import { iosSchemas } from "../provider/schema/ios";
import { HubObject } from "./hub";

/**
 * The object's running-config nodes as the provider renders them: its inputs validated by the
 * resource's schema (defaults applied), then rendered by the provider's renderer of that kind.
 */
export function renderObject(o: HubObject): ConfigNode[] {
    switch (o.kind) {
        case "IkeV2Proposal":
            return iosObjects.IkeV2Proposal.render(iosSchemas.IkeV2Proposal.parse(o.input));
        case "IkeV2Policy":
            return iosObjects.IkeV2Policy.render(iosSchemas.IkeV2Policy.parse(o.input));
        case "IkeV2Keyring":
            return iosObjects.IkeV2Keyring.render(iosSchemas.IkeV2Keyring.parse(o.input));
        case "IkeV2KeyringPeer":
            return iosObjects.IkeV2KeyringPeer.render(iosSchemas.IkeV2KeyringPeer.parse(o.input));
        case "IkeV2Profile":
            return iosObjects.IkeV2Profile.render(iosSchemas.IkeV2Profile.parse(o.input));
        case "IpsecTransformSet":
            return iosObjects.IpsecTransformSet.render(iosSchemas.IpsecTransformSet.parse(o.input));
        case "IpsecProfile":
            return iosObjects.IpsecProfile.render(iosSchemas.IpsecProfile.parse(o.input));
        case "TunnelInterface":
            return iosObjects.TunnelInterface.render(iosSchemas.TunnelInterface.parse(o.input));
    }
}

/** What Ansible's `src:` file holds to create the objects: every object's block, in dependency order. */
export function ansibleCreateText(objects: HubObject[]): string {
    return objects.flatMap((o) => renderConfigTree(renderObject(o))).join("\n") + "\n";
}

/**
 * What Ansible's `src:` file holds to remove the objects: the provider's own removal lines for each
 * object (`no ip route ...`, `no interface TunnelN`, `no crypto ...`), in reverse dependency order.
 */
export function ansibleDestroyText(objects: HubObject[]): string {
    return [...objects].reverse().flatMap((o) => planTransition(o.kind, renderObject(o), undefined)).join("\n") + "\n";
}
