/**
 * The resource graph the null stack (programs/null.ts) rebuilds: every resource's name, type,
 * inputs and dependencies, in an order where each node comes after what it depends on. Made from
 * the hub's objects, or from a real stack's state (for the story, whose objects are not generated).
 */
import { registry } from "../provider/dynamic/registry";
import { TRANSPORT_INPUTS } from "../provider/dynamic/wire";
import { HubObject } from "./hub";

export interface NullNode {
    name: string;
    /** The real resource's kind (`TunnelInterface`), used as the null resource's type name. */
    type: string;
    inputs: Record<string, unknown>;
    dependsOn: string[];
    /** What the real resource carries besides its model (wireOf): the null resource carries the same. */
    wire?: NullWire;
}

/**
 * The properties every resource of this provider carries besides its model, as the engine sees
 * them: the device's connection settings, its credentials and the model's keys as secrets of their
 * own (additionalSecretOutputs), and a placeholder per computed output. The engine and the SDK
 * pay per property and per secret; a floor without them would be one no real resource can reach.
 */
export interface NullWire {
    connection: Record<string, unknown>;
    /** Names of the secret inputs; the null resource gives each a placeholder secret. */
    secrets: string[];
    /** Names of the computed outputs (device, config, unmanaged, the kind's own). */
    outputs: string[];
}

/** The wire properties of a resource of this kind on a device with these connection settings; undefined for a kind the provider does not have. */
export function wireOf(kind: string, connection: Record<string, unknown>): NullWire | undefined {
    if (!(kind in registry)) return undefined;
    const entry = registry[kind as keyof typeof registry];
    return { connection, secrets: entry.secretInputs, outputs: entry.outputNames };
}

export interface NullGraph {
    nodes: NullNode[];
}

/** The hub's objects as a graph (inputs without keys, as the hub's objects are), each with the wire properties of a resource on the hub's router. */
export function graphOfHub(objects: HubObject[], connection: Record<string, unknown>): NullGraph {
    return {
        nodes: objects.map((o) => ({ name: o.resourceName, type: o.kind, inputs: { ...o.input }, dependsOn: [...o.dependsOn], wire: wireOf(o.kind, connection) })),
    };
}

/** A `pulumi stack export` deployment, as far as graphOfState reads it. */
export interface ExportedDeployment {
    deployment: { resources: Array<{ urn: string; type: string; custom?: boolean; inputs?: Record<string, unknown>; dependencies?: string[] }> };
}

const SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d";
/** Inputs that carry how to reach a device, adopt and the kind (wire.ts), or the provider itself: not part of what a resource is. */
const TRANSPORT_AND_PROVIDER = new Set<string>(["__provider", ...TRANSPORT_INPUTS]);

function isRecord(v: unknown): v is Record<string, unknown> {
    return v !== null && typeof v === "object" && !Array.isArray(v);
}

function nameOfUrn(urn: string): string {
    return urn.slice(urn.lastIndexOf("::") + 2);
}

/**
 * The dynamic resources of an exported stack as a graph: names and dependencies from the URNs, the
 * type's last part as the type, inputs without transport settings and without secret values
 * (which the export holds encrypted), and the wire properties of the kind with the resource's own
 * connection settings.
 */
export function graphOfState(exported: ExportedDeployment): NullGraph {
    const dynamicResources = exported.deployment.resources.filter((r) => r.custom && r.type.startsWith("pulumi-nodejs:dynamic"));
    const names = new Set(dynamicResources.map((r) => r.urn));
    return {
        nodes: dynamicResources.map((r) => ({
            name: nameOfUrn(r.urn),
            type: r.type.slice(r.type.lastIndexOf(":") + 1),
            inputs: Object.fromEntries(
                Object.entries(r.inputs ?? {}).filter(
                    ([k, v]) => !TRANSPORT_AND_PROVIDER.has(k) && !(v !== null && typeof v === "object" && SECRET_SIGNATURE in v),
                ),
            ),
            dependsOn: (r.dependencies ?? []).filter((d) => names.has(d)).map(nameOfUrn),
            wire: wireOf(r.type.slice(r.type.lastIndexOf(":") + 1), isRecord(r.inputs?.connection) ? r.inputs.connection : {}),
        })),
    };
}
