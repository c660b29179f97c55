/**
 * IP address arithmetic, in one place, on ipaddr.js (the address library Node's own ecosystem
 * relies on: express's proxy-addr, among others). The predicates are stricter than the library's
 * parsers on purpose: only the spellings a device prints and a user should write pass (four
 * decimal octets without leading zeros, IPv6 without zone ids), since these values go into
 * IOS lines and swanctl.conf as they are.
 */
import * as ipaddr from "ipaddr.js";

const FOUR_DECIMAL_OCTETS = /^(0|[1-9]\d{0,2})(\.(0|[1-9]\d{0,2})){3}$/;
const IPV6_CHARACTERS = /^[0-9a-fA-F:.]{2,45}$/;
const EMBEDDED_IPV4 = /:((?:\d{1,3}\.){3}\d{1,3})$/;

/** Four decimal octets (`203.0.113.7`), each 0-255 and without leading zeros. */
export function isIpv4(v: string): boolean {
    return FOUR_DECIMAL_OCTETS.test(v) && ipaddr.IPv4.isValidFourPartDecimal(v);
}

/** An IPv6 address: hex groups with at most one `::`, optionally ending in an IPv4 address; no zone id. */
export function isIpv6(v: string): boolean {
    if (!IPV6_CHARACTERS.test(v) || !ipaddr.IPv6.isValid(v)) return false;
    // ipaddr.js reads the embedded IPv4 part more leniently than isIpv4 (leading zeros).
    const embedded = EMBEDDED_IPV4.exec(v);
    return !embedded || isIpv4(embedded[1]);
}

export function isIp(v: string): boolean {
    return isIpv4(v) || isIpv6(v);
}

/** Prefix length of a dotted mask (`255.255.255.0` -> 24), or undefined when it is not a contiguous mask. */
export function maskToPrefixLength(mask: string): number | undefined {
    if (!isIpv4(mask)) return undefined;
    return ipaddr.IPv4.parse(mask).prefixLengthFromSubnetMask() ?? undefined;
}

/** The dotted mask of a prefix length (24 -> `255.255.255.0`). */
export function prefixLengthToMask(length: number): string {
    return ipaddr.IPv4.subnetMaskFromPrefixLength(length).toString();
}

/** `ADDRESS/LENGTH` split, or undefined when the text does not have that shape. */
function splitPrefix(v: string, lengthDigits: number): { address: string; length: number } | undefined {
    const [address, length, extra] = v.split("/");
    if (extra !== undefined || length === undefined || !new RegExp(`^\\d{1,${lengthDigits}}$`).test(length)) return undefined;
    return { address, length: Number(length) };
}

function hostBitsZero(address: string, length: number): boolean {
    return ipaddr.IPv4.networkAddressFromCIDR(`${address}/${length}`).toString() === address;
}

/** An IPv4 network in CIDR notation whose host bits are zero (`10.2.0.0/24`, not `10.2.0.1/24`). */
export function isIpv4Network(v: string): boolean {
    const p = splitPrefix(v, 2);
    return p !== undefined && p.length <= 32 && isIpv4(p.address) && hostBitsZero(p.address, p.length);
}

/** An IPv6 address with a prefix length (`2001:db8::7/128`); host bits are not checked. */
export function isIpv6Prefix(v: string): boolean {
    const p = splitPrefix(v, 3);
    return p !== undefined && p.length <= 128 && isIpv6(p.address);
}

/** A subnet as swanctl takes it: an IPv4 network (host bits zero) or an IPv6 prefix. */
export function isCidr(v: string): boolean {
    const p = splitPrefix(v, 3);
    if (!p) return false;
    if (isIpv4(p.address)) return p.length <= 32 && hostBitsZero(p.address, p.length);
    return p.length <= 128 && isIpv6(p.address);
}

/** The network and prefix length of an IPv4 CIDR (`10.2.0.0/24`) or a host address (as /32). */
function ipv4Range(v: string): [ipaddr.IPv4, number] | undefined {
    if (isIpv4(v)) return [ipaddr.IPv4.parse(v), 32];
    const p = splitPrefix(v, 2);
    if (!p || !isIpv4(p.address) || p.length > 32) return undefined;
    return [ipaddr.IPv4.parse(p.address), p.length];
}

/** True when the IPv4 network (or address) `inner` lies inside the network `outer`; false for anything else. */
export function ipv4Contains(outer: string, inner: string): boolean {
    const o = ipv4Range(outer);
    const i = ipv4Range(inner);
    return !!o && !!i && i[1] >= o[1] && i[0].match(o[0], o[1]);
}

/** True when two IPv4 networks (or addresses) share at least one address. */
export function ipv4Overlap(a: string, b: string): boolean {
    return ipv4Contains(a, b) || ipv4Contains(b, a);
}

/** The network (CIDR) an interface address with its mask belongs to: 172.16.0.1 + 255.255.255.252 -> 172.16.0.0/30. */
export function ipv4NetworkOf(address: string, mask: string): string | undefined {
    const length = maskToPrefixLength(mask);
    if (length === undefined || !isIpv4(address)) return undefined;
    return `${ipaddr.IPv4.networkAddressFromCIDR(`${address}/${length}`).toString()}/${length}`;
}

/** `ADDRESS/LENGTH` of either family, read leniently (any address, any length digits); undefined for other text. */
export function parsePrefix(v: string): { address: string; length: number; family: 4 | 6 } | undefined {
    const p = splitPrefix(v, 3);
    if (!p) return undefined;
    if (isIpv4(p.address) && p.length <= 32) return { ...p, family: 4 };
    if (isIpv6(p.address) && p.length <= 128) return { ...p, family: 6 };
    return undefined;
}

/** True when the address has bits set beyond the prefix length (`10.0.0.5/24`, `2001:db8::7/64`). */
export function hostBitsSet(address: string, length: number): boolean {
    return ipaddr.parse(address).toNormalizedString() !== networkAddress(address, length).toNormalizedString();
}

/** The network address of a prefix (`10.0.0.5/24` -> `10.0.0.0`; IPv6 compressed, lower case). */
export function networkOf(address: string, length: number): string {
    return networkAddress(address, length).toString();
}

function networkAddress(address: string, length: number): ipaddr.IPv4 | ipaddr.IPv6 {
    return ipaddr.parse(address).kind() === "ipv4"
        ? ipaddr.IPv4.networkAddressFromCIDR(`${address}/${length}`)
        : ipaddr.IPv6.networkAddressFromCIDR(`${address}/${length}`);
}

/** True when prefix `inner` lies inside prefix `outer` (same family; equal prefixes count). */
export function prefixContains(outer: { address: string; length: number }, inner: { address: string; length: number }): boolean {
    const o = ipaddr.parse(outer.address);
    const i = ipaddr.parse(inner.address);
    return o.kind() === i.kind() && inner.length >= outer.length && i.match(o, outer.length);
}
