/** `crypto ipsec transform-set NAME TRANSFORMS` and its mode `(cfg-crypto-trans)`. */
import type { Ctx } from "../context";
import { def, finalize, newRoot, Node } from "../grammar";
import { DEFAULTS } from "../spelling";
import { addCommon, cfg, CRYPTO_HELP, enter, frame } from "./common";

export function addTransformSetConfig(r: Node<Ctx>): void {
    def<Ctx>(r, "crypto ipsec transform-set <word> <transforms>", (ctx, a, neg) => {
        const m = cfg(ctx).transformSets;
        if (neg) return void m.delete(a[3]);
        // The default key size is not printed: `esp-aes 128` shows as `esp-aes`.
        const transforms = a.slice(4).map((v) => (v.endsWith(` ${DEFAULTS.espKeyBits}`) ? v.split(" ")[0] : v));
        const t = m.get(a[3]);
        if (t) t.transforms = transforms;
        else m.set(a[3], { name: a[3], transforms, mode: "tunnel" });
        enter(ctx, { mode: "crypto-trans", name: a[3] });
    }, { help: { ...CRYPTO_HELP, "transform-set": "Define transform and settings" }, noMin: 4 });
}

export function buildTransformSetMode(): Node<Ctx> {
    const r = newRoot<Ctx>();
    addCommon(r, true);
    def<Ctx>(r, "mode (tunnel|transport)", (ctx, a, neg) => {
        const t = cfg(ctx).transformSets.get(frame(ctx).name!);
        if (t) t.mode = neg ? "tunnel" : (a[1] as "tunnel" | "transport");
    }, { noMin: 1 });
    finalize(r);
    return r;
}
