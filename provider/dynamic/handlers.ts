/**
 * The dynamic providers' real implementation, loaded by the stub in provider-stub.ts inside the
 * Pulumi dynamic-provider host. check validates everything before a device is touched; diff compares
 * models (never the provider code); create/update/delete/read go through the platform drivers.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { containsUnknown, CheckFailure, validate } from "./engine";
import { Credentials, credentialsSchema, deviceLabel, hostConnectionSchema, iosConnectionSchema } from "../schema/device";
import { ObjectState, PlatformDriver } from "../drivers/driver";
import { IosDriver } from "../drivers/ios-driver";
import { StrongSwanDriver } from "../drivers/strongswan-driver";
import { StrongSwanTunnelProber } from "../drivers/tunnel-check-driver";
import { IosKind } from "../schema/ios";
import { isEncryptedKey } from "../ios/objects";
import { COMPUTED_KEYS, KIND_SPECS, KindSpec, ResourceKind, secretValues } from "./specs";

type Props = Record<string, unknown>;

interface Parsed {
    model: Record<string, unknown>;
    connection: Record<string, unknown> & { host: string; port: number; username: string };
    credentials: Credentials;
}

function connectionSchemaOf(spec: KindSpec) {
    return spec.platform === "ios" ? iosConnectionSchema : hostConnectionSchema;
}

/** Validates transport inputs. Failure paths use the names the user wrote (`device.*`, `peers[0].*`). */
export function checkInputs(spec: KindSpec, inputs: Props): { failures: CheckFailure[]; parsed?: Parsed } {
    const failures: CheckFailure[] = [];
    const model = validate(spec.schema, spec.toModel(inputs));
    if (!model.ok) failures.push(...model.failures);
    const connection = validate(connectionSchemaOf(spec), inputs.connection ?? {});
    if (!connection.ok) failures.push(...connection.failures.map((f) => ({ ...f, property: `device.${f.property}` })));
    const credentials = validate(credentialsSchema, inputs.credentials ?? {});
    if (!credentials.ok) failures.push(...credentials.failures.map((f) => ({ ...f, property: `device.${f.property}` })));
    if (inputs.adopt !== undefined && typeof inputs.adopt !== "boolean" && !containsUnknown(inputs.adopt)) {
        failures.push({ property: "adopt", reason: "adopt must be true or false" });
    }
    if (!model.ok || !connection.ok || !credentials.ok) return { failures };
    return {
        failures,
        parsed: {
            model: model.value as Record<string, unknown>,
            connection: connection.value as Parsed["connection"],
            credentials: credentials.value,
        },
    };
}

function parseOrThrow(spec: KindSpec, props: Props, resourceName: string): Parsed {
    const { failures, parsed } = checkInputs(spec, props);
    if (!parsed) {
        throw new Error(
            `${spec.kind} ${resourceName}: invalid inputs: ${failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`,
        );
    }
    return parsed;
}

function driverFor(spec: KindSpec, parsed: Parsed): PlatformDriver<Record<string, unknown>> {
    const secrets = secretValues(parsed.model, parsed.credentials);
    if (spec.platform === "ios") {
        return new IosDriver(spec.kind as IosKind, parsed.connection as never, parsed.credentials, secrets) as never;
    }
    if (spec.kind === "StrongSwanTunnelCheck") {
        return new StrongSwanTunnelProber(parsed.connection as never, parsed.credentials, secrets) as never;
    }
    return new StrongSwanDriver(parsed.connection as never, parsed.credentials, secrets) as never;
}

/** Stable JSON for comparisons: keys sorted, undefined dropped. */
function canonical(value: unknown): string {
    return JSON.stringify(value, (_k, v) =>
        v && typeof v === "object" && !Array.isArray(v)
            ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Props)[k]]))
            : v,
    );
}

function resourceIdOf(spec: KindSpec, parsed: Parsed): string {
    return `${spec.kind}:${deviceLabel(parsed.connection)}:${spec.identityKeys.map((k) => String(parsed.model[k])).join("/")}`;
}

/** The resource for messages: its kind and the name (or number) it has on the device. */
function labelOf(spec: KindSpec, props: Props): string {
    return `${spec.kind} ${spec.identityKeys.map((k) => String(props[k])).join("/")}`;
}

function outputsOf(spec: KindSpec, inputs: Props, parsed: Parsed, state: ObjectState<Record<string, unknown>>): Props {
    const outs: Props = { ...inputs, device: deviceLabel(parsed.connection), config: state.config, unmanaged: state.unmanaged };
    const extra = state as ObjectState<Record<string, unknown>> & { loaded?: boolean; file?: string; established?: boolean };
    if (spec.kind === "StrongSwanConnection") {
        outs.loaded = extra.loaded ?? false;
        outs.file = extra.file ?? "";
    }
    if (spec.kind === "StrongSwanTunnelCheck") outs.established = extra.established ?? false;
    for (const [k, v] of Object.entries(outs)) if (v === undefined) delete outs[k];
    return outs;
}

export class DeviceResourceHandlers implements dynamic.ResourceProvider {
    private readonly spec: KindSpec;

    constructor(kind: ResourceKind) {
        this.spec = KIND_SPECS[kind];
    }

    async check(_olds: Props, news: Props): Promise<dynamic.CheckResult> {
        const { failures } = checkInputs(this.spec, news);
        return { inputs: news, failures };
    }

    async diff(_id: string, olds: Props, news: Props): Promise<dynamic.DiffResult> {
        const oldParsed = checkInputs(this.spec, olds).parsed;
        const newParsed = checkInputs(this.spec, news).parsed;
        if (!oldParsed || !newParsed) {
            // Unknown values during preview, or state from an older schema: compare what we have.
            const strip = (p: Props) => ({ ...this.spec.toModel(p), connection: p.connection });
            return { changes: canonical(strip(olds)) !== canonical(strip(news)) };
        }
        const replaces: string[] = [];
        for (const key of this.spec.identityKeys) if (oldParsed.model[key] !== newParsed.model[key]) replaces.push(key);
        if (deviceLabel(oldParsed.connection) !== deviceLabel(newParsed.connection)) replaces.push("connection");
        const drifted =
            (Array.isArray(olds.unmanaged) && olds.unmanaged.length > 0) || olds.loaded === false || olds.established === false;
        const changes =
            replaces.length > 0 ||
            drifted ||
            canonical(oldParsed.model) !== canonical(newParsed.model) ||
            canonical(oldParsed.connection) !== canonical(newParsed.connection) ||
            canonical(oldParsed.credentials) !== canonical(newParsed.credentials);
        return { changes, replaces };
    }

    async create(inputs: Props): Promise<dynamic.CreateResult> {
        const parsed = parseOrThrow(this.spec, inputs, labelOf(this.spec, inputs));
        const state = await driverFor(this.spec, parsed).apply(parsed.model, {
            creating: true,
            adopt: inputs.adopt === true,
            resourceName: labelOf(this.spec, inputs),
        });
        return { id: resourceIdOf(this.spec, parsed), outs: outputsOf(this.spec, inputs, parsed, state) };
    }

    async update(_id: string, _olds: Props, news: Props): Promise<dynamic.UpdateResult> {
        const parsed = parseOrThrow(this.spec, news, labelOf(this.spec, news));
        const state = await driverFor(this.spec, parsed).apply(parsed.model, {
            creating: false,
            adopt: true,
            resourceName: labelOf(this.spec, news),
        });
        return { outs: outputsOf(this.spec, news, parsed, state) };
    }

    async delete(_id: string, props: Props): Promise<void> {
        const parsed = parseOrThrow(this.spec, props, labelOf(this.spec, props));
        await driverFor(this.spec, parsed).remove(parsed.model, labelOf(this.spec, props));
    }

    async read(id: string, props?: Props): Promise<dynamic.ReadResult> {
        if (!props) throw new Error(`${this.spec.kind} ${id}: cannot read without state; pulumi import is not supported, use adopt: true`);
        const parsed = parseOrThrow(this.spec, props, labelOf(this.spec, props));
        const state = await driverFor(this.spec, parsed).read(parsed.model);
        if (!state) return {};
        const deviceModel = this.keepOpaqueSecrets(state.model, parsed.model);
        // When the device still holds what state says, keep the inputs exactly as declared, so a
        // refresh without drift changes nothing (the device's spelling of the same configuration,
        // e.g. proposals as strongSwan strings or explicit defaults, is not a change).
        const normalized = validate(this.spec.schema, deviceModel);
        const unchanged = normalized.ok && canonical(normalized.value) === canonical(parsed.model);
        const inputs: Props = unchanged ? this.declaredInputs(props) : { ...this.transportOf(props), ...this.spec.fromModel(deviceModel) };
        return { id, props: outputsOf(this.spec, inputs, parsed, state), inputs };
    }

    private declaredInputs(props: Props): Props {
        const out: Props = {};
        for (const [k, v] of Object.entries(props)) if (!(COMPUTED_KEYS as readonly string[]).includes(k) && k !== "__provider") out[k] = v;
        return out;
    }

    private transportOf(props: Props): Props {
        const out: Props = {};
        for (const k of ["connection", "credentials", "adopt"]) if (props[k] !== undefined) out[k] = props[k];
        return out;
    }

    /**
     * A key the device shows only encrypted (IOS type 6) cannot be compared: keep the key from state,
     * so that an encrypted key is present-but-opaque and never drift by itself.
     */
    private keepOpaqueSecrets(deviceModel: Record<string, unknown>, stateModel: Record<string, unknown>): Record<string, unknown> {
        if (this.spec.kind !== "IkeV2Keyring") return deviceModel;
        const statePeers = new Map(((stateModel.peers as Props[]) ?? []).map((p) => [p.name, p]));
        const peers = ((deviceModel.peers as Props[]) ?? []).map((peer) => {
            const known = statePeers.get(peer.name);
            const copy: Props = { ...peer };
            for (const f of ["preSharedKey", "localPreSharedKey", "remotePreSharedKey"]) {
                if (isEncryptedKey(copy[f])) {
                    if (known && typeof known[f] === "string") copy[f] = known[f];
                    else delete copy[f];
                }
            }
            return copy;
        });
        return { ...deviceModel, peers };
    }
}


const handlers = new Map<ResourceKind, DeviceResourceHandlers>();

/** One handler object per kind per process, shared by every resource of that kind. */
export function handlersFor(kind: ResourceKind): DeviceResourceHandlers {
    let h = handlers.get(kind);
    if (!h) {
        h = new DeviceResourceHandlers(kind);
        handlers.set(kind, h);
    }
    return h;
}
