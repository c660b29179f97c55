/**
 * Each IOS resource kind as running-config: render a model into the nodes IOS shows after it is
 * configured, find an object's nodes in a parsed running-config, and parse them back into a model.
 *
 * Rendering uses IOS's canonical spelling and line order (as `show running-config` prints it), so
 * that what we intend and what the device shows can be compared node by node and planned with
 * plan.ts. Parsing is table-driven, like swanctl-conf.ts: each kind lists its lines, each line
 * reads its own words into the model (and says whether it holds a single value, which plan.ts
 * needs). Parsing is tolerant: lines no rule takes come back in `unknownLines` (keys masked) so
 * that the glue can report configuration added by hand as drift.
 *
 * Values the device prints go through the same spelling functions as the schemas' inputs
 * (spelling.ts: IPv6 case and compression, interface names, defaults IOS hides), so that a device
 * that prints a variant still compares equal.
 *
 * Keys the device shows encrypted (`pre-shared-key 6 <cipher>`, with `password encryption aes`)
 * parse to the opaque marker `{ encrypted: "6" }` (see EncryptedKey). The cipher text is not kept
 * in the model. sameModel() treats such a key as matching any key: present but not comparable,
 * never drift by itself. An update that changes a declared key sends it all the same
 * (withDeclaredKeys).
 */
import { isIpv4, isIpv6, maskToPrefixLength, parsePrefix, prefixLengthToMask } from "../address";
import { maskLine } from "../masking";
import {
    IkeV2KeyringModel,
    IkeV2KeyringPeerModel,
    IkeV2PolicyModel,
    IkeV2ProfileModel,
    IkeV2ProposalModel,
    IosKind,
    IosModels,
    IpsecProfileModel,
    IpsecTransformSetModel,
    TunnelInterfaceModel,
} from "../schema/ios";
import { Unvalidated } from "../schema/unvalidated";
import { ConfigNode, node } from "./config-tree";
import { HIDDEN_DEFAULTS, iosInterface, iosIpv6, iosIpv6Prefix, unlessDefault } from "./spelling";
import { ConfigWarning, keyringWarnings, profileWarnings } from "./warnings";

/** A key IOS shows only in encrypted form (type 6). Stands in for the key's value in a parsed model. */
export interface EncryptedKey {
    encrypted: "6";
}

export function isEncryptedKey(value: unknown): value is EncryptedKey {
    return typeof value === "object" && value !== null && "encrypted" in value && value.encrypted === "6";
}

type PeerKeyField = "preSharedKey" | "localPreSharedKey" | "remotePreSharedKey";
type DeviceKey = string | EncryptedKey;
type DevicePeer = Omit<Unvalidated<IkeV2KeyringPeerModel>, PeerKeyField> & { [F in PeerKeyField]?: DeviceKey };
type DeviceKeyring = { name?: string; peers?: DevicePeer[]; keysVersion?: number };
type DeviceKeyringPeer = DevicePeer & { keyring?: string; keysVersion?: number };

/** Each kind's model as parsed from a device: it may not pass the schema, and keyring keys may be opaque. */
export type IosDeviceModels = {
    [K in IosKind]: K extends "IkeV2Keyring" ? DeviceKeyring : K extends "IkeV2KeyringPeer" ? DeviceKeyringPeer : Unvalidated<IosModels[K]>;
};

/** What the device has: its model, plus the lines the model cannot express (secrets masked). */
export interface ParsedObject<D> {
    /** The object as a model. It may not pass the resource's schema (a device can hold anything). */
    model: D;
    /** Lines this object's nodes contain that the model cannot express; nested ones as `parent > line`. */
    unknownLines: string[];
}

/** The name (or tunnel number, or keyring and peer name) that identifies an object on the device. */
export type ObjectRef = { name: string } | { number: number } | { keyring: string; name: string };

export interface IosObjectHandler<M, D> {
    kind: IosKind;
    /** The model property that names the object on the device: changing it means another object. */
    identity: keyof M & string;
    /** The block the object lives in, when it is not its own (a keyring peer's keyring): changing it means another object too. */
    scope?: keyof M & string;
    /** The object's IOS header, for messages: `crypto ikev2 keyring KR`, `interface Tunnel1`. */
    describe(ref: ObjectRef): string;
    /** The object's nodes as running-config shows them (a tunnel: the interface, then one `ip route` per route). */
    render(model: M): ConfigNode[];
    /** The object's nodes in a parsed running-config, in device order; undefined when absent. */
    extract(tree: ConfigNode[], ref: ObjectRef): ConfigNode[] | undefined;
    /**
     * For an object inside a block shared with others (a keyring peer): what removing it leaves of
     * that block, as the target of the removal's plan (the header alone while others remain in it;
     * undefined, the block gone, when it was the last). Without it, removing the object removes its nodes.
     */
    remainder?(tree: ConfigNode[], ref: ObjectRef): ConfigNode[] | undefined;
    /**
     * For kinds with `remainder`: the lines that remove the shared block when it is left empty.
     * Removals planned together (a destroy removes every peer of a keyring in one batch) each see
     * the others' peers, so none of them removes the block; this runs after them.
     */
    emptied?(tree: ConfigNode[], ref: ObjectRef): string[];
    /** Nodes (from extract or render) back to a model. */
    parse(nodes: ConfigNode[]): ParsedObject<D>;
    /**
     * True when two sets of the object's nodes mean the same configuration: same model (encrypted
     * keys match any key, order-free lists compared as sets) and the same unknown lines.
     */
    sameConfig(a: ConfigNode[], b: ConfigNode[]): boolean;
    /** The model in the form two models are compared in: order-free lists sorted, implied defaults dropped. */
    comparable(model: D): D;
    /**
     * The device's nodes as far as the declared keys tell: each key the device shows only
     * encrypted (type 6) is taken to hold the declared key, except the keys that must be sent
     * again: those whose declared value differs from `previous` (the model last applied), all of
     * them when there is no previous model (a create or adoption) or its keysVersion differs.
     * Kinds without keys return the nodes as they are.
     */
    withDeclaredKeys(device: ConfigNode[], desired: M, previous: M | undefined): ConfigNode[];
    /** What plan.ts needs to know about the kind's lines. */
    lines: LineFacts;
    /** What IOS accepts but is probably not meant (warnings.ts), for a validated model. */
    warnings?(model: M): ConfigWarning[];
}

/** Values of one keyword that form an ordered list: IOS appends a new value, `no KEYWORD VALUE` removes one. */
export interface OrderedList {
    keyword: string;
    /** All values on one line (`encryption aes-cbc-256 aes-cbc-128`) rather than one line each (`proposal P1`). */
    sameLine: boolean;
}

export interface LineFacts {
    /** Line keywords (any depth) that hold one value: a new value is sent in place, IOS replaces the old one. */
    singleValued: string[];
    /** For lines IOS keys by their first words (`match identity remote address A MASK` by its address): that key. */
    keyOf?(line: string): string | undefined;
    /** Keywords whose values are in order of preference; plan.ts reorders them as IOS can (see plan.ts). */
    orderedLists: OrderedList[];
    /** What pairs a top-level node of one state with one of another; by default its whole line. */
    topKey?(line: string): string;
}

// ---------------------------------------------------------------------------------------------
// Line tables

/** A child line as a rule sees it: the words after its keyword, the same as raw text, and the node. */
interface LineReading {
    words: string[];
    text: string;
    node: ConfigNode;
}

/** One kind of child line: the words it starts with and how the rest of it reads into the model. */
interface LineRule<D> {
    keyword: string;
    /** Reads the line into the model; false when the line has a form the model cannot hold (it is then unknown). */
    read(line: LineReading, model: D): boolean;
    /** The line holds one value: a new one replaces the old in place (plan.ts sends it without `no` first). */
    single?: true;
}

const words = (line: string) => line.split(/\s+/);

/** The rule whose keyword starts the line (whole words), and the line's words after it. */
function match<D>(rules: LineRule<D>[], n: ConfigNode): { rule: LineRule<D>; reading: LineReading } | undefined {
    const w = words(n.line);
    for (const rule of rules) {
        const keyword = words(rule.keyword);
        if (w.length < keyword.length || keyword.some((k, i) => w[i] !== k)) continue;
        const rest = w.slice(keyword.length);
        return { rule, reading: { words: rest, text: rest.length ? n.line.slice(n.line.indexOf(rest[0], rule.keyword.length)) : "", node: n } };
    }
    return undefined;
}

/**
 * Reads child nodes with a kind's rules; returns the lines (and their children) no rule took. A
 * second line of a single-valued keyword (which IOS would have replaced) is not read over the
 * first: it is reported, so that nothing a device shows is dropped silently.
 */
function readLines<D>(nodes: ConfigNode[], rules: LineRule<D>[], model: D, prefix = ""): string[] {
    const unknown: string[] = [];
    const singlesRead = new Set<string>();
    for (const n of nodes) {
        const found = match(rules, n);
        const repeated = found?.rule.single && singlesRead.has(found.rule.keyword);
        if (!found || repeated || !found.rule.read(found.reading, model)) unknown.push(...flatten(n, prefix));
        else if (found.rule.single) singlesRead.add(found.rule.keyword);
    }
    return unknown;
}

function flatten(n: ConfigNode, prefix: string): string[] {
    const here = prefix + maskLine(n.line);
    return [here, ...n.children.flatMap((c) => flatten(c, `${here} > `))];
}

const singleValued = (...tables: LineRule<never>[][]) => tables.flat().filter((r) => r.single).map((r) => r.keyword);

/** The one word of a line that takes exactly one, or undefined. */
const one = (w: string[]) => (w.length === 1 ? w[0] : undefined);

function num(word: string | undefined): number | undefined {
    return word !== undefined && /^\d+$/.test(word) ? Number(word) : undefined;
}

/** The words after a header's fixed prefix (`crypto ikev2 proposal` -> [name]), or undefined. */
function after(line: string, prefix: string): string[] | undefined {
    const w = words(line);
    const want = prefix.split(" ");
    if (w.length <= want.length || want.some((p, i) => w[i] !== p)) return undefined;
    return w.slice(want.length);
}

function findBlock(tree: ConfigNode[], header: string): ConfigNode | undefined {
    return tree.find((n) => n.line === header);
}

type Identity = { address?: string; fqdn?: string; email?: string; keyId?: string };

function identityWords(id: Identity): string {
    if (id.address !== undefined) return `address ${id.address}`;
    if (id.fqdn !== undefined) return `fqdn ${id.fqdn}`;
    if (id.email !== undefined) return `email ${id.email}`;
    return `key-id ${id.keyId}`;
}

/** An address as the device printed it, in IOS's spelling (a device may print IPv6 another way). */
function spelledAddress(value: string): string {
    return isIpv6(value) ? iosIpv6(value) : value;
}

/** `address A`, `fqdn NAME`, `email NAME`, `key-id ID`; the `domain` forms are not modelled (unknown). */
function parseIdentity(w: string[]): Identity | undefined {
    if (w.length !== 2) return undefined;
    const [type, value] = w;
    if (type === "address") return { address: spelledAddress(value) };
    if (type === "fqdn") return { fqdn: value };
    if (type === "email") return { email: value };
    if (type === "key-id") return { keyId: value };
    return undefined;
}

/** A rule that takes the line when `value` finds one in it, and stores that value. */
function rule<D, V>(keyword: string, value: (line: LineReading, model: D) => V | undefined, set: (model: D, value: V) => void, single?: true): LineRule<D> {
    return {
        keyword,
        single,
        read(line, model) {
            const v = value(line, model);
            if (v === undefined) return false;
            set(model, v);
            return true;
        },
    };
}

/** The free text of a `description` line. */
function description<D extends { description?: string }>(): LineRule<D> {
    return rule("description", ({ text }) => text || undefined, (m, v) => (m.description = v), true);
}

/** A line that takes one word. */
function word<D>(keyword: string, set: (m: D, value: string) => void, single?: true): LineRule<D> {
    return rule(keyword, ({ words: w }) => one(w), set, single);
}

/** A line that takes one whole number. */
function number<D>(keyword: string, set: (m: D, value: number) => void): LineRule<D> {
    return rule(keyword, ({ words: w }) => num(one(w)), set, true);
}

/** A line whose words (at least one) are all values. */
function list<D>(keyword: string, set: (m: D, values: string[]) => void, single?: true): LineRule<D> {
    return rule(keyword, ({ words: w }) => (w.length > 0 ? w : undefined), set, single);
}

// ---------------------------------------------------------------------------------------------
// Handlers

type HandlerParts<K extends IosKind> = Omit<IosObjectHandler<IosModels[K], IosDeviceModels[K]>, "kind" | "sameConfig" | "comparable" | "withDeclaredKeys"> & {
    comparable?(model: IosDeviceModels[K]): IosDeviceModels[K];
    withDeclaredKeys?: IosObjectHandler<IosModels[K], IosDeviceModels[K]>["withDeclaredKeys"];
};

/** Builds a handler whose sameConfig compares parsed models and unknown lines. */
function handler<K extends IosKind>(kind: K, parts: HandlerParts<K>): IosObjectHandler<IosModels[K], IosDeviceModels[K]> {
    const comparable = parts.comparable ?? ((m: IosDeviceModels[K]) => m);
    return {
        kind,
        withDeclaredKeys: (device) => device,
        ...parts,
        comparable,
        sameConfig(a, b) {
            const pa = parts.parse(a);
            const pb = parts.parse(b);
            return differences(comparable(pa.model), comparable(pb.model)).length === 0 && sameLines(pa.unknownLines, pb.unknownLines);
        },
    };
}

function sameLines(a: string[], b: string[]): boolean {
    return a.length === b.length && [...a].sort().every((l, i) => l === [...b].sort()[i]);
}

const nameOf = (ref: ObjectRef) => ("name" in ref ? ref.name : String(ref.number));
const byJson = (a: unknown, b: unknown) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);
const sorted = <T>(list: T[] | undefined) => list && [...list].sort(byJson);

// ---------------------------------------------------------------------------------------------
// crypto ikev2 proposal

type DeviceProposal = IosDeviceModels["IkeV2Proposal"];

/**
 * Algorithms on repeated lines of the same keyword add up, as IOS accumulates them (Cisco's YANG
 * model, Cisco-IOS-XE-crypto.yang, has one flag per algorithm), in the order they were added: IOS
 * keeps that order and offers them in it (Cisco's parser tests show the built-in default proposal's
 * groups as `19 14 21 5`, an order no sorting gives: https://github.com/CiscoTestAutomation/genieparser,
 * `src/genie/libs/parser/iosxe/tests/ShowCryptoIkev2Proposal`).
 */
const PROPOSAL_LINES: LineRule<DeviceProposal>[] = [
    list("encryption", (m, v) => (m.encryption = [...(m.encryption ?? []), ...v])),
    list("integrity", (m, v) => (m.integrity = [...(m.integrity ?? []), ...v])),
    list("prf", (m, v) => (m.prf = [...(m.prf ?? []), ...v])),
    list("group", (m, v) => (m.groups = [...(m.groups ?? []), ...v.map(Number)])),
];

const proposal = handler("IkeV2Proposal", {
    identity: "name",
    describe: (ref) => `crypto ikev2 proposal ${nameOf(ref)}`,
    render(m: IkeV2ProposalModel) {
        const lines = [`encryption ${m.encryption.join(" ")}`];
        if (m.integrity?.length) lines.push(`integrity ${m.integrity.join(" ")}`);
        if (m.prf?.length) lines.push(`prf ${m.prf.join(" ")}`);
        lines.push(`group ${m.groups.join(" ")}`);
        return [node(`crypto ikev2 proposal ${m.name}`, lines.map((l) => node(l)))];
    },
    extract(tree, ref) {
        const block = findBlock(tree, `crypto ikev2 proposal ${nameOf(ref)}`);
        return block && [block];
    },
    parse([block]) {
        const model: DeviceProposal = { name: after(block.line, "crypto ikev2 proposal")![0], encryption: [], groups: [] };
        return { model, unknownLines: readLines(block.children, PROPOSAL_LINES, model) };
    },
    // The order of each list is its preference: compared as it is, and planned by plan.ts's reordering.
    lines: { singleValued: [], orderedLists: PROPOSAL_LINES.map((r) => ({ keyword: r.keyword, sameLine: true })) },
});

// ---------------------------------------------------------------------------------------------
// crypto ikev2 policy

type DevicePolicy = IosDeviceModels["IkeV2Policy"];

/**
 * A policy's proposals are offered in the order of its `proposal` lines. `match address local` is a
 * list on IOS (YANG `leaf-list local-ip`) of which the model holds one: a second line stays unknown
 * (drift), and a new address is added before the old one is removed.
 */
const POLICY_LINES: LineRule<DevicePolicy>[] = [
    word("proposal", (m, v) => (m.proposals = [...(m.proposals ?? []), v])),
    word("match fvrf", (m, v) => (m.matchFvrf = v), true),
    rule("match address local", ({ words: w }, m) => (m.matchAddressLocal === undefined ? one(w) : undefined), (m, v) => (m.matchAddressLocal = spelledAddress(v))),
];

const policy = handler("IkeV2Policy", {
    identity: "name",
    describe: (ref) => `crypto ikev2 policy ${nameOf(ref)}`,
    render(m: IkeV2PolicyModel) {
        const lines: string[] = [];
        if (m.matchFvrf !== undefined) lines.push(`match fvrf ${m.matchFvrf}`);
        if (m.matchAddressLocal !== undefined) lines.push(`match address local ${m.matchAddressLocal}`);
        lines.push(...m.proposals.map((p) => `proposal ${p}`));
        return [node(`crypto ikev2 policy ${m.name}`, lines.map((l) => node(l)))];
    },
    extract(tree, ref) {
        const block = findBlock(tree, `crypto ikev2 policy ${nameOf(ref)}`);
        return block && [block];
    },
    parse([block]) {
        const model: DevicePolicy = { name: after(block.line, "crypto ikev2 policy")![0], proposals: [] };
        return { model, unknownLines: readLines(block.children, POLICY_LINES, model) };
    },
    lines: { singleValued: singleValued(POLICY_LINES), orderedLists: [{ keyword: "proposal", sameLine: false }] },
});

// ---------------------------------------------------------------------------------------------
// crypto ikev2 keyring

function renderKey(keyword: string, key: DeviceKey): string {
    // A marker from a parsed device model has no cipher text: there is nothing that could be sent.
    if (isEncryptedKey(key)) throw new Error(`cannot render \`${keyword}\` from an encrypted (type 6) key marker; render desired models only`);
    return `${keyword} ${key}`;
}

function renderPeer(p: IkeV2KeyringPeerModel): ConfigNode {
    const lines: string[] = [];
    if (p.description !== undefined) lines.push(`description ${p.description}`);
    if (p.address !== undefined) {
        const a = p.address;
        lines.push(a.ipv6Prefix !== undefined ? `address ${a.ipv6Prefix}` : `address ${a.address}${a.mask !== undefined ? ` ${a.mask}` : ""}`);
    }
    if (p.hostname !== undefined) lines.push(`hostname ${p.hostname}`);
    if (p.identity !== undefined) lines.push(`identity ${identityWords(p.identity)}`);
    if (p.preSharedKey !== undefined) lines.push(renderKey("pre-shared-key", p.preSharedKey));
    if (p.localPreSharedKey !== undefined) lines.push(renderKey("pre-shared-key local", p.localPreSharedKey));
    if (p.remotePreSharedKey !== undefined) lines.push(renderKey("pre-shared-key remote", p.remotePreSharedKey));
    return node(`peer ${p.name}`, lines.map((l) => node(l)));
}

/** `pre-shared-key [local|remote] [0|6] KEY`: which key, and its value or the opaque marker. */
function readKey({ words: w }: LineReading): { field: PeerKeyField; key: DeviceKey } | undefined {
    let field: PeerKeyField = "preSharedKey";
    let rest = w;
    if ((rest[0] === "local" || rest[0] === "remote") && rest.length > 1) {
        field = rest[0] === "local" ? "localPreSharedKey" : "remotePreSharedKey";
        rest = rest.slice(1);
    }
    if (rest.length === 2 && rest[0] === "6") return { field, key: { encrypted: "6" } };
    if (rest.length === 2 && rest[0] === "0") return { field, key: rest[1] };
    if (rest.length === 1) return { field, key: rest[0] };
    return undefined;
}

/** An IPv6 prefix as the device printed it, in IOS's spelling. */
function spelledPrefix(value: string): string {
    return parsePrefix(value)?.family === 6 ? iosIpv6Prefix(value) : value;
}

/** `address A.B.C.D [MASK]` (a host mask is the same as none) or `address X:X::X/LEN`. */
function readPeerAddress({ words: w }: LineReading): DevicePeer["address"] {
    if (w.length === 1 && w[0].includes(":")) return { ipv6Prefix: spelledPrefix(w[0]) };
    if (w.length === 1) return { address: w[0] };
    if (w.length === 2) return { address: w[0], mask: w[1] === "255.255.255.255" ? undefined : w[1] };
    return undefined;
}

/**
 * A peer holds one address (IPv4 with mask, or IPv6) and one identity: Cisco's YANG model makes
 * each a choice (`address/ipv4-ipv6`, `identity/identity` in crypto-ikev2-keyring-peer-grouping),
 * so a new one replaces the old. The three key forms (`pre-shared-key`, `... local`, `... remote`)
 * are separate there; plan.ts removes a key by its keyword, never by value.
 */
const PEER_LINES: LineRule<DevicePeer>[] = [
    rule("pre-shared-key", readKey, (p, { field, key }) => (p[field] = key)),
    description(),
    rule("address", readPeerAddress, (p, v) => (p.address = v), true),
    word("hostname", (p, v) => (p.hostname = v), true),
    rule("identity", ({ words: w }) => parseIdentity(w), (p, v) => (p.identity = v), true),
];

const KEY_FIELDS: PeerKeyField[] = ["preSharedKey", "localPreSharedKey", "remotePreSharedKey"];

/**
 * The keys an update must send although the device may show them only encrypted: each peer's keys
 * whose declared value differs from what was last applied; every key when that is unknown (a
 * create or an adoption, or state from before) or when keysVersion changed (the user's way to
 * force it). As `peer NAME` + key field.
 */
function keysToSend(desired: IkeV2KeyringModel, previous: IkeV2KeyringModel | undefined): Set<string> {
    const slot = (peer: string, field: PeerKeyField) => `${peer} ${field}`;
    const all = previous === undefined || previous.keysVersion !== desired.keysVersion;
    const send = new Set<string>();
    for (const p of desired.peers) {
        const before = previous?.peers.find((q) => q.name === p.name);
        for (const f of KEY_FIELDS) if (p[f] !== undefined && (all || before?.[f] !== p[f])) send.add(slot(p.name, f));
    }
    return send;
}

/** The key field of a `pre-shared-key ...` line and whether the device shows it encrypted. */
function keyLine(line: string): { field: PeerKeyField; encrypted: boolean } | undefined {
    const found = match(PEER_LINES.slice(0, 1), node(line));
    const key = found && readKey(found.reading);
    return key && { field: key.field, encrypted: isEncryptedKey(key.key) };
}

function parsePeer(block: ConfigNode): ParsedObject<DevicePeer> {
    const peer: DevicePeer = { name: after(block.line, "peer")![0] };
    return { model: peer, unknownLines: readLines(block.children, PEER_LINES, peer, `${block.line} > `) };
}

const keyring = handler("IkeV2Keyring", {
    identity: "name",
    warnings: keyringWarnings,
    describe: (ref) => `crypto ikev2 keyring ${nameOf(ref)}`,
    render: (m: IkeV2KeyringModel) => [node(`crypto ikev2 keyring ${m.name}`, m.peers.map(renderPeer))],
    extract(tree, ref) {
        const block = findBlock(tree, `crypto ikev2 keyring ${nameOf(ref)}`);
        return block && [block];
    },
    parse([block]) {
        const model: DeviceKeyring = { name: after(block.line, "crypto ikev2 keyring")![0], peers: [] };
        const peerLines: string[] = [];
        const peerBlocks: LineRule<DeviceKeyring> = {
            keyword: "peer",
            read({ words: w, node: n }, m) {
                if (w.length !== 1) return false;
                const parsed = parsePeer(n);
                m.peers = [...(m.peers ?? []), parsed.model];
                peerLines.push(...parsed.unknownLines);
                return true;
            },
        };
        const unknownLines = readLines(block.children, [peerBlocks], model);
        return { model, unknownLines: [...unknownLines, ...peerLines] };
    },
    // Peers are a set by name; keysVersion is no configuration (no device shows it).
    comparable: ({ name, peers }) => ({ name, peers: peers && [...peers].sort((a, b) => (String(a.name) < String(b.name) ? -1 : 1)) }),
    withDeclaredKeys(device, desired, previous) {
        const send = keysToSend(desired, previous);
        const declared = new Map(desired.peers.map((p) => [`peer ${p.name}`, renderPeer(p).children]));
        const known = (peer: ConfigNode): ConfigNode => {
            const lines = declared.get(peer.line);
            if (!lines) return peer;
            const name = peer.line.slice("peer ".length);
            const children = peer.children.map((n) => {
                const key = keyLine(n.line);
                if (!key?.encrypted || send.has(`${name} ${key.field}`)) return n;
                return lines.find((d) => keyLine(d.line)?.field === key.field) ?? n;
            });
            return { ...peer, children };
        };
        return device.map((block) => ({ ...block, children: block.children.map(known) }));
    },
    lines: { singleValued: singleValued(PEER_LINES), orderedLists: [] },
});

// ---------------------------------------------------------------------------------------------
// One peer of a keyring: its `peer` sub-block inside `crypto ikev2 keyring KEYRING`

/** A keyring peer as a keyring of that one peer: keys to send and warnings are the keyring's. */
function asKeyring({ keyring: name, keysVersion, ...peer }: IosModels["IkeV2KeyringPeer"]): IkeV2KeyringModel {
    return { name, peers: [peer], keysVersion };
}

const keyringOf = (ref: ObjectRef) => ("keyring" in ref ? ref.keyring : "");
const keyringHeader = (ref: ObjectRef) => `crypto ikev2 keyring ${keyringOf(ref)}`;

const keyringPeer = handler("IkeV2KeyringPeer", {
    identity: "name",
    scope: "keyring",
    warnings: (p) => keyringWarnings(asKeyring(p)).map((w) => ({ ...w, property: w.property.replace(/^peers\[0\]\./, "") })),
    describe: (ref) => `peer ${nameOf(ref)} of ${keyringHeader(ref)}`,
    render: (m: IosModels["IkeV2KeyringPeer"]) => {
        const { name, peers } = asKeyring(m);
        return [node(`crypto ikev2 keyring ${name}`, peers.map(renderPeer))];
    },
    extract(tree, ref) {
        const block = findBlock(tree, keyringHeader(ref));
        const peer = block?.children.find((n) => n.line === `peer ${nameOf(ref)}`);
        return block && peer && [node(block.line, [peer])];
    },
    remainder(tree, ref) {
        const block = findBlock(tree, keyringHeader(ref));
        const others = block?.children.filter((n) => n.line !== `peer ${nameOf(ref)}`) ?? [];
        return block && others.length > 0 ? [node(block.line)] : undefined;
    },
    emptied(tree, ref) {
        const block = findBlock(tree, keyringHeader(ref));
        return block && block.children.length === 0 ? [`no ${block.line}`] : [];
    },
    parse([block]) {
        const keyring = after(block.line, "crypto ikev2 keyring")![0];
        const [peerNode, ...rest] = block.children;
        if (!peerNode) return { model: { keyring }, unknownLines: [] };
        const parsed = parsePeer(peerNode);
        return { model: { keyring, ...parsed.model }, unknownLines: [...parsed.unknownLines, ...rest.flatMap((n) => flatten(n, `${block.line} > `))] };
    },
    // keysVersion is no configuration (no device shows it).
    comparable: (m) => ({ ...m, keysVersion: undefined }),
    withDeclaredKeys: (device, desired, previous) => keyring.withDeclaredKeys(device, asKeyring(desired), previous && asKeyring(previous)),
    lines: { singleValued: singleValued(PEER_LINES), orderedLists: [] },
});

// ---------------------------------------------------------------------------------------------
// crypto ikev2 profile

type DeviceProfile = IosDeviceModels["IkeV2Profile"];

type RemoteIdentity = IkeV2ProfileModel["matchIdentityRemote"][number];

function remoteIdentityWords(id: RemoteIdentity): string {
    if (id.ipv6Prefix !== undefined) return `address ${id.ipv6Prefix}`;
    return id.address !== undefined ? `address ${id.address} ${id.mask ?? "255.255.255.255"}` : identityWords(id);
}

/**
 * `match identity remote address A [MASK]` (the mask IOS implies is written out), `... address
 * X:X::X/LEN` or another identity. IOS keeps these as lists (YANG `match/identity/remote`: a list
 * of IPv4 addresses keyed by address with the mask as a leaf, and leaf-lists of the others), so
 * several lines are several identities, and a new mask for an address replaces the old one.
 */
function readRemoteIdentity({ words: w }: LineReading): RemoteIdentity | undefined {
    if (w[0] === "address" && w.length === 2 && w[1].includes("/")) return { ipv6Prefix: spelledPrefix(w[1]) };
    if (w[0] === "address" && (w.length === 2 || w.length === 3) && isIpv4(w[1])) return { address: w[1], mask: w[2] ?? "255.255.255.255" };
    return parseIdentity(w);
}

/** `match identity remote address A MASK` is keyed by its address (the key of IOS's list). */
function remoteAddressKey(line: string): string | undefined {
    const w = words(line);
    return w.length === 6 && line.startsWith("match identity remote address ") && isIpv4(w[4]) ? w.slice(0, 5).join(" ") : undefined;
}

/** `dpd INTERVAL RETRY on-demand|periodic`. */
function readDpd({ words: w }: LineReading): DeviceProfile["dpd"] {
    const [interval, retry] = [num(w[0]), num(w[1])];
    if (w.length !== 3 || interval === undefined || retry === undefined || (w[2] !== "on-demand" && w[2] !== "periodic")) return undefined;
    return { interval, retry, mode: w[2] };
}

const PROFILE_LINES: LineRule<DeviceProfile>[] = [
    description(),
    rule("match identity remote", readRemoteIdentity, (m, v) => (m.matchIdentityRemote = [...(m.matchIdentityRemote ?? []), v])),
    rule("identity local", ({ words: w }) => parseIdentity(w), (m, v) => (m.identityLocal = v), true),
    word("authentication remote", (m, v) => v === "pre-share" && (m.authentication = { ...m.authentication, remote: v }), true),
    word("authentication local", (m, v) => v === "pre-share" && (m.authentication = { ...m.authentication, local: v }), true),
    word("keyring local", (m, v) => (m.keyring = v), true),
    number("lifetime", (m, v) => (m.lifetime = unlessDefault(v, HIDDEN_DEFAULTS.ikeLifetime))),
    rule("dpd", readDpd, (m, v) => (m.dpd = v), true),
    word("match fvrf", (m, v) => (m.matchFvrf = v), true),
    // One local address per profile (YANG `match/address/local/ip` is a leaf): a new one replaces it.
    word("match address local", (m, v) => (m.matchAddressLocal = spelledAddress(v)), true),
    word("ivrf", (m, v) => (m.ivrf = v), true),
];

const profile = handler("IkeV2Profile", {
    identity: "name",
    warnings: profileWarnings,
    describe: (ref) => `crypto ikev2 profile ${nameOf(ref)}`,
    render(m: IkeV2ProfileModel) {
        const lines: string[] = [];
        if (m.description !== undefined) lines.push(`description ${m.description}`);
        if (m.matchFvrf !== undefined) lines.push(`match fvrf ${m.matchFvrf}`);
        if (m.matchAddressLocal !== undefined) lines.push(`match address local ${m.matchAddressLocal}`);
        for (const id of m.matchIdentityRemote) lines.push(`match identity remote ${remoteIdentityWords(id)}`);
        if (m.identityLocal !== undefined) lines.push(`identity local ${identityWords(m.identityLocal)}`);
        lines.push(`authentication remote ${m.authentication.remote}`, `authentication local ${m.authentication.local}`);
        if (m.keyring !== undefined) lines.push(`keyring local ${m.keyring}`);
        if (m.lifetime !== undefined) lines.push(`lifetime ${m.lifetime}`);
        if (m.dpd !== undefined) lines.push(`dpd ${m.dpd.interval} ${m.dpd.retry} ${m.dpd.mode}`);
        if (m.ivrf !== undefined) lines.push(`ivrf ${m.ivrf}`);
        return [node(`crypto ikev2 profile ${m.name}`, lines.map((l) => node(l)))];
    },
    extract(tree, ref) {
        const block = findBlock(tree, `crypto ikev2 profile ${nameOf(ref)}`);
        return block && [block];
    },
    parse([block]) {
        const model: DeviceProfile = { name: after(block.line, "crypto ikev2 profile")![0], matchIdentityRemote: [] };
        const unknownLines = readLines(block.children, PROFILE_LINES, model);
        // IOS always prints both authentication lines; a device without them has an empty authentication.
        return { model: { ...model, authentication: model.authentication ?? {} }, unknownLines };
    },
    // IOS matches a peer against any of the identities: a set.
    comparable: (m) => ({ ...m, matchIdentityRemote: sorted(m.matchIdentityRemote)! }),
    lines: { singleValued: singleValued(PROFILE_LINES), keyOf: remoteAddressKey, orderedLists: [] },
});

// ---------------------------------------------------------------------------------------------
// crypto ipsec transform-set

/**
 * IOS words for each ESP encryption. 128-bit AES is shown without its key size (`esp-aes`,
 * `esp-gcm`) because 128 is IOS's default; parse accepts both spellings.
 */
const ESP_ENCRYPTION_WORDS: Record<IpsecTransformSetModel["encryption"], string> = {
    "esp-aes-128": "esp-aes",
    "esp-aes-192": "esp-aes 192",
    "esp-aes-256": "esp-aes 256",
    "esp-gcm-128": "esp-gcm",
    "esp-gcm-256": "esp-gcm 256",
};

const TRANSFORM_SET = "crypto ipsec transform-set";

type DeviceTransformSet = IosDeviceModels["IpsecTransformSet"];

const TRANSFORM_SET_LINES: LineRule<DeviceTransformSet>[] = [
    rule("mode", ({ words: w }) => (one(w) === "tunnel" || one(w) === "transport" ? w[0] : undefined), (m, v) => (m.mode = v), true),
];

const transformSet = handler("IpsecTransformSet", {
    identity: "name",
    describe: (ref) => `${TRANSFORM_SET} ${nameOf(ref)}`,
    render(m: IpsecTransformSetModel) {
        const transforms = [ESP_ENCRYPTION_WORDS[m.encryption], ...(m.integrity ? [m.integrity] : [])].join(" ");
        return [node(`${TRANSFORM_SET} ${m.name} ${transforms}`, [node(`mode ${m.mode}`)])];
    },
    extract(tree, ref) {
        const block = tree.find((n) => after(n.line, TRANSFORM_SET)?.[0] === nameOf(ref));
        return block && [block];
    },
    parse([block]) {
        // The transforms sit on the header: `crypto ipsec transform-set NAME esp-aes 256 esp-sha256-hmac`.
        const [name, ...transforms] = after(block.line, TRANSFORM_SET)!;
        const model: DeviceTransformSet = { name, mode: "tunnel" };
        const unknownLines: string[] = [];
        for (let i = 0; i < transforms.length; i++) {
            const t = transforms[i];
            if (t === "esp-aes" || t === "esp-gcm") {
                const size = ["128", "192", "256"].includes(transforms[i + 1]) ? transforms[++i] : "128";
                model.encryption = `${t}-${size}`;
            } else if (/^esp-sha\d*-hmac$/.test(t)) model.integrity = t;
            else unknownLines.push(`${TRANSFORM_SET} ${name} ... ${t}`);
        }
        unknownLines.push(...readLines(block.children, TRANSFORM_SET_LINES, model));
        return { model, unknownLines };
    },
    lines: {
        singleValued: singleValued(TRANSFORM_SET_LINES),
        orderedLists: [],
        // The header holds the transforms too: a changed transform is the same transform set.
        topKey: (line) => line.split(" ").slice(0, 4).join(" "),
    },
});

// ---------------------------------------------------------------------------------------------
// crypto ipsec profile

type DeviceIpsecProfile = IosDeviceModels["IpsecProfile"];

/**
 * `set transform-set A B` is one line that IOS replaces as a whole ("Specify list of transform sets
 * in priority order", Cisco-IOS-XE-crypto.yang): a new order is sent as the new line. IOS does not
 * print the SA lifetimes when they are its defaults (spelling.ts).
 */
const IPSEC_PROFILE_LINES: LineRule<DeviceIpsecProfile>[] = [
    list("set transform-set", (m, v) => (m.transformSets = v), true),
    word("set ikev2-profile", (m, v) => (m.ikev2Profile = v), true),
    rule("set pfs", ({ words: w }) => (/^group\d+$/.test(one(w) ?? "") ? Number(w[0].slice(5)) : undefined), (m, v) => (m.pfsGroup = v), true),
    number("set security-association lifetime seconds", (m, v) => (m.lifetimeSeconds = unlessDefault(v, HIDDEN_DEFAULTS.ipsecLifetimeSeconds))),
    number("set security-association lifetime kilobytes", (m, v) => (m.lifetimeKilobytes = unlessDefault(v, HIDDEN_DEFAULTS.ipsecLifetimeKilobytes))),
];

const ipsecProfile = handler("IpsecProfile", {
    identity: "name",
    describe: (ref) => `crypto ipsec profile ${nameOf(ref)}`,
    render(m: IpsecProfileModel) {
        const lines: string[] = [];
        if (m.lifetimeKilobytes !== undefined) lines.push(`set security-association lifetime kilobytes ${m.lifetimeKilobytes}`);
        if (m.lifetimeSeconds !== undefined) lines.push(`set security-association lifetime seconds ${m.lifetimeSeconds}`);
        lines.push(`set transform-set ${m.transformSets.join(" ")}`);
        if (m.pfsGroup !== undefined) lines.push(`set pfs group${m.pfsGroup}`);
        lines.push(`set ikev2-profile ${m.ikev2Profile}`);
        return [node(`crypto ipsec profile ${m.name}`, lines.map((l) => node(l)))];
    },
    extract(tree, ref) {
        const block = findBlock(tree, `crypto ipsec profile ${nameOf(ref)}`);
        return block && [block];
    },
    parse([block]) {
        const model: DeviceIpsecProfile = { name: after(block.line, "crypto ipsec profile")![0], transformSets: [] };
        const unknownLines = readLines(block.children, IPSEC_PROFILE_LINES, model);
        return { model, unknownLines };
    },
    lines: { singleValued: singleValued(IPSEC_PROFILE_LINES), orderedLists: [] },
});

// ---------------------------------------------------------------------------------------------
// interface TunnelN and `ip route ... TunnelN`

type DeviceTunnel = IosDeviceModels["TunnelInterface"];
type Route = TunnelInterfaceModel["routes"][number];

function renderRoute(tunnel: string, r: Route): ConfigNode {
    const [network, length] = r.destination.split("/");
    const distance = r.distance !== undefined ? ` ${r.distance}` : "";
    const name = r.name !== undefined ? ` name ${r.name}` : "";
    return node(`ip route ${network} ${prefixLengthToMask(Number(length))} ${tunnel}${distance}${name}`);
}

/** `ip route NET MASK TunnelN [DISTANCE] [name NAME]` -> route, or undefined for any other form. */
function parseRoute(line: string, tunnel: string): Route | undefined {
    const w = after(line, "ip route");
    if (!w || w.length < 3 || w[2] !== tunnel) return undefined;
    const length = maskToPrefixLength(w[1]);
    if (length === undefined) return undefined;
    const route: Route = { destination: `${w[0]}/${length}` };
    let rest = w.slice(3);
    if (rest.length > 0 && num(rest[0]) !== undefined) {
        route.distance = unlessDefault(num(rest[0]), HIDDEN_DEFAULTS.routeDistance);
        rest = rest.slice(1);
    }
    if (rest.length === 2 && rest[0] === "name") {
        route.name = rest[1];
        rest = [];
    }
    return rest.length === 0 ? route : undefined;
}

const tunnelName = (ref: ObjectRef) => `Tunnel${"number" in ref ? ref.number : ref.name}`;
const TUNNEL_MODES: Record<string, TunnelInterfaceModel["mode"]> = { "ipsec ipv4": "ipsec-ipv4", "ipsec ipv6": "ipsec-ipv6" };

const TUNNEL_LINES: LineRule<DeviceTunnel>[] = [
    description(),
    rule("ip address", ({ words: w }) => (w.length === 2 ? { address: w[0], mask: w[1] } : undefined), (m, v) => (m.ipAddress = v), true),
    // IOS prints it while the interface has no address yet: nothing to model.
    { keyword: "no ip address", read: ({ words: w }) => w.length === 0 },
    number("ip mtu", (m, v) => (m.ipMtu = v)),
    number("ip tcp adjust-mss", (m, v) => (m.tcpAdjustMss = v)),
    word("tunnel source", (m, v) => (m.tunnelSource = isIpv6(v) ? iosIpv6(v) : iosInterface(v)), true),
    word("tunnel destination", (m, v) => (m.tunnelDestination = spelledAddress(v)), true),
    rule("tunnel mode", ({ words: w }) => TUNNEL_MODES[w.join(" ")], (m, v) => (m.mode = v), true),
    word("tunnel protection ipsec profile", (m, v) => (m.protectionProfile = v), true),
];

const tunnel = handler("TunnelInterface", {
    identity: "number",
    describe: (ref) => `interface ${tunnelName(ref)}`,
    render(m: TunnelInterfaceModel) {
        const name = tunnelName(m);
        const lines: string[] = [];
        if (m.description !== undefined) lines.push(`description ${m.description}`);
        lines.push(`ip address ${m.ipAddress.address} ${m.ipAddress.mask}`);
        if (m.ipMtu !== undefined) lines.push(`ip mtu ${m.ipMtu}`);
        if (m.tcpAdjustMss !== undefined) lines.push(`ip tcp adjust-mss ${m.tcpAdjustMss}`);
        lines.push(
            `tunnel source ${m.tunnelSource}`,
            `tunnel mode ${m.mode.replace("-", " ")}`,
            `tunnel destination ${m.tunnelDestination}`,
            `tunnel protection ipsec profile ${m.protectionProfile}`,
        );
        return [node(`interface ${name}`, lines.map((l) => node(l))), ...m.routes.map((r) => renderRoute(name, r))];
    },
    extract(tree, ref) {
        const name = tunnelName(ref);
        const block = findBlock(tree, `interface ${name}`);
        if (!block) return undefined;
        return [block, ...tree.filter((n) => after(n.line, "ip route")?.[2] === name)];
    },
    parse(nodes) {
        const [block, ...routeNodes] = nodes;
        const name = after(block.line, "interface")![0];
        const routes: Route[] = [];
        const model: DeviceTunnel = { number: Number(name.slice("Tunnel".length)), routes };
        const unknownLines = readLines(block.children, TUNNEL_LINES, model);
        for (const n of routeNodes) {
            const route = parseRoute(n.line, name);
            if (route) routes.push(route);
            else unknownLines.push(maskLine(n.line));
        }
        return { model, unknownLines };
    },
    // Routes are a set.
    comparable: (m) => ({ ...m, routes: sorted(m.routes) ?? [] }),
    lines: {
        singleValued: singleValued(TUNNEL_LINES),
        orderedLists: [],
        // A route is the same route whatever its distance or name: network, mask and interface.
        topKey: (line) => (after(line, "ip route") ? line.split(" ").slice(0, 5).join(" ") : line),
    },
});

export const iosObjects: { [K in IosKind]: IosObjectHandler<IosModels[K], IosDeviceModels[K]> } = {
    IkeV2Proposal: proposal,
    IkeV2Policy: policy,
    IkeV2Keyring: keyring,
    IkeV2KeyringPeer: keyringPeer,
    IkeV2Profile: profile,
    IpsecTransformSet: transformSet,
    IpsecProfile: ipsecProfile,
    TunnelInterface: tunnel,
};

// ---------------------------------------------------------------------------------------------
// Comparing a desired model with what the device has

/** Drops undefined values and empty lists, so that an absent list and an empty one compare equal. */
function prune(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(prune);
    if (v === null || typeof v !== "object") return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
        if (x === undefined || (Array.isArray(x) && x.length === 0)) continue;
        out[k] = prune(x);
    }
    return out;
}

function equal(a: unknown, b: unknown): boolean {
    if (isEncryptedKey(a) || isEncryptedKey(b)) return a !== undefined && b !== undefined;
    if (Array.isArray(a) || Array.isArray(b)) {
        return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => equal(x, b[i]));
    }
    if (a !== null && b !== null && typeof a === "object" && typeof b === "object") {
        const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
        return [...keys].every((k) => equal(Reflect.get(a, k), Reflect.get(b, k)));
    }
    return a === b;
}

/** The top-level properties in which two comparable models differ. */
function differences(desired: object, actual: object): string[] {
    const d = prune(desired);
    const a = prune(actual);
    if (d === null || a === null || typeof d !== "object" || typeof a !== "object") return [];
    const keys = [...new Set([...Object.keys(d), ...Object.keys(a)])];
    return keys.filter((k) => !equal(Reflect.get(d, k), Reflect.get(a, k)));
}

/**
 * The top-level properties in which the device's model differs from the desired one. An
 * encrypted (type-6) key on either side matches any key; a missing or different plain key differs.
 */
export function modelDifferences<K extends IosKind>(kind: K, desired: IosDeviceModels[K], actual: IosDeviceModels[K]): string[] {
    const h = iosObjects[kind];
    return differences(h.comparable(desired), h.comparable(actual));
}

export function sameModel<K extends IosKind>(kind: K, desired: IosDeviceModels[K], actual: IosDeviceModels[K]): boolean {
    return modelDifferences(kind, desired, actual).length === 0;
}
