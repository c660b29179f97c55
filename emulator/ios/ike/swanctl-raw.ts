/**
 * The emulator's reader of `swanctl --list-sas --raw` (its own, not the provider's: the device
 * under test must not share the code under test). swanctl prints one VICI message per line:
 * `LABEL {name {key=value list=[a b] section {...}}}` — values unquoted, list items separated by
 * spaces, sections as `name {...}`. A value may itself contain spaces (`class=pre-shared key`), so a
 * value runs until the next ` word=`, ` word {` or a closing brace.
 */

export type RawValue = string | string[] | RawSection;
export interface RawSection {
    [key: string]: RawValue;
}

export interface RawMessage {
    /** e.g. `list-sa event`, `list-sas reply`, `log` (`swanctl --log --raw`). */
    label: string;
    body: RawSection;
}

/** Every VICI message in swanctl's raw output; other lines (warnings) are ignored. */
export function readRaw(text: string): RawMessage[] {
    const out: RawMessage[] = [];
    for (const line of text.split("\n")) {
        const m = /^([a-z][a-z-]*(?: (?:event|reply))?) \{/.exec(line);
        if (!m) continue;
        const reader = new Reader(line.trimEnd(), m[0].length);
        const body = reader.section();
        if (body) out.push({ label: m[1], body });
    }
    return out;
}

/** The IKE_SAs of a `--list-sas --raw` output, by connection name. */
export function listedSas(text: string): { name: string; sa: RawSection }[] {
    return readRaw(text)
        .filter((m) => m.label === "list-sa event")
        .flatMap((m) => Object.entries(m.body).map(([name, sa]) => ({ name, sa: asSection(sa) })));
}

export function asSection(v: RawValue | undefined): RawSection {
    return v !== undefined && typeof v === "object" && !Array.isArray(v) ? v : {};
}

export function asText(v: RawValue | undefined): string {
    return typeof v === "string" ? v : "";
}

export function asList(v: RawValue | undefined): string[] {
    if (Array.isArray(v)) return v;
    return typeof v === "string" && v !== "" ? [v] : [];
}

export function asCount(v: RawValue | undefined): number {
    return typeof v === "string" && /^\d+$/.test(v) ? Number(v) : 0;
}

const NAME = /[^\s={}[\]]+/y;

/** A cursor over one line, positioned after an opening brace. */
class Reader {
    constructor(
        private readonly s: string,
        private i: number,
    ) {}

    /** Entries up to the matching `}`; undefined if the line ends first. */
    section(): RawSection | undefined {
        const out: RawSection = {};
        for (;;) {
            this.skipSpaces();
            if (this.i >= this.s.length) return undefined;
            if (this.s[this.i] === "}") {
                this.i++;
                return out;
            }
            NAME.lastIndex = this.i;
            const m = NAME.exec(this.s);
            if (!m) return undefined;
            const name = m[0];
            this.i += name.length;
            if (this.s[this.i] === "=") {
                this.i++;
                set(out, name, this.s[this.i] === "[" ? this.list() : this.value());
            } else {
                this.skipSpaces();
                if (this.s[this.i] !== "{") return undefined;
                this.i++;
                const inner = this.section();
                if (!inner) return undefined;
                set(out, name, inner);
            }
        }
    }

    private list(): string[] {
        const end = this.s.indexOf("]", this.i);
        const stop = end < 0 ? this.s.length : end;
        const items = this.s.slice(this.i + 1, stop).split(" ").filter((x) => x !== "");
        this.i = stop + 1;
        return items;
    }

    /**
     * A value runs until a space before the next `key=` or `name {`, or a `}` that closes sections
     * (followed by the end of the line or by the next key): charon's log messages contain braces
     * (`CHILD_SA Tunnel1{1} established`).
     */
    private value(): string {
        const start = this.i;
        while (this.i < this.s.length) {
            const rest = this.s.slice(this.i, this.i + 200);
            if (this.s[this.i] === " " && /^ [^\s={}[\]]+(=| \{)/.test(rest)) break;
            if (this.s[this.i] === "}" && /^\}+(\s*$| [^\s={}[\]]+(=| \{))/.test(this.s.slice(this.i))) break;
            this.i++;
        }
        return this.s.slice(start, this.i);
    }

    private skipSpaces(): void {
        while (this.s[this.i] === " ") this.i++;
    }
}

/** Defines a key whatever its name (`__proto__` included), without touching prototypes. */
function set(section: RawSection, key: string, value: RawValue): void {
    Object.defineProperty(section, key, { value, enumerable: true, writable: true, configurable: true });
}
