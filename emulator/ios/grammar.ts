/**
 * The IOS command parser: a keyword/parameter tree per CLI mode, matched token by token with IOS's
 * abbreviation rules (a unique prefix of a keyword selects it; keywords win over parameters; an
 * exact keyword wins over longer ones), and the errors IOS prints for what does not match.
 * Parameters are stored as IOS spells them (spelling.ts): IPv6 and interface names in their full
 * printed form.
 */
import { interfaceName, ipv6PrefixText, ipv6Text } from "./spelling";

export type Handler<C> = (ctx: C, args: string[], negated: boolean) => void | string | Promise<void | string>;

export interface Node<C> {
    kw?: string;
    param?: string;
    help: string;
    children: Node<C>[];
    run?: Handler<C>;
    noRun?: Handler<C>;
    repeat?: boolean;
    /** Nodes with minPriv 15 are invisible to a privilege-1 session, as IOS hides them. */
    minPriv: number;
    /** The `no` keyword: matching restarts at the mode's root with the command negated. */
    negates?: boolean;
}

export interface Tok {
    text: string;
    pos: number;
}

export type MatchResult<C> =
    | { ok: true; run: Handler<C>; args: string[]; negated: boolean }
    | { ok: false; error: "invalid"; pos: number }
    | { ok: false; error: "incomplete" }
    | { ok: false; error: "ambiguous"; text: string }
    | { ok: false; error: "empty" };

export function tokenize(line: string): Tok[] {
    const toks: Tok[] = [];
    const re = /\S+/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(line))) toks.push({ text: m[0], pos: m.index });
    return toks;
}

export function newRoot<C>(): Node<C> {
    return { help: "", children: [], minPriv: 0 };
}

/** Words IOS explains in `?` help; anything not listed is shown with its parameter placeholder. */
const HELP: Record<string, string> = {
    "<word>": "WORD",
    "<line>": "LINE",
    "<ip>": "A.B.C.D",
    "<mask>": "A.B.C.D",
    "<ipv6prefix>": "X:X:X:X::X/<0-128>",
    "<ipv6>": "X:X:X:X::X",
    "<ifname>": "Interface name, e.g. Tunnel1 or GigabitEthernet1",
    "<transforms>": "Transform type(s): esp-aes [128|192|256], esp-gcm [128|256], esp-sha-hmac, esp-sha256-hmac, esp-sha384-hmac, esp-sha512-hmac",
};

export interface DefOptions {
    /** How many leading tokens the `no` form needs; undefined: the `no` form is the full command. */
    noMin?: number;
    minPriv?: number;
    help?: Record<string, string>;
}

/**
 * Adds a command to a mode tree. Syntax: words are keywords, `<word>` `<line>` `<ip>` `<mask>`
 * `<ipv6prefix>` `<ipv6>` `<ifname>` `<transforms>` `<int:A-B>` are parameters, `(a|b)` alternatives,
 * `[a|b]` optional alternatives, and a trailing `...` on the last token lets it repeat.
 */
export function def<C>(root: Node<C>, syntax: string, run: Handler<C>, opts: DefOptions = {}): void {
    const raw = syntax.trim().split(/\s+/);
    let repeatLast = false;
    if (raw[raw.length - 1].endsWith("...")) {
        repeatLast = true;
        raw[raw.length - 1] = raw[raw.length - 1].slice(0, -3);
    }
    const choices: (string | null)[][] = raw.map((t) => {
        if (t.startsWith("(") && t.endsWith(")")) return t.slice(1, -1).split("|");
        if (t.startsWith("[") && t.endsWith("]")) return [...t.slice(1, -1).split("|"), null];
        return [t];
    });
    const seqs: { tok: string; repeat: boolean }[][] = [[]];
    choices.forEach((opts2, idx) => {
        const next: { tok: string; repeat: boolean }[][] = [];
        for (const s of seqs)
            for (const o of opts2) next.push(o === null ? s : [...s, { tok: o, repeat: repeatLast && idx === choices.length - 1 }]);
        seqs.splice(0, seqs.length, ...next);
    });
    for (const seq of seqs) {
        let cur = root;
        seq.forEach(({ tok, repeat }, i) => {
            const isParam = tok.startsWith("<");
            let child = cur.children.find((c) => (isParam ? c.param === tok : c.kw === tok) && !!c.repeat === repeat);
            if (!child) {
                child = {
                    kw: isParam ? undefined : tok,
                    param: isParam ? tok : undefined,
                    help: opts.help?.[tok] ?? HELP[tok] ?? (tok.startsWith("<int:") ? "" : tok),
                    children: [],
                    repeat,
                    minPriv: opts.minPriv ?? 0,
                };
                cur.children.push(child);
            } else if ((opts.minPriv ?? 0) < child.minPriv) {
                child.minPriv = opts.minPriv ?? 0;
            }
            if (opts.help?.[tok]) child.help = opts.help[tok];
            cur = child;
            const depth = i + 1;
            if (opts.noMin !== undefined && depth >= opts.noMin && !child.noRun) child.noRun = run;
        });
        if (!cur.run) cur.run = run;
        if (opts.noMin === undefined && !cur.noRun) cur.noRun = run;
    }
}

/** Adds the `no` keyword to a mode root. */
export function defNo<C>(root: Node<C>): void {
    root.children.push({ kw: "no", help: "Negate a command or set its defaults", children: [], minPriv: 0, negates: true });
}

/** Call once after all def() calls of a mode: wires repeating tokens to their repeating siblings. */
export function finalize<C>(root: Node<C>): void {
    const seen = new Set<Node<C>>();
    const walk = (n: Node<C>) => {
        if (seen.has(n)) return;
        seen.add(n);
        const reps = n.children.filter((c) => c.repeat);
        for (const r of reps) for (const s of reps) if (!r.children.includes(s)) r.children.push(s);
        n.children.forEach(walk);
    };
    walk(root);
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** "tu1", "Tunnel 1", "gi0/0/0", "GIGABITETHERNET01" -> full interface name (spelling.ts); null if it is not one. */
export function matchIfName(toks: Tok[], i: number): { n: number; name: string } | null {
    const t = toks[i].text;
    let m = /^([A-Za-z][A-Za-z-]*)(\d+(?:\/\d+)*(?:\.\d+)?)$/.exec(t);
    let n = 1;
    if (!m && /^[A-Za-z][A-Za-z-]*$/.test(t) && toks[i + 1] && /^\d+(?:\/\d+)*(?:\.\d+)?$/.test(toks[i + 1].text)) {
        m = [t + toks[i + 1].text, t, toks[i + 1].text] as unknown as RegExpExecArray;
        n = 2;
    }
    if (!m) return null;
    const name = interfaceName(m[1], m[2]);
    return name === undefined ? null : { n, name };
}

const TRANSFORMS = ["esp-aes", "esp-gcm", "esp-sha-hmac", "esp-sha256-hmac", "esp-sha384-hmac", "esp-sha512-hmac"];
const TRANSFORM_BITS: Record<string, string[]> = { "esp-aes": ["128", "192", "256"], "esp-gcm": ["128", "256"] };

function matchTransforms(toks: Tok[], i: number): { n: number; values: string[] } | { errorAt: number } {
    const out: string[] = [];
    let j = i;
    while (j < toks.length) {
        const t = toks[j].text.toLowerCase();
        const exact = TRANSFORMS.find((x) => x === t);
        const cands = exact ? [exact] : TRANSFORMS.filter((x) => x.startsWith(t));
        if (cands.length !== 1) return { errorAt: toks[j].pos + commonPrefix(t, TRANSFORMS) };
        const tr = cands[0];
        j++;
        const bits = TRANSFORM_BITS[tr];
        if (bits && j < toks.length && /^\d+$/.test(toks[j].text)) {
            if (!bits.includes(toks[j].text)) return { errorAt: toks[j].pos };
            out.push(`${tr} ${toks[j].text}`);
            j++;
        } else out.push(tr);
    }
    return { n: j - i, values: out };
}

function commonPrefix(t: string, words: string[]): number {
    let best = 0;
    for (const w of words) {
        let k = 0;
        while (k < t.length && k < w.length && t[k] === w[k].toLowerCase()) k++;
        best = Math.max(best, k);
    }
    return best;
}

/** Tries one parameter at toks[i]: how many tokens it takes and the normalized values. */
function matchParam(param: string, line: string, toks: Tok[], i: number): { n: number; values: string[] } | { errorAt: number } | null {
    const t = toks[i].text;
    if (param === "<word>") return { n: 1, values: [t] };
    if (param === "<line>") return { n: toks.length - i, values: [line.slice(toks[i].pos).trimEnd()] };
    if (param === "<ip>" || param === "<mask>") return IPV4.test(t) ? { n: 1, values: [t] } : null;
    if (param === "<ipv6prefix>") {
        const v = ipv6PrefixText(t);
        return v ? { n: 1, values: [v] } : null;
    }
    if (param === "<ipv6>") {
        const v = ipv6Text(t);
        return v ? { n: 1, values: [v] } : null;
    }
    if (param === "<ifname>") {
        const m = matchIfName(toks, i);
        return m ? { n: m.n, values: [m.name] } : null;
    }
    if (param === "<transforms>") return matchTransforms(toks, i);
    const im = /^<int:(\d+)-(\d+)>$/.exec(param);
    if (im) {
        if (!/^\d+$/.test(t)) return null;
        const v = Number(t);
        return v >= Number(im[1]) && v <= Number(im[2]) ? { n: 1, values: [String(v)] } : null;
    }
    throw new Error(`unknown parameter ${param}`);
}

function keywordCandidates<C>(nodes: Node<C>[], t: string): Node<C>[] {
    const lt = t.toLowerCase();
    const exact = nodes.filter((c) => c.kw !== undefined && c.kw.toLowerCase() === lt);
    if (exact.length) return exact.slice(0, 1);
    // Numeric keywords (DH groups, key sizes) are never abbreviated.
    return nodes.filter((c) => c.kw !== undefined && !/^\d+$/.test(c.kw) && c.kw.toLowerCase().startsWith(lt));
}

export function visible<C>(n: Node<C>, priv: number): Node<C>[] {
    return n.children.filter((c) => c.minPriv <= priv);
}

/** Walks the tokens of a line through a mode tree. */
export function match<C>(root: Node<C>, line: string, priv: number): MatchResult<C> {
    const toks = tokenize(line);
    if (toks.length === 0) return { ok: false, error: "empty" };
    let cur = root;
    let negated = false;
    const args: string[] = [];
    let i = 0;
    while (i < toks.length) {
        const tok = toks[i];
        const kids = visible(cur, priv);
        const kws = keywordCandidates(kids, tok.text);
        if (kws.length > 1) return { ok: false, error: "ambiguous", text: line.trim() };
        if (kws.length === 1) {
            const k = kws[0];
            if (k.negates && cur === root && !negated) {
                negated = true;
                i++;
                continue;
            }
            args.push(k.kw!);
            cur = k;
            i++;
            continue;
        }
        let matched = false;
        for (const p of kids.filter((c) => c.param)) {
            const r = matchParam(p.param!, line, toks, i);
            if (!r) continue;
            if ("errorAt" in r) return { ok: false, error: "invalid", pos: r.errorAt };
            args.push(...r.values);
            i += r.n;
            cur = p;
            matched = true;
            break;
        }
        if (!matched) {
            const words = kids.filter((c) => c.kw !== undefined).map((c) => c.kw!);
            return { ok: false, error: "invalid", pos: tok.pos + commonPrefix(tok.text.toLowerCase(), words) };
        }
    }
    const run = negated ? cur.noRun : cur.run;
    if (!run || cur === root) return { ok: false, error: "incomplete" };
    return { ok: true, run, args, negated };
}

/** What `?` prints for a line that ends in `?`. */
export function help<C>(root: Node<C>, line: string, priv: number): string[] {
    const body = line.slice(0, line.lastIndexOf("?"));
    const partial = /\S$/.test(body);
    const toks = tokenize(body);
    const full = partial ? toks.slice(0, -1) : toks;
    let cur = root;
    let negated = false;
    let i = 0;
    while (i < full.length) {
        const kids = visible(cur, priv);
        const kws = keywordCandidates(kids, full[i].text);
        if (kws.length === 1) {
            if (kws[0].negates && cur === root && !negated) negated = true;
            else cur = kws[0];
            i++;
            continue;
        }
        if (kws.length > 1) return [`% Ambiguous command: "${body.trim()}"`];
        let matched = false;
        for (const p of kids.filter((c) => c.param)) {
            const r = matchParam(p.param!, body, full, i);
            if (r && !("errorAt" in r)) {
                i += r.n;
                cur = p;
                matched = true;
                break;
            }
        }
        if (!matched) return ["% Unrecognized command"];
    }
    const kids = visible(cur, priv).filter((c) => !(c.negates && negated));
    if (partial) {
        const last = toks[toks.length - 1].text.toLowerCase();
        const words = kids.filter((c) => c.kw && c.kw.toLowerCase().startsWith(last)).map((c) => c.kw!);
        const params = kids.filter((c) => c.param).map((c) => paramLabel(c.param!));
        const all = [...words, ...params];
        return all.length ? [all.join("  ")] : ["% Unrecognized command"];
    }
    const rows: [string, string][] = [];
    const key = (n: Node<C>) => n.kw ?? "~";
    const sorted = [...kids].sort((a, b) =>
        /^\d+$/.test(key(a)) && /^\d+$/.test(key(b)) ? Number(key(a)) - Number(key(b)) : key(a).localeCompare(key(b)),
    );
    for (const c of sorted) rows.push(c.kw ? [c.kw, c.help === c.kw ? "" : c.help] : [paramLabel(c.param!), c.help]);
    if ((negated ? cur.noRun : cur.run) && cur !== root) rows.push(["<cr>", "<cr>"]);
    const w = Math.max(0, ...rows.map((r) => r[0].length)) + 2;
    return rows.map(([a, b]) => `  ${a.padEnd(w)}${b}`.trimEnd());
}

function paramLabel(p: string): string {
    const im = /^<int:(\d+)-(\d+)>$/.exec(p);
    if (im) return `<${im[1]}-${im[2]}>`;
    return ({ "<word>": "WORD", "<line>": "LINE", "<ip>": "A.B.C.D", "<mask>": "A.B.C.D", "<ipv6prefix>": "X:X:X:X::X/<0-128>", "<ipv6>": "X:X:X:X::X", "<ifname>": "Interface", "<transforms>": "esp-aes" } as Record<string, string>)[p] ?? p;
}
