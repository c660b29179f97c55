/**
 * How this emulated IOS stores what was typed, so that `show running-config` prints IOS's own
 * spelling whatever the user's: IPv6 in upper case and compressed, interface names in full,
 * default values not at all. Written for the emulator from IOS's documented and observed
 * behaviour (README.md, "Spelling"), not shared with the provider: the device under test must not
 * share the code under test.
 */
import { isIPv6 } from "net";

/**
 * An IPv6 address as IOS prints it (IOS 16.3 prints `2001:DB8:0:3::2`): hex groups without
 * leading zeros, the longest run of two or more zero groups (the first of equal runs) as `::`,
 * upper case. Undefined when the text is not an IPv6 address in hex groups.
 */
export function ipv6Text(typed: string): string | undefined {
    if (!isIPv6(typed) || typed.includes(".") || typed.includes("%")) return undefined;
    const [head, tail] = typed.includes("::") ? typed.split("::") : [typed, undefined];
    const groups = (s: string) => (s === "" ? [] : s.split(":"));
    const left = groups(head);
    const right = tail === undefined ? [] : groups(tail);
    const all = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
    const hex = all.map((g) => parseInt(g, 16).toString(16).toUpperCase());
    let best = { at: -1, len: 0 };
    for (let i = 0; i < 8; ) {
        if (hex[i] !== "0") {
            i++;
            continue;
        }
        let j = i;
        while (j < 8 && hex[j] === "0") j++;
        if (j - i > best.len) best = { at: i, len: j - i };
        i = j;
    }
    if (best.len < 2) return hex.join(":");
    return `${hex.slice(0, best.at).join(":")}::${hex.slice(best.at + best.len).join(":")}`;
}

/** `X:X::X/LEN` as IOS prints it, or undefined. */
export function ipv6PrefixText(typed: string): string | undefined {
    const m = /^([^/]+)\/(\d{1,3})$/.exec(typed);
    const address = m && ipv6Text(m[1]);
    return address && Number(m[2]) <= 128 ? `${address}/${Number(m[2])}` : undefined;
}

/** Interface types of an IOS-XE router, as IOS spells them. A typed type is any unique case-insensitive prefix. */
export const INTERFACE_TYPES = [
    "GigabitEthernet",
    "TenGigabitEthernet",
    "TwoGigabitEthernet",
    "FiveGigabitEthernet",
    "TwentyFiveGigE",
    "FortyGigabitEthernet",
    "HundredGigE",
    "FastEthernet",
    "Ethernet",
    "Loopback",
    "Tunnel",
    "Port-channel",
    "Vlan",
    "Dialer",
    "Cellular",
    "Serial",
    "Virtual-Template",
    "Virtual-Access",
    "BDI",
];

/** `gi01/0` -> `GigabitEthernet1/0`; undefined when the type is unknown or ambiguous. */
export function interfaceName(type: string, numbers: string): string | undefined {
    const lower = type.toLowerCase();
    const exact = INTERFACE_TYPES.find((t) => t.toLowerCase() === lower);
    const candidates = exact ? [exact] : INTERFACE_TYPES.filter((t) => t.toLowerCase().startsWith(lower));
    if (candidates.length !== 1) return undefined;
    const [ports, sub] = numbers.split(".");
    const spelled = ports.split("/").map((n) => String(Number(n))).join("/");
    return candidates[0] + spelled + (sub !== undefined ? `.${Number(sub)}` : "");
}

/**
 * Values IOS does not print because they are its defaults (a CSR1000v 16.4 given AWS's template
 * shows neither `esp-aes 128` nor `set security-association lifetime seconds 3600`); the IKEv2
 * lifetime, the volume lifetime and a static route's distance are treated alike here.
 */
export const DEFAULTS = {
    ikev2Lifetime: "86400",
    saLifetimeSeconds: "3600",
    saLifetimeKilobytes: "4608000",
    routeDistance: "1",
    espKeyBits: "128",
};

/** The value to store: undefined when it is the default (so it is not printed). */
export function unlessDefault(value: string, defaultValue: string): string | undefined {
    return value === defaultValue ? undefined : value;
}
