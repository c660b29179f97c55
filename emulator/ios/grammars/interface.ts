/** `interface NAME` and its mode `(config-if)`: addresses, shutdown, and the tunnel lines of a VTI. */
import type { Iface } from "../config";
import { CliInvalid, Ctx } from "../context";
import { def, finalize, newRoot, Node } from "../grammar";
import { addCommon, cfg, enter, frame } from "./common";

export function addInterfaceConfig(r: Node<Ctx>): void {
    def<Ctx>(r, "interface <ifname>", (ctx, a, neg) => {
        const m = cfg(ctx).interfaces;
        const name = a[1];
        const virtual = /^(Tunnel|Loopback)\d+$/.test(name);
        if (neg) {
            if (!virtual) throw new CliInvalid("last");
            m.delete(name);
            return;
        }
        if (!m.has(name)) {
            if (!virtual) throw new CliInvalid("last");
            m.set(name, { name, physical: false, shutdown: false });
        }
        enter(ctx, { mode: "if", name });
    }, { help: { interface: "Select an interface to configure" }, noMin: 2 });
}

export function buildInterfaceMode(): Node<Ctx> {
    const r = newRoot<Ctx>();
    addCommon(r, true);
    const ifc = (ctx: Ctx): Iface | undefined => cfg(ctx).interfaces.get(frame(ctx).name!);
    const tunnelOnly = (ctx: Ctx): Iface => {
        const i = ifc(ctx);
        if (!i || !i.name.startsWith("Tunnel")) throw new CliInvalid("first");
        return i;
    };
    def<Ctx>(r, "description <line>", (ctx, a, neg) => {
        const i = ifc(ctx);
        if (i) i.description = neg ? undefined : a[1];
    }, { noMin: 1 });
    def<Ctx>(r, "ip address <ip> <mask>", (ctx, a, neg) => {
        const i = ifc(ctx);
        if (i) i.address = neg ? undefined : { ip: a[2], mask: a[3] };
    }, { noMin: 2 });
    def<Ctx>(r, "ip mtu <int:68-9976>", (ctx, a, neg) => {
        const i = ifc(ctx);
        if (i) i.mtu = neg ? undefined : a[2];
    }, { noMin: 2 });
    def<Ctx>(r, "ip tcp adjust-mss <int:500-1460>", (ctx, a, neg) => {
        const i = ifc(ctx);
        if (i) i.mss = neg ? undefined : a[3];
    }, { noMin: 3 });
    def<Ctx>(r, "shutdown", (ctx, _a, neg) => {
        const i = ifc(ctx);
        if (i) i.shutdown = !neg;
    });
    def<Ctx>(r, "tunnel source (<ifname>|<ip>|<ipv6>)", (ctx, a, neg) => {
        tunnelOnly(ctx).tunnelSource = neg ? undefined : a[2];
    }, { noMin: 2 });
    def<Ctx>(r, "tunnel mode ipsec (ipv4|ipv6)", (ctx, a, neg) => {
        tunnelOnly(ctx).tunnelMode = neg ? undefined : a.slice(2).join(" ");
    }, { noMin: 2 });
    def<Ctx>(r, "tunnel mode gre ip", (ctx, _a, neg) => {
        // GRE over IP is the default mode, which IOS does not print.
        if (!neg) tunnelOnly(ctx).tunnelMode = undefined;
    }, { noMin: 2 });
    def<Ctx>(r, "tunnel destination (<ip>|<ipv6>)", (ctx, a, neg) => {
        tunnelOnly(ctx).tunnelDestination = neg ? undefined : a[2];
    }, { noMin: 2 });
    def<Ctx>(r, "tunnel protection ipsec profile <word>", (ctx, a, neg) => {
        tunnelOnly(ctx).tunnelProtection = neg ? undefined : a[4];
    }, { noMin: 3 });
    finalize(r);
    return r;
}
