// ESLint (flat config) with typescript-eslint: `npm run lint`, which then runs scripts/check-modules.mjs
// for what a per-file linter cannot see (import cycles, unused exports). The rules below keep the
// layering of docs/CONTRIBUTING.md true: each layer imports only the layers below it.
import tseslint from "typescript-eslint";

/** An import of any module under one of these top-level folders, from anywhere in the tree. */
const into = (...folders) => `(^|/)(${folders.join("|")})(/|$)`;

/** no-restricted-imports for a layer: the folders it must not import, and why. */
const boundary = (folders, why) => ["error", { patterns: [{ regex: into(...folders), message: why }] }];

const CORE = ["provider/ios/**", "provider/strongswan/**", "provider/schema/**", "provider/tunnel/**", "provider/*.ts"];

export default tseslint.config(
    { ignores: ["dist/", "node_modules/", ".lab/", ".lab-runs/", ".pulumi-state/", "tools/"] },
    ...tseslint.configs.recommended,
    {
        linterOptions: { reportUnusedDisableDirectives: "error" },
        rules: {
            "@typescript-eslint/no-explicit-any": "error",
        },
    },
    {
        // Type escapes in the product need a written reason (an eslint-disable comment with `-- why`).
        files: ["provider/**/*.ts"],
        rules: {
            "no-restricted-syntax": [
                "error",
                { selector: "TSAsExpression > TSNeverKeyword.typeAnnotation", message: "`as never` hides a type error: let the types say it" },
                {
                    selector: "TSAsExpression[expression.type='TSAsExpression'][expression.typeAnnotation.type='TSUnknownKeyword']",
                    message: "`as unknown as` hides a type error: let the types say it",
                },
            ],
        },
    },
    // The layers, lowest first. provider/index.ts is the package's entry point and may reach every layer.
    {
        files: CORE,
        ignores: ["provider/index.ts"],
        rules: {
            "no-restricted-imports": boundary(
                ["ssh", "drivers", "dynamic", "resources", "docs", "tests", "emulator", "scripts"],
                "the pure core (ios, strongswan, schema, algorithms, address, masking) does no I/O and knows no Pulumi: it imports only itself",
            ),
        },
    },
    {
        files: ["provider/ssh/**"],
        rules: {
            "no-restricted-imports": boundary(["drivers", "dynamic", "resources", "docs", "tests", "emulator", "scripts"], "ssh/ talks SSH: it may use the core, not the layers above it"),
        },
    },
    {
        files: ["provider/drivers/**"],
        rules: {
            "no-restricted-imports": boundary(["dynamic", "resources", "docs", "tests", "emulator", "scripts"], "drivers know devices, not Pulumi: they may use ssh/ and the core"),
        },
    },
    {
        files: ["provider/dynamic/**", "provider/docs/**"],
        rules: {
            "no-restricted-imports": boundary(["resources", "tests", "emulator", "scripts"], "the Pulumi glue serves the resource classes; it never imports them"),
        },
    },
    {
        files: ["provider/doctor/**"],
        rules: { "no-restricted-imports": boundary(["resources", "tests", "emulator", "scripts"], "the doctor reads a stack's state and the devices: it uses the drivers and the glue's wire format, never the resource classes") },
    },
    {
        // The importer's pure part: device text to models to TypeScript source; its I/O is command.ts.
        files: ["provider/importer/**"],
        ignores: ["provider/importer/command.ts"],
        rules: {
            "no-restricted-imports": boundary(
                ["ssh", "drivers", "dynamic", "resources", "docs", "tests", "emulator", "scripts"],
                "the importer's core turns device text into a program without I/O: only command.ts reads devices",
            ),
        },
    },
    {
        files: ["provider/importer/command.ts"],
        rules: { "no-restricted-imports": boundary(["drivers", "dynamic", "resources", "docs", "tests", "emulator", "scripts"], "the importer reads devices through ssh/ and knows no Pulumi") },
    },
    {
        files: ["provider/resources/**"],
        rules: { "no-restricted-imports": boundary(["tests", "emulator", "scripts"], "the product never imports tests, the emulator or tools") },
    },
    {
        files: ["emulator/**"],
        rules: {
            "no-restricted-imports": boundary(["provider", "tests"], "the emulator stands for an independent device: it shares no code with the provider it tests"),
        },
    },
    {
        files: ["scripts/**", "tools/**", "lab/**", "examples/**"],
        rules: { "no-restricted-imports": boundary(["tests"], "tools never import tests: share code through a module outside tests/") },
    },
);
