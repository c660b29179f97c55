/**
 * The dynamic providers' real implementation, loaded by the stub in provider-stub.ts inside the
 * Pulumi dynamic-provider host. One generic implementation serves every kind from its registry
 * entry (registry.ts): check validates everything before a device is touched; diff compares
 * models (never the provider code); create/update/delete/read go through the kind's driver.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { ADOPT_VARIABLE, ObjectState, OperationTarget, PlatformDriver } from "../drivers/driver";
import { IntentJournal } from "../drivers/journal";
import { routeNotices } from "../drivers/notices";
import { Credentials, credentialsSchema } from "../schema/device";
import { deviceLabel } from "../device-label";
import { secretValues } from "../schema/secrets";
import { SecretLayout } from "../schema/secrets";
import { withFix } from "../fix";
import { CROSS_END_CHECK, crossEndCheckHandlers } from "./cross-end-check";
import { CheckFailure, containsUnknown, UNKNOWN, unknownPaths, validate } from "./engine";
import { superviseProviderProcess } from "./lifecycle";
import { ComputedOutputs, Endpoint, KindSpec, ResourceHandlers } from "./kind";
import { registry, ResourceKind } from "./registry";
import { warn } from "./warnings";
import { inputsFromModel, keepOpaqueSecrets, KIND_INPUT, modelFromInputs, Props, RENDERED_CONFIG, TRANSPORT_INPUTS } from "./wire";
import { canonicalJson } from "../canonical-json";

interface Parsed<M, C> {
    model: M;
    connection: C;
    credentials: Credentials;
}


const asProps = (v: unknown): Props => (v !== null && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v)) : {});

/** True when PULUMI_IKEV2_ADOPT lists the resource id: a one-off take-over, given on the command line. */
function adoptionRequested(resourceId: string): boolean {
    return (process.env[ADOPT_VARIABLE] ?? "").split(/[\s,]+/).includes(resourceId);
}

const deviceFailures = (failures: CheckFailure[]) => failures.map((f) => ({ ...f, property: `device.${f.property}` }));

/** The handlers of one kind: generic over its model (M), device model (D), state (S), connection (C) and outputs (O). */
class KindHandlers<M, D, S extends ObjectState<D>, C extends Endpoint, O extends ComputedOutputs<S>> implements ResourceHandlers {
    constructor(
        private readonly spec: KindSpec<M, D, S, C, O>,
        /** Where the kind's secrets travel, from its registry entry. */
        private readonly secrets: SecretLayout,
        /** Every output the kind computes, from its registry entry. */
        private readonly outputNames: readonly string[],
    ) {}

    /** Validates wire inputs. Failure paths use the names the user wrote (`device.*`, `peers[0].*`). */
    checkInputs(inputs: Props): { failures: CheckFailure[]; parsed?: Parsed<M, C> } {
        const failures: CheckFailure[] = [];
        const model = validate(this.spec.schema, this.toModel(inputs));
        if (!model.ok) failures.push(...model.failures);
        const connection = validate(this.spec.connectionSchema, inputs.connection ?? {});
        if (!connection.ok) failures.push(...deviceFailures(connection.failures));
        const credentials = validate(credentialsSchema, inputs.credentials ?? {});
        if (!credentials.ok) failures.push(...deviceFailures(credentials.failures));
        if (inputs.adopt !== undefined && typeof inputs.adopt !== "boolean" && !containsUnknown(inputs.adopt)) {
            failures.push({ property: "adopt", reason: withFix("adopt must be true or false", "write adopt: true to take over an object of the same name on the device, or leave it out") });
        }
        if (!model.ok || !connection.ok || !credentials.ok) return { failures };
        return { failures, parsed: { model: model.value, connection: connection.value, credentials: credentials.value } };
    }

    async check(_olds: Props, news: Props): Promise<dynamic.CheckResult> {
        const { failures, parsed } = this.checkInputs(news);
        if (parsed && this.spec.warnings) {
            const where = `${this.labelOf(news)} on ${deviceLabel(parsed.connection)}`;
            for (const w of this.spec.warnings(parsed.model)) await warn(`${where}: ${w.property}: ${w.message}`);
        }
        return { inputs: this.withRenderedConfig(news, parsed?.model), failures };
    }

    /** The inputs plus the configuration lines the model stands for (unknown while inputs are). */
    private withRenderedConfig(inputs: Props, model: M | undefined): Props {
        const rest = Object.fromEntries(Object.entries(inputs).filter(([k]) => k !== RENDERED_CONFIG));
        if (!this.spec.render) return rest;
        if (model !== undefined) return { ...rest, [RENDERED_CONFIG]: this.spec.render(model) };
        return containsUnknown(rest) ? { ...rest, [RENDERED_CONFIG]: UNKNOWN } : rest;
    }

    async diff(_id: string, olds: Props, news: Props): Promise<dynamic.DiffResult> {
        // The common case of a no-op `up`: the same wire inputs parse to the same models, so
        // nothing needs validating (a stack of hundreds of objects diffs each of them).
        const wire = (p: Props) => canonicalJson({ model: this.toModel(p), connection: p.connection, credentials: p.credentials });
        if (!this.drifted(olds) && wire(olds) === wire(news)) return { changes: false, replaces: [] };
        const oldParsed = this.checkInputs(olds).parsed;
        const newParsed = this.checkInputs(news).parsed;
        if (!oldParsed || !newParsed) {
            // Unknown values during preview, or state from an older schema: compare what we have.
            const strip = (p: Props) => ({ ...this.toModel(p), connection: p.connection });
            return { changes: canonicalJson(strip(olds)) !== canonicalJson(strip(news)) };
        }
        const replaces: string[] = [];
        for (const key of this.spec.identity) if (oldParsed.model[key] !== newParsed.model[key]) replaces.push(key);
        if (deviceLabel(oldParsed.connection) !== deviceLabel(newParsed.connection)) replaces.push("connection");
        const changes =
            replaces.length > 0 ||
            this.drifted(olds) ||
            canonicalJson(oldParsed.model) !== canonicalJson(newParsed.model) ||
            canonicalJson(oldParsed.connection) !== canonicalJson(newParsed.connection) ||
            canonicalJson(oldParsed.credentials) !== canonicalJson(newParsed.credentials);
        return { changes, replaces };
    }

    async create(inputs: Props): Promise<dynamic.CreateResult> {
        const parsed = this.parseOrThrow(inputs);
        const target = this.targetOf(inputs, parsed);
        const adopt = inputs.adopt === true || adoptionRequested(target.resourceId);
        const state = await (await this.driverFor(parsed)).apply(parsed.model, { ...target, creating: true, adopt });
        return { id: target.resourceId, outs: this.outputsOf(inputs, parsed, state) };
    }

    async update(_id: string, olds: Props, news: Props): Promise<dynamic.UpdateResult> {
        const parsed = this.parseOrThrow(news);
        const target = this.targetOf(news, parsed);
        // The engine has this object in its state: no journal entry needs to vouch for it any more.
        IntentJournal.shared.forget(target.resourceId);
        // The old state's model tells the driver what changed, e.g. a key the device shows only encrypted.
        const previous = this.checkInputs(olds).parsed?.model;
        const state = await (await this.driverFor(parsed)).apply(parsed.model, { ...target, creating: false, adopt: true, previous });
        return { outs: this.outputsOf(news, parsed, state) };
    }

    async delete(_id: string, props: Props): Promise<void> {
        const parsed = this.parseOrThrow(props);
        const target = this.targetOf(props, parsed);
        IntentJournal.shared.forget(target.resourceId);
        await (await this.driverFor(parsed)).remove(parsed.model, target);
    }

    async read(id: string, props?: Props): Promise<dynamic.ReadResult> {
        if (!props) throw new Error(`${this.spec.kind} ${id}: cannot read without state; pulumi import is not supported, use adopt: true`);
        const parsed = this.parseOrThrow(props);
        IntentJournal.shared.forget(this.resourceIdOf(parsed));
        const state = await (await this.driverFor(parsed)).read(parsed.model);
        if (!state) return {};
        const deviceModel = keepOpaqueSecrets(this.secrets, state.model, parsed.model);
        // When the device still holds what state says, keep the inputs exactly as declared, so a
        // refresh without drift changes nothing (the device's spelling of the same configuration,
        // e.g. proposals as strongSwan strings or explicit defaults, is not a change).
        const normalized = validate(this.spec.schema, deviceModel);
        const unchanged =
            normalized.ok && (this.spec.sameModel ? this.spec.sameModel(parsed.model, normalized.value) : canonicalJson(normalized.value) === canonicalJson(parsed.model));
        const inputs = unchanged
            ? this.declaredInputs(props)
            : this.withRenderedConfig({ ...this.transportOf(props), ...inputsFromModel(this.secrets, deviceModel) }, normalized.ok ? normalized.value : undefined);
        return { id, props: this.outputsOf(inputs, parsed, state), inputs };
    }

    private toModel(inputs: Props): Props {
        return modelFromInputs(this.secrets, inputs, this.outputNames);
    }

    private parseOrThrow(props: Props): Parsed<M, C> {
        // A value still unknown when the device is about to be changed would be sent as the placeholder's text.
        const pending = unknownPaths({ ...this.toModel(props), device: { ...asProps(props.connection), ...asProps(props.credentials) } });
        if (pending.length > 0) {
            throw new Error(
                `${this.spec.kind} ${this.labelOf(props)}: ${pending.join(", ")} still holds Pulumi's placeholder for a value not known yet (${UNKNOWN}), ` +
                    "so nothing was sent to the device. Fix: give it a known value, or take it from a resource that is created before this one",
            );
        }
        const { failures, parsed } = this.checkInputs(props);
        if (!parsed) {
            throw new Error(`${this.spec.kind} ${this.labelOf(props)}: invalid inputs: ${failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`);
        }
        return parsed;
    }

    private driverFor(parsed: Parsed<M, C>): Promise<PlatformDriver<M, D, S>> {
        const secrets = [...secretValues(this.spec.schema, parsed.model), ...secretValues(credentialsSchema, parsed.credentials)];
        return this.spec.driver({ connection: parsed.connection, credentials: parsed.credentials, secrets });
    }

    private targetOf(props: Props, parsed: Parsed<M, C>): OperationTarget {
        return { resourceName: this.labelOf(props), resourceId: this.resourceIdOf(parsed) };
    }

    private resourceIdOf(parsed: Parsed<M, C>): string {
        return `${this.spec.kind}:${deviceLabel(parsed.connection)}:${this.spec.identity.map((k) => String(parsed.model[k])).join("/")}`;
    }

    /** The resource for messages: its kind and the name (or number) it has on the device. */
    private labelOf(props: Props): string {
        return `${this.spec.kind} ${this.spec.identity.map((k) => String(props[k])).join("/")}`;
    }

    /** A refresh found the device out of step although no input changed: lines added by hand, a connection not loaded. */
    private drifted(olds: Props): boolean {
        const unmanaged = olds.unmanaged;
        return (Array.isArray(unmanaged) && unmanaged.length > 0) || Object.entries(this.spec.outputs).some(([name, o]) => o.drifted?.(olds[name]) ?? false);
    }

    private outputsOf(inputs: Props, parsed: Parsed<M, C>, state: S): Props {
        const outs: Props = { ...inputs, device: deviceLabel(parsed.connection), config: state.config, unmanaged: state.unmanaged };
        for (const [name, output] of Object.entries(this.spec.outputs)) outs[name] = output.of(state);
        for (const [k, v] of Object.entries(outs)) if (v === undefined) delete outs[k];
        return outs;
    }

    private declaredInputs(props: Props): Props {
        const out: Props = {};
        for (const [k, v] of Object.entries(props)) if (!this.outputNames.includes(k) && k !== "__provider") out[k] = v;
        return out;
    }

    private transportOf(props: Props): Props {
        const out: Props = {};
        for (const k of TRANSPORT_INPUTS) if (props[k] !== undefined) out[k] = props[k];
        return out;
    }
}

// Inside the dynamic-provider host: finish cleanly at the engine's SIGINT, and exit when the engine is gone.
superviseProviderProcess();
// What drivers tell the user (a safeguard a router lacks, a save to retry) goes where check()'s warnings go: the CLI's Diagnostics.
routeNotices((message) => void warn(message));

const handlers = new Map<ResourceKind, ResourceHandlers>();

const isResourceKind = (kind: unknown): kind is ResourceKind => typeof kind === "string" && Object.prototype.hasOwnProperty.call(registry, kind);

/**
 * One handler object per kind per process, shared by every resource of that kind. The kind comes
 * from the resource's properties (`__kind`, provider-stub.ts), or from a stub of one kind in state
 * written before it.
 */
export function handlersFor(kind: unknown): ResourceHandlers {
    if (kind === CROSS_END_CHECK) return crossEndCheckHandlers;
    if (!isResourceKind(kind)) {
        throw new Error(
            `pulumi-ikev2: the resource's properties name no kind this provider has (${KIND_INPUT}: ${JSON.stringify(kind) ?? "absent"}). ` +
                "Fix: pulumi import is not supported, so declare the object and give it adopt: true; state edited by hand needs the __kind its resource class writes",
        );
    }
    let h = handlers.get(kind);
    if (!h) {
        const entry = registry[kind];
        h = entry.visit((spec) => new KindHandlers(spec, entry.secrets, entry.outputNames));
        handlers.set(kind, h);
    }
    return h;
}
