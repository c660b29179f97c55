/**
 * What the importer finds on the devices, as the program generator and the report take it: the
 * declarations it will write (each already verified to adopt its object without sending a line),
 * the stack secrets they read, and the findings (what was not imported, and why). No I/O.
 */
import { z } from "zod";
import { Code, Value } from "./typescript";
import { canonicalJson } from "../canonical-json";

/** The resource classes the importer declares. */
export type DeclaredClass =
    | "IkeV2Proposal"
    | "IkeV2Policy"
    | "IkeV2Keyring"
    | "IkeV2KeyringPeer"
    | "IkeV2Profile"
    | "IpsecTransformSet"
    | "IpsecProfile"
    | "TunnelInterface"
    | "StrongSwanConnection";

/** The classes of the generated program: the objects' and the components that declare a tunnel's objects together. */
export type ProgramClass = DeclaredClass | "IosRouter" | "SiteToSiteTunnel";

/** The credential fields of a device, as the resources' `device` takes them. */
export const CREDENTIAL_FIELDS = ["password", "privateKey", "privateKeyPassphrase", "enableSecret"] as const;
export type CredentialField = (typeof CREDENTIAL_FIELDS)[number];

/** One device the importer read, as the program declares it. */
export interface SiteDevice {
    site: string;
    platform: "ios" | "strongswan";
    /** The connection settings as they were given (host, username, hostKey ...; no secrets, no defaults added). */
    settings: PlainObject;
    /** The credentials the importer logged in with; each becomes a secret of the stack. */
    credentials: Partial<Record<CredentialField, string>>;
    /** `user@host`, for comments and the report. */
    label: string;
}

/** One resource of the generated program (an object's; a component's with ProgramClass). */
export interface Declaration<Class extends ProgramClass = DeclaredClass> {
    /** The site (device) it is on, as the devices file names it. */
    site: string;
    className: Class;
    /** The object as the device names it, for comments and the report: `crypto ikev2 keyring KR`, `conf.d/pulumi-home.conf`. */
    subject: string;
    /** The Pulumi resource name. */
    resourceName: string;
    /** The program's variable for the resource. */
    variable: string;
    /** The arguments besides `device` and `adopt`, as the program writes them. */
    args: { [key: string]: Value };
    /** Comment lines written above the declaration (what the user must do, e.g. fill a type-6 key). */
    notes: string[];
    /** Whether the arguments take the site's device (a SiteToSiteTunnel takes its ends' instead). */
    takesDevice?: false;
    /** The stack secret each key reads: a keyring's by peer name, a connection's under its name. */
    secretKeys?: Record<string, string>;
}

/** A value the program reads from the stack's secret configuration. */
export interface StackSecret {
    /** The configuration key (`homeKrVpsPsk`). */
    key: string;
    /** What it is, for the script's and the report's readers. */
    purpose: string;
    /** The value the importer read, or undefined when the device shows it only encrypted (the user fills it). */
    value: string | undefined;
}

/** Why something was not imported (or not the way one might expect). */
export type FindingCategory =
    | "ikev1"
    | "crypto-map"
    | "not-modelled"
    | "invalid"
    | "missing-reference"
    | "hand-written"
    | "would-change"
    | "tunnel"
    | "note";

export interface Finding {
    site: string;
    category: FindingCategory;
    /** The object: `crypto isakmp policy 10`, `interface Tunnel2`, `conf.d/home.conf: connection home`. */
    subject: string;
    /** Why, and where there is one, the fix. */
    reason: string;
    /** The lines concerned, secrets masked. */
    lines: string[];
}

/** The text an end is written in: a router's running-config and the tunnel's number, or a host's file and the connection's name. */
export type EndSource = { platform: "ios"; runningConfig: string; tunnel: number } | { platform: "strongswan"; text: string; connection: string; file: string };

/** One end of a tunnel as a device has it. */
export interface FoundEnd {
    site: string;
    /** `interface Tunnel2`, `conf.d/home.conf: connection home`. */
    subject: string;
    /** The outside addresses it uses; empty when the device leaves it open (strongSwan without local_addrs). */
    local: string[];
    /** The peer's outside addresses it connects to (empty: it only answers). */
    remote: string[];
    /** The resource that declares it, when it was imported. */
    resourceName?: string;
    /**
     * Where the end is written, for the cross-end checks and the SiteToSiteTunnel that may declare it;
     * behind a function, so that the import's data (which the program and the report are made of)
     * holds no key of a file or object it did not import.
     */
    source(): EndSource;
}

/** What the importer makes of one device: declarations, the stack secrets they read, findings, and the tunnel ends it has. */
export interface SiteImport {
    declarations: Declaration[];
    secrets: StackSecret[];
    findings: Finding[];
    ends: FoundEnd[];
}

/** The expression that reads a secret from the stack's configuration. */
export const secretLookup = (key: string) => new Code(`cfg.requireSecret(${JSON.stringify(key)})`);


/** The schema's messages for an input it refuses, one per problem, each with the property. */
export function schemaProblems(error: z.ZodError): string[] {
    return error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message));
}

/** Plain data, as a device's object is read into an input and as JSON holds it. */
export type Plain = string | number | boolean | Plain[] | { [key: string]: Plain };
export type PlainObject = { [key: string]: Plain };

const isObject = (v: unknown): v is PlainObject => v !== null && typeof v === "object" && !Array.isArray(v);

/** The object schema inside wrappers that do not change a value's shape (optional, default, pipes, preprocessing), or undefined. */
function objectShape(schema: z.core.$ZodType): Record<string, z.core.$ZodType> | undefined {
    if (schema instanceof z.ZodObject) return schema.shape;
    if (schema instanceof z.ZodOptional || schema instanceof z.ZodDefault) return objectShape(schema.unwrap());
    if (schema instanceof z.ZodPipe) return objectShape(schema.out instanceof z.ZodTransform ? schema.in : schema.out);
    return undefined;
}

/** The list schema inside the same wrappers, or undefined. */
function listElement(schema: z.core.$ZodType): z.core.$ZodType | undefined {
    if (schema instanceof z.ZodArray) return schema.element;
    if (schema instanceof z.ZodOptional || schema instanceof z.ZodDefault) return listElement(schema.unwrap());
    if (schema instanceof z.ZodPipe) return listElement(schema.out instanceof z.ZodTransform ? schema.in : schema.out);
    return undefined;
}

/** The value with every object's properties in the order its schema declares them (the order the docs and the IOS lines have). */
export function inSchemaOrder(schema: z.core.$ZodType, value: PlainObject): PlainObject {
    const order = (s: z.core.$ZodType | undefined, v: Plain): Plain => {
        if (s === undefined) return v;
        if (Array.isArray(v)) return v.map((x) => order(listElement(s), x));
        const shape = objectShape(s);
        if (!isObject(v) || !shape) return v;
        const keys = [...Object.keys(shape).filter((k) => k in v), ...Object.keys(v).filter((k) => !(k in shape))];
        return Object.fromEntries(keys.map((k) => [k, order(shape[k], v[k])]));
    };
    const ordered = order(schema, value);
    return isObject(ordered) ? ordered : value;
}

/**
 * The input without what the schema fills in the same way by itself (defaults, implied masks, empty
 * lists): each property, at any depth, is dropped when the schema's output stays the same without
 * it. So the program shows what the device has beyond the defaults, as a person would write it.
 */
export function withoutDefaults(schema: z.ZodType, input: PlainObject): PlainObject {
    const want = schema.safeParse(input);
    if (!want.success) return input;
    const target = canonicalJson(want.data);
    const copy: PlainObject = structuredClone(input);
    const same = () => {
        const got = schema.safeParse(copy);
        return got.success && canonicalJson(got.data) === target;
    };
    const visit = (value: Plain) => {
        if (Array.isArray(value)) value.forEach(visit);
        else if (isObject(value)) {
            const order = Object.keys(value);
            for (const key of order) {
                const kept = value[key];
                delete value[key];
                if (same()) continue;
                value[key] = kept;
                visit(kept);
            }
            // Put the kept properties back in their order (a restored one was appended).
            for (const key of order) {
                if (!(key in value)) continue;
                const kept = value[key];
                delete value[key];
                value[key] = kept;
            }
        }
    };
    visit(copy);
    return copy;
}
