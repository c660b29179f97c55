/**
 * TypeScript source for the generated program: values as object literals the way a person writes
 * them (unquoted keys, short lists on one line), with expressions (a resource variable, a
 * configuration lookup) where a value is not a constant. No I/O.
 */

/** An expression in the generated program, written as it is (`keyring`, `cfg.requireSecret("homePsk")`). */
export class Code {
    constructor(readonly text: string) {}
}

/** A value of an argument in the generated program. Undefined entries of objects are left out. */
export type Value = string | number | boolean | undefined | Code | Value[] | { [key: string]: Value };

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** The widest line the printer puts a list or object on before it breaks it over several lines. */
const WIDTH = 120;

const INDENT = "    ";

const propertyKey = (key: string) => (IDENTIFIER.test(key) ? key : JSON.stringify(key));

const isRecord = (v: Value): v is { [key: string]: Value } => typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Code);

/** A value on one line. */
function inline(value: Value): string {
    if (value instanceof Code) return value.text;
    if (typeof value === "string") return JSON.stringify(value);
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    if (Array.isArray(value)) return `[${value.map(inline).join(", ")}]`;
    if (isRecord(value)) {
        const entries = Object.entries(value).filter(([, v]) => v !== undefined);
        return entries.length === 0 ? "{}" : `{ ${entries.map(([k, v]) => `${propertyKey(k)}: ${inline(v)}`).join(", ")} }`;
    }
    throw new Error("an undefined value cannot be printed");
}

/**
 * The value as TypeScript source; `indent` is the indentation of the line it starts on, and `used`
 * how many characters of that line come before it.
 */
export function printValue(value: Value, indent = "", used = 0): string {
    const flat = inline(value);
    if (indent.length + used + flat.length <= WIDTH || !(Array.isArray(value) || isRecord(value))) return flat;
    const inner = indent + INDENT;
    if (Array.isArray(value)) return `[\n${value.map((v) => `${inner}${printValue(v, inner)},\n`).join("")}${indent}]`;
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return `{\n${entries.map(([k, v]) => `${inner}${propertyKey(k)}: ${printValue(v, inner, propertyKey(k).length + 2)},\n`).join("")}${indent}}`;
}

/** A string as a TypeScript string literal. */
export const stringLiteral = (s: string) => JSON.stringify(s);

/** A comment block (`// ...`) of paragraphs, each wrapped at word boundaries; a paragraph must not hold a line break. */
export function lineComments(paragraphs: string[], indent = ""): string[] {
    const out: string[] = [];
    for (const paragraph of paragraphs) {
        let line = "";
        for (const word of paragraph.split(" ")) {
            if (line !== "" && indent.length + 3 + line.length + 1 + word.length > WIDTH) {
                out.push(`${indent}// ${line}`);
                line = word;
            } else line = line === "" ? word : `${line} ${word}`;
        }
        out.push(`${indent}// ${line}`.trimEnd());
    }
    return out;
}

/**
 * `homeKeyringKr`: an identifier made of words (any character outside letters and digits splits
 * words). A word in capitals is written as a word (`PROF-VPS` -> `ProfVps`), one in camel case
 * keeps its inner capitals (`enableSecret` -> `EnableSecret`).
 */
export function camelIdentifier(...words: string[]): string {
    const parts = words.flatMap((w) => w.split(/[^A-Za-z0-9]+/)).filter((p) => p !== "");
    const word = (p: string) => (p === p.toUpperCase() ? p.charAt(0) + p.slice(1).toLowerCase() : p);
    const id = parts.map((p, i) => (i === 0 ? p.charAt(0).toLowerCase() + word(p).slice(1) : p.charAt(0).toUpperCase() + word(p).slice(1))).join("");
    return /^[0-9]/.test(id) || id === "" ? `_${id}` : id;
}

/**
 * Hands out identifiers that are unique among those it handed out before: a second `homeKrABPsk`
 * (keyring KR peer A-B, and keyring KR-A peer B) becomes `homeKrABPsk2`.
 */
export function identifierAllocator(): (...words: string[]) => string {
    const taken = new Set<string>();
    return (...words) => {
        const base = camelIdentifier(...words);
        let id = base;
        for (let n = 2; taken.has(id); n++) id = `${base}${n}`;
        taken.add(id);
        return id;
    };
}
