/**
 * Generates docs/resources.md from the zod schemas, so the reference cannot drift from the code.
 * `node dist/provider/docs/reference.js > docs/resources.md`; a unit test checks the file is current.
 */
import { z } from "zod";
import { registry } from "../dynamic/registry";
import { credentialsSchema, hostConnectionSchema, iosConnectionSchema } from "../schema/device";

interface JsonSchema {
    type?: string | string[];
    description?: string;
    default?: unknown;
    enum?: unknown[];
    const?: unknown;
    items?: JsonSchema;
    properties?: Record<string, JsonSchema>;
    required?: string[];
    anyOf?: JsonSchema[];
    oneOf?: JsonSchema[];
    minimum?: number;
    maximum?: number;
}

function typeOf(s: JsonSchema): string {
    if (s.const !== undefined) return JSON.stringify(s.const);
    if (s.enum) return s.enum.map((e) => JSON.stringify(e)).join(" | ");
    const variants = s.anyOf ?? s.oneOf;
    if (variants) return variants.map(typeOf).join(" | ");
    if (s.type === "array") {
        const element = s.items ? typeOf(s.items) : "unknown";
        return element.includes(" | ") ? `(${element})[]` : `${element}[]`;
    }
    if (s.type === "object") return "object";
    if (Array.isArray(s.type)) return s.type.join(" | ");
    return s.type ?? "any";
}

function cell(text: string | undefined): string {
    return (text ?? "").replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function rows(schema: JsonSchema, prefix: string, out: string[]): void {
    const required = new Set(schema.required ?? []);
    for (const [name, prop] of Object.entries(schema.properties ?? {})) {
        const path = prefix + name;
        const range = prop.minimum !== undefined || prop.maximum !== undefined ? ` (${prop.minimum ?? ""}..${prop.maximum ?? ""})` : "";
        const dflt = prop.default !== undefined ? `\`${JSON.stringify(prop.default)}\`` : "";
        out.push(`| \`${path}\` | ${cell(typeOf(prop))}${range} | ${required.has(name) && prop.default === undefined ? "yes" : ""} | ${dflt} | ${cell(prop.description)} |`);
        const element = prop.type === "array" ? prop.items : prop;
        const nested = [element, ...(element?.anyOf ?? element?.oneOf ?? [])].filter((v): v is JsonSchema => !!v?.properties);
        for (const n of nested) rows(n, `${path}${prop.type === "array" ? "[]" : ""}.`, out);
    }
}

function jsonSchema(schema: z.ZodType): JsonSchema {
    return z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
}

function table(schema: z.ZodType): string[] {
    const out = ["| property | type | required | default | description |", "|---|---|---|---|---|"];
    rows(jsonSchema(schema), "", out);
    return out;
}

export function renderReference(): string {
    const lines: string[] = [
        "# Resource reference",
        "",
        "Generated from the zod schemas in `provider/schema/` by `npm run docs`; do not edit by hand.",
        "Every resource also takes `device` (below) and `adopt` (take over an object of the same name that",
        "already exists on the device; without it, create refuses to touch existing configuration).",
        "A property that refers to another object (`proposals`, `keyring`, `transformSets`, `ikev2Profile`,",
        "`protectionProfile`) accepts the resource itself, which also orders create and delete, or a plain name.",
        "",
        "Outputs of every resource: its inputs, `device` (`user@host`), `config` (the object as the device",
        "shows it after the change, keys masked) and `unmanaged` (configuration found on the device that the",
        "resource does not declare: drift, removed by the next `pulumi up`).",
        "",
    ];
    for (const { kind, schema } of Object.values(registry)) {
        // A resource's introduction is its schema's description.
        lines.push(`## ${kind}`, "", jsonSchema(schema).description ?? "", "", ...table(schema), "");
    }
    lines.push(
        "## device (IOS routers)",
        "",
        `Credentials (${Object.keys(credentialsSchema.shape).map((k) => `\`${k}\``).join(", ")}) are always stored as Pulumi secrets.`,
        "",
        ...table(iosConnectionSchema),
        ...table(credentialsSchema).slice(2),
        "",
        "## device (strongSwan hosts)",
        "",
        ...table(hostConnectionSchema),
        ...table(credentialsSchema).slice(2).filter((l) => !l.includes("enableSecret")),
        "",
    );
    return lines.join("\n");
}

if (require.main === module) process.stdout.write(renderReference());
