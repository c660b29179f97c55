/** `crypto ikev2 proposal NAME` and its mode `(config-ikev2-proposal)`. */
import type { Ctx } from "../context";
import { def, finalize, newRoot, Node } from "../grammar";
import { addCommon, addValues, cfg, CRYPTO_HELP, enter, frame, removeValues } from "./common";

export function addProposalConfig(r: Node<Ctx>): void {
    def<Ctx>(r, "crypto ikev2 proposal <word>", (ctx, a, neg) => {
        const m = cfg(ctx).proposals;
        if (neg) return void m.delete(a[3]);
        if (!m.has(a[3])) m.set(a[3], { name: a[3], encryption: [], integrity: [], prf: [], group: [] });
        enter(ctx, { mode: "ikev2-proposal", name: a[3] });
    }, { help: { ...CRYPTO_HELP, proposal: "Define IKEv2 proposals" }, noMin: 4 });
}

export function buildProposalMode(): Node<Ctx> {
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
