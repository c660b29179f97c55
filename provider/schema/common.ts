/**
 * Building blocks shared by every resource schema: validated scalar types and property wrappers
 * whose error messages name the fix.
 *
 * Every string that ends up on a device goes through one of these types. They reject what IOS CLI
 * or swanctl.conf would interpret (line breaks, control characters, `?`, quotes, braces, `#`), so no
 * input can inject a command or a configuration section.
 */
import { z } from "zod";
import { isIpv4, isIpv4Network, isIpv6Prefix } from "../address";
import { withFix } from "../fix";

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

export function ipv4Address(what: string) {
    return z.string().refine(isIpv4, {
        message: withFix(`${what} is not an IPv4 address`, "write four decimal octets, e.g. 203.0.113.7"),
    });
}

export function ipv6Prefix(what: string) {
    return z.string().refine(isIpv6Prefix, {
        message: withFix(`${what} is not an IPv6 prefix`, "write an address with its length, e.g. 2001:db8::1/128"),
    });
}

/** IPv4 network in CIDR notation whose host bits are zero, e.g. 10.2.0.0/24. */
export function ipv4Cidr(what: string) {
    return z.string().refine(isIpv4Network, {
        message: withFix(
            `${what} is not an IPv4 network in CIDR notation with its host bits zero`,
            "write it like 10.2.0.0/24 (not 10.2.0.1/24)",
        ),
    });
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

/** true or false. */
export function bool(what: string) {
    return z.boolean({ error: typeError(what, "true or false", "true") });
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
