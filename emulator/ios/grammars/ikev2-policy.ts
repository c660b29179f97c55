/** `crypto ikev2 policy NAME` and its mode `(config-ikev2-policy)`. */
import type { Ctx } from "../context";
import { def, finalize, newRoot, Node } from "../grammar";
import { addCommon, addValues, cfg, CRYPTO_HELP, enter, frame, removeValues } from "./common";

export function addPolicyConfig(r: Node<Ctx>): void {
    def<Ctx>(r, "crypto ikev2 policy <word>", (ctx, a, neg) => {
        const m = cfg(ctx).policies;
        if (neg) return void m.delete(a[3]);
        if (!m.has(a[3])) m.set(a[3], { name: a[3], localAddresses: [], proposals: [] });
        enter(ctx, { mode: "ikev2-policy", name: a[3] });
    }, { help: { ...CRYPTO_HELP, policy: "Define IKEv2 policies" }, noMin: 4 });
}

export function buildPolicyMode(): Node<Ctx> {
    const r = newRoot<Ctx>();
    addCommon(r, true);
    const pol = (ctx: Ctx) => cfg(ctx).policies.get(frame(ctx).name!);
    // Offered in the order added. Adding one the policy has is refused, as IOS does (a console
    // transcript in a public lab note prints this line for a repeated `proposal` line).
    def<Ctx>(r, "proposal <word>", (ctx, a, neg) => {
        const p = pol(ctx);
        if (!p) return;
        if (!neg && p.proposals.includes(a[1])) return "% Policy already has same proposal set";
        p.proposals = neg ? removeValues(p.proposals, a.slice(1)) : addValues(p.proposals, a.slice(1));
    }, { help: { proposal: "Specify Proposal" }, noMin: 1 });
    def<Ctx>(r, "match fvrf (any|<word>)", (ctx, a, neg) => {
        const p = pol(ctx);
        if (p) p.fvrf = neg ? undefined : a[2];
    }, { noMin: 2 });
    // A list of local addresses (YANG `leaf-list local-ip`), IPv4 or IPv6.
    def<Ctx>(r, "match address local (<ip>|<ipv6>)", (ctx, a, neg) => {
        const p = pol(ctx);
        if (p) p.localAddresses = neg ? removeValues(p.localAddresses, a.slice(3)) : addValues(p.localAddresses, a.slice(3));
    }, { noMin: 3 });
    finalize(r);
    return r;
}
