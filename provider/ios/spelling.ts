/**
 * IOS's own spelling of the values a user may type, in one place. IOS stores what it parsed, not
 * what was typed, and `show running-config` prints its own form: a value typed another way (an
 * abbreviated interface name, lower-case IPv6, a default written out) would never read back as
 * declared. The schemas turn every accepted input into this spelling (so a model is always in
 * IOS's form), and the parser passes what a device prints through the same functions (so a
 * device that prints a variant still compares equal).
 *
 * What IOS does, and where that is from (also in README.md, "How IOS spells values"):
 * - IPv6 addresses are printed in upper case, compressed (Cisco's own IOS-XE provider had to
 *   normalise "case, compression": https://github.com/CiscoDevNet/terraform-provider-iosxe/pull/573;
 *   real IOS 16.3 output `ipv6 route 2001:DB8:0:3::/64 ...`: https://github.com/ansible-collections/cisco.ios/pull/530).
 *   The compression is RFC 5952's (the longest run of zero groups, never a single one), which that
 *   output follows.
 * - Interface names are stored in full whatever abbreviation or case was typed (`gi1` is
 *   `GigabitEthernet1`); the full names are those of Cisco's own parser library
 *   (https://github.com/CiscoTestAutomation/genieparser, `src/genie/libs/parser/utils/common.py`,
 *   INTERFACE_ABBREVIATION_MAPPING_TABLE).
 * - Default values are not printed: `crypto ipsec transform-set T esp-aes 128 ...` prints as
 *   `esp-aes`, `set security-association lifetime seconds 3600` not at all (a CSR1000v 16.4
 *   configured from AWS's template, https://github.com/batfish/lab-validation,
 *   `snapshots/eos_iosxe_aws_demo/configs/exitgw/show_running-config.txt`, against the template at
 *   http://docs.amazonwebservices.com/AmazonVPC/latest/NetworkAdminGuide/Cisco.html). For the other
 *   defaults (`lifetime 86400` of an IKEv2 profile, `lifetime kilobytes 4608000`, a static route's
 *   distance 1) no printed evidence was found either way, so both spellings are read as the same
 *   value and the default is never sent: that converges whichever way a release prints it.
 */
import * as ipaddr from "ipaddr.js";

// ---------------------------------------------------------------------------------------------
// IPv6

/** An IPv6 address as IOS prints it: RFC 5952 compression, upper-case hex. */
export function iosIpv6(address: string): string {
    return ipaddr.IPv6.parse(address).toRFC5952String().toUpperCase();
}

/** `ADDRESS/LENGTH` with the address as IOS prints it and the length without leading zeros. */
export function iosIpv6Prefix(prefix: string): string {
    const [address, length] = prefix.split("/");
    return `${iosIpv6(address)}/${Number(length)}`;
}

// ---------------------------------------------------------------------------------------------
// Interface names

/**
 * Interface types of IOS / IOS-XE routers, spelled as IOS prints them (genieparser's table, IOS
 * entries, plus the router types it lacks: Virtual-Template, Multilink, VirtualPortGroup,
 * AppGigabitEthernet, Async).
 */
const INTERFACE_TYPES = [
    "AppGigabitEthernet",
    "Async",
    "ATM",
    "BDI",
    "Cellular",
    "Dialer",
    "Ethernet",
    "FastEthernet",
    "FiveGigabitEthernet",
    "FortyGigabitEthernet",
    "FourHundredGigE",
    "GigabitEthernet",
    "HundredGigE",
    "Loopback",
    "Multilink",
    "Port-channel",
    "Serial",
    "TenGigabitEthernet",
    "Tunnel",
    "TwentyFiveGigE",
    "TwoGigabitEthernet",
    "TwoHundredGigabitEthernet",
    "Virtual-Access",
    "Virtual-PPP",
    "Virtual-Template",
    "VirtualPortGroup",
    "Vlan",
    "Wlan-GigabitEthernet",
] as const;

/** `type` `slot/port/...` `.subinterface`, with optional white space IOS would not accept anyway. */
const INTERFACE = /^([A-Za-z][A-Za-z-]*)(\d+(?:\/\d+)*)(?:\.(\d+))?$/;

/** How an interface name reads: IOS's full spelling, or why it has none. */
export type InterfaceSpelling = { name: string } | { unknownType: string } | { ambiguous: string[] } | { notAName: true };

/**
 * The full name IOS stores for what a user typed: the type is any case-insensitive prefix of
 * exactly one known type (`gi`, `GIG`, `gigabitethernet`), the numbers lose leading zeros.
 */
export function spellInterface(typed: string): InterfaceSpelling {
    const m = INTERFACE.exec(typed);
    if (!m) return { notAName: true };
    const [, type, numbers, sub] = m;
    const lower = type.toLowerCase();
    const exact = INTERFACE_TYPES.find((t) => t.toLowerCase() === lower);
    const candidates = exact ? [exact] : INTERFACE_TYPES.filter((t) => t.toLowerCase().startsWith(lower));
    if (candidates.length === 0) return { unknownType: type };
    if (candidates.length > 1) return { ambiguous: [...candidates] };
    const digits = numbers
        .split("/")
        .map((n) => String(Number(n)))
        .join("/");
    return { name: `${candidates[0]}${digits}${sub !== undefined ? `.${Number(sub)}` : ""}` };
}

/** The full interface name, or the text unchanged when it is not one (the schema has refused those). */
export function iosInterface(typed: string): string {
    const s = spellInterface(typed);
    return "name" in s ? s.name : typed;
}

// ---------------------------------------------------------------------------------------------
// Defaults IOS does not print

/** Values that mean "the default": declaring them is the same as leaving them out, and IOS hides them. */
export const HIDDEN_DEFAULTS = {
    /** IKEv2 profile `lifetime` (seconds). */
    ikeLifetime: 86400,
    /** IPsec profile `set security-association lifetime seconds`. */
    ipsecLifetimeSeconds: 3600,
    /** IPsec profile `set security-association lifetime kilobytes`. */
    ipsecLifetimeKilobytes: 4608000,
    /** Administrative distance of a static route. */
    routeDistance: 1,
} as const;

/** The value, or undefined when it is the default IOS hides. */
export function unlessDefault<T>(value: T | undefined, defaultValue: T): T | undefined {
    return value === defaultValue ? undefined : value;
}
