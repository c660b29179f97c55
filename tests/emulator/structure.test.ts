/**
 * The emulator's module graph: nothing from provider/ (the emulator is the device the provider is
 * tested against: shared code would mirror a mistake on both ends), and no import cycles
 * (type-only imports included, they are cycles of meaning).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";

const REPO = path.resolve(__dirname, "../../..");
const ROOT = path.join(REPO, "emulator");

function sources(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) return sources(p);
        return e.name.endsWith(".ts") ? [p] : [];
    });
}

/** Relative imports of a file, resolved to source files (`./x` -> x.ts or x/index.ts). */
function imports(file: string): string[] {
    const text = fs.readFileSync(file, "utf8");
    const out: string[] = [];
    for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"/gms)) {
        const spec = m[1];
        if (!spec.startsWith(".")) continue;
        const base = path.resolve(path.dirname(file), spec);
        const candidates = [`${base}.ts`, path.join(base, "index.ts")];
        const hit = candidates.find((c) => fs.existsSync(c));
        out.push(hit ?? base);
    }
    return out;
}

describe("IOS emulator module structure", () => {
    const files = sources(ROOT);
    const graph = new Map(files.map((f) => [f, imports(f)]));

    it("has its sources where the test looks", () => {
        assert.ok(files.some((f) => f.endsWith(path.join("ios", "server.ts"))), `no emulator sources under ${ROOT}`);
    });

    it("imports nothing from provider/", () => {
        const outside = [...graph].flatMap(([f, deps]) =>
            deps.filter((d) => !d.startsWith(ROOT + path.sep)).map((d) => `${path.relative(REPO, f)} -> ${path.relative(REPO, d)}`),
        );
        assert.deepEqual(outside, []);
    });

    it("has no import cycles", () => {
        const cycles: string[] = [];
        const state = new Map<string, "open" | "done">();
        const stack: string[] = [];
        const visit = (f: string) => {
            state.set(f, "open");
            stack.push(f);
            for (const d of graph.get(f) ?? []) {
                if (state.get(d) === "open") cycles.push([...stack.slice(stack.indexOf(d)), d].map((x) => path.relative(ROOT, x)).join(" -> "));
                else if (!state.has(d)) visit(d);
            }
            stack.pop();
            state.set(f, "done");
        };
        for (const f of files) if (!state.has(f)) visit(f);
        assert.deepEqual(cycles, []);
    });
});
