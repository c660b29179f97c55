/**
 * The emulated router's configuration, held as structured objects and printed the way IOS-XE 17
 * prints `show running-config`: fixed section order, one space of indentation per level, `!`
 * separators, and the trailing spaces IOS leaves after some lines.
 */
import { createHash, randomBytes, scryptSync } from "crypto";

export interface Secret {
    /** "0": clear text as entered; "6": AES-encrypted form (opaque here); "hex": entered as a hex string. */
    type: "0" | "6" | "hex";
    value: string;
}

export interface Proposal {
    name: string;
    encryption: string[];
    integrity: string[];
    prf: string[];
    group: string[];
}

export interface Policy {
    name: string;
    fvrf?: string;
    localAddresses: string[];
    proposals: string[];
}

export interface Peer {
    name: string;
    description?: string;
    /** "A.B.C.D", "A.B.C.D MASK" or "X:X::X/len". */
    address?: string;
    hostname?: string;
    /** "address A.B.C.D", "fqdn NAME", "email X" or "key-id X". */
    identity?: string;
    psk?: Secret;
    pskLocal?: Secret;
    pskRemote?: Secret;
}

export interface Keyring {
    name: string;
    peers: Peer[];
}

export interface Profile {
    name: string;
    description?: string;
    fvrf?: string;
    localAddress?: string;
    /** Each entry prints as `match identity remote <entry>`. */
    matchIdentities: string[];
    identityLocal?: string;
    authRemote?: string;
    authLocal?: string;
    keyringLocal?: string;
    lifetime?: string;
    dpd?: string;
    ivrf?: string;
}

export interface TransformSet {
    name: string;
    transforms: string[];
    mode: "tunnel" | "transport";
}

export interface IpsecProfile {
    name: string;
    saLifetimeSeconds?: string;
    saLifetimeKilobytes?: string;
    transformSets: string[];
    pfs?: string;
    ikev2Profile?: string;
}

export interface Iface {
    name: string;
    physical: boolean;
    description?: string;
    address?: { ip: string; mask: string };
    mtu?: string;
    mss?: string;
    shutdown: boolean;
    tunnelSource?: string;
    tunnelMode?: string;
    tunnelDestination?: string;
    tunnelProtection?: string;
}

export interface Route {
    prefix: string;
    mask: string;
    iface?: string;
    nexthop?: string;
    distance?: string;
    name?: string;
}

export interface Username {
    name: string;
    privilege?: string;
    /** Type-9 hash string as printed, e.g. `$9$...`. */
    secret: string;
}

/** The `archive` block (emulator/ios/safety.ts). */
export interface ArchiveSettings {
    /** `path URL`, e.g. `flash:archive/$h-config`; without it the archive is not enabled. */
    path?: string;
    /** `maximum N` (1-14). */
    maximum?: string;
    /** `write-memory`: every save also archives. */
    writeMemory: boolean;
    /** `time-period MINUTES`: archive periodically. */
    timePeriod?: string;
}

export interface RunningConfig {
    hostname: string;
    /** `configuration mode exclusive auto|manual`. */
    exclusiveMode?: "auto" | "manual";
    archive?: ArchiveSettings;
    passwordEncryptionAes: boolean;
    enableSecret?: string;
    usernames: Username[];
    proposals: Map<string, Proposal>;
    policies: Map<string, Policy>;
    keyrings: Map<string, Keyring>;
    profiles: Map<string, Profile>;
    transformSets: Map<string, TransformSet>;
    ipsecProfiles: Map<string, IpsecProfile>;
    interfaces: Map<string, Iface>;
    routes: Route[];
}

export interface PhysicalInterface {
    name: string;
    address?: string;
    mask?: string;
    description?: string;
    shutdown?: boolean;
}

export function emptyConfig(hostname: string, physical: PhysicalInterface[]): RunningConfig {
    const interfaces = new Map<string, Iface>();
    for (const p of physical)
        interfaces.set(p.name, {
            name: p.name,
            physical: true,
            description: p.description,
            address: p.address && p.mask ? { ip: p.address, mask: p.mask } : undefined,
            shutdown: !!p.shutdown,
        });
    return {
        hostname,
        passwordEncryptionAes: false,
        usernames: [],
        proposals: new Map(),
        policies: new Map(),
        keyrings: new Map(),
        profiles: new Map(),
        transformSets: new Map(),
        ipsecProfiles: new Map(),
        interfaces,
        routes: [],
    };
}

const CISCO64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const STD64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function cisco64(buf: Buffer): string {
    const std = buf.toString("base64").replace(/=+$/, "");
    return [...std].map((c) => CISCO64[STD64.indexOf(c)]).join("");
}

/** IOS type 9 (scrypt, N=16384 r=1 p=1, 14-character salt): `$9$salt$hash`. */
export function type9(secret: string, salt?: string): string {
    const s = salt ?? [...randomBytes(14)].map((b) => CISCO64[b % 64]).join("");
    const hash = scryptSync(secret, s, 32, { N: 16384, r: 1, p: 1 });
    return `$9$${s}$${cisco64(hash)}`;
}

export function checkType9(secret: string, stored: string): boolean {
    const m = /^\$9\$([^$]{14})\$(.+)$/.exec(stored);
    return !!m && type9(secret, m[1]) === stored;
}

const TYPE6_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_abcdef";

/**
 * An opaque, IOS-type-6-looking string for a key: stable for one key, config-key and boot salt,
 * different on the next boot. It cannot be turned back into the key; only its shape is IOS's.
 */
export function type6(key: string, configKey: string, bootSalt: string): string {
    const h = createHash("sha256").update(bootSalt).update("\0").update(configKey).update("\0").update(key).digest();
    return [...h].map((b) => TYPE6_ALPHABET[b % TYPE6_ALPHABET.length]).join("") + "AAB";
}

function secretText(s: Secret): string {
    return s.type === "0" ? s.value : `${s.type} ${s.value}`;
}

function ipNum(ip: string): number {
    return ip.split(".").reduce((a, o) => a * 256 + Number(o), 0);
}

export function ifaceSortKey(name: string): [number, string, number[]] {
    const m = /^([A-Za-z-]+)([\d/.]+)$/.exec(name);
    const typ = m ? m[1] : name;
    const nums = m ? m[2].split(/[/.]/).map(Number) : [];
    const rank = typ === "Loopback" ? 1 : typ === "Tunnel" ? 2 : 0;
    return [rank, typ, nums];
}

export function compareIfaces(a: Iface, b: Iface): number {
    if (a.physical !== b.physical) return a.physical ? -1 : 1;
    if (a.physical) return 0; // physical interfaces keep the order the router was given
    const ka = ifaceSortKey(a.name);
    const kb = ifaceSortKey(b.name);
    if (ka[0] !== kb[0]) return ka[0] - kb[0];
    if (ka[1] !== kb[1]) return ka[1] < kb[1] ? -1 : 1;
    for (let i = 0; i < Math.max(ka[2].length, kb[2].length); i++) {
        const d = (ka[2][i] ?? -1) - (kb[2][i] ?? -1);
        if (d) return d;
    }
    return 0;
}

export function renderInterface(i: Iface): string[] {
    const out = [`interface ${i.name}`];
    if (i.description !== undefined) out.push(` description ${i.description}`);
    out.push(i.address ? ` ip address ${i.address.ip} ${i.address.mask}` : " no ip address");
    if (i.mtu) out.push(` ip mtu ${i.mtu}`);
    if (i.mss) out.push(` ip tcp adjust-mss ${i.mss}`);
    if (i.shutdown) out.push(" shutdown");
    if (i.tunnelSource) out.push(` tunnel source ${i.tunnelSource}`);
    if (i.tunnelMode) out.push(` tunnel mode ${i.tunnelMode}`);
    if (i.tunnelDestination) out.push(` tunnel destination ${i.tunnelDestination}`);
    if (i.tunnelProtection) out.push(` tunnel protection ipsec profile ${i.tunnelProtection}`);
    return out;
}

export function sortedRoutes(routes: Route[]): Route[] {
    return [...routes].sort((a, b) => ipNum(a.prefix) - ipNum(b.prefix) || ipNum(b.mask) - ipNum(a.mask));
}

export function routeLine(r: Route): string {
    const parts = ["ip route", r.prefix, r.mask];
    if (r.iface) parts.push(r.iface);
    if (r.nexthop) parts.push(r.nexthop);
    if (r.distance) parts.push(r.distance);
    if (r.name) parts.push("name", r.name);
    return parts.join(" ");
}

/** The configuration body as IOS prints it, from the first `!` to `end`, with "\n" line ends. */
export function renderConfig(c: RunningConfig): string {
    const out: string[] = ["!", "version 17.9", "service timestamps debug datetime msec", "service timestamps log datetime msec", "!", `hostname ${c.hostname}`, "!"];
    if (c.enableSecret) out.push(`enable secret 9 ${c.enableSecret}`, "!");
    for (const u of c.usernames) out.push(`username ${u.name}${u.privilege ? ` privilege ${u.privilege}` : ""} secret 9 ${u.secret}`);
    if (c.usernames.length) out.push("!");
    if (c.exclusiveMode) out.push(`configuration mode exclusive ${c.exclusiveMode}`, "!");
    if (c.archive) {
        out.push("archive");
        if (c.archive.path) out.push(` path ${c.archive.path}`);
        if (c.archive.maximum) out.push(` maximum ${c.archive.maximum}`);
        if (c.archive.writeMemory) out.push(" write-memory");
        if (c.archive.timePeriod) out.push(` time-period ${c.archive.timePeriod}`);
        out.push("!");
    }
    if (c.passwordEncryptionAes) out.push("password encryption aes", "!");
    for (const p of c.proposals.values()) {
        out.push(`crypto ikev2 proposal ${p.name} `);
        if (p.encryption.length) out.push(` encryption ${p.encryption.join(" ")}`);
        if (p.integrity.length) out.push(` integrity ${p.integrity.join(" ")}`);
        if (p.prf.length) out.push(` prf ${p.prf.join(" ")}`);
        if (p.group.length) out.push(` group ${p.group.join(" ")}`);
        out.push("!");
    }
    for (const p of c.policies.values()) {
        out.push(`crypto ikev2 policy ${p.name} `);
        if (p.fvrf) out.push(` match fvrf ${p.fvrf}`);
        for (const a of p.localAddresses) out.push(` match address local ${a}`);
        for (const pr of p.proposals) out.push(` proposal ${pr}`);
        out.push("!");
    }
    for (const k of c.keyrings.values()) {
        out.push(`crypto ikev2 keyring ${k.name}`);
        for (const p of k.peers) {
            out.push(` peer ${p.name}`);
            if (p.description !== undefined) out.push(`  description ${p.description}`);
            if (p.address) out.push(`  address ${p.address}`);
            if (p.hostname) out.push(`  hostname ${p.hostname}`);
            if (p.identity) out.push(`  identity ${p.identity}`);
            if (p.psk) out.push(`  pre-shared-key ${secretText(p.psk)}`);
            if (p.pskLocal) out.push(`  pre-shared-key local ${secretText(p.pskLocal)}`);
            if (p.pskRemote) out.push(`  pre-shared-key remote ${secretText(p.pskRemote)}`);
            out.push(" !");
        }
        out.push("!", "!");
    }
    for (const p of c.profiles.values()) {
        out.push(`crypto ikev2 profile ${p.name}`);
        if (p.description !== undefined) out.push(` description ${p.description}`);
        if (p.fvrf) out.push(` match fvrf ${p.fvrf}`);
        if (p.localAddress) out.push(` match address local ${p.localAddress}`);
        for (const m of p.matchIdentities) out.push(` match identity remote ${m}${m.startsWith("address ") ? " " : ""}`);
        if (p.identityLocal) out.push(` identity local ${p.identityLocal}`);
        if (p.authRemote) out.push(` authentication remote ${p.authRemote}`);
        if (p.authLocal) out.push(` authentication local ${p.authLocal}`);
        if (p.keyringLocal) out.push(` keyring local ${p.keyringLocal}`);
        if (p.lifetime) out.push(` lifetime ${p.lifetime}`);
        if (p.dpd) out.push(` dpd ${p.dpd}`);
        if (p.ivrf) out.push(` ivrf ${p.ivrf}`);
        out.push("!");
    }
    if (c.transformSets.size || c.ipsecProfiles.size) out.push("!");
    for (const t of c.transformSets.values()) {
        out.push(`crypto ipsec transform-set ${t.name} ${t.transforms.join(" ")} `, ` mode ${t.mode}`, "!");
    }
    for (const p of c.ipsecProfiles.values()) {
        out.push(`crypto ipsec profile ${p.name}`);
        if (p.saLifetimeSeconds) out.push(` set security-association lifetime seconds ${p.saLifetimeSeconds}`);
        if (p.saLifetimeKilobytes) out.push(` set security-association lifetime kilobytes ${p.saLifetimeKilobytes}`);
        if (p.transformSets.length) out.push(` set transform-set ${p.transformSets.join(" ")} `);
        if (p.pfs) out.push(` set pfs ${p.pfs}`);
        if (p.ikev2Profile) out.push(` set ikev2-profile ${p.ikev2Profile}`);
        out.push("!");
    }
    if (c.ipsecProfiles.size) out.push("!");
    for (const i of [...c.interfaces.values()].sort(compareIfaces)) out.push(...renderInterface(i), "!");
    for (const r of sortedRoutes(c.routes)) out.push(routeLine(r));
    if (c.routes.length) out.push("!");
    out.push("!", "end");
    return out.join("\n") + "\n";
}

/** What `show running-config` prints, with "\n" line ends. */
export function showRunning(body: string): string {
    return `Building configuration...\n\nCurrent configuration : ${Buffer.byteLength(body)} bytes\n${body}`;
}
