/**
 * `ping [ip] DEST [repeat N] [size N] [source IFACE|ADDRESS] [timeout S]`, options in any order
 * and abbreviated as IOS allows. The echoes are real in the lab (ping.ts); elsewhere the emulator
 * has no data path and says so.
 */
import { CliInvalid, Ctx } from "../context";
import { def, matchIfName, Node, tokenize } from "../grammar";
import { formatPing, PingRequest, sendPing } from "../ping";
import { cfg } from "./common";

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const OPTIONS: Record<string, [number, number]> = { repeat: [1, 2147483647], size: [36, 18024], timeout: [0, 3600] };

export function addPingExec(r: Node<Ctx>): void {
    def<Ctx>(r, "ping <line>", async (ctx, a) => {
        const parsed = parsePing(ctx, a[1]);
        if (typeof parsed === "string") return parsed;
        if (!ctx.core.dataPath) return "% This emulator has no data path outside the lab (option ike): ping sends nothing";
        return formatPing(parsed, await sendPing(parsed));
    }, { help: { ping: "Send echo messages" } });
}

/** The request, or IOS's message for a destination or source it cannot use. */
function parsePing(ctx: Ctx, text: string): PingRequest | string {
    const toks = tokenize(text);
    let i = toks[0]?.text.toLowerCase() === "ip" ? 1 : 0;
    const destination = toks[i]?.text;
    if (!destination) throw new CliInvalid("last");
    if (!IPV4.test(destination)) return "% Unrecognized host or address, or protocol not running.";
    const req: PingRequest = { destination, repeat: 5, size: 100, timeout: 2 };
    i++;
    while (i < toks.length) {
        const word = toks[i].text.toLowerCase();
        const keys = [...Object.keys(OPTIONS), "source"].filter((k) => k.startsWith(word));
        if (keys.length !== 1 || i + 1 >= toks.length) throw new CliInvalid("last");
        const key = keys[0];
        if (key === "source") {
            const value = toks[i + 1].text;
            if (IPV4.test(value)) {
                const own = [...cfg(ctx).interfaces.values()].some((f) => f.address?.ip === value && !f.shutdown);
                if (!own) return "% Invalid source address- IP address not on any of our up interfaces";
                req.source = value;
                i += 2;
                continue;
            }
            const name = matchIfName(toks, i + 1);
            const iface = name && cfg(ctx).interfaces.get(name.name);
            if (!name || !iface) throw new CliInvalid("last");
            if (!iface.address || iface.shutdown) return "% Invalid source interface - IP not enabled or interface is down";
            req.source = iface.address.ip;
            i += 1 + name.n;
            continue;
        }
        const n = toks[i + 1].text;
        const [min, max] = OPTIONS[key];
        if (!/^\d+$/.test(n) || Number(n) < min || Number(n) > max) throw new CliInvalid("last");
        if (key === "repeat") req.repeat = Number(n);
        else if (key === "size") req.size = Number(n);
        else req.timeout = Number(n);
        i += 2;
    }
    return req;
}
