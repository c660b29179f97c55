/**
 * Generates provider/resources/types.ts, the types a user's program writes and reads: each resource's
 * Args and Outputs and the device types, each property with TSDoc from its zod schema's description
 * (the text docs/resources.md shows, with the default). The property types are the schemas' input
 * types as the TypeScript checker infers them, printed as plain TypeScript, so that an editor shows
 * the description on hover and the package's declarations do not need zod's typings. It also writes
 * each resource class's TSDoc (provider/resources/*.ts) from its schema's description.
 *
 * `npm run docs` runs it (`node dist/scripts/generate-types.js`; `--check` only reports what is
 * stale); tests/unit/resource-types.test.ts fails when a file is stale.
 */
import * as fs from "fs";
import * as path from "path";
import ts from "typescript";
import { z } from "zod";
import { registry, ResourceKind } from "../provider/dynamic/registry";
import { credentialsSchema, hostConnectionSchema, iosConnectionSchema } from "../provider/schema/device";
import { iosSchemas } from "../provider/schema/ios";

const REPO = path.resolve(__dirname, "..", "..");
const TYPES_FILE = path.join(REPO, "provider", "resources", "types.ts");
const WIRE_LAYOUTS_FILE = path.join(REPO, "provider", "resources", "wire-layouts.ts");
const RESOURCE_FILES = ["ios.ts", "strongswan.ts"].map((f) => path.join(REPO, "provider", "resources", f));

/** Kinds outside the IOS schema table (whose devices are IOS routers): their schema's TypeScript expression and device. */
const OTHER_KINDS: Partial<Record<ResourceKind, { schemaType: string; device: DeviceType["name"] }>> = {
    StrongSwanConnection: { schemaType: "typeof strongSwanConnectionSchema", device: "StrongSwanHost" },
    StrongSwanTunnelCheck: { schemaType: "typeof strongSwanTunnelCheckSchema", device: "StrongSwanHost" },
    IosTunnelCheck: { schemaType: "typeof iosTunnelCheckSchema", device: "IosDevice" },
};

/**
 * Properties whose argument the resource class takes in another form than the schema's input, with
 * the type and the doc the Args print for them; `omit` for inputs the class fills itself.
 */
const PEER_DOC =
    "The tunnel's far end, read only when the tunnel does not come up, so that the error names the cause and the fix from both ends' logs and configuration: `{ site, ios: device, tunnel }` or `{ site, strongSwan: device, connectionName, child }`. Its credentials travel as secret inputs of their own.";
const PEER_ARGS: Record<string, { type: string; doc: string } | "omit"> = {
    peer: { type: "TunnelCheckPeer", doc: PEER_DOC },
    peerPassword: "omit",
    peerPrivateKey: "omit",
    peerPrivateKeyPassphrase: "omit",
    peerEnableSecret: "omit",
};
export const TAKEN_OTHERWISE: Partial<Record<ResourceKind, Record<string, { type: string; doc: string } | "omit">>> = {
    StrongSwanTunnelCheck: PEER_ARGS,
    IosTunnelCheck: {
        ...PEER_ARGS,
        tunnel: {
            type: "TunnelInterfaceOutputs | pulumi.Input<number>",
            doc: "The tunnel interface (`interface TunnelN`) whose SAs must be up: the TunnelInterface resource (which also orders the check after it) or its number.",
        },
    },
};

/** The far end of a tunnel check (`peer`), printed after the devices. */
const TUNNEL_CHECK_PEER = [
    "/** The far end of a checked tunnel, for the diagnosis: an IOS router and its tunnel, or a strongSwan host and its connection and child. */",
    "export type TunnelCheckPeer =",
    "    | { site: pulumi.Input<string>; ios: IosDevice; tunnel: pulumi.Input<number> }",
    "    | { site: pulumi.Input<string>; strongSwan: StrongSwanHost; connectionName: pulumi.Input<string>; child: pulumi.Input<string> };",
    "",
];

/**
 * Properties that name another resource: the resource class takes that resource (which orders
 * create and delete) or a name, under the same property or `as`.
 */
const REFERENCES: Partial<Record<ResourceKind, Record<string, { to: ResourceKind; as?: string }>>> = {
    IkeV2Policy: { proposals: { to: "IkeV2Proposal" } },
    IkeV2Profile: { keyring: { to: "IkeV2Keyring" } },
    IpsecProfile: { transformSets: { to: "IpsecTransformSet" }, ikev2Profile: { to: "IkeV2Profile" } },
    TunnelInterface: { protectionProfile: { to: "IpsecProfile" } },
    StrongSwanTunnelCheck: { connectionName: { to: "StrongSwanConnection", as: "connection" } },
};

interface DeviceType {
    name: "IosDevice" | "StrongSwanHost";
    doc: string;
    /** The `device` property's doc in a resource's Args. */
    propertyDoc: string;
    connection: z.ZodType;
    connectionType: string;
    /** Credentials this kind of device does not take. */
    omitCredentials: string[];
}

const DEVICES: DeviceType[] = [
    {
        name: "IosDevice",
        doc: "A Cisco IOS / IOS-XE router reached over SSH. The credentials (`password`, `privateKey`, `privateKeyPassphrase`, `enableSecret`) are always stored as Pulumi secrets.",
        propertyDoc: "The router this object is configured on.",
        connection: iosConnectionSchema,
        connectionType: "typeof iosConnectionSchema",
        omitCredentials: [],
    },
    {
        name: "StrongSwanHost",
        doc: "A Linux host running strongSwan (charon and swanctl), reached over SSH. The credentials (`password`, `privateKey`, `privateKeyPassphrase`) are always stored as Pulumi secrets.",
        propertyDoc: "The strongSwan host this object is configured on.",
        connection: hostConnectionSchema,
        connectionType: "typeof hostConnectionSchema",
        omitCredentials: ["enableSecret"],
    },
];

function deviceOf(kind: ResourceKind): DeviceType {
    const name = kind in iosSchemas ? "IosDevice" : OTHER_KINDS[kind]?.device;
    const device = DEVICES.find((d) => d.name === name);
    if (!device) throw new Error(`generate-types: ${kind} is neither an IOS kind nor in OTHER_KINDS: add it there`);
    return device;
}

const ADOPT_DOC =
    "Take over an object of the same name that already exists on the device, instead of refusing to create it. " +
    "`pulumi import` does not work for dynamic providers; this is the way to adopt hand-made configuration.";

/** What every resource outputs besides its inputs (the same words as docs/resources.md's introduction). */
const COMMON_OUTPUTS: { name: string; type: string; doc: string }[] = [
    { name: "device", type: "string", doc: "`user@host` of the device." },
    { name: "config", type: "string[]", doc: "The object as the device shows it after the change, keys masked." },
    {
        name: "unmanaged",
        type: "string[]",
        doc: "Configuration found on the device that the resource does not declare: drift, removed by the next `pulumi up`.",
    },
];

// ---------------------------------------------------------------------------------------------
// The schemas as the TypeScript checker sees them: a probe module of type aliases, compiled with
// the project's options next to the sources.

const PROBE = path.join(REPO, "scripts", "generate-types.probe.ts");

function probeSource(kinds: ResourceKind[]): string {
    const schemaType = (kind: ResourceKind) => OTHER_KINDS[kind]?.schemaType ?? `(typeof iosSchemas)["${kind}"]`;
    return [
        `import type { z } from "zod";`,
        `import type { registry } from "../provider/dynamic/registry";`,
        `import type { credentialsSchema, hostConnectionSchema, iosConnectionSchema } from "../provider/schema/device";`,
        `import type { iosSchemas } from "../provider/schema/ios";`,
        `import type { strongSwanConnectionSchema } from "../provider/schema/strongswan";`,
        `import type { iosTunnelCheckSchema, strongSwanTunnelCheckSchema } from "../provider/schema/tunnel-check";`,
        ...kinds.map((k) => `export type Input_${k} = z.input<${schemaType(k)}>;`),
        // A computed output's value type is what its `of` returns.
        ...kinds.map((k) => `export type Outputs_${k} = (typeof registry)["${k}"]["outputs"];`),
        ...kinds.map((k) => `export type Computed_${k} = { [N in keyof Outputs_${k}]: ReturnType<Outputs_${k}[N]["of"]> };`),
        ...DEVICES.map((d) => `export type Connection_${d.name} = z.input<${d.connectionType}>;`),
        `export type Credentials = z.input<typeof credentialsSchema>;`,
    ].join("\n");
}

function probeTypes(kinds: ResourceKind[]): { checker: ts.TypeChecker; alias(name: string): ts.Type } {
    const parsed = ts.getParsedCommandLineOfConfigFile(path.join(REPO, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
    if (!parsed) throw new Error("generate-types: cannot read tsconfig.json");
    const text = probeSource(kinds);
    const host = ts.createCompilerHost(parsed.options);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (fileName, language, onError, create) =>
        path.resolve(fileName) === PROBE ? ts.createSourceFile(fileName, text, language) : getSourceFile(fileName, language, onError, create);
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (fileName) => path.resolve(fileName) === PROBE || fileExists(fileName);
    const program = ts.createProgram({ rootNames: [PROBE], options: { ...parsed.options, noEmit: true }, host });
    const probe = program.getSourceFile(PROBE);
    const errors = ts.getPreEmitDiagnostics(program, probe);
    if (!probe || errors.length > 0) {
        throw new Error(`generate-types: the probe of the schema types does not compile:\n${ts.formatDiagnostics(errors, host)}`);
    }
    const checker = program.getTypeChecker();
    const aliases = new Map(probe.statements.filter(ts.isTypeAliasDeclaration).map((s) => [s.name.text, checker.getTypeAtLocation(s.name)]));
    return {
        checker,
        alias(name) {
            const t = aliases.get(name);
            if (!t) throw new Error(`generate-types: no probe type ${name}`);
            return t;
        },
    };
}

// ---------------------------------------------------------------------------------------------
// JSON schema (as the reference docs read it): descriptions and defaults, by property

interface JsonSchema {
    description?: string;
    default?: unknown;
    properties?: Record<string, JsonSchema>;
    items?: JsonSchema;
    anyOf?: JsonSchema[];
    oneOf?: JsonSchema[];
}

function jsonSchema(schema: z.ZodType): JsonSchema {
    // The reference docs (provider/docs/reference.ts) read the schemas the same way.
    return z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
}

/** The JSON schema of a union's option that has exactly (or at least) these properties. */
function optionWith(json: JsonSchema | undefined, names: string[]): JsonSchema | undefined {
    const options = (json?.anyOf ?? json?.oneOf ?? (json?.properties ? [json] : [])).filter((o) => o.properties);
    const keys = (o: JsonSchema) => Object.keys(o.properties ?? {});
    return (
        options.find((o) => keys(o).length === names.length && names.every((n) => keys(o).includes(n))) ??
        options.find((o) => names.every((n) => keys(o).includes(n)))
    );
}

// ---------------------------------------------------------------------------------------------
// Printing types

const WIDTH = 120;

/** Words of a paragraph in lines of at most `width` characters (a longer word keeps its own line). */
function wrap(paragraph: string, width: number): string[] {
    const lines: string[] = [];
    let line = "";
    for (const word of paragraph.split(/\s+/)) {
        if (line && line.length + 1 + word.length > width) {
            lines.push(line);
            line = word;
        } else line = line ? `${line} ${word}` : word;
    }
    return [...lines, line];
}

/** A TSDoc comment at this indentation; empty when there is nothing to say. */
function tsdoc(indent: string, paragraphs: (string | undefined)[], defaultValue?: unknown): string {
    const lines = paragraphs.filter((p): p is string => !!p).map((p) => p.replace(/\*\//g, "*\\/"));
    if (defaultValue !== undefined) lines.push(`@defaultValue \`${JSON.stringify(defaultValue)}\``);
    if (lines.length === 0) return "";
    if (lines.length === 1 && indent.length + lines[0].length + 7 <= WIDTH) return `${indent}/** ${lines[0]} */\n`;
    const body = lines.flatMap((l, i) => [...(i === 0 ? [] : [""]), ...wrap(l, WIDTH - indent.length - 3)]);
    return `${indent}/**\n${body.map((l) => (l ? `${indent} * ${l}` : `${indent} *`)).join("\n")}\n${indent} */\n`;
}

type Mode = "input" | "output";

/** The properties of an object type in the schema's order (the checker puts required ones first). */
function inSchemaOrder(props: ts.Symbol[], json: JsonSchema | undefined): ts.Symbol[] {
    const order = Object.keys(json?.properties ?? {});
    const rank = (p: ts.Symbol) => (order.includes(p.getName()) ? order.indexOf(p.getName()) : order.length);
    return [...props].sort((a, b) => rank(a) - rank(b));
}

class TypePrinter {
    constructor(private readonly checker: ts.TypeChecker) {}

    private isObject(t: ts.Type): boolean {
        return (t.flags & ts.TypeFlags.Object) !== 0;
    }

    /** A value position: in inputs every value may be a Pulumi Input, all the way down. */
    value(t: ts.Type, json: JsonSchema | undefined, mode: Mode, indent: string): string {
        const shape = this.shape(t, json, mode, indent);
        return mode === "input" ? `pulumi.Input<${shape}>` : shape;
    }

    /** The type without undefined (optional properties say so with `?`). */
    shape(t: ts.Type, json: JsonSchema | undefined, mode: Mode, indent: string): string {
        if (t.flags & (ts.TypeFlags.Unknown | ts.TypeFlags.Any)) return this.checker.typeToString(t);
        const members = (t.isUnion() ? t.types : [t]).filter((m) => !(m.flags & ts.TypeFlags.Undefined) && this.accepted(m, json));
        if (members.every((m) => !this.isObject(m))) {
            return this.checker.typeToString(this.checker.getNonNullableType(t), undefined, ts.TypeFormatFlags.NoTruncation);
        }
        const texts: string[] = [];
        const booleans = members.filter((m) => m.flags & ts.TypeFlags.BooleanLiteral);
        for (const m of members) {
            if (m.flags & ts.TypeFlags.BooleanLiteral) {
                if (booleans.length === 2 && m === booleans[0]) texts.push("boolean");
                else if (booleans.length === 1) texts.push(this.checker.typeToString(m));
            } else if (this.isObject(m)) {
                texts.push(this.checker.isArrayType(m) ? this.array(m, json, mode, indent) : this.object(m, json, mode, indent));
            } else {
                texts.push(this.checker.typeToString(m, undefined, ts.TypeFormatFlags.NoTruncation));
            }
        }
        return texts.join(" | ");
    }

    /**
     * False for an object shape that the JSON schema (what check() accepts) does not have at this
     * place: the checker's type can be wider than the schema, e.g. when a helper returns a union
     * of schemas for several uses.
     */
    private accepted(t: ts.Type, json: JsonSchema | undefined): boolean {
        if (!json || !this.isObject(t) || this.checker.isArrayType(t)) return true;
        const options = (json.anyOf ?? json.oneOf ?? [json]).filter((o) => o.properties);
        if (options.length === 0) return true;
        const names = this.checker.getPropertiesOfType(t).map((p) => p.getName());
        return options.some((o) => names.every((n) => n in (o.properties ?? {})));
    }

    private array(t: ts.Type, json: JsonSchema | undefined, mode: Mode, indent: string): string {
        if (this.checker.isTupleType(t)) throw new Error(`generate-types: tuples are not supported (${this.checker.typeToString(t)})`);
        const element = this.checker.getTypeArguments(t as ts.TypeReference)[0];
        const items = json?.items ?? (json?.anyOf ?? json?.oneOf ?? []).find((o) => o.items)?.items;
        const text = this.value(element, items, mode, indent);
        return mode === "output" && text.includes(" | ") ? `(${text})[]` : `${text}[]`;
    }

    private object(t: ts.Type, json: JsonSchema | undefined, mode: Mode, indent: string): string {
        const name = t.getSymbol()?.getName();
        if (name && name !== "__type" && name !== "__object") {
            throw new Error(`generate-types: the schema type ${this.checker.typeToString(t)} is a named type (${name}); print it or extend the generator`);
        }
        const own = optionWith(json, this.checker.getPropertiesOfType(t).map((p) => p.getName()));
        const props = inSchemaOrder(this.checker.getPropertiesOfType(t), own);
        const inner = indent + "    ";
        const lines = props.map((p) => this.property(p, own?.properties?.[p.getName()], mode, inner));
        return `{\n${lines.join("")}${indent}}`;
    }

    /** One property with its TSDoc: `name?: type;`. */
    property(p: ts.Symbol, json: JsonSchema | undefined, mode: Mode, indent: string): string {
        const optional = (p.getFlags() & ts.SymbolFlags.Optional) !== 0;
        const type = this.value(this.checker.getTypeOfSymbol(p), json, mode, indent);
        return `${tsdoc(indent, [json?.description], json?.default)}${indent}${p.getName()}${optional ? "?" : ""}: ${type};\n`;
    }
}

// ---------------------------------------------------------------------------------------------
// The module

function generateTypes(): { types: string; classDocs: Map<string, string> } {
    const kinds = Object.keys(registry) as ResourceKind[];
    const probe = probeTypes(kinds);
    const printer = new TypePrinter(probe.checker);
    const out: string[] = [
        "// Generated by `npm run docs` (scripts/generate-types.ts) from the zod schemas in provider/schema/: do not edit.",
        "/**",
        " * The types a program writes and reads: each resource's Args (its schema's input type, plus `device`",
        " * and `adopt`) and Outputs, and the devices. The TSDoc of every property is its schema's description,",
        " * the text of docs/resources.md.",
        " */",
        `import * as pulumi from "@pulumi/pulumi";`,
        "",
        "/** A reference to another object: the resource itself (which orders create and delete) or its name. */",
        "export type Ref<R> = R | pulumi.Input<string>;",
        "",
    ];

    const credentials = probe.checker.getPropertiesOfType(probe.alias("Credentials"));
    const credentialsJson = jsonSchema(credentialsSchema);
    for (const device of DEVICES) {
        const connectionJson = jsonSchema(device.connection);
        out.push(tsdoc("", [device.doc]).trimEnd(), `export interface ${device.name} {`);
        for (const p of inSchemaOrder(probe.checker.getPropertiesOfType(probe.alias(`Connection_${device.name}`)), connectionJson)) {
            out.push(printer.property(p, connectionJson.properties?.[p.getName()], "input", "    ").trimEnd());
        }
        for (const p of inSchemaOrder(credentials, credentialsJson).filter((c) => !device.omitCredentials.includes(c.getName()))) {
            out.push(printer.property(p, credentialsJson.properties?.[p.getName()], "input", "    ").trimEnd());
        }
        out.push("}", "");
    }

    out.push(...TUNNEL_CHECK_PEER);

    const classDocs = new Map<string, string>();
    for (const kind of kinds) {
        const json = jsonSchema(registry[kind].schema);
        const device = deviceOf(kind);
        const references = REFERENCES[kind] ?? {};
        classDocs.set(kind, json.description ?? "");

        out.push(tsdoc("", [`The arguments of \`${kind}\`.`, json.description]).trimEnd(), `export interface ${kind}Args {`);
        out.push(tsdoc("    ", [device.propertyDoc]) + `    device: ${device.name};`);
        out.push(tsdoc("    ", [ADOPT_DOC]) + "    adopt?: pulumi.Input<boolean>;");
        const properties = inSchemaOrder(probe.checker.getPropertiesOfType(probe.alias(`Input_${kind}`)), json);
        for (const p of properties) {
            const prop = json.properties?.[p.getName()];
            const reference = references[p.getName()];
            const otherwise = TAKEN_OTHERWISE[kind]?.[p.getName()];
            if (otherwise === "omit") continue;
            if (otherwise) {
                const optional = (p.getFlags() & ts.SymbolFlags.Optional) !== 0;
                out.push(tsdoc("    ", [otherwise.doc]) + `    ${p.getName()}${optional ? "?" : ""}: ${otherwise.type};`);
                continue;
            }
            if (!reference) {
                out.push(printer.property(p, prop, "input", "    ").trimEnd());
                continue;
            }
            const list = probe.checker.isArrayType(probe.checker.getNonNullableType(probe.checker.getTypeOfSymbol(p)));
            const optional = (p.getFlags() & ts.SymbolFlags.Optional) !== 0;
            const takes = list
                ? `Takes ${reference.to} resources (which orders create and delete) or names.`
                : `Takes the ${reference.to} resource (which orders create and delete) or its name.`;
            out.push(
                tsdoc("    ", [prop?.description, takes], prop?.default) +
                    `    ${reference.as ?? p.getName()}${optional ? "?" : ""}: Ref<${reference.to}Outputs>${list ? "[]" : ""};`,
            );
        }
        out.push("}", "");

        out.push(
            tsdoc("", [`The outputs of \`${kind}\`: its inputs as given (secrets apart, as Pulumi secrets) and what the provider read from the device.`]).trimEnd(),
            `export abstract class ${kind}Outputs extends pulumi.dynamic.Resource {`,
        );
        const secretInputs = new Set(registry[kind].secretInputs);
        for (const p of properties) {
            if (secretInputs.has(p.getName())) continue;
            const prop = json.properties?.[p.getName()];
            const optional = (p.getFlags() & ts.SymbolFlags.Optional) !== 0;
            const type = printer.shape(probe.checker.getTypeOfSymbol(p), prop, "output", "    ");
            out.push(tsdoc("    ", [prop?.description]) + `    declare readonly ${p.getName()}: pulumi.Output<${type}${optional ? " | undefined" : ""}>;`);
        }
        for (const common of COMMON_OUTPUTS) out.push(tsdoc("    ", [common.doc]) + `    declare readonly ${common.name}: pulumi.Output<${common.type}>;`);
        const computed = probe.alias(`Computed_${kind}`);
        const computedDocs = probe.alias(`Outputs_${kind}`);
        for (const p of probe.checker.getPropertiesOfType(computed)) {
            const docSymbol = computedDocs.getProperty(p.getName());
            const doc = docSymbol ? ts.displayPartsToString(docSymbol.getDocumentationComment(probe.checker)) : "";
            const type = printer.shape(probe.checker.getTypeOfSymbol(p), undefined, "output", "    ");
            out.push(tsdoc("    ", [doc]) + `    declare readonly ${p.getName()}: pulumi.Output<${type}>;`);
        }
        out.push("}", "");
    }
    return { types: out.join("\n"), classDocs };
}

/**
 * provider/resources/wire-layouts.ts: what the resource classes need of each kind's registry entry
 * to put its inputs on the wire (dynamicResourceArgs), as data. The registry holds the schemas, the
 * renderers and zod; a program that imports this table instead loads none of them (the package
 * loaded in 80 ms with them and loads in 7 ms without, measured after @pulumi/pulumi on a quiet
 * machine). The staleness test keeps it equal to the registry.
 */
function generateWireLayouts(): string {
    const kinds = Object.keys(registry) as ResourceKind[];
    // One line per kind: the table reads as a table. The secret inputs are not in it: wire.ts derives them from `secrets`, as the registry does.
    const layouts = kinds.map((kind) => `    ${kind}: ${JSON.stringify({ secrets: registry[kind].secrets, outputNames: registry[kind].outputNames, iosObject: kind in iosSchemas })},`);
    return [
        "// Generated by `npm run docs` (scripts/generate-types.ts) from the registry (provider/dynamic/registry.ts): do not edit.",
        "/**",
        " * Each kind's wire layout, as the resource classes need it (base.ts, dynamicResourceArgs): where its secrets",
        " * travel (and so which inputs Pulumi stores as secrets: wire.ts, secretInputs), the outputs it computes, and",
        " * whether it is an IOS configuration object (batched per router). Data, so that a program loads neither the",
        " * schemas nor zod; the values are the registry's.",
        " */",
        'import type { ResourceKind } from "../dynamic/registry";',
        'import type { SecretLayout } from "../schema/secrets";',
        "",
        "export interface WireLayout {",
        "    secrets: SecretLayout;",
        "    outputNames: readonly string[];",
        "    iosObject: boolean;",
        "}",
        "",
        "/** The device fields that are credentials: the fields of the credentials schema (schema/device.ts). */",
        `export const CREDENTIAL_FIELDS: readonly string[] = ${JSON.stringify(Object.keys(credentialsSchema.shape))};`,
        "",
        "export const WIRE_LAYOUTS: Record<ResourceKind, WireLayout> = {",
        ...layouts,
        "};",
        "",
    ].join("\n");
}

/** The resource class files with each class's TSDoc set to its schema's description. */
function withClassDocs(source: string, fileName: string, docs: Map<string, string>): string {
    const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true);
    const edits: { start: number; end: number; text: string }[] = [];
    for (const statement of file.statements) {
        if (!ts.isClassDeclaration(statement) || !statement.name || !docs.has(statement.name.text)) continue;
        const start = statement.getStart(file); // after the leading comments
        const comments = ts.getLeadingCommentRanges(source, statement.getFullStart()) ?? [];
        const jsdoc = comments.filter((c) => source.startsWith("/**", c.pos)).pop();
        const text = tsdoc("", [docs.get(statement.name.text)]);
        if (jsdoc) edits.push({ start: jsdoc.pos, end: source.startsWith("\n", jsdoc.end) ? jsdoc.end + 1 : jsdoc.end, text });
        else edits.push({ start, end: start, text });
    }
    let result = source;
    for (const e of edits.sort((a, b) => b.start - a.start)) result = result.slice(0, e.start) + e.text + result.slice(e.end);
    return result;
}

/** Every generated file with its content, the types module first. */
export function generatedFiles(): Map<string, string> {
    const { types, classDocs } = generateTypes();
    const files = new Map<string, string>([
        [TYPES_FILE, types],
        [WIRE_LAYOUTS_FILE, generateWireLayouts()],
    ]);
    for (const f of RESOURCE_FILES) files.set(f, withClassDocs(fs.readFileSync(f, "utf8"), f, classDocs));
    return files;
}

if (require.main === module) {
    const check = process.argv.includes("--check");
    let stale = 0;
    for (const [file, text] of generatedFiles()) {
        const current = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
        if (current === text) continue;
        stale++;
        if (check) console.error(`generate-types: ${path.relative(REPO, file)} is stale: run npm run docs`);
        else fs.writeFileSync(file, text);
    }
    if (check && stale > 0) process.exit(1);
}
