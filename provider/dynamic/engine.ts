/**
 * What the Pulumi engine hands the dynamic providers and expects back, beyond the SDK's types: the
 * placeholder for values not known yet (preview) and check() failures per property.
 */
import { z } from "zod";

/** The value the Pulumi engine sends for an input that is not known yet (during preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A check() failure in the shape the Pulumi dynamic provider returns. */
export interface CheckFailure {
    property: string;
    reason: string;
}

/** True when the value is, or contains anywhere, the engine's unknown sentinel. */
export function containsUnknown(value: unknown): boolean {
    if (value === UNKNOWN) return true;
    if (Array.isArray(value)) return value.some(containsUnknown);
    if (value !== null && typeof value === "object") return Object.values(value).some(containsUnknown);
    return false;
}

/** The paths (`peers[0].name`) at which a value holds the unknown sentinel. */
export function unknownPaths(value: unknown, path = ""): string[] {
    if (value === UNKNOWN) return [path || "(the whole input)"];
    if (Array.isArray(value)) return value.flatMap((v, i) => unknownPaths(v, `${path}[${i}]`));
    if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => unknownPaths(v, path ? `${path}.${k}` : k));
    return [];
}

function pathTouchesUnknown(inputs: unknown, path: PropertyKey[]): boolean {
    let node: unknown = inputs;
    if (containsUnknown(node) && path.length === 0) return true;
    for (const key of path) {
        if (node === UNKNOWN) return true;
        if (node === null || typeof node !== "object") return false;
        node = (node as Record<PropertyKey, unknown>)[key];
    }
    return containsUnknown(node);
}

/**
 * Zod issues -> check() failures. Issues at or below an input that is still unknown (preview) are
 * dropped: the engine will call check again when the value is known.
 */
function toCheckFailures(issues: z.core.$ZodIssue[], inputs: unknown): CheckFailure[] {
    const failures: CheckFailure[] = [];
    for (const issue of issues) {
        if (pathTouchesUnknown(inputs, issue.path)) continue;
        const property = issue.path.map((p, i) => (typeof p === "number" ? `[${p}]` : (i === 0 ? "" : ".") + String(p))).join("");
        failures.push({ property, reason: issue.message });
    }
    return failures;
}

/** Validates inputs against a schema; returns the parsed model or the failures. */
export function validate<S extends z.ZodType>(
    schema: S,
    inputs: unknown,
): { ok: true; value: z.output<S> } | { ok: false; failures: CheckFailure[] } {
    const parsed = schema.safeParse(inputs);
    if (parsed.success) return { ok: true, value: parsed.data };
    return { ok: false, failures: toCheckFailures(parsed.error.issues, inputs) };
}
