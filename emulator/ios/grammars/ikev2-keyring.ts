/** `crypto ikev2 keyring NAME`, its mode `(config-ikev2-keyring)` and the peer mode `(config-ikev2-keyring-peer)`. */
import type { Peer } from "../config";
import type { Ctx } from "../context";
import { def, finalize, newRoot, Node } from "../grammar";
import { addCommon, cfg, CRYPTO_HELP, enter, frame } from "./common";
import { typedKey } from "./secrets";

export function addKeyringConfig(r: Node<Ctx>): void {
    def<Ctx>(r, "crypto ikev2 keyring <word>", (ctx, a, neg) => {
        const m = cfg(ctx).keyrings;
        if (neg) return void m.delete(a[3]);
        if (!m.has(a[3])) m.set(a[3], { name: a[3], peers: [] });
        enter(ctx, { mode: "ikev2-keyring", name: a[3] });
    }, { help: { ...CRYPTO_HELP, keyring: "Define IKEv2 Keyrings" }, noMin: 4 });
}

export function buildKeyringMode(): Node<Ctx> {
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

export function buildPeerMode(): Node<Ctx> {
    const r = newRoot<Ctx>();
    addCommon(r, true);
    const peer = (ctx: Ctx): Peer | undefined => cfg(ctx).keyrings.get(frame(ctx).name!)?.peers.find((p) => p.name === frame(ctx).peer);
    const set = <K extends keyof Peer>(key: K, value: (a: string[], ctx: Ctx) => Peer[K]) => (ctx: Ctx, a: string[], neg: boolean) => {
        const p = peer(ctx);
        if (p) p[key] = neg ? undefined as Peer[K] : value(a, ctx);
    };
    def<Ctx>(r, "description <line>", set("description", (a) => a[1]), { noMin: 1 });
    // One address per peer, IPv4 (with a mask) or IPv6: a new one replaces the old (YANG choice `ipv4-ipv6`).
    def<Ctx>(r, "address <ip> [<mask>]", set("address", (a) => a.slice(1).join(" ")), { noMin: 1 });
    def<Ctx>(r, "address <ipv6prefix>", set("address", (a) => a[1]), { noMin: 1 });
    def<Ctx>(r, "hostname <word>", set("hostname", (a) => a[1]), { noMin: 1 });
    // One identity per peer (YANG choice `identity`).
    def<Ctx>(r, "identity address (<ip>|<ipv6>)", set("identity", (a) => a.slice(1).join(" ")), { noMin: 1 });
    def<Ctx>(r, "identity (fqdn|email) [domain] <word>", set("identity", (a) => a.slice(1).join(" ")), { noMin: 1 });
    def<Ctx>(r, "identity key-id <word>", set("identity", (a) => a.slice(1).join(" ")), { noMin: 1 });
    const pskHelp = {
        "pre-shared-key": "pre-shared-key",
        "0": "Specifies an UNENCRYPTED password will follow",
        "6": "Specifies an ENCRYPTED password will follow",
        hex: "Key entered in hex string",
    };
    // `local`, `remote`, `hex`, `0` and `6` are keywords where the key goes: a key that abbreviates
    // one of them (`pre-shared-key l`) is parsed as the keyword, and the line is incomplete.
    const both = (ctx: Ctx, a: string[], neg: boolean) => {
        const p = peer(ctx);
        if (!p) return;
        p.pskLocal = p.pskRemote = undefined;
        p.psk = neg ? undefined : typedKey(ctx, a);
    };
    const oneWay = (ctx: Ctx, a: string[], neg: boolean) => {
        const p = peer(ctx);
        if (!p) return;
        const key = a[1] === "local" ? "pskLocal" : "pskRemote";
        p.psk = undefined;
        p[key] = neg ? undefined : typedKey(ctx, a);
    };
    def<Ctx>(r, "pre-shared-key [0|6] <line>", both, { noMin: 1, help: pskHelp });
    def<Ctx>(r, "pre-shared-key hex <word>", both, { noMin: 1, help: pskHelp });
    def<Ctx>(r, "pre-shared-key (local|remote) [0|6] <line>", oneWay, { noMin: 2, help: pskHelp });
    def<Ctx>(r, "pre-shared-key (local|remote) hex <word>", oneWay, { noMin: 2, help: pskHelp });
    finalize(r);
    return r;
}
