/**
 * The generated Pulumi project, as files: a standalone TypeScript project in the form of the
 * package's examples and template (Pulumi.yaml with `runtime: nodejs`, package.json depending on the
 * package by name with the same fields, tsconfig.json with the same options, index.ts), a script that puts the secrets into the stack's
 * configuration through stdin, and the report of what was not imported. No I/O.
 */
import { withFix } from "../fix";
import { CREDENTIAL_FIELDS, Declaration, Finding, ProgramClass, secretLookup, SiteDevice, SiteImport, StackSecret } from "./model";
import { importReport } from "./report";
import { declareTunnels, TunnelProgram } from "./site-to-site";
import { pairTunnels } from "./tunnels";
import { camelIdentifier, Code, lineComments, printValue, stringLiteral, Value } from "./typescript";

export interface ProjectOptions {
    /** The Pulumi project's name. */
    name: string;
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
    /** The stack the secrets script selects (creating it if needed); the current stack when unset. */
    stack?: string;
}

export interface GeneratedFile {
    /** Relative to the project's folder. */
    path: string;
    content: string;
    mode: number;
}

/** The program's variable for a device: the site's name. */
const deviceVariable = (site: string) => camelIdentifier(site);

const PLATFORM: Record<SiteDevice["platform"], { type: string; words: string }> = {
    ios: { type: "IosDevice", words: "IOS" },
    strongswan: { type: "StrongSwanHost", words: "strongSwan" },
};

/** The stack secrets that hold a device's credentials. */
function credentialSecrets(d: SiteDevice): StackSecret[] {
    return CREDENTIAL_FIELDS.filter((f) => d.credentials[f] !== undefined).map((f) => ({
        key: camelIdentifier(d.site, f),
        purpose: `${d.site}: ${f} of ${d.label}`,
        value: d.credentials[f],
    }));
}

/** Every variable a value refers to (a Code that is an identifier, or starts with one: `homeRouter.policy`). */
function referencedVariables(value: Value, into: Set<string>): void {
    if (value instanceof Code) {
        const variable = /^[A-Za-z_$][A-Za-z0-9_$]*(?=$|\.)/.exec(value.text);
        if (variable) into.add(variable[0]);
    } else if (Array.isArray(value)) value.forEach((v) => referencedVariables(v, into));
    else if (value !== null && typeof value === "object") Object.values(value).forEach((v) => referencedVariables(v, into));
}

function declarationSource(d: Declaration<ProgramClass>, used: Set<string>): string[] {
    const device = d.takesDevice === false ? {} : { device: new Code(deviceVariable(d.site)) };
    const args: { [key: string]: Value } = { ...device, adopt: true, ...d.args };
    const call = `new ${d.className}(${stringLiteral(d.resourceName)}, `;
    const head = used.has(d.variable) ? `const ${d.variable} = ${call}` : call;
    return [...lineComments([d.subject, ...d.notes]), `${head}${printValue(args, "", head.length)});`];
}

function deviceSource(d: SiteDevice): string[] {
    const value: { [key: string]: Value } = { ...d.settings };
    for (const secret of credentialSecrets(d)) {
        const field = CREDENTIAL_FIELDS.find((f) => camelIdentifier(d.site, f) === secret.key)!;
        value[field] = secretLookup(secret.key);
    }
    const head = `const ${deviceVariable(d.site)}: ${PLATFORM[d.platform].type} = `;
    return [`${head}${printValue(value, "", head.length)};`];
}

function indexSource(devices: SiteDevice[], program: TunnelProgram): string {
    const { imports } = program;
    const declarations: Declaration<ProgramClass>[] = [...program.routers, ...imports.flatMap((i) => i.declarations), ...program.tunnels];
    const todo = imports.flatMap((i) => i.secrets).filter((s) => s.value === undefined);
    const used = new Set<string>();
    for (const d of declarations) referencedVariables(d.args, used);
    const classes = [...new Set([...declarations.map((d) => d.className), ...devices.map((d) => PLATFORM[d.platform].type)])].sort();
    const out: string[] = [
        "/**",
        ` * Imported by \`pulumi-ikev2 import\` from ${devices.map((d) => `${d.site} (${PLATFORM[d.platform].words}, ${d.label})`).join(", ")}.`,
        " * Every object below exists on its device and is adopted (`adopt: true`, also through the IosRouter",
        " * and SiteToSiteTunnel components, which declare a tunnel's objects on both ends): `pulumi up` takes it over",
        " * without sending a line as long as the program and the device agree. What was not imported, and",
        " * why: IMPORT-REPORT.md.",
        " *",
        " * Before the first `pulumi up`, run `bash set-secrets.sh` once: it puts the devices' credentials and",
        " * the pre-shared keys into the stack's secret configuration (through stdin), then deletes itself.",
        ...(todo.length
            ? [
                  ` * The router${todo.length === 1 ? " shows one key" : "s show some keys"} only encrypted (type 6): look for TODO below. Such a key cannot`,
                  " * be compared, so adopting its keyring sends the keys you set: set the ones the peers use.",
              ]
            : []),
        " */",
        'import * as pulumi from "@pulumi/pulumi";',
        `import { ${classes.join(", ")} } from "pulumi-ikev2";`,
        "",
        "const cfg = new pulumi.Config();",
        "",
        "// The devices: connection settings as given to the importer, credentials from the stack's secrets.",
        ...devices.flatMap(deviceSource),
    ];
    for (const device of devices) {
        const own = declarations.filter((d) => d.site === device.site && d.className !== "SiteToSiteTunnel");
        if (own.length === 0) continue;
        out.push("", `// ${device.site} (${PLATFORM[device.platform].words}, ${device.label})`);
        for (const d of own) out.push("", ...declarationSource(d, used));
    }
    if (program.tunnels.length) {
        out.push("", "// The tunnels whose two ends were both read and agree: each declared once (see IMPORT-REPORT.md).");
        for (const d of program.tunnels) out.push("", ...declarationSource(d, used));
    }
    return out.join("\n") + "\n";
}

/** A string as one single-quoted shell word (no expansion of any kind). */
const shellWord = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function secretsScript(devices: SiteDevice[], { imports }: TunnelProgram, options: ProjectOptions): string {
    const secrets = [...devices.flatMap(credentialSecrets), ...imports.flatMap((i) => i.secrets)];
    const known = secrets.filter((s) => s.value !== undefined);
    const unknown = secrets.filter((s) => s.value === undefined);
    const out = [
        "#!/usr/bin/env bash",
        "# Generated by `pulumi-ikev2 import`. It holds the secrets the importer read (the credentials it logged in",
        "# with and the pre-shared keys the devices show) and puts each into the stack's secret configuration",
        "# through stdin (`pulumi config set --secret KEY`, never as an argument), then deletes itself. Run it once,",
        "# in this folder, with the Pulumi environment set (backend, PULUMI_CONFIG_PASSPHRASE). It is readable by",
        "# its owner only; do not commit it (.gitignore lists it).",
        "set -euo pipefail",
        'cd "$(dirname "$0")"',
        ...(options.stack ? [`pulumi stack select --create ${shellWord(options.stack)} --non-interactive`] : []),
        "# printf is a shell builtin: the value goes to pulumi's stdin and never into a process's arguments.",
        'set_secret() { printf "%s" "$2" | pulumi config set --secret "$1" --non-interactive >/dev/null; }',
        ...known.flatMap((s) => [`# ${s.purpose}`, `set_secret ${s.key} ${shellWord(s.value!)}`]),
    ];
    if (unknown.length) {
        out.push("# Shown only encrypted on the router (type 6): set these by hand, typing the key at the prompt:");
        for (const s of unknown) out.push(`#   pulumi config set --secret ${s.key}    # ${s.purpose}`);
    }
    out.push('rm -f -- "$0"', `echo "set-secrets.sh: ${known.length} secret${known.length === 1 ? "" : "s"} set in the stack's configuration${unknown.length ? `; ${unknown.length} to set by hand (see IMPORT-REPORT.md)` : ""}"`);
    return out.join("\n") + "\n";
}

/** The project's files. */
export function generateProject(devices: SiteDevice[], imports: SiteImport[], options: ProjectOptions): GeneratedFile[] {
    // Names are unique on each site and start with the site's; two sites' names can still meet (site home-kr's
    // connection a and site home's keyring KR peer a are both homeKrAPsk): refuse rather than mix two keys.
    const tunnels = pairTunnels(devices, imports);
    const program = declareTunnels(imports, tunnels.pairs);
    const names = [...devices.flatMap(credentialSecrets), ...program.imports.flatMap((i) => i.secrets)].map((s) => s.key);
    names.push(...devices.map((d) => deviceVariable(d.site)), ...[...program.routers, ...program.imports.flatMap((i) => i.declarations), ...program.tunnels].map((d) => d.variable));
    const twice = [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
    if (twice.length) throw new Error(withFix(`two sites' objects would share the program's name${twice.length === 1 ? "" : "s"} ${twice.join(", ")}`, "rename a site in the devices file"));
    const findings: Finding[] = [...imports.flatMap((i) => i.findings), ...tunnels.findings];
    const description = `IKEv2/IPsec configuration imported from ${devices.map((d) => d.site).join(", ")}`;
    const json = (v: unknown) => JSON.stringify(v, null, 4) + "\n";
    return [
        { path: "Pulumi.yaml", mode: 0o644, content: `name: ${options.name}\ndescription: ${description}\nruntime: nodejs\n` },
        {
            path: "package.json",
            mode: 0o644,
            content: json({ name: options.name, description, private: true, dependencies: options.dependencies, devDependencies: options.devDependencies }),
        },
        {
            path: "tsconfig.json",
            mode: 0o644,
            content: json({
                compilerOptions: {
                    strict: true,
                    target: "ES2022",
                    module: "commonjs",
                    moduleResolution: "node",
                    sourceMap: true,
                    noImplicitReturns: true,
                    noFallthroughCasesInSwitch: true,
                    forceConsistentCasingInFileNames: true,
                },
                files: ["index.ts"],
            }),
        },
        { path: ".gitignore", mode: 0o644, content: "/node_modules/\n/set-secrets.sh\n" },
        { path: "index.ts", mode: 0o644, content: indexSource(devices, program) },
        { path: "set-secrets.sh", mode: 0o700, content: secretsScript(devices, program, options) },
        { path: "IMPORT-REPORT.md", mode: 0o644, content: importReport(devices, program, findings, tunnels.pairs, options.stack) },
    ];
}
