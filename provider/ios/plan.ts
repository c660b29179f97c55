/**
 * The minimal configuration-mode command lines that turn one state of an object into another.
 *
 * Both states are the object's running-config nodes (from objects.ts extract or render); undefined
 * means absent. The same function plans an apply (device -> intent) and a restore (failed state ->
 * the state saved before). Lines start and end at the `(config)#` level: every block entered is
 * left with `exit`.
 *
 * How lines are matched: a block (`crypto ...`, `interface ...`, `peer ...`) by its header (a
 * transform set by its name, since its transforms sit on the header); a static route by network,
 * mask and interface; a single-valued line (`ip address`, `lifetime`, `set pfs` ...) by its
 * keyword, so a new value is just sent: IOS replaces it in place, where `no` first would drop a
 * live tunnel; any other line (`proposal P1`, `match identity remote ...`) by its whole text.
 * IKEv2 proposal algorithms are single words on shared lines (`encryption aes-cbc-256 aes-cbc-128`)
 * that IOS adds up, so they are planned word by word: `encryption NEW`, then `no encryption OLD`.
 *
 * Order inside a block: removed pre-shared-key forms (so that switching between `pre-shared-key`
 * and `pre-shared-key local/remote` leaves no stale key), then new and changed lines, then other
 * removals (so a list never runs empty on the way). At top level: removed routes first, then
 * removed blocks, then blocks, then routes (a route needs its interface).
 *
 * Ordering across objects (a keyring removed only after the profile using it) is not planned here:
 * the engine does it from the resources' dependencies.
 */
import { IosKind } from "../schema/ios";
import { ConfigNode } from "./config-tree";
import { iosObjects, LineFacts } from "./objects";

/** Headers of blocks that may be empty (no child lines yet). */
const BLOCK_HEADER = /^(crypto |interface |peer )/;

function startsWithWords(line: string, prefix: string): boolean {
    return line === prefix || line.startsWith(prefix + " ");
}

/** `pre-shared-key`, `pre-shared-key local` or `pre-shared-key remote` for a key line. */
function keySlot(line: string): string | undefined {
    const w = line.split(" ");
    if (w[0] !== "pre-shared-key") return undefined;
    return (w[1] === "local" || w[1] === "remote") && w.length > 2 ? `pre-shared-key ${w[1]}` : "pre-shared-key";
}

/** The slot a child line fills when only one such line can exist, else undefined. */
function singleSlot(line: string, facts: LineFacts): string | undefined {
    return keySlot(line) ?? [...facts.singleValued].sort((a, b) => b.length - a.length).find((s) => startsWithWords(line, s));
}

function isBlock(n: ConfigNode): boolean {
    return n.children.length > 0 || BLOCK_HEADER.test(n.line);
}

function childKey(n: ConfigNode, facts: LineFacts): string {
    return isBlock(n) ? n.line : (singleSlot(n.line, facts) ?? n.line);
}

/** The command that removes a child line; keys are removed by keyword, never by value. */
function removeChild(n: ConfigNode): string {
    if (isBlock(n)) return `no ${n.line}`;
    const key = keySlot(n.line);
    return `no ${key ?? n.line}`;
}

function create(n: ConfigNode): string[] {
    if (!isBlock(n)) return [n.line];
    return [n.line, ...n.children.flatMap(create), "exit"];
}

/** `encryption a b` -> `encryption a`, `encryption b`. */
function splitAtoms(nodes: ConfigNode[], valueLists: string[]): ConfigNode[] {
    return nodes.flatMap((n) => {
        const [keyword, ...values] = n.line.split(" ");
        return valueLists.includes(keyword) && n.children.length === 0 ? values.map((v) => ({ line: `${keyword} ${v}`, children: [] })) : [n];
    });
}

/** `encryption a`, `encryption b` -> `encryption a b` (also for `no encryption ...`). */
function joinAtoms(lines: string[], valueLists: string[]): string[] {
    const joined = new Map<string, string[]>();
    const out: string[] = [];
    for (const line of lines) {
        const w = line.split(" ");
        const head = w[0] === "no" ? `no ${w[1]}` : w[0];
        const keyword = w[0] === "no" ? w[1] : w[0];
        if (!valueLists.includes(keyword) || w.length !== head.split(" ").length + 1) {
            out.push(line);
            continue;
        }
        let values = joined.get(head);
        if (!values) {
            values = [];
            joined.set(head, values);
            out.push(head);
        }
        values.push(w[w.length - 1]);
    }
    return out.map((l) => (joined.has(l) ? `${l} ${joined.get(l)!.join(" ")}` : l));
}

/** `valueLists`: the keywords planned word by word in this block (only at the object's top level). */
function diffChildren(fromNodes: ConfigNode[], toNodes: ConfigNode[], facts: LineFacts, valueLists: string[]): string[] {
    const from = splitAtoms(fromNodes, valueLists);
    const to = splitAtoms(toNodes, valueLists);
    const key = (n: ConfigNode) => childKey(n, facts);
    const fromByKey = new Map(from.map((n) => [key(n), n]));
    const toKeys = new Set(to.map(key));
    const keyRemovals: string[] = [];
    const otherRemovals: string[] = [];
    const changes: string[] = [];
    for (const f of from) {
        if (toKeys.has(key(f))) continue;
        (keySlot(f.line) ? keyRemovals : otherRemovals).push(removeChild(f));
    }
    for (const t of to) {
        const f = fromByKey.get(key(t));
        if (!f) changes.push(...create(t));
        else if (isBlock(t)) changes.push(...diffBlock(f, t, facts, []));
        else if (f.line !== t.line) changes.push(t.line);
    }
    return [...keyRemovals, ...joinAtoms(changes, valueLists), ...joinAtoms(otherRemovals, valueLists)];
}

/** Enters the block (re-sending a changed header) only when something in it changes. */
function diffBlock(f: ConfigNode, t: ConfigNode, facts: LineFacts, valueLists: string[]): string[] {
    const inner = diffChildren(f.children, t.children, facts, valueLists);
    if (f.line === t.line && inner.length === 0) return [];
    return [t.line, ...inner, "exit"];
}

/**
 * Config-mode lines that turn `from` into `to` (undefined = the object is absent), starting and
 * ending at `(config)#`. Empty when nothing changes.
 */
export function planTransition(kind: IosKind, from: ConfigNode[] | undefined, to: ConfigNode[] | undefined): string[] {
    const facts = iosObjects[kind].lines;
    const topKey = (n: ConfigNode) => facts.topKey?.(n.line) ?? n.line;
    const before = from ?? [];
    const after = to ?? [];
    const beforeByKey = new Map(before.map((n) => [topKey(n), n]));
    const afterKeys = new Set(after.map(topKey));
    const removed = before.filter((n) => !afterKeys.has(topKey(n)));
    const lineRemovals = removed.filter((n) => !isBlock(n)).map((n) => `no ${topKey(n)}`);
    const blockRemovals = removed.filter(isBlock).map((n) => `no ${topKey(n)}`);
    const blockChanges: string[] = [];
    const lineChanges: string[] = [];
    for (const t of after) {
        const f = beforeByKey.get(topKey(t));
        if (!isBlock(t)) {
            if (f?.line !== t.line) lineChanges.push(t.line);
        } else if (!f) blockChanges.push(...create(t));
        else blockChanges.push(...diffBlock(f, t, facts, facts.valueLists));
    }
    return [...lineRemovals, ...blockRemovals, ...blockChanges, ...lineChanges];
}
