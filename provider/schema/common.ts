/**
 * Building blocks shared by every resource schema: validated scalar types whose error messages
 * name the fix, and the check() machinery that turns zod issues into per-property failures.
 *
 * Every string that ends up on a device goes through one of these types. They reject what IOS CLI
 * or swanctl.conf would interpret (line breaks, control characters, `?`, quotes, braces, `#`), so no
 * input can inject a command or a configuration section.
 */
import { z } from "zod";

/** The value the Pulumi engine sends for an input that is not known yet (during preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A check() failure in the shape the Pulumi dynamic provider returns. */
export interface CheckFailure {
    property: string;
    reason: string;
}

/** Joins what is wrong with how to fix it, the form every validation message takes. */
export function withFix(problem: string, fix: string): string {
    return `${problem}. Fix: ${fix}`;
}

const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/** Text that may go on one CLI line: no line breaks, control characters or `?` (IOS help). */
export function lineText(what: string, maxLength = 200) {
    return z
        .string()
        .min(1, withFix(`${what} is empty`, `give ${what} a value or leave the property out`))
        .max(maxLength, withFix(`${what} is longer than ${maxLength} characters`, `shorten it`))
        .refine((v) => !CONTROL_CHARS.test(v), {
            message: withFix(
                `${what} contains a line break or control character, which would end the CLI command and start another`,
                "remove newlines, tabs and other control characters",
            ),
        })
        .refine((v) => !v.includes("?"), {
            message: withFix(`${what} contains '?', which IOS CLI treats as a help request`, "remove the '?'"),
        })
        .refine((v) => /^[\x20-\x7e]*$/.test(v), {
            message: withFix(`${what} contains non-ASCII characters`, "use printable ASCII only"),
        })
        .refine((v) => v.trim() === v, {
            message: withFix(`${what} starts or ends with white space`, "trim the value"),
        });
}

/** One word on a CLI line: printable ASCII, no white space, none of `? " ' # { } , ; =` or backslash. */
export function cliWord(what: string, maxLength = 64) {
    return lineText(what, maxLength)
        .refine((v) => !/\s/.test(v), {
            message: withFix(`${what} contains white space`, "use a single word, e.g. with '-' or '_' instead of spaces"),
        })
        .refine((v) => !/["'#{}=,;\\`$]/.test(v), {
            message: withFix(
                `${what} contains one of the characters " ' # { } = , ; \\ \` $, which device configuration languages interpret`,
                "use letters, digits, '.', '-', '_', '@', ':' and '/' only",
            ),
        });
}

/** A name of an IOS configuration object (proposal, policy, keyring, profile, transform set...). */
export function iosObjectName(what: string) {
    return cliWord(what, 64).refine((v) => /^[A-Za-z0-9][A-Za-z0-9_.\-]*$/.test(v), {
        message: withFix(
            `${what} must start with a letter or digit and contain only letters, digits, '.', '-' and '_'`,
            "rename it, e.g. 'PROF-VPS'",
        ),
    }).refine((v) => v.toLowerCase() !== "default", {
        message: withFix(
            `${what} 'default' is IOS's built-in object, whose contents vary by release`,
            "declare your own object with another name",
        ),
    });
}

function octetsOf(v: string): number[] | undefined {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(v);
    if (!m) return undefined;
    const octets = m.slice(1).map(Number);
    if (octets.some((o, i) => o > 255 || (m[i + 1].length > 1 && m[i + 1].startsWith("0")))) return undefined;
    return octets;
}

export function isIpv4(v: string): boolean {
    return octetsOf(v) !== undefined;
}

export function ipv4ToNumber(v: string): number {
    const o = octetsOf(v);
    if (!o) throw new Error(`not an IPv4 address: ${v}`);
    return ((o[0] << 24) >>> 0) + (o[1] << 16) + (o[2] << 8) + o[3];
}

export function numberToIpv4(n: number): string {
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

/** Prefix length of a dotted mask, or undefined when the mask is not contiguous. */
export function maskToPrefixLength(mask: string): number | undefined {
    if (!isIpv4(mask)) return undefined;
    const n = ipv4ToNumber(mask);
    const inverted = ~n >>> 0;
    if ((inverted & (inverted + 1)) !== 0) return undefined;
    return 32 - Math.log2(inverted + 1);
}

export function prefixLengthToMask(length: number): string {
    return numberToIpv4(length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0);
}

export function ipv4Address(what: string) {
    return z.string().refine(isIpv4, {
        message: withFix(`${what} is not an IPv4 address`, "write four decimal octets, e.g. 203.0.113.7"),
    });
}

export function ipv4Mask(what: string) {
    return z.string().refine((v) => maskToPrefixLength(v) !== undefined, {
        message: withFix(
            `${what} is not a contiguous dotted netmask`,
            "write a mask such as 255.255.255.0 (a /24); wildcard masks like 0.0.0.255 are not accepted here",
        ),
    });
}

const IPV6_GROUP = /^[0-9a-fA-F]{1,4}$/;

export function isIpv6(v: string): boolean {
    if (!/^[0-9a-fA-F:.]+$/.test(v) || v.length > 45) return false;
    let head = v;
    let groupsFromV4 = 0;
    const lastColon = v.lastIndexOf(":");
    if (v.includes(".")) {
        if (!isIpv4(v.slice(lastColon + 1))) return false;
        head = v.slice(0, lastColon + 1) + "0";
        groupsFromV4 = 1;
    }
    const halves = head.split("::");
    if (halves.length > 2) return false;
    const groups = (s: string) => (s === "" ? [] : s.split(":"));
    const left = groups(halves[0]);
    const right = halves.length === 2 ? groups(halves[1]) : [];
    if (![...left, ...right].every((g) => IPV6_GROUP.test(g))) return false;
    const count = left.length + right.length + groupsFromV4;
    return halves.length === 2 ? count <= 7 : count === 8;
}

export function ipv6Prefix(what: string) {
    return z.string().refine(
        (v) => {
            const [addr, len, extra] = v.split("/");
            return extra === undefined && len !== undefined && /^\d{1,3}$/.test(len) && Number(len) <= 128 && isIpv6(addr);
        },
        { message: withFix(`${what} is not an IPv6 prefix`, "write an address with its length, e.g. 2001:db8::1/128") },
    );
}

/** IPv4 network in CIDR notation whose host bits are zero, e.g. 10.2.0.0/24. */
export function ipv4Cidr(what: string) {
    return z.string().refine(
        (v) => {
            const [addr, len, extra] = v.split("/");
            if (extra !== undefined || len === undefined || !/^\d{1,2}$/.test(len) || Number(len) > 32 || !isIpv4(addr)) return false;
            const mask = ipv4ToNumber(prefixLengthToMask(Number(len)));
            return ((ipv4ToNumber(addr) & ~mask) >>> 0) === 0;
        },
        {
            message: withFix(
                `${what} is not an IPv4 network in CIDR notation with its host bits zero`,
                "write it like 10.2.0.0/24 (not 10.2.0.1/24)",
            ),
        },
    );
}

const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

export function isFqdn(v: string): boolean {
    return v.length <= 253 && v.split(".").every((l) => LABEL.test(l)) && !isIpv4(v);
}

export function fqdn(what: string) {
    return z.string().refine(isFqdn, {
        message: withFix(`${what} is not a DNS name`, "use letters, digits and '-' in dot-separated labels, e.g. vps.example.net"),
    });
}

export function email(what: string) {
    return z.string().refine((v) => /^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]+$/.test(v) && isFqdn(v.split("@")[1]), {
        message: withFix(`${what} is not an e-mail identity`, "write it like vpn@example.net"),
    });
}

export function keyId(what: string) {
    return cliWord(what, 64);
}

// ---------------------------------------------------------------------------------------------
// Property wrappers shared by the resource schemas. zod's own messages for a missing value, a value
// of the wrong JSON type, an unknown property or a value outside an enum say what is wrong but not
// how to fix it; these wrappers make every such message name the fix, the same way in every schema.

/** The message for a missing value (`set it, e.g. ...`) or one of the wrong JSON type (`write it like ...`). */
export function typeError(what: string, expected: string, example: string) {
    return (issue: { input?: unknown }) =>
        issue.input === undefined
            ? withFix(`${what} is required`, `set ${what}, e.g. ${example}`)
            : withFix(`${what} must be ${expected}`, `write it like ${example}`);
}

/** A string property; its content rules are added by the caller. */
export function str(what: string, example: string) {
    return z.string({ error: typeError(what, "a string", example) });
}

/** A whole number from min to max; one message, with an example, for every way of missing the range. */
export function int(what: string, min: number, max: number, example: number) {
    const range = withFix(`${what} must be a whole number from ${min} to ${max}`, `use e.g. ${example}`);
    return z
        .number({ error: typeError(what, "a number", String(example)) })
        .int({ error: range })
        .min(min, { error: range })
        .max(max, { error: range });
}

/** One of a fixed set of strings; a missing or unknown value is answered with every accepted value. */
export function oneOf<const T extends readonly [string, ...string[]]>(what: string, values: T) {
    const accepted = values.map((v) => `"${v}"`).join(", ");
    return z.enum(values, {
        error: (issue) =>
            issue.input === undefined
                ? withFix(`${what} is required`, `set it to one of ${accepted}`)
                : withFix(`${what} is not one of the accepted values`, `use one of ${accepted}`),
    });
}

/** A list of min to max entries of `item`. */
export function list<T extends z.ZodType>(what: string, item: T, min: number, max: number, example: string) {
    return z
        .array(item, { error: typeError(what, "a list", example) })
        .min(min, { error: withFix(`${what} needs at least ${min} entr${min === 1 ? "y" : "ies"}`, `write it like ${example}`) })
        .max(max, { error: withFix(`${what} has more than ${max} entries`, "remove some") });
}

/** An object that refuses unknown properties, naming the ones it accepts. */
export function strict<S extends z.ZodRawShape>(what: string, shape: S) {
    const known = Object.keys(shape).join(", ");
    return z.strictObject(shape, {
        error: (issue) => {
            if (issue.code === "unrecognized_keys") {
                return withFix(
                    `${what} has unknown propert${issue.keys.length === 1 ? "y" : "ies"} ${issue.keys.map((k) => `'${k}'`).join(", ")}`,
                    `remove ${issue.keys.length === 1 ? "it" : "them"} or fix the spelling; ${what} accepts ${known}`,
                );
            }
            if (issue.code === "invalid_type") {
                return issue.input === undefined
                    ? withFix(`${what} is required`, `set ${what} to an object with ${known}`)
                    : withFix(`${what} must be an object`, `write an object with ${known}`);
            }
            return undefined;
        },
    });
}

/** A superRefine for lists: an issue at each entry whose key (by default its JSON) an earlier entry has. */
export function noDuplicates<T>(what: string, key: (v: T) => string = (v) => JSON.stringify(v)) {
    return (values: T[] | undefined, ctx: z.RefinementCtx) => {
        const seen = new Set<string>();
        (values ?? []).forEach((v, i) => {
            const k = key(v);
            if (seen.has(k)) {
                ctx.addIssue({ code: "custom", path: [i], message: withFix(`${what} lists ${k} twice`, "remove the duplicate") });
            }
            seen.add(k);
        });
    };
}

/** For a superRefine: an issue at the second of several `keys` set, or one at the object when none is. */
export function exactlyOne(what: string, value: Record<string, unknown>, keys: string[], ctx: z.RefinementCtx, fix: string) {
    const present = keys.filter((k) => value[k] !== undefined);
    if (present.length === 0) {
        ctx.addIssue({ code: "custom", path: [], message: withFix(`${what} has none of ${keys.join(", ")}`, fix) });
    } else if (present.length > 1) {
        ctx.addIssue({
            code: "custom",
            path: [present[1]],
            message: withFix(`${what} sets ${present.join(" and ")}, but takes exactly one of them`, `keep only one of ${present.join(", ")}`),
        });
    }
}

/**
 * Zod issues -> check() failures. Issues at or below an input that is still unknown (preview) are
 * dropped: the engine will call check again when the value is known.
 */
export function toCheckFailures(issues: z.core.$ZodIssue[], inputs: unknown): CheckFailure[] {
    const failures: CheckFailure[] = [];
    for (const issue of issues) {
        if (pathTouchesUnknown(inputs, issue.path)) continue;
        const property = issue.path.map((p, i) => (typeof p === "number" ? `[${p}]` : (i === 0 ? "" : ".") + String(p))).join("");
        failures.push({ property, reason: issue.message });
    }
    return failures;
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

/** True when the value is, or contains anywhere, the engine's unknown sentinel. */
export function containsUnknown(value: unknown): boolean {
    if (value === UNKNOWN) return true;
    if (Array.isArray(value)) return value.some(containsUnknown);
    if (value !== null && typeof value === "object") return Object.values(value).some(containsUnknown);
    return false;
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
