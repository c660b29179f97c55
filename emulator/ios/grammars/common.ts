/** Helpers every configuration grammar shares: the current object, entering a sub-mode, the lines every mode has. */
import type { RunningConfig } from "../config";
import type { Ctx, Frame } from "../context";
import { def, defNo, Node } from "../grammar";

export function frame(ctx: Ctx): Frame {
    return ctx.sess.frames[ctx.sess.frames.length - 1];
}

export function enter(ctx: Ctx, f: Frame): void {
    ctx.sess.frames.push(f);
}

export function cfg(ctx: Ctx): RunningConfig {
    return ctx.core.config;
}

/** `no`, `exit`, `end` and `do` of every configuration mode. */
export function addCommon(root: Node<Ctx>, isSub: boolean): void {
    defNo(root);
    def<Ctx>(root, "exit", (ctx) => {
        ctx.sess.frames.pop();
    }, { help: { exit: isSub ? "Exit from sub-mode" : "Exit from configure mode" } });
    def<Ctx>(root, "end", (ctx) => {
        ctx.sess.frames.splice(1);
    }, { help: { end: "Exit to privileged EXEC mode" } });
    def<Ctx>(root, "do <line>", (ctx, a) => ctx.sess.exec(a[1]), { help: { do: "To run exec commands in config mode" } });
}

/** `no X A B`: removes the values; `no X` alone clears the list. */
export function removeValues(list: string[], values: string[]): string[] {
    return values.length ? list.filter((v) => !values.includes(v)) : [];
}

/** Appends the values not yet in the list, in the order given. */
export function addValues(list: string[], values: string[]): string[] {
    return [...list, ...values.filter((v, i) => !list.includes(v) && values.indexOf(v) === i)];
}

/** `?` help of the words that open the crypto object families in `(config)`. */
export const CRYPTO_HELP = { crypto: "Encryption module", ikev2: "Configure IKEv2 Options", ipsec: "Configure IPSEC policy" };
