/**
 * A tunnel's end as a device holds it, for the diagnosis: an IOS end from running-config (the
 * tunnel interface, its IPsec profile and transform sets, the IKEv2 profile, the keyring it names
 * and the proposals of every IKEv2 policy), a strongSwan end from the connection's conf.d file.
 * Whatever a person wrote there by hand, including what the schemas refuse (a keyring peer without
 * an address): each object that passes its schema goes in, the keyring peers as they are. The
 * pre-shared key the end would use for its peer is returned for comparison only; it never leaves
 * the process. No I/O.
 */
import { isIpv4 } from "../address";
import { parseConfigTree, ConfigNode } from "../ios/config-tree";
import { iosObjects, isEncryptedKey } from "../ios/objects";
import { IosKind, IosModels, iosSchemas } from "../schema/ios";
import { strongSwanConnectionSchema } from "../schema/strongswan";
import { parseConnectionFile } from "../strongswan/swanctl-conf";
import { Identity } from "../strongswan/swanctl-ids";
import { keyringPeerFor } from "./cross-check";
import { iosEnd, KeyringPeerView, strongSwanEnd, TunnelEnd } from "./ends";

/** An end read from a device, with the key it would use for a peer: the key, "opaque" (IOS type 6) or undefined (none). */
export interface DeviceEnd {
    end: TunnelEnd;
    keyFor(peerAddress: string | undefined, peerId: Identity | undefined): string | "opaque" | undefined;
}

/** One object of a kind from the tree, when it is there and passes its schema. */
function object<K extends IosKind>(tree: ConfigNode[], kind: K, ref: { name: string } | { number: number }): IosModels[K] | undefined {
    const nodes = iosObjects[kind].extract(tree, ref);
    if (!nodes) return undefined;
    const parsed = iosSchemas[kind].safeParse(iosObjects[kind].parse(nodes).model);
    return parsed.success ? (parsed.data as IosModels[K]) : undefined;
}

/** The IPv4 address of `interface NAME` (`ip address A M`). */
function interfaceAddress(tree: ConfigNode[], name: string): string | undefined {
    const block = tree.find((n) => n.line === `interface ${name}`);
    const line = block?.children.find((c) => /^ip address \S+ \S+$/.test(c.line));
    return line?.line.split(" ")[2];
}

export function iosEndFromRunningConfig(text: string, o: { site: string; device?: string; tunnel: number }): DeviceEnd {
    const tree = parseConfigTree(text);
    const tunnel = object(tree, "TunnelInterface", { number: o.tunnel });
    const ipsecProfile = tunnel && object(tree, "IpsecProfile", { name: tunnel.protectionProfile });
    const transformSets = ipsecProfile?.transformSets.map((name) => object(tree, "IpsecTransformSet", { name }));
    const profile = ipsecProfile && object(tree, "IkeV2Profile", { name: ipsecProfile.ikev2Profile });
    const keyringNodes = profile?.keyring !== undefined ? iosObjects.IkeV2Keyring.extract(tree, { name: profile.keyring }) : undefined;
    const devicePeers = keyringNodes ? (iosObjects.IkeV2Keyring.parse(keyringNodes).model.peers ?? []) : [];
    const peers: KeyringPeerView[] = devicePeers.map((p) => ({
        name: String(p.name),
        address: p.address?.address,
        mask: p.address?.mask,
        ipv6Prefix: p.address?.ipv6Prefix,
        identity: p.identity,
        hostname: p.hostname,
    }));
    const policies = tree.filter((n) => n.line.startsWith("crypto ikev2 policy ")).map((n) => iosObjects.IkeV2Policy.parse([n]).model);
    const proposals = policies.flatMap((p) => p.proposals ?? []).map((name) => object(tree, "IkeV2Proposal", { name }));
    const source = tunnel?.tunnelSource;
    const address = source === undefined ? undefined : isIpv4(source) ? source : interfaceAddress(tree, source);
    const end = iosEnd({
        site: o.site,
        device: o.device,
        resources: {
            ike: "`crypto ikev2 proposal`",
            esp: ipsecProfile ? `\`crypto ipsec profile ${ipsecProfile.name}\`` : undefined,
            keys: profile?.keyring ? `\`crypto ikev2 keyring ${profile.keyring}\`` : undefined,
            identity: profile ? `\`crypto ikev2 profile ${profile.name}\`` : undefined,
            tunnel: `\`interface Tunnel${o.tunnel}\``,
        },
        address,
        proposals: proposals.every((p) => p !== undefined) ? proposals.filter((p) => p !== undefined) : undefined,
        keyringPeers: keyringNodes ? peers : undefined,
        profile,
        ipsecProfile,
        transformSets: transformSets?.every((t) => t !== undefined) ? transformSets.filter((t) => t !== undefined) : undefined,
        tunnel,
    });
    return {
        end,
        keyFor(peerAddress, peerId) {
            const found = keyringPeerFor(peers, peerAddress, peerId);
            if (found === undefined || found === "unknown") return undefined;
            const key = devicePeers.find((p) => p.name === found.name)?.preSharedKey;
            return isEncryptedKey(key) ? "opaque" : key;
        },
    };
}

export function strongSwanEndFromFile(text: string | undefined, o: { site: string; device?: string; connection: string; child?: string; file: string }): DeviceEnd {
    const parsed = text === undefined ? undefined : parseConnectionFile(text, o.connection);
    const model = parsed && strongSwanConnectionSchema.safeParse(parsed.model);
    const connection = model?.success ? model.data : undefined;
    return {
        end: strongSwanEnd({
            site: o.site,
            device: o.device,
            resources: Object.fromEntries((["ike", "esp", "keys", "identity", "selectors"] as const).map((r) => [r, `\`${o.file}\``])),
            connection,
            child: o.child,
        }),
        keyFor: () => connection?.preSharedKey,
    };
}
