/**
 * EXEC commands of the IKE feature: `show crypto ...`, `debug crypto ikev2`, `undebug crypto ikev2`,
 * `undebug all`, `show debugging`, `clear crypto session [remote IP]`, `clear crypto ikev2 sa` (debug
 * lines go to the logging buffer). Without an IKE agent (no charon
 * configured) they answer like an IOS router with no crypto sessions.
 */
import type { Ctx } from "../context";
import { def, Node } from "../grammar";
import { showIkev2Profile, showIkev2Sa, showIpsecSa } from "./show";

export function addIkeExecCommands(r: Node<Ctx>): void {
    const help = {
        crypto: "Encryption module",
        ikev2: "Shows ikev2 information",
        ipsec: "Show IPSEC policy",
        sa: "Shows ikev2 SAs",
        profile: "Shows ikev2 profiles",
        session: "Crypto session",
        debug: "Debugging functions (see also 'undebug')",
        undebug: "Disable debugging functions (see also 'debug')",
        all: "Enable all debugging",
        clear: "Reset functions",
    };
    def<Ctx>(r, "show crypto ikev2 sa", (ctx) => showIkev2Sa(ctx.core.ike), { help, minPriv: 15 });
    def<Ctx>(r, "show crypto ipsec sa", (ctx) => showIpsecSa(ctx.core.ike, ctx.core.config), { help, minPriv: 15 });
    def<Ctx>(r, "show crypto ikev2 profile", (ctx) => showIkev2Profile(ctx.core.config), { help, minPriv: 15 });
    def<Ctx>(r, "debug crypto ikev2", (ctx) => {
        ctx.core.ike?.setDebug(true);
        return "IKEv2 default debugging is on";
    }, { help, minPriv: 15 });
    def<Ctx>(r, "undebug crypto ikev2", (ctx) => {
        ctx.core.ike?.setDebug(false);
        return "IKEv2 default debugging is off";
    }, { help, minPriv: 15 });
    def<Ctx>(r, "show debugging", (ctx) => (ctx.core.ike?.debugOn ? "Crypto Subsystem:\n  IKEv2 default debugging is on" : ""), {
        help: { ...help, debugging: "State of each debugging option" },
        minPriv: 15,
    });
    def<Ctx>(r, "undebug all", (ctx) => {
        ctx.core.ike?.setDebug(false);
        return "All possible debugging has been turned off";
    }, { help, minPriv: 15 });
    def<Ctx>(r, "clear crypto session", async (ctx) => {
        await ctx.core.ike?.clear();
    }, { help, minPriv: 15 });
    def<Ctx>(r, "clear crypto session remote <ip>", async (ctx, a) => {
        await ctx.core.ike?.clear(a[4]);
    }, { help: { ...help, remote: "Remote Crypto Peer IP address" }, minPriv: 15 });
    def<Ctx>(r, "clear crypto ikev2 sa", async (ctx) => {
        await ctx.core.ike?.clear();
    }, { help, minPriv: 15 });
}
