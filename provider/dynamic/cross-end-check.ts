/**
 * CrossEndCheck: the cross-end checks (tunnel/cross-check.ts) as a resource, so that they run in
 * the engine's check() at `pulumi preview` and again at `pulumi up` once every value is known. Its
 * inputs are the models of both ends' resources (never a key: whether the keys agree is compared in
 * the program and arrives as a boolean) and of the other tunnels on the same routers. A part that
 * is not known yet (a value another resource computes) does not validate and is left out, so only
 * the checks it feeds wait. It touches no device: create and update store the inputs.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { z } from "zod";
import { iosSchemas } from "../schema/ios";
import { strongSwanConnectionSchema } from "../schema/strongswan";
import { crossEndFindings } from "../tunnel/cross-check";
import { iosEnd, KeyringPeerView, strongSwanEnd, TunnelEnd } from "../tunnel/ends";
import { containsUnknown } from "./engine";
import { ResourceHandlers } from "./kind";
import { Props } from "./wire";

/** The kind's name, as the resource class registers it. */
export const CROSS_END_CHECK = "CrossEndCheck";

/** The key is compared in the program; a stand-in lets the connection's schema check the rest. */
const KEY_STAND_IN = "compared-in-the-program";

/** Validates a part; a part that holds an unknown value, or does not validate, is not known. */
function known<S extends z.ZodType>(schema: S, value: unknown): z.output<S> | undefined {
    if (value === undefined || containsUnknown(value)) return undefined;
    const parsed = schema.safeParse(value);
    return parsed.success ? parsed.data : undefined;
}

function knownList<S extends z.ZodType>(schema: S, value: unknown): z.output<S>[] | undefined {
    if (!Array.isArray(value)) return undefined;
    const items = value.map((v) => known(schema, v));
    return items.every((i) => i !== undefined) ? items : undefined;
}

const text = z.string();
const identitySchema = z.object({ address: text.optional(), fqdn: text.optional(), email: text.optional(), keyId: text.optional() });
const keyringPeerView: z.ZodType<KeyringPeerView> = z.object({
    name: text,
    address: text.optional(),
    mask: text.optional(),
    ipv6Prefix: text.optional(),
    identity: identitySchema.optional(),
    hostname: text.optional(),
});
const roles = z.partialRecord(z.enum(["ike", "esp", "keys", "identity", "selectors", "tunnel"]), text);

const isRecord = (v: unknown): v is Props => v !== null && typeof v === "object" && !Array.isArray(v);

/** One end from its inputs: what is known of it. */
function endOf(input: unknown): TunnelEnd | undefined {
    if (!isRecord(input) || (input.platform !== "ios" && input.platform !== "strongswan")) return undefined;
    const common = {
        site: known(text, input.site) ?? "?",
        device: known(text, input.device),
        resources: known(roles, input.resources) ?? {},
        lans: known(z.array(text), input.lans),
    };
    if (input.platform === "ios") {
        return iosEnd({
            ...common,
            address: known(text, input.address),
            proposals: knownList(iosSchemas.IkeV2Proposal, input.proposals),
            keyringPeers: known(z.array(keyringPeerView), input.keyringPeers),
            profile: known(iosSchemas.IkeV2Profile, input.profile),
            ipsecProfile: known(iosSchemas.IpsecProfile, input.ipsecProfile),
            transformSets: knownList(iosSchemas.IpsecTransformSet, input.transformSets),
            tunnel: known(iosSchemas.TunnelInterface, input.tunnel),
        });
    }
    const connection = isRecord(input.connection) ? known(strongSwanConnectionSchema, { ...input.connection, preSharedKey: KEY_STAND_IN }) : undefined;
    return strongSwanEnd({ ...common, connection, child: known(text, input.child) });
}

const endsOf = (value: unknown): TunnelEnd[] => (Array.isArray(value) ? value.map(endOf).filter((e): e is TunnelEnd => e !== undefined) : []);

/**
 * The check() failures of a CrossEndCheck's inputs: one per disagreement. They belong to no single
 * input (the CLI then prints "resource 'NAME' has a problem: ..."); the message names the resources.
 */
function crossEndFailures(inputs: Props): { property: string; reason: string }[] {
    const a = endOf(inputs.a);
    const b = endOf(inputs.b);
    if (!a || !b) return [];
    const neighbours = isRecord(inputs.neighbours) ? inputs.neighbours : {};
    const keysAgree = typeof inputs.keysAgree === "boolean" ? inputs.keysAgree : undefined;
    const tunnel = known(text, inputs.tunnel) ?? `${a.site} <-> ${b.site}`;
    return crossEndFindings(a, b, { keysAgree, neighbours: { a: endsOf(neighbours.a), b: endsOf(neighbours.b) } }).map((f) => ({
        property: "",
        reason: `tunnel ${tunnel}: ${f.message}`,
    }));
}

const canonical = (v: Props) => JSON.stringify(v, (k, x: unknown) => (k === "__provider" ? undefined : x));

export const crossEndCheckHandlers: ResourceHandlers = {
    async check(_olds, news) {
        return { inputs: news, failures: crossEndFailures(news) };
    },
    async diff(_id, olds, news): Promise<dynamic.DiffResult> {
        return { changes: canonical(olds) !== canonical(news) };
    },
    async create(inputs) {
        return { id: `${CROSS_END_CHECK}:${String(inputs.tunnel)}`, outs: inputs };
    },
    async read(id, props) {
        return { id, props, inputs: props };
    },
    async update(_id, _olds, news) {
        return { outs: news };
    },
    async delete() {
        // Nothing was configured.
    },
};
