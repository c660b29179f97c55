/**
 * Warnings about IOS configuration that IOS accepts and that works, but that is probably not what
 * was meant: a peer address that matches everyone, address ranges inside one another, host bits
 * under a mask, one key on several peers. Errors (configuration that cannot work) are the schemas'
 * refinements; these only inform, at preview and at every update (the glue reports them as the
 * CLI's warnings).
 */
import { hostBitsSet, maskToPrefixLength, networkOf, prefixContains } from "../address";
import { withFix } from "../fix";
import { IkeV2KeyringModel, IkeV2ProfileModel } from "../schema/ios";
import { iosIpv6 } from "./spelling";

/** One warning: the property it is about (as check failures name them) and the message with its fix. */
export interface ConfigWarning {
    property: string;
    message: string;
}

/** An IPv4 address and mask or an IPv6 prefix, as a prefix, with how the user wrote it. */
interface Range {
    address: string;
    length: number;
    written: string;
}

function rangeOf(a: { address?: string; mask?: string; ipv6Prefix?: string }): Range | undefined {
    if (a.ipv6Prefix !== undefined) {
        const [address, length] = a.ipv6Prefix.split("/");
        return { address, length: Number(length), written: a.ipv6Prefix };
    }
    if (a.address === undefined) return undefined;
    const mask = a.mask ?? "255.255.255.255";
    const length = maskToPrefixLength(mask);
    return length === undefined ? undefined : { address: a.address, length, written: a.mask === undefined ? a.address : `${a.address} ${a.mask}` };
}

/** The range's network as the user would write it instead. */
const network = (r: Range) => (r.address.includes(":") ? `${iosIpv6(networkOf(r.address, r.length))}/${r.length}` : networkOf(r.address, r.length));

/** Warnings common to every address range: one that matches everything, host bits under the mask. */
function rangeWarnings(property: string, r: Range, what: string): ConfigWarning[] {
    if (r.length === 0) {
        return [
            {
                property,
                message: withFix(
                    `${property} (${r.written}) matches every ${what}, so any peer that knows this key can authenticate`,
                    "use the peer's own address; keep a catch-all only for peers with changing addresses, with a key that no other peer has",
                ),
            },
        ];
    }
    if (hostBitsSet(r.address, r.length)) {
        return [
            {
                property,
                message: withFix(
                    `${property} (${r.written}) has host bits set under its mask, so IOS matches the whole /${r.length} network, not this one address`,
                    `write the network, ${network(r)}, or a host mask if only this address is meant`,
                ),
            },
        ];
    }
    return [];
}

export function keyringWarnings(k: IkeV2KeyringModel): ConfigWarning[] {
    const warnings: ConfigWarning[] = [];
    const ranges = k.peers.map((p) => (p.address ? rangeOf(p.address) : undefined));
    k.peers.forEach((p, i) => {
        const r = ranges[i];
        if (r) warnings.push(...rangeWarnings(`peers[${i}].address`, r, "peer address"));
    });
    // Ranges inside one another (a catch-all is reported above already): IOS takes the most specific.
    k.peers.forEach((inner, i) => {
        const r = ranges[i];
        if (!r) return;
        k.peers.forEach((outer, j) => {
            const o = ranges[j];
            if (i === j || !o || o.length === 0 || o.length === r.length || !prefixContains(o, r)) return;
            warnings.push({
                property: `peers[${i}].address`,
                message: withFix(
                    `peers[${i}] "${inner.name}" (${r.written}) lies inside peers[${j}] "${outer.name}" (${o.written}): IOS uses the most specific match, ` +
                        `so peers from ${r.written} get "${inner.name}"'s key and the rest of ${o.written} get "${outer.name}"'s`,
                    "if that is meant, nothing; otherwise make the ranges disjoint",
                ),
            });
        });
    });
    // One key on several peers (compared here, never shown).
    const owners = new Map<string, number>();
    k.peers.forEach((p, i) => {
        const keys = new Set([p.preSharedKey, p.localPreSharedKey, p.remotePreSharedKey].filter((v): v is string => v !== undefined));
        for (const key of keys) {
            const first = owners.get(key);
            if (first === undefined) owners.set(key, i);
            else if (first !== i) {
                warnings.push({
                    property: `peers[${i}]`,
                    message: withFix(
                        `peers[${i}] "${p.name}" uses the same pre-shared key as peers[${first}] "${k.peers[first].name}", so one leaked key opens both tunnels and neither can be rotated alone`,
                        "give each peer a key of its own",
                    ),
                });
                break;
            }
        }
    });
    return warnings;
}

export function profileWarnings(p: IkeV2ProfileModel): ConfigWarning[] {
    return p.matchIdentityRemote.flatMap((id, i) => {
        const r = rangeOf(id);
        return r ? rangeWarnings(`matchIdentityRemote[${i}]`, r, "peer identity") : [];
    });
}
