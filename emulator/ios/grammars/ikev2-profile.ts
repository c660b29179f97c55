/** `crypto ikev2 profile NAME` and its mode `(config-ikev2-profile)`. */
import type { Ctx } from "../context";
import { def, finalize, newRoot, Node } from "../grammar";
import { DEFAULTS, unlessDefault } from "../spelling";
import { addCommon, cfg, CRYPTO_HELP, enter, frame } from "./common";

export function addProfileConfig(r: Node<Ctx>): void {
    def<Ctx>(r, "crypto ikev2 profile <word>", (ctx, a, neg) => {
        const m = cfg(ctx).profiles;
        if (neg) return void m.delete(a[3]);
        if (!m.has(a[3])) m.set(a[3], { name: a[3], matchIdentities: [] });
        enter(ctx, { mode: "ikev2-profile", name: a[3] });
    }, { help: { ...CRYPTO_HELP, profile: "Define IKEv2 profiles" }, noMin: 4 });
}

export function buildProfileMode(): Node<Ctx> {
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
    // One local address per profile (YANG `match/address/local/ip`, a leaf): a new one replaces it.
    def<Ctx>(r, "match address local (<ip>|<ipv6>)", set("localAddress", 3), { noMin: 3 });
    // Lists (YANG `match/identity/remote`): IPv4 addresses keyed by address, the mask a leaf of each
    // (a new mask replaces the old, `no` removes the address whatever its mask); the rest leaf-lists.
    const ipv4Key = (m: string) => (/^address \d+\.\d+\.\d+\.\d+ /.test(m) ? m.split(" ").slice(0, 2).join(" ") : m);
    const matchId = (ctx: Ctx, a: string[], neg: boolean) => {
        const p = prof(ctx);
        if (!p) return;
        let v = a.slice(3).join(" ");
        if (a[3] === "address" && a.length === 5 && !a[4].includes(":")) v += " 255.255.255.255";
        const key = ipv4Key(v);
        if (neg) p.matchIdentities = a.length > 3 ? p.matchIdentities.filter((m) => ipv4Key(m) !== key && !(a.length === 4 && m.startsWith(a[3] + " "))) : [];
        else {
            const at = p.matchIdentities.findIndex((m) => ipv4Key(m) === key);
            if (at >= 0) p.matchIdentities[at] = v;
            else p.matchIdentities.push(v);
        }
    };
    def<Ctx>(r, "match identity remote address <ip> [<mask>]", matchId, { noMin: 3 });
    def<Ctx>(r, "match identity remote address <ipv6prefix>", matchId, { noMin: 3 });
    def<Ctx>(r, "match identity remote (fqdn|email) [domain] <word>", matchId, { noMin: 3 });
    def<Ctx>(r, "match identity remote key-id <word>", matchId, { noMin: 3 });
    def<Ctx>(r, "identity local address (<ip>|<ipv6>)", set("identityLocal", 2), { noMin: 2 });
    def<Ctx>(r, "identity local (fqdn|email|key-id) <word>", set("identityLocal", 2), { noMin: 2 });
    def<Ctx>(r, "authentication remote pre-share", set("authRemote", 2), { noMin: 2 });
    def<Ctx>(r, "authentication local pre-share", set("authLocal", 2), { noMin: 2 });
    def<Ctx>(r, "keyring local <word>", set("keyringLocal", 2), { noMin: 1 });
    def<Ctx>(r, "lifetime <int:120-86400>", (ctx, a, neg) => {
        const p = prof(ctx);
        if (p) p.lifetime = neg ? undefined : unlessDefault(a[1], DEFAULTS.ikev2Lifetime);
    }, { noMin: 1 });
    def<Ctx>(r, "dpd <int:10-3600> <int:2-60> (on-demand|periodic)", set("dpd", 1), { noMin: 1 });
    def<Ctx>(r, "ivrf <word>", set("ivrf", 1), { noMin: 1 });
    finalize(r);
    return r;
}
