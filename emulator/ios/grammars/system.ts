/** Global lines about the router itself: hostname, version and service lines, enable secret, usernames, key encryption. */
import type { Ctx } from "../context";
import { def, Node } from "../grammar";
import { cfg } from "./common";
import { encryptAllKeys, hashedSecret } from "./secrets";

export function addSystemConfig(r: Node<Ctx>): void {
    const help = {
        hostname: "Set system's network name",
        password: "Configure encryption password (key)",
        key: "Key management",
        username: "Establish User Name Authentication",
        enable: "Modify enable password parameters",
    };
    def<Ctx>(r, "hostname <word>", (ctx, a, neg) => {
        cfg(ctx).hostname = neg ? "Router" : a[1];
    }, { help, noMin: 1 });
    def<Ctx>(r, "version <line>", () => undefined, { help });
    def<Ctx>(r, "service <line>", () => undefined, { help });
    def<Ctx>(r, "enable secret <line>", (ctx, a, neg) => {
        cfg(ctx).enableSecret = neg ? undefined : hashedSecret(a[2]);
    }, { help, noMin: 2 });
    def<Ctx>(r, "username <word> privilege <int:0-15> (secret|password) <line>", username, { help, noMin: 2 });
    def<Ctx>(r, "username <word> (secret|password) <line>", username, { help, noMin: 2 });
    def<Ctx>(r, "password encryption aes", (ctx, _a, neg) => {
        cfg(ctx).passwordEncryptionAes = !neg;
        if (!neg) encryptAllKeys(ctx);
    }, { help, noMin: 3 });
    def<Ctx>(r, "key config-key password-encrypt <word>", (ctx, a, neg) => {
        ctx.core.setConfigKey(neg ? undefined : a[3]);
        if (!neg) encryptAllKeys(ctx);
    }, { help, noMin: 3 });
}

function username(ctx: Ctx, a: string[], neg: boolean): void {
    const list = cfg(ctx).usernames;
    const i = list.findIndex((u) => u.name === a[1]);
    if (neg) {
        if (i >= 0) list.splice(i, 1);
        return;
    }
    const privilege = a[2] === "privilege" ? a[3] : undefined;
    const u = { name: a[1], privilege, secret: hashedSecret(a[a.length - 1]) };
    if (i >= 0) list[i] = u;
    else list.push(u);
}
