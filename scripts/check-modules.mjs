// Checks the module structure that ESLint cannot see file by file (`npm run lint` runs it after ESLint):
// - no import cycles (type-only imports count: they couple modules too);
// - no unused exports in the product and the tools (provider/, scripts/): every exported name is
//   imported by another module (tests count), except the package's public API (provider/index.ts)
//   and handlers.ts (the provider stub loads it by path); a type that the module's own exported
//   signatures use counts as used;
// - every eslint-disable comment says why, after `--`.
// Plain JavaScript on the TypeScript compiler API, so that it runs without a build.
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ENTRY_POINTS = ["provider/index.ts", "provider/dynamic/handlers.ts"].map((f) => path.join(repo, f));
/** Where unused exports are refused (the emulator and the tests are not yet held to it). */
const EXPORTS_CHECKED_IN = ["provider/", "scripts/"].map((d) => path.join(repo, d));

const config = ts.getParsedCommandLineOfConfigFile(path.join(repo, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
const checker = program.getTypeChecker();
const files = program.getSourceFiles().filter((f) => !f.isDeclarationFile && f.fileName.startsWith(repo + "/") && !f.fileName.includes("/node_modules/"));
const projectFiles = new Set(files.map((f) => f.fileName));
const rel = (f) => path.relative(repo, f);
const problems = [];

/** The project file a module specifier in `from` resolves to, or undefined (packages, node built-ins). */
function resolve(specifier, from) {
    const resolved = ts.resolveModuleName(specifier, from, config.options, ts.sys).resolvedModule;
    return resolved && projectFiles.has(resolved.resolvedFileName) ? resolved.resolvedFileName : undefined;
}

/** Import and export declarations with a module specifier, `import("...")` types, and `import("...")` calls (modules loaded on first use). */
function moduleReferences(file) {
    const refs = [];
    const visit = (node) => {
        if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
            refs.push({ node, specifier: node.moduleSpecifier.text });
        } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
            refs.push({ node, specifier: node.argument.literal.text });
        } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
            refs.push({ node, specifier: node.arguments[0].text });
        }
        ts.forEachChild(node, visit);
    };
    visit(file);
    return refs;
}

// ---------------------------------------------------------------------------------------------
// Import cycles (Tarjan's strongly connected components)

const graph = new Map(files.map((f) => [f.fileName, [...new Set(moduleReferences(f).map((r) => resolve(r.specifier, f.fileName)).filter(Boolean))]]));
let counter = 0;
const index = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
function strongConnect(v) {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)) {
        if (!index.has(w)) {
            strongConnect(w);
            low.set(v, Math.min(low.get(v), low.get(w)));
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) !== index.get(v)) return;
    const component = [];
    let w;
    do {
        w = stack.pop();
        onStack.delete(w);
        component.push(w);
    } while (w !== v);
    if (component.length > 1 || graph.get(v).includes(v)) problems.push(`import cycle: ${component.map(rel).sort().join(" <-> ")}`);
}
for (const v of graph.keys()) if (!index.has(v)) strongConnect(v);

// ---------------------------------------------------------------------------------------------
// Unused exports

const original = (symbol) => (symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol);
const exportsOf = (fileName) => {
    const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(fileName));
    return moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : [];
};
const used = new Set();
for (const entry of ENTRY_POINTS) for (const symbol of exportsOf(entry)) used.add(original(symbol));
for (const file of files) {
    for (const { node, specifier } of moduleReferences(file)) {
        const target = resolve(specifier, file.fileName);
        if (!target) continue;
        const markAll = () => exportsOf(target).forEach((s) => used.add(original(s)));
        if (ts.isImportDeclaration(node)) {
            const bindings = node.importClause?.namedBindings;
            if (node.importClause?.name) used.add(original(checker.getSymbolAtLocation(node.importClause.name)));
            if (bindings && ts.isNamespaceImport(bindings)) markAll();
            else if (bindings) for (const element of bindings.elements) used.add(original(checker.getSymbolAtLocation(element.name)));
        } else if (ts.isExportDeclaration(node)) {
            // Re-exported names count as used only when the re-exporting module is an entry point or imported.
            if (!node.exportClause && ENTRY_POINTS.includes(file.fileName)) markAll();
            else if (node.exportClause && ts.isNamedExports(node.exportClause)) {
                for (const element of node.exportClause.elements) used.add(original(checker.getSymbolAtLocation(element.name)));
            }
        } else if (ts.isImportTypeNode(node) && node.qualifier) {
            used.add(original(checker.getSymbolAtLocation(node.qualifier)));
        } else if (ts.isCallExpression(node)) {
            // `(await import("...")).Name`: the module's exports are reached through a value.
            markAll();
        }
    }
}
/** True when the type is named in its own module besides its declaration (in the signatures it exports). */
function typeUsedLocally(symbol, file) {
    if (!(symbol.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias))) return false;
    let found = false;
    const visit = (node) => {
        if (found) return;
        if (ts.isIdentifier(node) && node.text === symbol.name && !symbol.declarations.some((d) => d.name === node) && checker.getSymbolAtLocation(node) === symbol) found = true;
        else ts.forEachChild(node, visit);
    };
    visit(file);
    return found;
}

for (const file of files) {
    if (ENTRY_POINTS.includes(file.fileName) || !EXPORTS_CHECKED_IN.some((d) => file.fileName.startsWith(d))) continue;
    for (const symbol of exportsOf(file.fileName)) {
        const declaration = symbol.declarations?.[0];
        if (!declaration || declaration.getSourceFile() !== file || used.has(original(symbol)) || typeUsedLocally(symbol, file)) continue;
        const { line } = file.getLineAndCharacterOfPosition(declaration.getStart());
        problems.push(`${rel(file.fileName)}:${line + 1}: export ${symbol.name} is imported nowhere: stop exporting it, or delete it if nothing uses it`);
    }
}

// ---------------------------------------------------------------------------------------------
// eslint-disable comments say why

for (const file of files) {
    const text = file.getFullText();
    for (const match of text.matchAll(/eslint-disable(?:-next-line|-line)?[^\n]*/g)) {
        if (!/ -- \S/.test(match[0])) {
            const { line } = file.getLineAndCharacterOfPosition(match.index);
            problems.push(`${rel(file.fileName)}:${line + 1}: an eslint-disable comment must say why, after " -- "`);
        }
    }
}

for (const p of problems) console.error(p);
console.error(problems.length === 0 ? "check-modules: no import cycles, no unused exports" : `check-modules: ${problems.length} problem(s)`);
process.exit(problems.length === 0 ? 0 : 1);
