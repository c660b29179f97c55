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

/** Lines that hold one value: sending a new one replaces the old. */
const SINGLE_VALUED = [
    "description",
    "ip address",
    "ip mtu",
    "ip tcp adjust-mss",
    "tunnel source",
    "tunnel destination",
    "tunnel mode",
    "tunnel protection ipsec profile",
    "lifetime",
    "dpd",
    "identity local",
    "keyring local",
    "match fvrf",
    "ivrf",
    "authentication local",
    "authentication remote",
    "address",
    "hostname",
    "mode",
    "set transform-set",
    "set ikev2-profile",
    "set pfs",
    "set security-association lifetime seconds",
    "set security-association lifetime kilobytes",
].sort((a, b) => b.length - a.length);

const BLOCK_HEADER = /^(crypto |interface |peer )/;
const PROPOSAL_ATOMS = ["encryption", "integrity", "prf", "group"];

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
function singleSlot(line: string): string | undefined {
    const key = keySlot(line);
    if (key) return key;
    // A keyring peer's `identity address ...`, not a profile's `identity local ...`.
    if (startsWithWords(line, "identity") && !startsWithWords(line, "identity local")) return "identity";
    return SINGLE_VALUED.find((s) => startsWithWords(line, s));
}

function isBlock(n: ConfigNode): boolean {
    return n.children.length > 0 || BLOCK_HEADER.test(n.line);
}

/** What pairs a top-level node of the old state with one of the new state. */
function topKey(n: ConfigNode): string {
    const w = n.line.split(" ");
    if (startsWithWords(n.line, "crypto ipsec transform-set")) return w.slice(0, 4).join(" ");
    if (startsWithWords(n.line, "ip route")) return w.slice(0, 5).join(" ");
    return n.line;
}

function childKey(n: ConfigNode): string {
    return isBlock(n) ? n.line : (singleSlot(n.line) ?? n.line);
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
function splitAtoms(nodes: ConfigNode[]): ConfigNode[] {
    return nodes.flatMap((n) => {
        const [keyword, ...values] = n.line.split(" ");
        return PROPOSAL_ATOMS.includes(keyword) && n.children.length === 0 ? values.map((v) => ({ line: `${keyword} ${v}`, children: [] })) : [n];
    });
}

/** `encryption a`, `encryption b` -> `encryption a b` (also for `no encryption ...`). */
function joinAtoms(lines: string[]): string[] {
    const joined = new Map<string, string[]>();
    const out: string[] = [];
    for (const line of lines) {
        const w = line.split(" ");
        const head = w[0] === "no" ? `no ${w[1]}` : w[0];
        const keyword = w[0] === "no" ? w[1] : w[0];
        if (!PROPOSAL_ATOMS.includes(keyword) || w.length !== head.split(" ").length + 1) {
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

function diffChildren(fromNodes: ConfigNode[], toNodes: ConfigNode[], atoms: boolean): string[] {
    const from = atoms ? splitAtoms(fromNodes) : fromNodes;
    const to = atoms ? splitAtoms(toNodes) : toNodes;
    const fromByKey = new Map(from.map((n) => [childKey(n), n]));
    const toKeys = new Set(to.map(childKey));
    const keyRemovals: string[] = [];
    const otherRemovals: string[] = [];
    const changes: string[] = [];
    for (const f of from) {
        if (toKeys.has(childKey(f))) continue;
        (keySlot(f.line) ? keyRemovals : otherRemovals).push(removeChild(f));
    }
    for (const t of to) {
        const f = fromByKey.get(childKey(t));
        if (!f) changes.push(...create(t));
        else if (isBlock(t)) changes.push(...diffBlock(f, t, false));
        else if (f.line !== t.line) changes.push(t.line);
    }
    return atoms ? [...keyRemovals, ...joinAtoms(changes), ...joinAtoms(otherRemovals)] : [...keyRemovals, ...changes, ...otherRemovals];
}

/** Enters the block (re-sending a changed header) only when something in it changes. */
function diffBlock(f: ConfigNode, t: ConfigNode, atoms: boolean): string[] {
    const inner = diffChildren(f.children, t.children, atoms);
    if (f.line === t.line && inner.length === 0) return [];
    return [t.line, ...inner, "exit"];
}

/**
 * Config-mode lines that turn `from` into `to` (undefined = the object is absent), starting and
 * ending at `(config)#`. Empty when nothing changes.
 */
export function planTransition(kind: IosKind, from: ConfigNode[] | undefined, to: ConfigNode[] | undefined): string[] {
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
        else blockChanges.push(...diffBlock(f, t, kind === "IkeV2Proposal"));
    }
    return [...lineRemovals, ...blockRemovals, ...blockChanges, ...lineChanges];
}
