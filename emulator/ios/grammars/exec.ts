/** EXEC mode (`>` and `#`): privilege, terminal settings, show commands, configure, saving. */
import { checkType9, renderInterface, showRunning } from "../config";
import { CliInvalid, Ctx } from "../context";
import { def, Node } from "../grammar";
import { cfg } from "./common";

export function addExecCommands(r: Node<Ctx>): void {
    const help = {
        enable: "Turn on privileged commands",
        disable: "Turn off privileged commands",
        exit: "Exit from the EXEC",
        logout: "Exit from the EXEC",
        show: "Show running system information",
        terminal: "Set terminal line parameters",
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
    def<Ctx>(r, "show running-config", async (ctx) => showRunning(await ctx.core.generateConfig()), { help, minPriv: 15 });
    def<Ctx>(r, "show running-config interface <ifname>", async (ctx, a) => {
        const i = cfg(ctx).interfaces.get(a[3]);
        if (!i) throw new CliInvalid("last");
        await ctx.core.partialRead();
        const body = ["!", ...renderInterface(i), "end", ""].join("\n");
        return showRunning(body);
    }, { help, minPriv: 15 });
    def<Ctx>(r, "show logging", (ctx) => ctx.core.syslog.show(), { help: { logging: "Show the contents of logging buffers" }, minPriv: 15 });
    def<Ctx>(r, "show startup-config", async (ctx) => {
        await ctx.core.partialRead();
        const s = ctx.core.startupText();
        if (s === undefined) return "startup-config is not present";
        return `Using ${Buffer.byteLength(s)} out of 33554432 bytes\n${s}`;
    }, { help, minPriv: 15 });
    def<Ctx>(r, "write [memory]", async (ctx) => {
        await ctx.core.saveStartup();
        return "Building configuration...\n[OK]";
    }, { help, minPriv: 15 });
    def<Ctx>(r, "copy running-config startup-config", async (ctx) => {
        const ans = await ctx.sess.ask("Destination filename [startup-config]? ", true);
        if (ans !== null && ans.trim() !== "" && ans.trim() !== "startup-config") return "%Error opening " + ans.trim() + " (Permission denied)";
        await ctx.core.saveStartup();
        return "Building configuration...\n[OK]";
    }, { help, minPriv: 15 });
    def<Ctx>(r, "copy startup-config running-config", async (ctx) => {
        const ans = await ctx.sess.ask("Destination filename [running-config]? ", true);
        if (ans !== null && ans.trim() !== "" && ans.trim() !== "running-config") return "%Error opening " + ans.trim() + " (Permission denied)";
        const refused = ctx.core.safety.refusal(ctx.sess.line);
        if (refused) return refused;
        await ctx.core.partialRead();
        const s = ctx.core.startupText();
        if (s !== undefined) ctx.core.mergeConfigText(s);
        ctx.core.configChanged();
        return `${s === undefined ? 0 : Buffer.byteLength(s)} bytes copied in 0.010 secs`;
    }, { help, minPriv: 15 });
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
