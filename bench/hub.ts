/**
 * The benchmark's hub: one IOS router with N route-based IKEv2 tunnels. One proposal, one policy,
 * one transform set, one keyring with N peers, and per spoke an IKEv2 profile, an IPsec profile and
 * a tunnel interface with one route: 3N + 4 objects, in five dependency waves (proposal -> policy ->
 * profile -> IPsec profile -> tunnel, with the keyring and transform set beside them).
 *
 * Every tool of the benchmark is fed from here, so they configure the same thing: the Pulumi hub
 * program creates one resource per object, the null program one null resource per object with the
 * same inputs and dependencies, and Ansible gets the text that the provider's own renderers
 * (provider/ios/objects.ts) make of the same inputs, and the provider's own removal plan
 * (provider/ios/plan.ts) for the destroy step (hub-lines.ts). This module holds data only, no
 * schemas or renderers, because the hub's Pulumi program loads it: a program that loaded zod here
 * would charge this provider's no-op `up` for work of the benchmark's own.
 *
 * Keys are not part of the objects (the Pulumi program gives them as secrets); withKeys() derives
 * each peer's key from a per-run seed, for Ansible's file and the checks.
 */
import { createHmac } from "crypto";
import type { z } from "zod";
import type { iosSchemas, IosKind } from "../provider/schema/ios";

/** A resource's properties as a user writes them (the schema's input type), references as names. */
export type IosInput<K extends IosKind> = z.input<(typeof iosSchemas)[K]>;

/** One object of the hub: the Pulumi resource name, its kind and inputs, and the resources it needs first. */
export type HubObject = { [K in IosKind]: { resourceName: string; kind: K; input: IosInput<K>; dependsOn: string[] } }[IosKind];

/** A spoke as the hub sees it: the keyring peer's label, its outside address and the LANs behind it. */
export interface Spoke {
    name: string;
    wan: string;
    lans: string[];
}

export interface HubOptions {
    /** The hub's outside address: its IKE identity. */
    hubWan: string;
    /** The hub's outside interface (`tunnel source`). */
    tunnelSource: string;
    spokes: Spoke[];
    /** The benchmark's one-property change: the first tunnel's description. */
    changed?: boolean;
}

/** One declaration of the algorithms, for the hub's proposal and transform set and the spokes' strongSwan proposals. */
export const IKE_ALGORITHMS = { encryption: ["aes-cbc-256" as const], integrity: ["sha256" as const], groups: [14 as const] };
export const ESP_ALGORITHMS = { encryption: "esp-aes-256" as const, integrity: "esp-sha256-hmac" as const };
export const PFS_GROUP = 14 as const;

export const PROPOSAL = "PROP-AES256";
export const POLICY = "POL-1";
export const TRANSFORM_SET = "TS-AES256";
export const KEYRING = "KR";

/** The description of the first tunnel before and after the benchmark's change step. */
export function tunnelDescription(spoke: Spoke, index: number, changed: boolean | undefined): string {
    return index === 0 && changed ? `to ${spoke.name}, changed` : `to ${spoke.name}`;
}

/**
 * N made-up spokes for a hub on an emulated router: outside addresses in 198.19.0.0/16 and LANs in
 * 10.64.0.0/10 (nothing routes to them: the router is emulated and only stores configuration).
 */
export function syntheticSpokes(n: number): Spoke[] {
    if (!Number.isInteger(n) || n < 1 || n > 1000) throw new Error(`a hub has 1 to 1000 spokes, not ${n}`);
    return Array.from({ length: n }, (_, i) => ({
        name: `spoke${i + 1}`,
        wan: `198.19.${Math.floor(i / 250)}.${(i % 250) + 1}`,
        lans: [`10.${64 + Math.floor(i / 256)}.${i % 256}.0/24`],
    }));
}

/** The /30 of tunnel i (0-based) in 172.16.0.0/16; the hub takes its first address. */
function tunnelAddress(i: number): string {
    const offset = 4 * i + 1;
    if (offset > 65535) throw new Error(`tunnel ${i + 1} is beyond 172.16.0.0/16`);
    return `172.16.${offset >> 8}.${offset & 255}`;
}

/** The hub's objects in dependency order (every object after what it depends on). */
export function hubObjects(o: HubOptions): HubObject[] {
    const shared: HubObject[] = [
        {
            resourceName: "hub-proposal",
            kind: "IkeV2Proposal",
            input: { name: PROPOSAL, ...IKE_ALGORITHMS },
            dependsOn: [],
        },
        { resourceName: "hub-policy", kind: "IkeV2Policy", input: { name: POLICY, proposals: [PROPOSAL] }, dependsOn: ["hub-proposal"] },
        {
            resourceName: "hub-ts",
            kind: "IpsecTransformSet",
            input: { name: TRANSFORM_SET, ...ESP_ALGORITHMS, mode: "tunnel" },
            dependsOn: [],
        },
        {
            resourceName: "hub-keyring",
            kind: "IkeV2Keyring",
            input: { name: KEYRING, peers: o.spokes.map((s) => ({ name: s.name, address: s.wan })) },
            dependsOn: [],
        },
    ];
    const perSpoke = o.spokes.flatMap((s, i): HubObject[] => {
        const upper = s.name.toUpperCase();
        return [
            {
                resourceName: `${s.name}-profile`,
                kind: "IkeV2Profile",
                input: {
                    name: `PROF-${upper}`,
                    description: `IKEv2 to ${s.name}`,
                    matchIdentityRemote: [{ address: s.wan }],
                    identityLocal: { address: o.hubWan },
                    authentication: { local: "pre-share", remote: "pre-share" },
                    keyring: KEYRING,
                    dpd: { interval: 10, retry: 3, mode: "periodic" },
                },
                dependsOn: ["hub-keyring", "hub-policy"],
            },
            {
                resourceName: `${s.name}-ipsec`,
                kind: "IpsecProfile",
                input: { name: `IPSEC-${upper}`, transformSets: [TRANSFORM_SET], ikev2Profile: `PROF-${upper}`, pfsGroup: PFS_GROUP },
                dependsOn: [`${s.name}-profile`, "hub-ts"],
            },
            {
                resourceName: `${s.name}-tunnel`,
                kind: "TunnelInterface",
                input: {
                    number: i + 1,
                    description: tunnelDescription(s, i, o.changed),
                    ipAddress: { address: tunnelAddress(i), mask: "255.255.255.252" },
                    tunnelSource: o.tunnelSource,
                    tunnelDestination: s.wan,
                    protectionProfile: `IPSEC-${upper}`,
                    ipMtu: 1400,
                    tcpAdjustMss: 1360,
                    routes: s.lans.map((destination) => ({ destination })),
                },
                dependsOn: [`${s.name}-ipsec`],
            },
        ];
    });
    return [...shared, ...perSpoke];
}

/** A peer's pre-shared key, derived from the run's secret seed (32 characters of base64url). */
export function peerKey(seed: string, peer: string): string {
    return createHmac("sha256", seed).update(peer).digest("base64url").slice(0, 32);
}

/** The objects with every keyring peer's key filled in from the seed. */
export function withKeys(objects: HubObject[], seed: string): HubObject[] {
    return objects.map((o) =>
        o.kind === "IkeV2Keyring"
            ? { ...o, input: { ...o.input, peers: o.input.peers.map((p) => ({ ...p, preSharedKey: peerKey(seed, p.name) })) } }
            : o,
    );
}
