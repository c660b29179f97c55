/**
 * The one place a schema says what is secret. A field is marked with secret() where it is declared;
 * everything else is derived from the marks: which inputs Pulumi stores as secrets, how secrets
 * travel apart from the rest (secretLayout), and which values to redact from every message
 * (secretValues).
 *
 * Secrets travel in top-level inputs of their own so that Pulumi stores exactly those as secrets
 * while previews still show every other property: a marked top-level field is its own input; the
 * marked fields of a list's entries (keyring peers' keys) travel in one input named by the list's
 * secretsTravelIn() mark, keyed by a field of each entry.
 */
import { z } from "zod";

/** Any zod schema, as the walkers below take it (union options are core schemas). */
type Schema = z.core.$ZodType;

const secretFields = z.registry<{ secret: true }>();
const deviceBlindFields = z.registry<{ notOnDevice: true }>();
const secretLists = z.registry<{ input: string; keyedBy: string }>();

/** Marks a field's value as a secret (a key, a password). */
export function secret<T extends z.ZodType>(schema: T): T {
    secretFields.add(schema, { secret: true });
    return schema;
}

/**
 * Marks a top-level field that is no configuration and that no device shows (a counter the user
 * bumps to make the next update send the keys again): reading the device keeps its declared
 * value, as it keeps a key the device shows only encrypted.
 */
export function notOnDevice<T extends z.ZodType>(schema: T): T {
    deviceBlindFields.add(schema, { notOnDevice: true });
    return schema;
}

/** Names the top-level input that the secrets of this list's entries travel in, keyed by one of each entry's fields. */
export function secretsTravelIn<T extends z.ZodArray>(schema: T, input: string, keyedBy: string): T {
    secretLists.add(schema, { input, keyedBy });
    return schema;
}

// Looked up with get(), which follows clones: `.describe()` and refinements after a mark keep it.
const isMarkedSecret = (schema: Schema) => secretFields.get(schema) !== undefined;
const isMarkedNotOnDevice = (schema: Schema) => deviceBlindFields.get(schema) !== undefined;
const travelOf = (schema: Schema) => secretLists.get(schema);

/** The schema inside wrappers that do not change what a value holds (optional, default, pipes, preprocessing). */
function unwrap(schema: Schema): Schema {
    if (isMarkedSecret(schema) || isMarkedNotOnDevice(schema) || travelOf(schema)) return schema;
    if (schema instanceof z.ZodOptional || schema instanceof z.ZodDefault) return unwrap(schema.unwrap());
    // A preprocessed or piped value is what its last stage holds.
    if (schema instanceof z.ZodPipe) return unwrap(schema.out instanceof z.ZodTransform ? schema.in : schema.out);
    return schema;
}

/** The fields of an object schema (through its wrappers), or undefined for other schemas. */
function fieldsOf(schema: Schema): Record<string, Schema> | undefined {
    const inner = unwrap(schema);
    return inner instanceof z.ZodObject ? inner.shape : undefined;
}

const isSecret = (schema: Schema) => isMarkedSecret(unwrap(schema));
const isNotOnDevice = (schema: Schema) => isMarkedNotOnDevice(unwrap(schema));

/** Where a resource's secrets are, as they travel between the resource class and the provider. */
export interface SecretLayout {
    /** Top-level fields that are secrets; each travels as its own (secret) input. */
    fields: string[];
    /** Lists whose entries hold secrets: `property`'s entries' `fields` travel in `input`, keyed by `keyedBy`. */
    lists: { property: string; input: string; keyedBy: string; fields: string[] }[];
    /** Top-level fields no device shows (notOnDevice): a read keeps their declared values. */
    notOnDevice: string[];
}

/**
 * Where the secrets of a resource schema are. Throws when a secret sits where no input can carry
 * it (deeper than a list's entries, or in a list without secretsTravelIn), so that a new schema
 * cannot leave a secret in plain inputs unnoticed.
 */
export function secretLayout(schema: Schema): SecretLayout {
    const layout: SecretLayout = { fields: [], lists: [], notOnDevice: [] };
    for (const [property, field] of Object.entries(fieldsOf(schema) ?? {})) {
        if (isNotOnDevice(field)) layout.notOnDevice.push(property);
        if (isSecret(field)) {
            layout.fields.push(property);
            continue;
        }
        const list = unwrap(field);
        const entry = list instanceof z.ZodArray ? fieldsOf(list.element) : undefined;
        const entryFields = Object.entries(entry ?? {})
            .filter(([, f]) => isSecret(f))
            .map(([name]) => name);
        const travel = travelOf(list);
        if (entryFields.length > 0 && travel) layout.lists.push({ property, ...travel, fields: entryFields });
        else if (entryFields.length > 0 || containsSecret(field)) {
            throw new Error(`${property} holds secrets that no input carries: mark the list with secretsTravelIn() or move the secret up`);
        }
    }
    return layout;
}

/** True when a secret is marked anywhere inside the schema. */
function containsSecret(schema: Schema): boolean {
    const inner = unwrap(schema);
    if (isMarkedSecret(inner)) return true;
    if (inner instanceof z.ZodArray) return containsSecret(inner.element);
    if (inner instanceof z.ZodUnion) return inner.options.some(containsSecret);
    return Object.values(fieldsOf(inner) ?? {}).some(containsSecret);
}

/** Every secret string in a value of the schema, of any length (for redaction). */
export function secretValues(schema: Schema, value: unknown): string[] {
    const inner = unwrap(schema);
    if (isMarkedSecret(inner)) return typeof value === "string" ? [value] : [];
    if (inner instanceof z.ZodArray) return Array.isArray(value) ? value.flatMap((v) => secretValues(inner.element, v)) : [];
    if (inner instanceof z.ZodUnion) return inner.options.flatMap((o) => secretValues(o, value));
    const fields = fieldsOf(inner);
    if (!fields || value === null || typeof value !== "object") return [];
    return Object.entries(fields).flatMap(([name, field]) => secretValues(field, Reflect.get(value, name)));
}
