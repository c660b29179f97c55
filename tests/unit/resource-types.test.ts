/**
 * The types a program writes (provider/resources/types.ts, generated from the schemas by
 * scripts/generate-types.ts): they are current, they take what the schemas take, and an editor shows
 * each property's schema description on hover. The hover is asked of the TypeScript language service
 * (what VS Code and other editors run) over a program that imports "pulumi-ikev2" by name, so it
 * reads the package's compiled declarations (dist/provider/*.d.ts), as a user's editor does.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import ts from "typescript";
import { z } from "zod";
import { registry, ResourceKind } from "../../provider/dynamic/registry";
import { credentialsSchema, hostConnectionSchema, iosConnectionSchema } from "../../provider/schema/device";
import { iosSchemas } from "../../provider/schema/ios";
import { generatedFiles, TAKEN_OTHERWISE } from "../../scripts/generate-types";

const REPO = path.resolve(__dirname, "..", "..", "..");
const KINDS = Object.keys(registry) as ResourceKind[];

interface JsonSchema {
    description?: string;
    default?: unknown;
    properties?: Record<string, JsonSchema>;
    items?: JsonSchema;
    anyOf?: JsonSchema[];
}

const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
const words = (text: string) => text.replace(/\s+/g, " ").trim();

/** Properties that the resource class takes under another name (see REFERENCES in the generator). */
const RENAMED: Record<string, string> = { "StrongSwanTunnelCheck.connectionName": "connection" };

/** Properties the resource class takes in another form (TAKEN_OTHERWISE in the generator): its own doc, or not at all. */
const otherwise = (kind: ResourceKind, name: string) => TAKEN_OTHERWISE[kind]?.[name];

/** A language service over the repository's files plus virtual ones, with the options of a user's strict project. */
function languageService(files: Map<string, string>): ts.LanguageService {
    const options: ts.CompilerOptions = {
        strict: true,
        target: ts.ScriptTarget.ES2020,
        module: ts.ModuleKind.CommonJS,
        moduleResolution: ts.ModuleResolutionKind.Node10,
        noEmit: true,
    };
    const host: ts.LanguageServiceHost = {
        getCompilationSettings: () => options,
        getScriptFileNames: () => [...files.keys()],
        getScriptVersion: () => "1",
        getScriptSnapshot: (f) => {
            const text = files.get(f) ?? (fs.existsSync(f) ? fs.readFileSync(f, "utf8") : undefined);
            return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
        },
        getCurrentDirectory: () => REPO,
        getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
        fileExists: (f) => files.has(f) || ts.sys.fileExists(f),
        readFile: (f) => files.get(f) ?? ts.sys.readFile(f),
        readDirectory: ts.sys.readDirectory,
        directoryExists: ts.sys.directoryExists,
        getDirectories: ts.sys.getDirectories,
        realpath: ts.sys.realpath,
    };
    return ts.createLanguageService(host, ts.createDocumentRegistry());
}

/** What an editor shows on hover at the first occurrence of `marker` (a `/*name*\/` comment right before the word). */
function hover(service: ts.LanguageService, file: string, text: string, marker: string): { doc: string; tags: string; display: string } {
    const at = text.indexOf(`/*${marker}*/`);
    assert.ok(at >= 0, marker);
    const info = service.getQuickInfoAtPosition(file, at + marker.length + 4);
    return {
        doc: words(ts.displayPartsToString(info?.documentation)),
        tags: (info?.tags ?? []).map((t) => `@${t.name} ${ts.displayPartsToString(t.text)}`).join(" "),
        display: ts.displayPartsToString(info?.displayParts),
    };
}

interface Expected {
    marker: string;
    path: string;
    description: string;
    default?: unknown;
}

/**
 * An object literal with every property of the schema, nested objects and lists of objects
 * included (one literal per union option), each property name after a marker; the expected
 * documentation per marker.
 */
function literal(json: JsonSchema, pathPrefix: string, expected: Expected[], rename: (name: string) => string = (n) => n, kind?: ResourceKind): string {
    const parts: string[] = [];
    for (const [name, prop] of Object.entries(json.properties ?? {})) {
        const marker = `m${expected.length}`;
        const propertyPath = `${pathPrefix}${name}`;
        const taken = kind && otherwise(kind, name);
        if (taken === "omit") continue;
        if (taken) {
            expected.push({ marker, path: propertyPath, description: taken.doc });
            parts.push(`/*${marker}*/${name}: undefined!`);
            continue;
        }
        expected.push({ marker, path: propertyPath, description: prop.description ?? "", default: prop.default });
        const options = [prop, ...(prop.anyOf ?? []), prop.items, ...(prop.items?.anyOf ?? [])].filter((o): o is JsonSchema => !!o?.properties);
        const isList = !!prop.items;
        const values = options.map((o) => literal(o, `${propertyPath}${isList ? "[]" : ""}.`, expected));
        const value = values.length === 0 ? "undefined!" : isList ? `[${values.join(", ")}]` : values[0];
        parts.push(`/*${marker}*/${rename(name)}: ${value}`);
    }
    return `{ ${parts.join(", ")} }`;
}

describe("resource types and their TSDoc (generated from the schemas)", function () {
    this.timeout(120_000);

    it("provider/resources/types.ts, wire-layouts.ts and the resource classes' TSDoc are current (npm run docs)", () => {
        for (const [file, text] of generatedFiles()) {
            assert.strictEqual(fs.readFileSync(file, "utf8"), text, `${path.relative(REPO, file)} is stale: run npm run docs`);
        }
    });

    it("the public declarations do not reach zod's typings (a user's project type-checks without esModuleInterop or skipLibCheck)", () => {
        const file = path.join(REPO, "tests", "user-program.ts");
        const text = `import * as ikev2 from "pulumi-ikev2";\nexport const kinds: unknown[] = [ikev2.IkeV2Keyring, ikev2.StrongSwanConnection];\n`;
        const service = languageService(new Map([[file, text]]));
        const program = service.getProgram()!;
        const reached = program.getSourceFiles().map((f) => f.fileName).filter((f) => f.includes("/node_modules/zod/"));
        assert.deepStrictEqual(reached, []);
        const errors = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
        assert.deepStrictEqual(errors, []);
    });

    it("the Args take what the schemas take: the same properties, each optional where the schema's is, of types the schema accepts", () => {
        const file = path.join(REPO, "tests", "types-probe.ts");
        const lines = [
            `import type * as pulumi from "@pulumi/pulumi";`,
            `import type { z } from "zod";`,
            `import type * as types from "../provider/resources/types";`,
            `import type { credentialsSchema, hostConnectionSchema, iosConnectionSchema } from "../provider/schema/device";`,
            `import type { iosSchemas } from "../provider/schema/ios";`,
            `import type { strongSwanConnectionSchema } from "../provider/schema/strongswan";`,
            `import type { iosTunnelCheckSchema, strongSwanTunnelCheckSchema } from "../provider/schema/tunnel-check";`,
            `type Schemas = typeof iosSchemas & { StrongSwanConnection: typeof strongSwanConnectionSchema; StrongSwanTunnelCheck: typeof strongSwanTunnelCheckSchema; IosTunnelCheck: typeof iosTunnelCheckSchema };`,
            `type RequiredKeys<T> = { [K in keyof T]-?: undefined extends T[K] ? never : K }[keyof T];`,
            `type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;`,
            "/** True when A's values are all B's, and both have the same keys, required alike. */",
            `type Takes<A, B> = [A] extends [B] ? Same<keyof A, keyof B> extends true ? Same<RequiredKeys<A>, RequiredKeys<B>> : false : false;`,
        ];
        for (const kind of KINDS) {
            const refs = Object.keys(RENAMED).filter((k) => k.startsWith(`${kind}.`)).map((k) => RENAMED[k]);
            // What the class takes in another form is checked by its own code, on both sides.
            const taken = Object.keys(TAKEN_OTHERWISE[kind] ?? {});
            const omitted = ["device", "adopt", ...refs, ...taken].map((k) => JSON.stringify(k)).join(" | ");
            // References (resources or names) are checked by the classes' own code; their names by the schema.
            const refNames = ["proposals", "keyring", "transformSets", "ikev2Profile", "protectionProfile", "connectionName"].map((k) => JSON.stringify(k)).join(" | ");
            lines.push(
                `export const ${kind}: Takes<pulumi.Unwrap<Omit<types.${kind}Args, ${omitted} | ${refNames}>>, Omit<z.input<Schemas["${kind}"]>, ${[refNames, ...taken.map((k) => JSON.stringify(k))].join(" | ")}>> = true;`,
            );
        }
        lines.push(
            `export const iosDevice: Takes<pulumi.Unwrap<types.IosDevice>, z.input<typeof iosConnectionSchema> & z.input<typeof credentialsSchema>> = true;`,
            `export const strongSwanHost: Takes<pulumi.Unwrap<types.StrongSwanHost>, z.input<typeof hostConnectionSchema> & Omit<z.input<typeof credentialsSchema>, "enableSecret">> = true;`,
            // The check itself can fail: a type missing a schema property does not take the schema's values.
            `export const control: Takes<pulumi.Unwrap<Omit<types.IkeV2KeyringArgs, "device" | "adopt" | "peers">>, z.input<Schemas["IkeV2Keyring"]>> = false;`,
        );
        const text = lines.join("\n");
        const service = languageService(new Map([[file, text]]));
        const errors = service.getSemanticDiagnostics(file).map((d) => `${text.slice(0, d.start).split("\n").length}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
        assert.deepStrictEqual(errors, []);
    });

    it("hovering any property of any resource's arguments shows its schema description and default", () => {
        const file = path.join(REPO, "tests", "hover-args.ts");
        const expected: Expected[] = [];
        const statements = KINDS.map((kind) => {
            const json = jsonSchema(registry[kind].schema);
            const rename = (n: string) => RENAMED[`${kind}.${n}`] ?? n;
            return `new ikev2.${kind}("r", ${literal(json, `${kind}.`, expected, rename, kind)});`;
        });
        for (const [device, schemas] of [
            ["IosDevice", [iosConnectionSchema, credentialsSchema]],
            ["StrongSwanHost", [hostConnectionSchema, credentialsSchema]],
        ] as const) {
            for (const schema of schemas) {
                const json = jsonSchema(schema);
                if (device === "StrongSwanHost") delete json.properties?.enableSecret;
                statements.push(`export const d${statements.length}: ikev2.${device} = ${literal(json, `${device}.`, expected)};`);
            }
        }
        const text = `import * as ikev2 from "pulumi-ikev2";\n${statements.join("\n")}\n`;
        const service = languageService(new Map([[file, text]]));
        assert.ok(expected.length > 150, `${expected.length} properties`);
        const wrong: string[] = [];
        for (const e of expected) {
            const shown = hover(service, file, text, e.marker);
            const ok = e.description !== "" && shown.doc.startsWith(words(e.description)) && (e.default === undefined || shown.tags.includes(JSON.stringify(e.default)));
            if (!ok) wrong.push(`${e.path}: shows "${shown.doc}" ${shown.tags} (${shown.display}), expected "${e.description}" default ${JSON.stringify(e.default)}`);
        }
        assert.deepStrictEqual(wrong, []);
    });

    it("hovering a resource class shows its schema description, and its outputs theirs", () => {
        const file = path.join(REPO, "tests", "hover-outputs.ts");
        const lines = [`import * as ikev2 from "pulumi-ikev2";`];
        const expected: Expected[] = [];
        const computed: Record<string, string> = {
            loaded: "Whether charon had the connection loaded",
            file: "Path of the connection's file on the host",
            established: "Whether the IKE_SA is established",
        };
        for (const kind of KINDS) {
            const json = jsonSchema(registry[kind].schema);
            const resource = `r${lines.length}`;
            expected.push({ marker: `c${expected.length}`, path: kind, description: json.description ?? "" });
            lines.push(`declare const ${resource}: ikev2./*c${expected.length - 1}*/${kind};`);
            const secret = new Set(registry[kind].secretInputs);
            const outputs: [string, string][] = Object.entries(json.properties ?? {})
                .filter(([name]) => !secret.has(name))
                .map(([name, prop]) => [name, prop.description ?? ""]);
            outputs.push(["device", "`user@host` of the device."], ["config", "The object as the device shows it"], ["unmanaged", "Configuration found on the device"]);
            for (const name of registry[kind].outputNames.filter((n) => computed[n])) outputs.push([name, computed[name]]);
            for (const [name, description] of outputs) {
                const marker = `o${expected.length}`;
                expected.push({ marker, path: `${kind}.${name}`, description });
                lines.push(`${resource}./*${marker}*/${name};`);
            }
        }
        const text = lines.join("\n");
        const service = languageService(new Map([[file, text]]));
        const wrong: string[] = [];
        for (const e of expected) {
            const shown = hover(service, file, text, e.marker);
            if (e.description === "" || !shown.doc.startsWith(words(e.description))) wrong.push(`${e.path}: shows "${shown.doc}" (${shown.display}), expected "${e.description}"`);
        }
        assert.deepStrictEqual(wrong, []);
        // Every kind is a class of the package, and the IOS ones take an IosDevice.
        for (const kind of KINDS) assert.match(hover(service, file, text, `c${expected.findIndex((e) => e.path === kind)}`).display, new RegExp(`class ${kind}`));
        assert.ok(Object.keys(iosSchemas).every((k) => KINDS.includes(k as ResourceKind)));
    });
});
