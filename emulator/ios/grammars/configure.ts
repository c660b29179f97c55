/**
 * Entering configuration mode and the router's safety net around it: `configure terminal [lock |
 * revert timer [idle] N]`, `configure confirm`, `configure revert now | timer [idle] N`,
 * `configure replace URL [force] [time N]`, `show configuration lock`, `clear configuration lock`,
 * and the global line `configuration mode exclusive auto|manual`. The behaviour is in safety.ts;
 * messages and their sources: README.md, "Safety net".
 */
import { CliInvalid, Ctx } from "../context";
import { def, Node } from "../grammar";
import { cfg } from "./common";

const ENTER = "Enter configuration commands, one per line.  End with CNTL/Z.";
const LOCKED = "Configuration mode locked exclusively. The lock will be cleared once you exit out of configuration mode using end/exit";
const REPLACE_QUESTION = [
    "This will apply all necessary additions and deletions",
    "to replace the current running configuration with the",
    "contents of the specified configuration file, which is",
    "assumed to be a complete configuration, not a partial",
    "configuration. Enter Y if you are sure you want to proceed. ? [no]: ",
].join("\n");

/** `configure terminal` in all its forms: the lock, then configuration mode. */
function enterConfig(ctx: Ctx, reason: string, lock: boolean): { refused: string } | { text: string } {
    const r = ctx.core.safety.enter(ctx.sess.line, reason, lock);
    if ("refused" in r) return r;
    ctx.sess.frames.push({ mode: "config" });
    return { text: r.locked ? `${LOCKED}\n${ENTER}` : ENTER };
}

export function addConfigureExec(r: Node<Ctx>): void {
    const help = {
        configure: "Enter configuration mode",
        terminal: "Configure from the terminal",
        lock: "Lock configuration mode",
        revert: "Parameters for reverting the configuration",
        timer: "Time for reverting the configuration",
        idle: "Maximum allowed idle time for reverting the configuration",
        confirm: "Confirm replacement of running-config",
        now: "Cancel the timed rollback and trigger it immediately",
        replace: "Replace the running-config with a new config file",
        force: "Replace without prompting for confirmation",
        time: "Time to wait for confirmation",
        configuration: "Contents of Non-Volatile memory",
        clear: "Reset functions",
    };
    const opts = { help, minPriv: 15 };
    def<Ctx>(r, "configure terminal", (ctx) => {
        const e = enterConfig(ctx, "configure terminal", false);
        return "refused" in e ? e.refused : e.text;
    }, opts);
    def<Ctx>(r, "configure terminal lock", (ctx) => {
        // The keyword works only once `configuration mode exclusive` is configured.
        if (!cfg(ctx).exclusiveMode) throw new CliInvalid("last");
        const e = enterConfig(ctx, "configure terminal lock", true);
        return "refused" in e ? e.refused : e.text;
    }, opts);
    const revert = (kind: "absolute" | "idle") => async (ctx: Ctx, a: string[]) => {
        const refused = ctx.core.safety.refusal(ctx.sess.line);
        if (refused) return refused;
        const started = await ctx.core.safety.startRevert(ctx.sess.line, kind, Number(a[a.length - 1]));
        if (!started.ok) return started.text;
        const e = enterConfig(ctx, "configure terminal revert", false);
        return "refused" in e ? e.refused : `${started.text}\n\n${e.text}`;
    };
    def<Ctx>(r, "configure terminal revert timer <int:1-120>", revert("absolute"), opts);
    def<Ctx>(r, "configure terminal revert timer idle <int:1-120>", revert("idle"), opts);
    def<Ctx>(r, "configure confirm", (ctx) => ctx.core.safety.confirm(ctx.sess.line), opts);
    def<Ctx>(r, "configure revert now", (ctx) => ctx.core.safety.revertNow(ctx.sess.line), opts);
    def<Ctx>(r, "configure revert timer <int:1-120>", (ctx, a) => ctx.core.safety.resetTimer(ctx.sess.line, "absolute", Number(a[3])), opts);
    def<Ctx>(r, "configure revert timer idle <int:1-120>", (ctx, a) => ctx.core.safety.resetTimer(ctx.sess.line, "idle", Number(a[4])), opts);

    const replace = async (ctx: Ctx, a: string[]) => {
        const url = a[2];
        const force = a.includes("force");
        const time = a.includes("time") ? Number(a[a.length - 1]) : undefined;
        const text = ctx.core.safety.readFile(url);
        if (text === undefined) return `%Error opening ${url} (No such file or directory)`;
        if (!force) {
            const answer = await ctx.sess.ask(REPLACE_QUESTION, true);
            if (!answer || !/^y(es)?$/i.test(answer.trim())) return undefined;
        }
        // IOS locks the running-config for the replacement; here it is one synchronous step, refused
        // only while another line holds the lock.
        const line = ctx.sess.line;
        const refused = ctx.core.safety.refusal(line);
        if (refused) return refused;
        if (time !== undefined) {
            const started = await ctx.core.safety.startRevert(line, "absolute", time);
            if (!started.ok) return started.text;
        }
        ctx.core.replaceRunningConfig(text);
        return "Total number of passes: 1\nRollback Done";
    };
    def<Ctx>(r, "configure replace <word>", replace, opts);
    def<Ctx>(r, "configure replace <word> force", replace, opts);
    def<Ctx>(r, "configure replace <word> time <int:1-120>", replace, opts);
    def<Ctx>(r, "configure replace <word> force time <int:1-120>", replace, opts);

    def<Ctx>(r, "show configuration lock", (ctx) => ctx.core.safety.showLock(), { help: { configuration: "Contents of Non-Volatile memory", lock: "Show the configuration lock" }, minPriv: 15 });
    def<Ctx>(r, "clear configuration lock", async (ctx) => {
        const holder = ctx.core.safety.holder();
        if (!holder) return "Parser Config not locked.";
        const answer = await ctx.sess.ask(`Process <${holder.line.pid}> is holding the EXCLUSIVE lock !\nDo you want to clear the lock?[confirm]`, true);
        if (answer === null || !/^(y(es)?)?$/i.test(answer.trim())) return undefined;
        ctx.core.safety.clearLock(ctx.sess.line);
        return undefined;
    }, { help: { clear: "Reset functions", configuration: "Configuration", lock: "Clear the configuration lock" }, minPriv: 15 });
}

export function addExclusiveModeConfig(r: Node<Ctx>): void {
    def<Ctx>(r, "configuration mode exclusive (auto|manual)", (ctx, a, neg) => {
        cfg(ctx).exclusiveMode = neg ? undefined : a[3] === "auto" ? "auto" : "manual";
    }, { help: { configuration: "Configuration access", mode: "Set the configuration mode", exclusive: "Configure exclusive configuration mode", auto: "Lock configuration mode automatically", manual: "Lock configuration mode on-demand" }, noMin: 3 });
}
