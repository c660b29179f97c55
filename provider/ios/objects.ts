/**
 * Each IOS resource kind as running-config: render a model into the nodes IOS shows after it is
 * configured, find an object's nodes in a parsed running-config, and parse them back into a model.
 *
 * Rendering uses IOS's canonical spelling and line order (as `show running-config` prints it), so
 * that what we intend and what the device shows can be compared node by node and planned with
 * plan.ts. Parsing is tolerant: lines it cannot map come back in `unknownLines` (keys masked) so
 * that the glue can report configuration added by hand as drift.
 *
 * Keys the device shows encrypted (`pre-shared-key 6 <cipher>`, with `password encryption aes`)
 * parse to the opaque marker `{ encrypted: "6" }` (see EncryptedKey). The cipher text is not kept
 * in the model. sameModel() treats such a key as matching any key: present but not comparable,
 * never drift by itself.
 */
import { maskToPrefixLength, prefixLengthToMask } from "../address";
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
import { ConfigNode, node } from "./config-tree";
import { maskLine } from "../masking";

/** A key IOS shows only in encrypted form (type 6). Stands in for the key's value in a parsed model. */
export interface EncryptedKey {
    encrypted: "6";
}

export function isEncryptedKey(value: unknown): value is EncryptedKey {
    return typeof value === "object" && value !== null && (value as EncryptedKey).encrypted === "6";
}

/** What the device has: its model, plus the lines the model cannot express (secrets masked). */
export interface ParsedObject<M> {
    /**
     * The object as a model. It may not pass the resource's schema (a device can hold anything),
     * and in a keyring, keys may be EncryptedKey markers in place of strings.
     */
    model: M;
    /** Lines this object's nodes contain that the model cannot express; nested ones as `parent > line`. */
    unknownLines: string[];
}

/** The name (or tunnel number) that identifies an object on the device. */
export type ObjectRef = { name: string } | { number: number };

export interface IosObjectHandler<M> {
    kind: IosKind;
    /** The object's IOS header, for messages: `crypto ikev2 keyring KR`, `interface Tunnel1`. */
    describe(model: ObjectRef): string;
    /** The object's nodes as running-config shows them (a tunnel: the interface, then one `ip route` per route). */
    render(model: M): ConfigNode[];
    /** The object's nodes in a parsed running-config, in device order; undefined when absent. */
    extract(tree: ConfigNode[], model: ObjectRef): ConfigNode[] | undefined;
    /** Nodes (from extract or render) back to a model. */
    parse(nodes: ConfigNode[]): ParsedObject<M>;
    /**
     * True when two sets of the object's nodes mean the same configuration: same model (encrypted
     * keys match any key, order-free lists compared as sets) and the same unknown lines.
     */
    sameConfig(a: ConfigNode[], b: ConfigNode[]): boolean;
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** Splits `line` against a fixed prefix of words; the remaining words, or undefined when it does not start so. */
function after(line: string, prefix: string): string[] | undefined {
    const words = line.split(/\s+/);
    const want = prefix.split(" ");
    if (words.length <= want.length || want.some((w, i) => words[i] !== w)) return undefined;
    return words.slice(want.length);
}

/** Parses children line by line with `map`; lines it returns false for are unknown. */
function mapLines(nodes: ConfigNode[], map: (line: string, node: ConfigNode) => boolean, prefix = ""): string[] {
    const unknown: string[] = [];
    for (const n of nodes) {
        if (!map(n.line, n)) unknown.push(...flatten(n, prefix));
    }
    return unknown;
}

function flatten(n: ConfigNode, prefix: string): string[] {
    const here = prefix + maskLine(n.line);
    return [here, ...n.children.flatMap((c) => flatten(c, `${here} > `))];
}

function num(word: string | undefined): number | undefined {
    return word !== undefined && /^\d+$/.test(word) ? Number(word) : undefined;
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

function parseIdentity(words: string[]): Identity | undefined {
    if (words.length !== 2) return undefined;
    const [type, value] = words;
    if (type === "address") return { address: value };
    if (type === "fqdn") return { fqdn: value };
    if (type === "email") return { email: value };
    if (type === "key-id") return { keyId: value };
    return undefined;
}

/** Builds a handler whose sameConfig compares parsed models and unknown lines. */
function handler<K extends IosKind>(
    kind: K,
    parts: Omit<IosObjectHandler<IosModels[K]>, "kind" | "sameConfig">,
): IosObjectHandler<IosModels[K]> {
    return {
        kind,
        ...parts,
        sameConfig(a, b) {
            const pa = parts.parse(a);
            const pb = parts.parse(b);
            return sameModel(kind, pa.model, pb.model) && sameLines(pa.unknownLines, pb.unknownLines);
        },
    };
}

function sameLines(a: string[], b: string[]): boolean {
    return a.length === b.length && [...a].sort().every((l, i) => l === [...b].sort()[i]);
}

const nameOf = (ref: ObjectRef) => ("name" in ref ? ref.name : String(ref.number));

// ---------------------------------------------------------------------------------------------
// crypto ikev2 proposal

const proposal = handler("IkeV2Proposal", {
    describe: (m) => `crypto ikev2 proposal ${nameOf(m)}`,
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
        const model = { name: after(block.line, "crypto ikev2 proposal")![0], encryption: [], groups: [] } as unknown as IkeV2ProposalModel;
        const lists = model as unknown as Record<string, (string | number)[]>;
        const unknownLines = mapLines(block.children, (line) => {
            const [keyword, ...values] = line.split(" ");
            if (!["encryption", "integrity", "prf", "group"].includes(keyword) || values.length === 0) return false;
            const field = keyword === "group" ? "groups" : keyword;
            // IOS accumulates repeated lines of the same keyword.
            lists[field] = [...(lists[field] ?? []), ...(keyword === "group" ? values.map(Number) : values)];
            return true;
        });
        return { model, unknownLines };
    },
});

// ---------------------------------------------------------------------------------------------
// crypto ikev2 policy

const policy = handler("IkeV2Policy", {
    describe: (m) => `crypto ikev2 policy ${nameOf(m)}`,
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
        const model: IkeV2PolicyModel = { name: after(block.line, "crypto ikev2 policy")![0], proposals: [] };
        const unknownLines = mapLines(block.children, (line) => {
            let w: string[] | undefined;
            if ((w = after(line, "proposal")) && w.length === 1) model.proposals.push(w[0]);
            else if ((w = after(line, "match fvrf")) && w.length === 1 && model.matchFvrf === undefined) model.matchFvrf = w[0];
            else if ((w = after(line, "match address local")) && w.length === 1 && model.matchAddressLocal === undefined) model.matchAddressLocal = w[0];
            else return false;
            return true;
        });
        return { model, unknownLines };
    },
});

// ---------------------------------------------------------------------------------------------
// crypto ikev2 keyring

type PeerKeyField = "preSharedKey" | "localPreSharedKey" | "remotePreSharedKey";
type ParsedKey = string | EncryptedKey;

function renderKey(keyword: string, key: ParsedKey): string {
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

/** `pre-shared-key [local|remote] [0|6] KEY` -> field and key, or undefined. */
function parseKeyLine(line: string): { field: PeerKeyField; key: ParsedKey } | undefined {
    let words = after(line, "pre-shared-key");
    if (!words) return undefined;
    let field: PeerKeyField = "preSharedKey";
    if ((words[0] === "local" || words[0] === "remote") && words.length > 1) {
        field = words[0] === "local" ? "localPreSharedKey" : "remotePreSharedKey";
        words = words.slice(1);
    }
    if (words.length === 2 && words[0] === "6") return { field, key: { encrypted: "6" } };
    if (words.length === 2 && words[0] === "0") return { field, key: words[1] };
    if (words.length === 1) return { field, key: words[0] };
    return undefined;
}

function parsePeer(block: ConfigNode): ParsedObject<IkeV2KeyringPeerModel> {
    const peer = { name: after(block.line, "peer")![0] } as IkeV2KeyringPeerModel;
    const keys = peer as unknown as Record<PeerKeyField, ParsedKey>;
    const unknownLines = mapLines(
        block.children,
        (line) => {
            let w: string[] | undefined;
            const key = parseKeyLine(line);
            if (key) keys[key.field] = key.key;
            else if (line.startsWith("description ")) peer.description = line.slice("description ".length);
            else if ((w = after(line, "address")) && w.length === 1 && w[0].includes(":")) peer.address = { ipv6Prefix: w[0] };
            else if (w && w.length === 1) peer.address = { address: w[0] };
            else if (w && w.length === 2) peer.address = { address: w[0], mask: w[1] };
            else if ((w = after(line, "hostname")) && w.length === 1) peer.hostname = w[0];
            else if ((w = after(line, "identity")) && parseIdentity(w)) peer.identity = parseIdentity(w);
            else return false;
            return true;
        },
        `${block.line} > `,
    );
    return { model: peer, unknownLines };
}

const keyring = handler("IkeV2Keyring", {
    describe: (m) => `crypto ikev2 keyring ${nameOf(m)}`,
    render: (m: IkeV2KeyringModel) => [node(`crypto ikev2 keyring ${m.name}`, m.peers.map(renderPeer))],
    extract(tree, ref) {
        const block = findBlock(tree, `crypto ikev2 keyring ${nameOf(ref)}`);
        return block && [block];
    },
    parse([block]) {
        const model: IkeV2KeyringModel = { name: after(block.line, "crypto ikev2 keyring")![0], peers: [] };
        const peerLines: string[] = [];
        const unknownLines = mapLines(block.children, (line, n) => {
            if (after(line, "peer")?.length !== 1) return false;
            const parsed = parsePeer(n);
            model.peers.push(parsed.model);
            peerLines.push(...parsed.unknownLines);
            return true;
        });
        return { model, unknownLines: [...unknownLines, ...peerLines] };
    },
});

// ---------------------------------------------------------------------------------------------
// crypto ikev2 profile

const profile = handler("IkeV2Profile", {
    describe: (m) => `crypto ikev2 profile ${nameOf(m)}`,
    render(m: IkeV2ProfileModel) {
        const lines: string[] = [];
        if (m.description !== undefined) lines.push(`description ${m.description}`);
        if (m.matchFvrf !== undefined) lines.push(`match fvrf ${m.matchFvrf}`);
        if (m.matchAddressLocal !== undefined) lines.push(`match address local ${m.matchAddressLocal}`);
        for (const id of m.matchIdentityRemote) {
            lines.push(`match identity remote ${identityWords(id)}${id.address !== undefined ? ` ${id.mask ?? "255.255.255.255"}` : ""}`);
        }
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
        const model = { name: after(block.line, "crypto ikev2 profile")![0], matchIdentityRemote: [] } as unknown as IkeV2ProfileModel;
        const auth: Partial<IkeV2ProfileModel["authentication"]> = {};
        const unknownLines = mapLines(block.children, (line) => {
            let w: string[] | undefined;
            if (line.startsWith("description ")) model.description = line.slice("description ".length);
            else if ((w = after(line, "match identity remote")) && w[0] === "address" && (w.length === 2 || w.length === 3)) {
                model.matchIdentityRemote.push({ address: w[1], mask: w[2] ?? "255.255.255.255" });
            } else if (w && parseIdentity(w)) model.matchIdentityRemote.push(parseIdentity(w)!);
            else if ((w = after(line, "identity local")) && parseIdentity(w)) model.identityLocal = parseIdentity(w);
            else if ((w = after(line, "authentication remote")) && w.length === 1 && w[0] === "pre-share") auth.remote = "pre-share";
            else if ((w = after(line, "authentication local")) && w.length === 1 && w[0] === "pre-share") auth.local = "pre-share";
            else if ((w = after(line, "keyring local")) && w.length === 1) model.keyring = w[0];
            else if ((w = after(line, "lifetime")) && w.length === 1 && num(w[0]) !== undefined) model.lifetime = num(w[0]);
            else if ((w = after(line, "dpd")) && w.length === 3 && num(w[0]) !== undefined && num(w[1]) !== undefined && (w[2] === "on-demand" || w[2] === "periodic")) {
                model.dpd = { interval: num(w[0])!, retry: num(w[1])!, mode: w[2] };
            } else if ((w = after(line, "match fvrf")) && w.length === 1) model.matchFvrf = w[0];
            else if ((w = after(line, "match address local")) && w.length === 1 && model.matchAddressLocal === undefined) model.matchAddressLocal = w[0];
            else if ((w = after(line, "ivrf")) && w.length === 1) model.ivrf = w[0];
            else return false;
            return true;
        });
        model.authentication = auth as IkeV2ProfileModel["authentication"];
        return { model, unknownLines };
    },
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

const transformSet = handler("IpsecTransformSet", {
    describe: (m) => `${TRANSFORM_SET} ${nameOf(m)}`,
    render(m: IpsecTransformSetModel) {
        const transforms = [ESP_ENCRYPTION_WORDS[m.encryption], ...(m.integrity ? [m.integrity] : [])].join(" ");
        return [node(`${TRANSFORM_SET} ${m.name} ${transforms}`, [node(`mode ${m.mode}`)])];
    },
    extract(tree, ref) {
        const block = tree.find((n) => after(n.line, TRANSFORM_SET)?.[0] === nameOf(ref));
        return block && [block];
    },
    parse([block]) {
        const [name, ...transforms] = after(block.line, TRANSFORM_SET)!;
        const model = { name, mode: "tunnel" } as IpsecTransformSetModel;
        const unknownLines: string[] = [];
        for (let i = 0; i < transforms.length; i++) {
            const t = transforms[i];
            if (t === "esp-aes" || t === "esp-gcm") {
                const size = ["128", "192", "256"].includes(transforms[i + 1]) ? transforms[++i] : "128";
                model.encryption = `${t}-${size}` as IpsecTransformSetModel["encryption"];
            } else if (/^esp-sha\d*-hmac$/.test(t)) model.integrity = t as IpsecTransformSetModel["integrity"];
            else unknownLines.push(`${TRANSFORM_SET} ${name} ... ${t}`);
        }
        unknownLines.push(
            ...mapLines(block.children, (line) => {
                const w = after(line, "mode");
                if (!w || (w[0] !== "tunnel" && w[0] !== "transport") || w.length !== 1) return false;
                model.mode = w[0];
                return true;
            }),
        );
        return { model, unknownLines };
    },
});

// ---------------------------------------------------------------------------------------------
// crypto ipsec profile

const ipsecProfile = handler("IpsecProfile", {
    describe: (m) => `crypto ipsec profile ${nameOf(m)}`,
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
        const model = { name: after(block.line, "crypto ipsec profile")![0], transformSets: [] } as unknown as IpsecProfileModel;
        const unknownLines = mapLines(block.children, (line) => {
            let w: string[] | undefined;
            if ((w = after(line, "set transform-set"))) model.transformSets = w;
            else if ((w = after(line, "set ikev2-profile")) && w.length === 1) model.ikev2Profile = w[0];
            else if ((w = after(line, "set pfs")) && w.length === 1 && /^group\d+$/.test(w[0])) model.pfsGroup = Number(w[0].slice(5));
            else if ((w = after(line, "set security-association lifetime seconds")) && w.length === 1 && num(w[0]) !== undefined) model.lifetimeSeconds = num(w[0]);
            else if ((w = after(line, "set security-association lifetime kilobytes")) && w.length === 1 && num(w[0]) !== undefined) model.lifetimeKilobytes = num(w[0]);
            else return false;
            return true;
        });
        return { model, unknownLines };
    },
});

// ---------------------------------------------------------------------------------------------
// interface TunnelN and `ip route ... TunnelN`

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
        route.distance = num(rest[0]);
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

const tunnel = handler("TunnelInterface", {
    describe: (m) => `interface ${tunnelName(m)}`,
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
        const model = { number: Number(name.slice("Tunnel".length)), routes: [] } as unknown as TunnelInterfaceModel;
        const unknownLines = mapLines(block.children, (line) => {
            let w: string[] | undefined;
            if (line.startsWith("description ")) model.description = line.slice("description ".length);
            else if ((w = after(line, "ip address")) && w.length === 2) model.ipAddress = { address: w[0], mask: w[1] };
            else if (line === "no ip address") return true;
            else if ((w = after(line, "ip mtu")) && w.length === 1 && num(w[0]) !== undefined) model.ipMtu = num(w[0]);
            else if ((w = after(line, "ip tcp adjust-mss")) && w.length === 1 && num(w[0]) !== undefined) model.tcpAdjustMss = num(w[0]);
            else if ((w = after(line, "tunnel source")) && w.length === 1) model.tunnelSource = w[0];
            else if ((w = after(line, "tunnel destination")) && w.length === 1) model.tunnelDestination = w[0];
            else if ((w = after(line, "tunnel mode")) && TUNNEL_MODES[w.join(" ")]) model.mode = TUNNEL_MODES[w.join(" ")];
            else if ((w = after(line, "tunnel protection ipsec profile")) && w.length === 1) model.protectionProfile = w[0];
            else return false;
            return true;
        });
        for (const n of routeNodes) {
            const route = parseRoute(n.line, name);
            if (route) model.routes.push(route);
            else unknownLines.push(maskLine(n.line));
        }
        return { model, unknownLines };
    },
});

export const iosObjects: { [K in IosKind]: IosObjectHandler<IosModels[K]> } = {
    IkeV2Proposal: proposal,
    IkeV2Policy: policy,
    IkeV2Keyring: keyring,
    IkeV2Profile: profile,
    IpsecTransformSet: transformSet,
    IpsecProfile: ipsecProfile,
    TunnelInterface: tunnel,
};

// ---------------------------------------------------------------------------------------------
// Comparing a desired model with what the device has

/**
 * Brings a model to a comparable form: undefined and empty lists dropped, lists whose order IOS
 * does not keep or that mean a set (peers, routes, remote identities) sorted, implied defaults
 * (`/32` peer mask) removed. Proposal algorithms and policy proposals compare as sets (see below);
 * the transform sets of an IPsec profile, sent as one line, keep their order.
 */
function normalize(kind: IosKind, model: unknown): Record<string, unknown> {
    const m = prune(model) as Record<string, unknown>;
    const byJson = (a: unknown, b: unknown) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);
    if (kind === "IkeV2Keyring" && Array.isArray(m.peers)) {
        m.peers = (m.peers as Record<string, unknown>[])
            .map((p) => {
                const a = p.address as { mask?: string } | undefined;
                if (a && a.mask === "255.255.255.255") delete a.mask;
                return p;
            })
            .sort((a, b) => (String(a.name) < String(b.name) ? -1 : 1));
    }
    if (kind === "IkeV2Profile" && Array.isArray(m.matchIdentityRemote)) m.matchIdentityRemote = [...m.matchIdentityRemote].sort(byJson);
    // plan.ts adds and removes these one by one and IOS prints them in an order of its own, so only
    // membership can be compared (and planned), not preference order.
    const sets = kind === "IkeV2Proposal" ? ["encryption", "integrity", "prf", "groups"] : kind === "IkeV2Policy" ? ["proposals"] : [];
    for (const field of sets) if (Array.isArray(m[field])) m[field] = [...(m[field] as unknown[])].sort(byJson);
    if (kind === "TunnelInterface") {
        m.routes = Array.isArray(m.routes) ? [...m.routes].sort(byJson) : [];
    }
    return m;
}

function prune(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(prune);
    if (v === null || typeof v !== "object") return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
        if (x === undefined || (Array.isArray(x) && x.length === 0 && k !== "routes")) continue;
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
        return [...keys].every((k) => equal((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
    }
    return a === b;
}

/**
 * The top-level properties in which the device's model differs from the desired one. An
 * encrypted (type-6) key on either side matches any key; a missing or different plain key differs.
 */
export function modelDifferences<K extends IosKind>(kind: K, desired: IosModels[K], actual: IosModels[K]): string[] {
    const d = normalize(kind, desired);
    const a = normalize(kind, actual);
    const keys = [...new Set([...Object.keys(d), ...Object.keys(a)])];
    return keys.filter((k) => !equal(d[k], a[k]));
}

export function sameModel<K extends IosKind>(kind: K, desired: IosModels[K], actual: IosModels[K]): boolean {
    return modelDifferences(kind, desired, actual).length === 0;
}

/** One key compared as drift detection does: an encrypted key matches any present key. */
export function keysComparable(desired: string | undefined, actual: ParsedKey | undefined): boolean {
    return equal(desired, actual);
}
