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
 * live tunnel; a line IOS keys by its first words (`match identity remote address A MASK`) by
 * those; any other line (`match identity remote fqdn ...`) by its whole text.
 *
 * Ordered lists (orderedLists: IKEv2 proposal algorithms, single words on shared lines that IOS
 * adds up, `encryption aes-cbc-256 aes-cbc-128`; a policy's `proposal` lines) are in order of
 * preference, and IOS appends a value it is given. A list is planned so that it ends in the
 * declared order without ever running empty and without re-adding a value it holds (IOS refuses
 * a proposal a policy already has): the longest start of the declared list that the device
 * already holds in that order stays; every other value is removed and the rest appended in order
 * (when even the first declared value is new, it is appended first, so something always stays).
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
import { iosObjects, LineFacts, OrderedList } from "./objects";

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
    return isBlock(n) ? n.line : (singleSlot(n.line, facts) ?? facts.keyOf?.(n.line) ?? n.line);
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

/** The values of an ordered list's keyword in a block, in order (`encryption a b`, `encryption c` -> a b c). */
function listValues(nodes: ConfigNode[], keyword: string): string[] {
    return nodes.flatMap((n) => {
        const [k, ...values] = n.line.split(" ");
        return k === keyword && n.children.length === 0 ? values : [];
    });
}

/** The lines that turn the ordered list `from` into `to` (see the header). */
function reorder({ keyword, sameLine }: OrderedList, from: string[], to: string[]): string[] {
    if (from.length === to.length && from.every((v, i) => v === to[i])) return [];
    const lines = (prefix: string, values: string[]) =>
        values.length === 0 ? [] : sameLine ? [`${prefix} ${values.join(" ")}`] : values.map((v) => `${prefix} ${v}`);
    // The longest start of `to` that `from` holds in that order stays.
    let kept = 0;
    let at = 0;
    while (kept < to.length) {
        const found = from.indexOf(to[kept], at);
        if (found < 0) break;
        at = found + 1;
        kept++;
    }
    const first = kept === 0 && to.length > 0 ? [to[0]] : [];
    const stays = new Set(to.slice(0, Math.max(kept, first.length)));
    const removed = from.filter((v) => !stays.has(v));
    return [...lines(keyword, first), ...lines(`no ${keyword}`, removed), ...lines(keyword, to.slice(stays.size))];
}

/** `lists`: the ordered lists of this block (only at the object's top level). */
function diffChildren(allFrom: ConfigNode[], allTo: ConfigNode[], facts: LineFacts, lists: OrderedList[]): string[] {
    const inList = (n: ConfigNode) => n.children.length === 0 && lists.some((l) => n.line.split(" ")[0] === l.keyword);
    const from = allFrom.filter((n) => !inList(n));
    const to = allTo.filter((n) => !inList(n));
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
    const reordered = lists.flatMap((l) => reorder(l, listValues(allFrom, l.keyword), listValues(allTo, l.keyword)));
    return [...keyRemovals, ...changes, ...reordered, ...otherRemovals];
}

/** Enters the block (re-sending a changed header) only when something in it changes. */
function diffBlock(f: ConfigNode, t: ConfigNode, facts: LineFacts, lists: OrderedList[]): string[] {
    const inner = diffChildren(f.children, t.children, facts, lists);
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
        else blockChanges.push(...diffBlock(f, t, facts, facts.orderedLists));
    }
    return [...lineRemovals, ...blockRemovals, ...blockChanges, ...lineChanges];
}
