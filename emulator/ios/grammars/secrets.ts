/** How typed secrets are stored: type-9 hashes for login secrets, type 6 for keys when `password encryption aes` is on. */
import { Secret, type6, type9 } from "../config";
import type { Ctx } from "../context";
import { cfg } from "./common";

/** A key typed as `[0|6] KEY` or `hex HEX` (the last two words of the arguments), encrypted if the router encrypts keys. */
export function typedKey(ctx: Ctx, args: string[]): Secret {
    const key = args[args.length - 1];
    const typ = args[args.length - 2];
    if (typ === "6") return { type: "6", value: key };
    if (typ === "hex") return { type: "hex", value: key };
    return encryptIfOn(ctx, { type: "0", value: key });
}

function encryptIfOn(ctx: Ctx, s: Secret): Secret {
    if (s.type === "0" && cfg(ctx).passwordEncryptionAes && ctx.core.configKey)
        return { type: "6", value: type6(s.value, ctx.core.configKey, ctx.core.bootSalt) };
    return s;
}

/** `password encryption aes` and a config key encrypt every key already configured. */
export function encryptAllKeys(ctx: Ctx): void {
    for (const k of cfg(ctx).keyrings.values())
        for (const p of k.peers) {
            if (p.psk) p.psk = encryptIfOn(ctx, p.psk);
            if (p.pskLocal) p.pskLocal = encryptIfOn(ctx, p.pskLocal);
            if (p.pskRemote) p.pskRemote = encryptIfOn(ctx, p.pskRemote);
        }
}

/** `secret [0] CLEAR` or `secret 9 $9$...` -> the stored type-9 hash. */
export function hashedSecret(arg: string): string {
    const m = /^9\s+(\$9\$\S+)$/.exec(arg);
    if (m) return m[1];
    return type9(arg.replace(/^0\s+/, ""));
}
