/**
 * The command trees of every CLI mode the emulator knows, and what each command does to the
 * configuration or the session.
 */
import { def, defNo, finalize, newRoot, Node } from "./grammar";
import {
    checkType9,
    Iface,
    Peer,
    RunningConfig,
    Secret,
    renderConfig,
    renderInterface,
    showRunning,
    type6,
    type9,
} from "./config";
import type { IkeAgent } from "./ike/agent";
import { addIkeExecCommands } from "./ike/commands";

export type Mode =
    | "exec"
    | "config"
    | "ikev2-proposal"
    | "ikev2-policy"
    | "ikev2-keyring"
    | "ikev2-keyring-peer"
    | "ikev2-profile"
    | "crypto-trans"
    | "ipsec-profile"
    | "if";

export const PROMPT_SUFFIX: Record<Mode, string> = {
    exec: "",
    config: "(config)",
    "ikev2-proposal": "(config-ikev2-proposal)",
    "ikev2-policy": "(config-ikev2-policy)",
    "ikev2-keyring": "(config-ikev2-keyring)",
    "ikev2-keyring-peer": "(config-ikev2-keyring-peer)",
    "ikev2-profile": "(config-ikev2-profile)",
    "crypto-trans": "(cfg-crypto-trans)",
    "ipsec-profile": "(ipsec-profile)",
    if: "(config-if)",
};

export interface Frame {
    mode: Mode;
    name?: string;
    peer?: string;
}

/** The router: configuration and what outlives a session. Implemented by the server. */
export interface Core {
    config: RunningConfig;
    physicalNames: string[];
    configKey?: string;
    bootSalt: string;
    enableSecretOption?: string;
    startupText(): string | undefined;
    saveStartup(): void;
    setConfigKey(key: string | undefined): void;
    mergeConfigText(text: string): void;
    bootTime: number;
    /** The link to a real charon (emulator option `ike`); undefined: no IKE. */
    ike?: IkeAgent;
    /** Called when a configuration session ends (`end`, Ctrl-Z, `exit` to EXEC) or config was merged. */
    configChanged?(): void;
}

/** One CLI session as the commands see it. */
export interface Session {
    priv: number;
    frames: Frame[];
    termLength: number;
    termWidth: number;
    ask(prompt: string, echo: boolean): Promise<string | null>;
    close(): void;
    exec(line: string): Promise<string>;
}

export interface Ctx {
    core: Core;
    sess: Session;
}

/** A command that parsed but that the router refuses: `% Invalid input` with the caret under a token. */
export class CliInvalid extends Error {
    constructor(public readonly at: "first" | "last" = "last") {
        super("invalid input");
    }
}

function frame(ctx: Ctx): Frame {
    return ctx.sess.frames[ctx.sess.frames.length - 1];
}

function enter(ctx: Ctx, f: Frame): void {
    ctx.sess.frames.push(f);
}

function cfg(ctx: Ctx): RunningConfig {
    return ctx.core.config;
}

function addCommon(root: Node<Ctx>, isSub: boolean): void {
    defNo(root);
    def<Ctx>(root, "exit", (ctx) => {
        ctx.sess.frames.pop();
    }, { help: { exit: isSub ? "Exit from sub-mode" : "Exit from configure mode" } });
    def<Ctx>(root, "end", (ctx) => {
        ctx.sess.frames.splice(1);
    }, { help: { end: "Exit to privileged EXEC mode" } });
    def<Ctx>(root, "do <line>", (ctx, a) => ctx.sess.exec(a[1]), { help: { do: "To run exec commands in config mode" } });
}

// ---------- EXEC ----------
function buildExec(): Node<Ctx> {
    const r = newRoot<Ctx>();
    const help = {
        enable: "Turn on privileged commands",
        disable: "Turn off privileged commands",
        exit: "Exit from the EXEC",
        logout: "Exit from the EXEC",
        show: "Show running system information",
        terminal: "Set terminal line parameters",
        configure: "Enter configuration mode",
        write: "Write running configuration to memory, network, or terminal",
        copy: "Copy from one file to another",
        "running-config": "Current operating configuration",
        "startup-config": "Contents of startup configuration",
        version: "System hardware and software status",
        clock: "Display the system clock",
        privilege: "Show current privilege level",
        length: "Set number of lines on a screen",
        width: "Set width of the display terminal",
        memory: "Write to NV memory",
        interface: "Show interface configuration",
        ip: "IP information",
        brief: "Brief summary of IP status and configuration",
    };
    def<Ctx>(r, "enable", async (ctx) => {
        if (ctx.sess.priv >= 15) return;
        const hash = cfg(ctx).enableSecret;
        const clear = ctx.core.enableSecretOption;
        if (!hash && !clear) return "% No password set";
        for (let attempt = 0; attempt < 3; attempt++) {
            const pw = await ctx.sess.ask("Password: ", false);
            if (pw === null) break;
            if ((hash && checkType9(pw, hash)) || (!hash && clear !== undefined && pw === clear)) {
                ctx.sess.priv = 15;
                return;
            }
        }
        return "% Bad secrets";
    }, { help });
    def<Ctx>(r, "disable", (ctx) => {
        ctx.sess.priv = 1;
    }, { help });
    def<Ctx>(r, "(exit|logout)", (ctx) => ctx.sess.close(), { help });
    def<Ctx>(r, "terminal length <int:0-512>", (ctx, a) => {
        ctx.sess.termLength = Number(a[2]);
    }, { help });
    def<Ctx>(r, "terminal width <int:0-512>", (ctx, a) => {
        ctx.sess.termWidth = Number(a[2]);
    }, { help });
    def<Ctx>(r, "terminal monitor", () => undefined, { help });
    def<Ctx>(r, "show version", (ctx) => showVersion(ctx), { help });
    def<Ctx>(r, "show clock", () => showClock(), { help });
    def<Ctx>(r, "show privilege", (ctx) => `Current privilege level is ${ctx.sess.priv}`, { help });
    def<Ctx>(r, "show ip interface brief", (ctx) => showIpIntBrief(ctx), { help });
    def<Ctx>(r, "show running-config", (ctx) => showRunning(renderConfig(cfg(ctx))), { help, minPriv: 15 });
    def<Ctx>(r, "show running-config interface <ifname>", (ctx, a) => {
        const i = cfg(ctx).interfaces.get(a[3]);
        if (!i) throw new CliInvalid("last");
        const body = ["!", ...renderInterface(i), "end", ""].join("\n");
        return showRunning(body);
    }, { help, minPriv: 15 });
    def<Ctx>(r, "show startup-config", (ctx) => {
        const s = ctx.core.startupText();
        if (s === undefined) return "startup-config is not present";
        return `Using ${Buffer.byteLength(s)} out of 33554432 bytes\n${s}`;
    }, { help, minPriv: 15 });
    def<Ctx>(r, "configure terminal", (ctx) => {
        ctx.sess.frames.push({ mode: "config" });
        return "Enter configuration commands, one per line.  End with CNTL/Z.";
    }, { help: { ...help, terminal: "Configure from the terminal" }, minPriv: 15 });
    def<Ctx>(r, "write [memory]", (ctx) => {
        ctx.core.saveStartup();
        return "Building configuration...\n[OK]";
    }, { help, minPriv: 15 });
    def<Ctx>(r, "copy running-config startup-config", async (ctx) => {
        const ans = await ctx.sess.ask("Destination filename [startup-config]? ", true);
        if (ans !== null && ans.trim() !== "" && ans.trim() !== "startup-config") return "%Error opening " + ans.trim() + " (Permission denied)";
        ctx.core.saveStartup();
        return "Building configuration...\n[OK]";
    }, { help, minPriv: 15 });
    def<Ctx>(r, "copy startup-config running-config", async (ctx) => {
        const ans = await ctx.sess.ask("Destination filename [running-config]? ", true);
        if (ans !== null && ans.trim() !== "" && ans.trim() !== "running-config") return "%Error opening " + ans.trim() + " (Permission denied)";
        const s = ctx.core.startupText();
        if (s !== undefined) ctx.core.mergeConfigText(s);
        ctx.core.configChanged?.();
        return `${s === undefined ? 0 : Buffer.byteLength(s)} bytes copied in 0.010 secs`;
    }, { help, minPriv: 15 });
    addIkeExecCommands(r);
    finalize(r);
    return r;
}

function showVersion(ctx: Ctx): string {
    const up = Math.floor((Date.now() - ctx.core.bootTime) / 60000);
    return [
        "Cisco IOS XE Software, Version 17.09.04a (emulated)",
        "Cisco IOS Software [Cupertino], Virtual XE Software (X86_64_LINUX_IOSD-UNIVERSALK9-M), Version 17.9.4a, RELEASE SOFTWARE (fc3) (emulated)",
        "This is the pulumi-ikev2 IOS-XE emulator, not Cisco software.",
        "",
        `${cfg(ctx).hostname} uptime is ${up} minute${up === 1 ? "" : "s"}`,
        "System image file is \"emulator:ios-xe-emulator\"",
        "",
        "cisco C8000V (VXE) processor (revision VXE) with 2027003K/3075K bytes of memory.",
        `${ctx.core.physicalNames.length} Gigabit Ethernet interfaces`,
        "",
        "Configuration register is 0x2102",
    ].join("\n");
}

function showClock(): string {
    const d = new Date();
    const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    const t = d.toISOString().slice(11, 23);
    return `*${t} UTC ${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${d.getUTCDate()} ${d.getUTCFullYear()}`;
}

function showIpIntBrief(ctx: Ctx): string {
    const row = (a: string, b: string, c: string, d: string, e: string, f: string) =>
        `${a.padEnd(22)} ${b.padEnd(15)} ${c.padEnd(3)} ${d.padEnd(6)} ${e.padEnd(21)} ${f}`.trimEnd();
    const lines = [row("Interface", "IP-Address", "OK?", "Method", "Status", "Protocol")];
    const ifs = [...cfg(ctx).interfaces.values()].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
    for (const i of ifs) {
        const status = i.shutdown ? "administratively down" : "up";
        // Nothing carries packets here, so a tunnel's line protocol is never up.
        const proto = i.shutdown || !i.physical ? "down" : "up";
        lines.push(row(i.name, i.address?.ip ?? "unassigned", "YES", i.address ? "manual" : "unset", status, proto));
    }
    return lines.join("\n");
}

// ---------- CONFIG ----------
function secret(ctx: Ctx, args: string[]): Secret {
    // args: [... , ("0"|"6")?, KEY]
    const key = args[args.length - 1];
    const typ = args[args.length - 2];
    if (typ === "6") return { type: "6", value: key };
    return encryptIfOn(ctx, { type: "0", value: key });
}

function encryptIfOn(ctx: Ctx, s: Secret): Secret {
    if (s.type === "0" && cfg(ctx).passwordEncryptionAes && ctx.core.configKey)
        return { type: "6", value: type6(s.value, ctx.core.configKey, ctx.core.bootSalt) };
    return s;
}

export function encryptAllKeys(ctx: Ctx): void {
    for (const k of cfg(ctx).keyrings.values())
        for (const p of k.peers) {
            if (p.psk) p.psk = encryptIfOn(ctx, p.psk);
            if (p.pskLocal) p.pskLocal = encryptIfOn(ctx, p.pskLocal);
            if (p.pskRemote) p.pskRemote = encryptIfOn(ctx, p.pskRemote);
        }
}

function hashedSecret(arg: string): string {
    const m = /^9\s+(\$9\$\S+)$/.exec(arg);
    if (m) return m[1];
    return type9(arg.replace(/^0\s+/, ""));
}

function buildConfig(): Node<Ctx> {
    const r = newRoot<Ctx>();
    addCommon(r, false);
    const help = {
        crypto: "Encryption module",
        ikev2: "Configure IKEv2 Options",
        ipsec: "Configure IPSEC policy",
        proposal: "Define IKEv2 proposals",
        policy: "Define IKEv2 policies",
        keyring: "Define IKEv2 Keyrings",
        profile: "Define IKEv2 profiles",
        "transform-set": "Define transform and settings",
        interface: "Select an interface to configure",
        ip: "Global IP configuration subcommands",
        route: "Establish static routes",
        hostname: "Set system's network name",
        password: "Configure encryption password (key)",
        key: "Key management",
        username: "Establish User Name Authentication",
        enable: "Modify enable password parameters",
    };
    def<Ctx>(r, "hostname <word>", (ctx, a, neg) => {
        cfg(ctx).hostname = neg ? "Router" : a[1];
    }, { help, noMin: 1 });
    def<Ctx>(r, "version <line>", () => undefined, { help });
    def<Ctx>(r, "service <line>", () => undefined, { help });
    def<Ctx>(r, "enable secret <line>", (ctx, a, neg) => {
        cfg(ctx).enableSecret = neg ? undefined : hashedSecret(a[2]);
    }, { help, noMin: 2 });
    def<Ctx>(r, "username <word> privilege <int:0-15> (secret|password) <line>", (ctx, a, neg) => username(ctx, a, neg), { help, noMin: 2 });
    def<Ctx>(r, "username <word> (secret|password) <line>", (ctx, a, neg) => username(ctx, a, neg), { help, noMin: 2 });
    def<Ctx>(r, "password encryption aes", (ctx, _a, neg) => {
        cfg(ctx).passwordEncryptionAes = !neg;
        if (!neg) encryptAllKeys(ctx);
    }, { help, noMin: 3 });
    def<Ctx>(r, "key config-key password-encrypt <word>", (ctx, a, neg) => {
        ctx.core.setConfigKey(neg ? undefined : a[3]);
        if (!neg) encryptAllKeys(ctx);
    }, { help, noMin: 3 });
    def<Ctx>(r, "crypto ikev2 proposal <word>", (ctx, a, neg) => {
        const m = cfg(ctx).proposals;
        if (neg) return void m.delete(a[3]);
        if (!m.has(a[3])) m.set(a[3], { name: a[3], encryption: [], integrity: [], prf: [], group: [] });
        enter(ctx, { mode: "ikev2-proposal", name: a[3] });
    }, { help, noMin: 4 });
    def<Ctx>(r, "crypto ikev2 policy <word>", (ctx, a, neg) => {
        const m = cfg(ctx).policies;
        if (neg) return void m.delete(a[3]);
        if (!m.has(a[3])) m.set(a[3], { name: a[3], localAddresses: [], proposals: [] });
        enter(ctx, { mode: "ikev2-policy", name: a[3] });
    }, { help, noMin: 4 });
    def<Ctx>(r, "crypto ikev2 keyring <word>", (ctx, a, neg) => {
        const m = cfg(ctx).keyrings;
        if (neg) return void m.delete(a[3]);
        if (!m.has(a[3])) m.set(a[3], { name: a[3], peers: [] });
        enter(ctx, { mode: "ikev2-keyring", name: a[3] });
    }, { help, noMin: 4 });
    def<Ctx>(r, "crypto ikev2 profile <word>", (ctx, a, neg) => {
        const m = cfg(ctx).profiles;
        if (neg) return void m.delete(a[3]);
        if (!m.has(a[3])) m.set(a[3], { name: a[3], matchIdentities: [] });
        enter(ctx, { mode: "ikev2-profile", name: a[3] });
    }, { help, noMin: 4 });
    def<Ctx>(r, "crypto ipsec transform-set <word> <transforms>", (ctx, a, neg) => {
        const m = cfg(ctx).transformSets;
        if (neg) return void m.delete(a[3]);
        const t = m.get(a[3]);
        if (t) t.transforms = a.slice(4);
        else m.set(a[3], { name: a[3], transforms: a.slice(4), mode: "tunnel" });
        enter(ctx, { mode: "crypto-trans", name: a[3] });
    }, { help, noMin: 4 });
    def<Ctx>(r, "crypto ipsec profile <word>", (ctx, a, neg) => {
        const m = cfg(ctx).ipsecProfiles;
        if (neg) return void m.delete(a[3]);
        if (!m.has(a[3])) m.set(a[3], { name: a[3], transformSets: [] });
        enter(ctx, { mode: "ipsec-profile", name: a[3] });
    }, { help, noMin: 4 });
    def<Ctx>(r, "interface <ifname>", (ctx, a, neg) => {
        const m = cfg(ctx).interfaces;
        const name = a[1];
        const virtual = /^(Tunnel|Loopback)\d+$/.test(name);
        if (neg) {
            if (!virtual) throw new CliInvalid("last");
            m.delete(name);
            return;
        }
        if (!m.has(name)) {
            if (!virtual) throw new CliInvalid("last");
            m.set(name, { name, physical: false, shutdown: false });
        }
        enter(ctx, { mode: "if", name });
    }, { help, noMin: 2 });
    const route = (ctx: Ctx, a: string[], neg: boolean) => {
        const [prefix, mask] = [a[2], a[3]];
        const rest = a.slice(4);
        const r2: { prefix: string; mask: string; iface?: string; nexthop?: string; distance?: string; name?: string } = { prefix, mask };
        for (let i = 0; i < rest.length; i++) {
            const v = rest[i];
            if (v === "name") r2.name = rest[++i];
            else if (/^\d+$/.test(v)) r2.distance = v;
            else if (/^\d+\.\d+\.\d+\.\d+$/.test(v)) r2.nexthop = v;
            else r2.iface = v;
        }
        if (!neg && !maskOk(prefix, mask)) return "%Inconsistent address and mask";
        const same = (x: typeof r2) => x.prefix === prefix && x.mask === mask && (neg && !r2.iface && !r2.nexthop ? true : x.iface === r2.iface && x.nexthop === r2.nexthop);
        const routes = cfg(ctx).routes;
        const idx = routes.findIndex(same);
        if (neg) {
            if (idx < 0) return "%No matching route to delete";
            cfg(ctx).routes = routes.filter((x) => !same(x));
            return;
        }
        if (idx >= 0) routes[idx] = r2;
        else routes.push(r2);
    };
    def<Ctx>(r, "ip route <ip> <mask> (<ifname>|<ip>) [<int:1-255>] [name]", route, { help, noMin: 4 });
    def<Ctx>(r, "ip route <ip> <mask> <ifname> <ip> [<int:1-255>] [name]", route, { help, noMin: 4 });
    // `name <word>` continues whichever route form came before it.
    addRouteName(r, route);
    finalize(r);
    return r;
}

/** Hangs `name WORD` under every `name` keyword of the ip route subtree. */
function addRouteName(r: Node<Ctx>, run: (ctx: Ctx, a: string[], neg: boolean) => void | string): void {
    const walk = (n: Node<Ctx>) => {
        for (const c of n.children) {
            if (c.kw === "name" && c.children.length === 0) {
                c.run = undefined;
                c.noRun = undefined;
                c.children.push({ param: "<word>", help: "WORD", children: [], minPriv: 0, run, noRun: run });
            } else walk(c);
        }
    };
    const ip = r.children.find((c) => c.kw === "ip");
    if (ip) walk(ip);
}

function maskOk(prefix: string, mask: string): boolean {
    const n = (s: string) => s.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
    const m = n(mask);
    const inv = 0xffffffff - m;
    if ((inv & (inv + 1)) !== 0) return false; // not contiguous
    return (n(prefix) & inv) === 0;
}

function username(ctx: Ctx, a: string[], neg: boolean): void {
    const list = cfg(ctx).usernames;
    const i = list.findIndex((u) => u.name === a[1]);
    if (neg) {
        if (i >= 0) list.splice(i, 1);
        return;
    }
    const privilege = a[2] === "privilege" ? a[3] : undefined;
    const u = { name: a[1], privilege, secret: hashedSecret(a[a.length - 1]) };
    if (i >= 0) list[i] = u;
    else list.push(u);
}

function removeValues(list: string[], values: string[]): string[] {
    return values.length ? list.filter((v) => !values.includes(v)) : [];
}

function addValues(list: string[], values: string[]): string[] {
    return [...list, ...values.filter((v, i) => !list.includes(v) && values.indexOf(v) === i)];
}

function buildProposal(): Node<Ctx> {
    const r = newRoot<Ctx>();
    addCommon(r, true);
    const field = (key: "encryption" | "integrity" | "prf" | "group") => (ctx: Ctx, a: string[], neg: boolean) => {
        const p = cfg(ctx).proposals.get(frame(ctx).name!);
        if (!p) return;
        p[key] = neg ? removeValues(p[key], a.slice(1)) : addValues(p[key], a.slice(1));
    };
    const help = {
        encryption: "Set encryption algorithm(s)",
        integrity: "Set integrity hash algorithm(s)",
        prf: "Set prf hash algorithm(s)",
        group: "Set the Diffie-Hellman group(s)",
        "2": "DH 1024 MODP Group",
        "5": "DH 1536 MODP Group",
        "14": "DH 2048 MODP Group",
        "15": "DH 3072 MODP Group",
        "16": "DH 4096 MODP Group",
        "19": "DH 256 ECP Group",
        "20": "DH 384 ECP Group",
        "21": "DH 521 ECP Group",
        "24": "DH 2048 (256 subgroup) MODP Group",
    };
    def<Ctx>(r, "encryption (aes-cbc-128|aes-cbc-192|aes-cbc-256|aes-gcm-128|aes-gcm-256)...", field("encryption"), { help, noMin: 1 });
    def<Ctx>(r, "integrity (sha1|sha256|sha384|sha512)...", field("integrity"), { help, noMin: 1 });
    def<Ctx>(r, "prf (sha1|sha256|sha384|sha512)...", field("prf"), { help, noMin: 1 });
    def<Ctx>(r, "group (2|5|14|15|16|19|20|21|24)...", field("group"), { help, noMin: 1 });
    finalize(r);
    return r;
}

function buildPolicy(): Node<Ctx> {
    const r = newRoot<Ctx>();
    addCommon(r, true);
    const pol = (ctx: Ctx) => cfg(ctx).policies.get(frame(ctx).name!);
    def<Ctx>(r, "proposal <word>", (ctx, a, neg) => {
        const p = pol(ctx);
        if (p) p.proposals = neg ? removeValues(p.proposals, a.slice(1)) : addValues(p.proposals, a.slice(1));
    }, { help: { proposal: "Specify Proposal" }, noMin: 1 });
    def<Ctx>(r, "match fvrf (any|<word>)", (ctx, a, neg) => {
        const p = pol(ctx);
        if (p) p.fvrf = neg ? undefined : a[2];
    }, { noMin: 2 });
    def<Ctx>(r, "match address local <ip>", (ctx, a, neg) => {
        const p = pol(ctx);
        if (p) p.localAddresses = neg ? removeValues(p.localAddresses, a.slice(3)) : addValues(p.localAddresses, a.slice(3));
    }, { noMin: 3 });
    finalize(r);
    return r;
}

function buildKeyring(): Node<Ctx> {
    const r = newRoot<Ctx>();
    addCommon(r, true);
    def<Ctx>(r, "peer <word>", (ctx, a, neg) => {
        const k = cfg(ctx).keyrings.get(frame(ctx).name!);
        if (!k) return;
        const i = k.peers.findIndex((p) => p.name === a[1]);
        if (neg) {
            if (i >= 0) k.peers.splice(i, 1);
            return;
        }
        if (i < 0) k.peers.push({ name: a[1] });
        enter(ctx, { mode: "ikev2-keyring-peer", name: k.name, peer: a[1] });
    }, { help: { peer: "Configure a Peer and associated keys" }, noMin: 2 });
    finalize(r);
    return r;
}

function buildPeer(): Node<Ctx> {
    const r = newRoot<Ctx>();
    addCommon(r, true);
    const peer = (ctx: Ctx): Peer | undefined => cfg(ctx).keyrings.get(frame(ctx).name!)?.peers.find((p) => p.name === frame(ctx).peer);
    const set = <K extends keyof Peer>(key: K, value: (a: string[], ctx: Ctx) => Peer[K]) => (ctx: Ctx, a: string[], neg: boolean) => {
        const p = peer(ctx);
        if (p) p[key] = neg ? undefined as Peer[K] : value(a, ctx);
    };
    def<Ctx>(r, "description <line>", set("description", (a) => a[1]), { noMin: 1 });
    def<Ctx>(r, "address <ip> [<mask>]", set("address", (a) => a.slice(1).join(" ")), { noMin: 1 });
    def<Ctx>(r, "address <ipv6prefix>", set("address", (a) => a[1]), { noMin: 1 });
    def<Ctx>(r, "hostname <word>", set("hostname", (a) => a[1]), { noMin: 1 });
    def<Ctx>(r, "identity address <ip>", set("identity", (a) => a.slice(1).join(" ")), { noMin: 1 });
    def<Ctx>(r, "identity (fqdn|email|key-id) <word>", set("identity", (a) => a.slice(1).join(" ")), { noMin: 1 });
    const pskHelp = { "pre-shared-key": "pre-shared-key", "0": "Specifies an UNENCRYPTED password will follow", "6": "Specifies an ENCRYPTED password will follow" };
    def<Ctx>(r, "pre-shared-key [0|6] <line>", (ctx, a, neg) => {
        const p = peer(ctx);
        if (!p) return;
        p.pskLocal = p.pskRemote = undefined;
        p.psk = neg ? undefined : secret(ctx, a);
    }, { noMin: 1, help: pskHelp });
    def<Ctx>(r, "pre-shared-key (local|remote) [0|6] <line>", (ctx, a, neg) => {
        const p = peer(ctx);
        if (!p) return;
        const key = a[1] === "local" ? "pskLocal" : "pskRemote";
        p.psk = undefined;
        p[key] = neg ? undefined : secret(ctx, a);
    }, { noMin: 2, help: pskHelp });
    finalize(r);
    return r;
}

function buildProfile(): Node<Ctx> {
    const r = newRoot<Ctx>();
    addCommon(r, true);
    const prof = (ctx: Ctx) => cfg(ctx).profiles.get(frame(ctx).name!);
    type Scalar = "description" | "fvrf" | "localAddress" | "identityLocal" | "authRemote" | "authLocal" | "keyringLocal" | "lifetime" | "dpd" | "ivrf";
    const set = (key: Scalar, from: number) => (ctx: Ctx, a: string[], neg: boolean) => {
        const p = prof(ctx);
        if (p) p[key] = neg ? undefined : a.slice(from).join(" ");
    };
    def<Ctx>(r, "description <line>", set("description", 1), { noMin: 1 });
    def<Ctx>(r, "match fvrf (any|<word>)", set("fvrf", 2), { noMin: 2 });
    def<Ctx>(r, "match address local <ip>", set("localAddress", 3), { noMin: 3 });
    const matchId = (ctx: Ctx, a: string[], neg: boolean) => {
        const p = prof(ctx);
        if (!p) return;
        let v = a.slice(3).join(" ");
        if (a[3] === "address" && a.length === 5) v += " 255.255.255.255";
        if (neg) p.matchIdentities = a.length > 3 ? p.matchIdentities.filter((m) => m !== v && !(a.length === 4 && m.startsWith(a[3] + " "))) : [];
        else if (!p.matchIdentities.includes(v)) p.matchIdentities.push(v);
    };
    def<Ctx>(r, "match identity remote address <ip> [<mask>]", matchId, { noMin: 3 });
    def<Ctx>(r, "match identity remote (fqdn|email) [domain] <word>", matchId, { noMin: 3 });
    def<Ctx>(r, "match identity remote key-id <word>", matchId, { noMin: 3 });
    def<Ctx>(r, "identity local address <ip>", set("identityLocal", 2), { noMin: 2 });
    def<Ctx>(r, "identity local (fqdn|email|key-id) <word>", set("identityLocal", 2), { noMin: 2 });
    def<Ctx>(r, "authentication remote pre-share", set("authRemote", 2), { noMin: 2 });
    def<Ctx>(r, "authentication local pre-share", set("authLocal", 2), { noMin: 2 });
    def<Ctx>(r, "keyring local <word>", set("keyringLocal", 2), { noMin: 1 });
    def<Ctx>(r, "lifetime <int:120-86400>", set("lifetime", 1), { noMin: 1 });
    def<Ctx>(r, "dpd <int:10-3600> <int:2-60> (on-demand|periodic)", set("dpd", 1), { noMin: 1 });
    def<Ctx>(r, "ivrf <word>", set("ivrf", 1), { noMin: 1 });
    finalize(r);
    return r;
}

function buildTransformSet(): Node<Ctx> {
    const r = newRoot<Ctx>();
    addCommon(r, true);
    def<Ctx>(r, "mode (tunnel|transport)", (ctx, a, neg) => {
        const t = cfg(ctx).transformSets.get(frame(ctx).name!);
        if (t) t.mode = neg ? "tunnel" : (a[1] as "tunnel" | "transport");
    }, { noMin: 1 });
    finalize(r);
    return r;
}

function buildIpsecProfile(): Node<Ctx> {
    const r = newRoot<Ctx>();
    addCommon(r, true);
    const prof = (ctx: Ctx) => cfg(ctx).ipsecProfiles.get(frame(ctx).name!);
    def<Ctx>(r, "set transform-set <word>...", (ctx, a, neg) => {
        const p = prof(ctx);
        if (p) p.transformSets = neg ? removeValues(p.transformSets, a.slice(2)) : addValues([], a.slice(2));
    }, { noMin: 2 });
    def<Ctx>(r, "set ikev2-profile <word>", (ctx, a, neg) => {
        const p = prof(ctx);
        if (p) p.ikev2Profile = neg ? undefined : a[2];
    }, { noMin: 2 });
    def<Ctx>(r, "set pfs (group14|group15|group16|group19|group20|group21|group24)", (ctx, a, neg) => {
        const p = prof(ctx);
        if (p) p.pfs = neg ? undefined : a[2];
    }, { noMin: 2 });
    def<Ctx>(r, "set security-association lifetime seconds <int:120-2592000>", (ctx, a, neg) => {
        const p = prof(ctx);
        if (p) p.saLifetimeSeconds = neg ? undefined : a[4];
    }, { noMin: 4 });
    def<Ctx>(r, "set security-association lifetime kilobytes <int:2560-4294967295>", (ctx, a, neg) => {
        const p = prof(ctx);
        if (p) p.saLifetimeKilobytes = neg ? undefined : a[4];
    }, { noMin: 4 });
    finalize(r);
    return r;
}

function buildInterface(): Node<Ctx> {
    const r = newRoot<Ctx>();
    addCommon(r, true);
    const ifc = (ctx: Ctx): Iface | undefined => cfg(ctx).interfaces.get(frame(ctx).name!);
    const tunnelOnly = (ctx: Ctx): Iface => {
        const i = ifc(ctx);
        if (!i || !i.name.startsWith("Tunnel")) throw new CliInvalid("first");
        return i;
    };
    def<Ctx>(r, "description <line>", (ctx, a, neg) => {
        const i = ifc(ctx);
        if (i) i.description = neg ? undefined : a[1];
    }, { noMin: 1 });
    def<Ctx>(r, "ip address <ip> <mask>", (ctx, a, neg) => {
        const i = ifc(ctx);
        if (i) i.address = neg ? undefined : { ip: a[2], mask: a[3] };
    }, { noMin: 2 });
    def<Ctx>(r, "ip mtu <int:68-9976>", (ctx, a, neg) => {
        const i = ifc(ctx);
        if (i) i.mtu = neg ? undefined : a[2];
    }, { noMin: 2 });
    def<Ctx>(r, "ip tcp adjust-mss <int:500-1460>", (ctx, a, neg) => {
        const i = ifc(ctx);
        if (i) i.mss = neg ? undefined : a[3];
    }, { noMin: 3 });
    def<Ctx>(r, "shutdown", (ctx, _a, neg) => {
        const i = ifc(ctx);
        if (i) i.shutdown = !neg;
    });
    def<Ctx>(r, "tunnel source (<ifname>|<ip>)", (ctx, a, neg) => {
        tunnelOnly(ctx).tunnelSource = neg ? undefined : a[2];
    }, { noMin: 2 });
    def<Ctx>(r, "tunnel mode ipsec (ipv4|ipv6)", (ctx, a, neg) => {
        tunnelOnly(ctx).tunnelMode = neg ? undefined : a.slice(2).join(" ");
    }, { noMin: 2 });
    def<Ctx>(r, "tunnel mode gre ip", (ctx, _a, neg) => {
        // GRE over IP is the default mode, which IOS does not print.
        if (!neg) tunnelOnly(ctx).tunnelMode = undefined;
    }, { noMin: 2 });
    def<Ctx>(r, "tunnel destination <ip>", (ctx, a, neg) => {
        tunnelOnly(ctx).tunnelDestination = neg ? undefined : a[2];
    }, { noMin: 2 });
    def<Ctx>(r, "tunnel protection ipsec profile <word>", (ctx, a, neg) => {
        tunnelOnly(ctx).tunnelProtection = neg ? undefined : a[4];
    }, { noMin: 3 });
    finalize(r);
    return r;
}

export const GRAMMARS: Record<Mode, Node<Ctx>> = {
    exec: buildExec(),
    config: buildConfig(),
    "ikev2-proposal": buildProposal(),
    "ikev2-policy": buildPolicy(),
    "ikev2-keyring": buildKeyring(),
    "ikev2-keyring-peer": buildPeer(),
    "ikev2-profile": buildProfile(),
    "crypto-trans": buildTransformSet(),
    "ipsec-profile": buildIpsecProfile(),
    if: buildInterface(),
};
