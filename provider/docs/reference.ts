/**
 * Generates docs/resources.md from the zod schemas, so the reference cannot drift from the code.
 * `node dist/provider/docs/reference.js > docs/resources.md`; a unit test checks the file is current.
 */
import { z } from "zod";
import { credentialsSchema, hostConnectionSchema, iosConnectionSchema } from "../schema/device";
import { iosSchemas } from "../schema/ios";
import { strongSwanConnectionSchema } from "../schema/strongswan";
import { strongSwanTunnelCheckSchema } from "../schema/tunnel-check";

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

const RESOURCE_INTROS: Record<string, string> = {
    IkeV2Proposal: "`crypto ikev2 proposal`: the IKE SA's algorithms. IOS uses a proposal only when an IkeV2Policy lists it.",
    IkeV2Policy: "`crypto ikev2 policy`: which proposals IKE negotiates, optionally per local address or front-door VRF.",
    IkeV2Keyring:
        "`crypto ikev2 keyring`: pre-shared keys per peer. The peer's name is only a label; IOS picks the key by the peer's address, identity or hostname, so every peer needs one of them (check refuses a peer without). Keys travel as Pulumi secrets in their own input `preSharedKeys`, so previews show the peers but never a key.",
    IkeV2Profile: "`crypto ikev2 profile`: which peers it matches (`match identity remote`), the local identity, authentication and keyring.",
    IpsecTransformSet: "`crypto ipsec transform-set`: the ESP algorithms.",
    IpsecProfile: "`crypto ipsec profile`: transform sets, IKEv2 profile, PFS and SA lifetimes; applied to a tunnel with `tunnel protection`.",
    TunnelInterface:
        "`interface TunnelN` (a route-based VTI) plus the `ip route ... TunnelN` lines that send the remote networks into it; routes are created after the interface and removed before it.",
    StrongSwanConnection:
        "A swanctl connection on a strongSwan host, written to its own file `<swanctlDir>/conf.d/pulumi-<name>.conf` (mode 0600, with its pre-shared key in the file's own `secrets` section) and loaded with `swanctl --load-all`.",
    StrongSwanTunnelCheck:
        "Proves a tunnel came up: create and update initiate the CHILD_SA when needed, wait until it is installed and optionally ping through it, failing the deployment with the reason and the likely fix. Refresh reads the live SAs (`established` output), so a tunnel that went down is drift that the next `pulumi up` repairs. It configures nothing. The resource class takes the StrongSwanConnection resource (or its name) as `connection`.",
};

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

function table(schema: z.ZodType): string[] {
    const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
    const out = ["| property | type | required | default | description |", "|---|---|---|---|---|"];
    rows(json, "", out);
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
    for (const [kind, schema] of Object.entries({ ...iosSchemas, StrongSwanConnection: strongSwanConnectionSchema, StrongSwanTunnelCheck: strongSwanTunnelCheckSchema })) {
        lines.push(`## ${kind}`, "", RESOURCE_INTROS[kind] ?? "", "", ...table(schema as z.ZodType), "");
    }
    lines.push(
        "## device (IOS routers)",
        "",
        "Credentials (`password`, `privateKey`, `privateKeyPassphrase`, `enableSecret`) are always stored as Pulumi secrets.",
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
