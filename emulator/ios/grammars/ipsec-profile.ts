/** `crypto ipsec profile NAME` and its mode `(ipsec-profile)`. */
import type { Ctx } from "../context";
import { def, finalize, newRoot, Node } from "../grammar";
import { DEFAULTS, unlessDefault } from "../spelling";
import { addCommon, addValues, cfg, CRYPTO_HELP, enter, frame, removeValues } from "./common";

export function addIpsecProfileConfig(r: Node<Ctx>): void {
    def<Ctx>(r, "crypto ipsec profile <word>", (ctx, a, neg) => {
        const m = cfg(ctx).ipsecProfiles;
        if (neg) return void m.delete(a[3]);
        if (!m.has(a[3])) m.set(a[3], { name: a[3], transformSets: [] });
        enter(ctx, { mode: "ipsec-profile", name: a[3] });
    }, { help: { ...CRYPTO_HELP, profile: "Configure an ipsec policy profile" }, noMin: 4 });
}

export function buildIpsecProfileMode(): Node<Ctx> {
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
        if (p) p.saLifetimeSeconds = neg ? undefined : unlessDefault(a[4], DEFAULTS.saLifetimeSeconds);
    }, { noMin: 4 });
    def<Ctx>(r, "set security-association lifetime kilobytes <int:2560-4294967295>", (ctx, a, neg) => {
        const p = prof(ctx);
        if (p) p.saLifetimeKilobytes = neg ? undefined : unlessDefault(a[4], DEFAULTS.saLifetimeKilobytes);
    }, { noMin: 4 });
    finalize(r);
    return r;
}
