/** `ip route PREFIX MASK (IFACE|NEXTHOP|IFACE NEXTHOP) [DISTANCE] [name WORD]` in `(config)`. */
import type { Route } from "../config";
import type { Ctx } from "../context";
import { def, Node } from "../grammar";
import { DEFAULTS, unlessDefault } from "../spelling";
import { cfg } from "./common";

export function addRouteConfig(r: Node<Ctx>): void {
    const help = { ip: "Global IP configuration subcommands", route: "Establish static routes" };
    def<Ctx>(r, "ip route <ip> <mask> (<ifname>|<ip>) [<int:1-255>] [name]", route, { help, noMin: 4 });
    def<Ctx>(r, "ip route <ip> <mask> <ifname> <ip> [<int:1-255>] [name]", route, { help, noMin: 4 });
    // `name <word>` continues whichever route form came before it.
    addRouteName(r);
}

function route(ctx: Ctx, a: string[], neg: boolean): string | void {
    const [prefix, mask] = [a[2], a[3]];
    const rest = a.slice(4);
    const wanted: Route = { prefix, mask };
    for (let i = 0; i < rest.length; i++) {
        const v = rest[i];
        if (v === "name") wanted.name = rest[++i];
        // A static route's default distance is not printed.
        else if (/^\d+$/.test(v)) wanted.distance = unlessDefault(v, DEFAULTS.routeDistance);
        else if (/^\d+\.\d+\.\d+\.\d+$/.test(v)) wanted.nexthop = v;
        else wanted.iface = v;
    }
    if (!neg && !maskOk(prefix, mask)) return "%Inconsistent address and mask";
    const same = (x: Route) =>
        x.prefix === prefix && x.mask === mask && (neg && !wanted.iface && !wanted.nexthop ? true : x.iface === wanted.iface && x.nexthop === wanted.nexthop);
    const routes = cfg(ctx).routes;
    const idx = routes.findIndex(same);
    if (neg) {
        if (idx < 0) return "%No matching route to delete";
        cfg(ctx).routes = routes.filter((x) => !same(x));
        return;
    }
    if (idx >= 0) routes[idx] = wanted;
    else routes.push(wanted);
}

/** Hangs `name WORD` under every `name` keyword of the ip route subtree. */
function addRouteName(r: Node<Ctx>): void {
    const walk = (n: Node<Ctx>) => {
        for (const c of n.children) {
            if (c.kw === "name" && c.children.length === 0) {
                c.run = undefined;
                c.noRun = undefined;
                c.children.push({ param: "<word>", help: "WORD", children: [], minPriv: 0, run: route, noRun: route });
            } else walk(c);
        }
    };
    const ip = r.children.find((c) => c.kw === "ip");
    if (ip) walk(ip);
}

function maskOk(prefix: string, mask: string): boolean {
    const n = (s: string) => s.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
    const m = n(mask);
    const inv = 0xffffffff - m;
    if ((inv & (inv + 1)) !== 0) return false; // not contiguous
    return (n(prefix) & inv) === 0;
}
