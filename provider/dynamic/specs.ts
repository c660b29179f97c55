/**
 * What the glue needs to know about each resource kind: its model schema, the platform that
 * applies it, which property names it on the device, and how its secrets travel.
 *
 * Secrets travel in top-level inputs of their own (`credentials`, `preSharedKeys`, `preSharedKey`)
 * so that Pulumi stores exactly those as secrets while previews still show every other property.
 */
import { z } from "zod";
import { iosSchemas, IosKind } from "../schema/ios";
import { strongSwanConnectionSchema } from "../schema/strongswan";
import { strongSwanTunnelCheckSchema } from "../schema/tunnel-check";

export type Platform = "ios" | "strongswan";
export type ResourceKind = IosKind | "StrongSwanConnection" | "StrongSwanTunnelCheck";

/** Top-level inputs that only exist on the wire between resource class and provider. */
export const TRANSPORT_KEYS = ["connection", "credentials", "adopt", "__provider"] as const;
/** Outputs computed by the provider; never inputs. */
export const COMPUTED_KEYS = ["device", "config", "unmanaged", "loaded", "file", "established"] as const;

export interface KindSpec {
    kind: ResourceKind;
    platform: Platform;
    schema: z.ZodType;
    /** The properties that name the object on the device: changing one means a new object. */
    identityKeys: string[];
    /** Top-level inputs that carry secrets (stored as Pulumi secrets). */
    secretInputs: string[];
    /** Transport inputs -> the model's shape (before validation). */
    toModel(inputs: Record<string, unknown>): Record<string, unknown>;
    /** Model -> transport inputs (the model's part, without connection and credentials). */
    fromModel(model: Record<string, unknown>): Record<string, unknown>;
}

function stripTransport(inputs: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(inputs)) {
        if (!(TRANSPORT_KEYS as readonly string[]).includes(k) && !(COMPUTED_KEYS as readonly string[]).includes(k) && v !== undefined) {
            out[k] = v;
        }
    }
    return out;
}

const PEER_KEY_FIELDS = ["preSharedKey", "localPreSharedKey", "remotePreSharedKey"] as const;
type PeerKeys = Partial<Record<(typeof PEER_KEY_FIELDS)[number], string>>;

/** Keyring peers travel without their keys; the keys travel in `preSharedKeys`, by peer label. */
const keyringSpec = (schema: z.ZodType): KindSpec => ({
    kind: "IkeV2Keyring",
    platform: "ios",
    schema,
    identityKeys: ["name"],
    secretInputs: ["credentials", "preSharedKeys"],
    toModel(inputs) {
        const { preSharedKeys, ...rest } = stripTransport(inputs) as { preSharedKeys?: Record<string, PeerKeys>; peers?: unknown };
        const peers = Array.isArray(rest.peers)
            ? rest.peers.map((p) =>
                  p && typeof p === "object" && typeof (p as { name?: unknown }).name === "string"
                      ? { ...(p as object), ...(preSharedKeys?.[(p as { name: string }).name] ?? {}) }
                      : p,
              )
            : rest.peers;
        return { ...rest, peers };
    },
    fromModel(model) {
        const preSharedKeys: Record<string, PeerKeys> = {};
        const peers = ((model.peers as Record<string, unknown>[]) ?? []).map((peer) => {
            const copy: Record<string, unknown> = { ...peer };
            const keys: PeerKeys = {};
            for (const f of PEER_KEY_FIELDS) {
                if (typeof copy[f] === "string") keys[f] = copy[f] as string;
                delete copy[f];
            }
            preSharedKeys[peer.name as string] = keys;
            return copy;
        });
        return { ...model, peers, preSharedKeys };
    },
});

const plainSpec = (kind: ResourceKind, platform: Platform, schema: z.ZodType, identityKeys: string[], secretInputs: string[]): KindSpec => ({
    kind,
    platform,
    schema,
    identityKeys,
    secretInputs: ["credentials", ...secretInputs],
    toModel: (inputs) => stripTransport(inputs),
    fromModel: (model) => ({ ...model }),
});

export const KIND_SPECS: Record<ResourceKind, KindSpec> = {
    IkeV2Proposal: plainSpec("IkeV2Proposal", "ios", iosSchemas.IkeV2Proposal, ["name"], []),
    IkeV2Policy: plainSpec("IkeV2Policy", "ios", iosSchemas.IkeV2Policy, ["name"], []),
    IkeV2Keyring: keyringSpec(iosSchemas.IkeV2Keyring),
    IkeV2Profile: plainSpec("IkeV2Profile", "ios", iosSchemas.IkeV2Profile, ["name"], []),
    IpsecTransformSet: plainSpec("IpsecTransformSet", "ios", iosSchemas.IpsecTransformSet, ["name"], []),
    IpsecProfile: plainSpec("IpsecProfile", "ios", iosSchemas.IpsecProfile, ["name"], []),
    TunnelInterface: plainSpec("TunnelInterface", "ios", iosSchemas.TunnelInterface, ["number"], []),
    StrongSwanConnection: plainSpec("StrongSwanConnection", "strongswan", strongSwanConnectionSchema, ["name"], ["preSharedKey"]),
    StrongSwanTunnelCheck: plainSpec("StrongSwanTunnelCheck", "strongswan", strongSwanTunnelCheckSchema, ["connectionName", "child"], []),
};

/** Every secret string inside a model or credentials, for redaction of device answers. */
export function secretValues(...objects: unknown[]): string[] {
    const found: string[] = [];
    const walk = (v: unknown, key?: string) => {
        if (typeof v === "string") {
            if (key && /(password|secret|key|passphrase)/i.test(key) && !/^(hostKey|knownHostsFile|keyId|keyring)$/.test(key)) found.push(v);
        } else if (Array.isArray(v)) v.forEach((x) => walk(x, key));
        else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, k);
    };
    objects.forEach((o) => walk(o));
    return found.filter((s) => s.length >= 3);
}
