/**
 * A resource's inputs as they travel between the resource class and the provider ("the wire"),
 * derived from the schema's secret marks (schema/secrets.ts): the model's properties, plus
 * `connection` and `credentials`, with secrets in top-level inputs of their own. The keyring's
 * peers travel without their keys; the keys travel in `preSharedKeys`, by peer name, so previews
 * show the peers and never a key. This is the format existing stacks hold in their state.
 */
import { SecretLayout } from "../schema/secrets";

export type Props = Record<string, unknown>;

/** The input that names a resource's kind, for the provider stub all kinds share (provider-stub.ts); Pulumi does not show `__` keys. */
export const KIND_INPUT = "__kind";

/** Top-level inputs that travel beside the model: the device, adopt, and the kind the shared provider stub serves. */
export const TRANSPORT_INPUTS = ["connection", "credentials", "adopt", KIND_INPUT] as const;

/** The input check() derives from the model: its configuration lines, for previews (kind.ts `render`). */
export const RENDERED_CONFIG = "renderedConfig";

function isRecord(value: unknown): value is Props {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The top-level inputs Pulumi stores as secrets: the credentials and wherever the schema's secrets travel. */
export function secretInputs(layout: SecretLayout): string[] {
    return ["credentials", ...layout.fields, ...layout.lists.map((l) => l.input)];
}

/** Wire inputs -> the model's shape (before validation): no transport or output keys, each list entry's secrets back in it. */
export function modelFromInputs(layout: SecretLayout, inputs: Props, outputs: readonly string[]): Props {
    const model: Props = {};
    const skipped = new Set<string>([...TRANSPORT_INPUTS, RENDERED_CONFIG, ...outputs, "__provider", ...layout.lists.map((l) => l.input)]);
    for (const [k, v] of Object.entries(inputs)) if (!skipped.has(k) && v !== undefined) model[k] = v;
    for (const { property, input, keyedBy } of layout.lists) {
        const secrets = inputs[input];
        const entries = model[property];
        model[property] = Array.isArray(entries)
            ? entries.map((entry) => {
                  const key = isRecord(entry) ? entry[keyedBy] : undefined;
                  const own = typeof key === "string" && isRecord(secrets) ? secrets[key] : undefined;
                  return isRecord(entry) && isRecord(own) ? { ...entry, ...own } : entry;
              })
            : entries;
    }
    return model;
}

/** The model's shape -> wire inputs: each list entry's secrets moved into the list's secret input. */
export function inputsFromModel(layout: SecretLayout, model: Props): Props {
    const inputs: Props = { ...model };
    for (const { property, input, keyedBy, fields } of layout.lists) {
        const secrets: Props = {};
        const entries = model[property];
        inputs[property] = (Array.isArray(entries) ? entries : []).map((entry) => {
            if (!isRecord(entry)) return entry;
            const plain: Props = { ...entry };
            const own: Props = {};
            for (const f of fields) {
                if (typeof plain[f] === "string") own[f] = plain[f];
                delete plain[f];
            }
            secrets[String(entry[keyedBy])] = own;
            return plain;
        });
        inputs[input] = secrets;
    }
    return inputs;
}

/**
 * The device's model with every secret the device shows only opaquely (an IOS type-6 key: not a
 * string) replaced by the declared one, or dropped when none was declared: a key that cannot be
 * compared is present-but-opaque, never drift by itself. Fields no device shows (notOnDevice)
 * keep their declared values.
 */
export function keepOpaqueSecrets(layout: SecretLayout, device: unknown, declared: unknown): Props {
    if (!isRecord(device)) return {};
    const known = isRecord(declared) ? declared : {};
    const merged = keepOpaque(layout.fields, device, known);
    for (const f of layout.notOnDevice) if (known[f] !== undefined) merged[f] = known[f];
    for (const { property, keyedBy, fields } of layout.lists) {
        const entries = merged[property];
        if (!Array.isArray(entries)) continue;
        const declaredEntries = Array.isArray(known[property]) ? known[property].filter(isRecord) : [];
        merged[property] = entries.map((entry) =>
            isRecord(entry) ? keepOpaque(fields, entry, declaredEntries.find((d) => d[keyedBy] === entry[keyedBy]) ?? {}) : entry,
        );
    }
    return merged;
}

function keepOpaque(fields: string[], device: Props, declared: Props): Props {
    const copy: Props = { ...device };
    for (const f of fields) {
        if (copy[f] === undefined || typeof copy[f] === "string") continue;
        if (typeof declared[f] === "string") copy[f] = declared[f];
        else delete copy[f];
    }
    return copy;
}
