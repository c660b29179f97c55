/**
 * What the glue knows about one resource kind, in one typed entry: its model schema, the
 * connection schema of its platform, the properties that name it on the device, its driver, and
 * the outputs it computes beyond those every resource has. The rest is derived: where its secrets
 * travel (from the schema's marks), which inputs are stored as secrets, its output names.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { z } from "zod";
import type { DeviceTarget, ObjectState, PlatformDriver } from "../drivers/driver";
import { SecretLayout, secretLayout } from "../schema/secrets";
import { secretInputs } from "./wire";

/** What every connection schema yields: enough to name the device. */
export interface Endpoint {
    host: string;
    port: number;
    username: string;
}

/** An output the provider computes from the device's state (S) after an apply or a refresh. */
export interface ComputedOutput<S, T> {
    of(state: S): T;
    /**
     * True when the value a refresh stored means the device does not hold what is declared, so
     * the next `pulumi up` must apply even though no input changed (a connection not loaded).
     */
    drifted?(stored: unknown): boolean;
}

/** The outputs a kind computes besides device, config and unmanaged, by name. */
export type ComputedOutputs<S> = Record<string, ComputedOutput<S, unknown>>;

/** One resource kind: M its model, D its model as read from the device, S its state, C its connection, O its own outputs. */
export interface KindSpec<M, D, S extends ObjectState<D>, C extends Endpoint, O extends ComputedOutputs<S>> {
    kind: string;
    /** The model's schema: the source of the input type, of check() failures and of the docs. */
    schema: z.ZodType<M>;
    /** The connection settings of the kind's platform (`device` minus its credentials). */
    connectionSchema: z.ZodType<C>;
    /** The properties that name the object on the device: changing one means another object. */
    identity: readonly (keyof M & string)[];
    /** The driver of the object's platform; loaded on first use (registry.ts says why). */
    driver(target: DeviceTarget<C>): Promise<PlatformDriver<M, D, S>>;
    outputs: O;
    /**
     * The configuration lines the model stands for, secrets masked: check() adds them to the inputs
     * as `renderedConfig`, so that `pulumi preview --diff` shows the lines before and after (the
     * dynamic-provider host passes no detailed diff; the engine's own diff of the inputs shows them).
     */
    render?(model: M): string[];
    /** Configuration the device accepts but that is probably not meant, for a validated model: shown as warnings by check(). */
    warnings?(model: M): { property: string; message: string }[];
    /**
     * True when the model read from the device (validated) is the declared one, as the platform
     * compares them (lists it treats as sets in any order); by default the same JSON.
     */
    sameModel?(declared: M, device: M): boolean;
}

/** The dynamic provider's verbs this provider implements (all but configure). */
export type ResourceHandlers = Required<Pick<dynamic.ResourceProvider, "check" | "diff" | "create" | "read" | "update" | "delete">>;

/** Works with a kind's spec whatever its types: how generic code (the handlers) reaches an entry of the registry. */
export type KindVisitor<R> = <M, D, S extends ObjectState<D>, C extends Endpoint, O extends ComputedOutputs<S>>(spec: KindSpec<M, D, S, C, O>) => R;

/** A registry entry: what resource classes and docs read directly, and the spec for the handlers. */
export interface Kind<O = ComputedOutputs<never>> {
    readonly kind: string;
    readonly schema: z.ZodType;
    readonly secrets: SecretLayout;
    /** The top-level inputs Pulumi stores as secrets (additionalSecretOutputs). */
    readonly secretInputs: string[];
    /** Every output the provider computes (never an input): device, config, unmanaged and the kind's own. */
    readonly outputNames: string[];
    /** The kind's own computed outputs (their value types are the resource classes' output types). */
    readonly outputs: O;
    visit(f: KindVisitor<ResourceHandlers>): ResourceHandlers;
}

/** Outputs every resource has. */
const COMMON_OUTPUTS = ["device", "config", "unmanaged"] as const;

export function defineKind<M, D, S extends ObjectState<D>, C extends Endpoint, O extends ComputedOutputs<S>>(
    spec: KindSpec<M, D, S, C, O>,
): Kind<O> {
    const secrets = secretLayout(spec.schema);
    return {
        kind: spec.kind,
        schema: spec.schema,
        secrets,
        secretInputs: secretInputs(secrets),
        outputNames: [...COMMON_OUTPUTS, ...Object.keys(spec.outputs)],
        outputs: spec.outputs,
        visit: (f) => f(spec),
    };
}
