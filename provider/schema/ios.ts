/**
 * Schemas of the Cisco IOS / IOS-XE resources: IKEv2 proposal, policy, keyring, profile, IPsec
 * transform set, IPsec profile and route-based tunnel interface.
 *
 * Each schema is the source of the resource's TypeScript input type, of its check() failures (one
 * per property, each naming the fix) and of its reference docs (`.describe()` names the IOS
 * command a property becomes). They hold only what goes into the device's configuration; the glue
 * adds the device connection and credentials (see device.ts).
 *
 * Every string goes through a validated type from common.ts, so no value can add a CLI line.
 */
import { z } from "zod";
import { isIpv4, isIpv6, maskToPrefixLength, parsePrefix, prefixLengthToMask } from "../address";
import { DH_GROUPS, ESP_ENCRYPTIONS, ESP_INTEGRITIES, IKE_ENCRYPTIONS, IKE_INTEGRITIES, IKE_PRFS } from "../algorithms";
import { withFix } from "../fix";
import { HIDDEN_DEFAULTS, iosInterface, iosIpv6, iosIpv6Prefix, spellInterface, unlessDefault } from "../ios/spelling";
import {
    cliWord,
    email,
    exactlyOne,
    fqdn,
    int,
    iosObjectName,
    ipv4Address,
    ipv4Cidr,
    ipv6Prefix as ipv6PrefixText,
    keyId,
    lineText,
    list,
    noDuplicates,
    oneOf,
    str,
    strict,
    typeError,
} from "./common";
import { notOnDevice, secret, secretsTravelIn } from "./secrets";

// ---------------------------------------------------------------------------------------------
// Local building blocks: the common.ts types behind a string property whose missing value or
// wrong JSON type also gets a message that names the fix, and the IOS spelling of each value
// (ios/spelling.ts): a model always holds what `show running-config` prints for it.

/** A string property whose content rules come from `inner` (a common.ts type). */
function text<T extends z.ZodType<string, string>>(what: string, example: string, inner: T) {
    return str(what, example).pipe(inner);
}

const name = (what: string, example: string) => text(what, `"${example}"`, iosObjectName(what));
const ipv4 = (what: string) => text(what, `"203.0.113.7"`, ipv4Address(what));
const vrfName = (what: string) => text(what, `"INTERNET"`, iosObjectName(what));

/**
 * IPv6 in hex groups. A dotted IPv4 tail (`::ffff:192.0.2.1`) is refused: how IOS prints one is not
 * documented, so it could not be compared with what the device shows.
 */
function ipv6Refinements<T extends z.ZodType<string, string>>(what: string, schema: T, example: string) {
    return schema.refine((v) => !(v.includes(":") && v.includes(".")), {
        message: withFix(`${what} writes an IPv6 address with a dotted IPv4 part`, `write it in hex groups, e.g. ${example}`),
    });
}

/** An IPv4 or IPv6 address; IPv6 as IOS prints it (upper case, compressed). */
function ipAddress(what: string, example = `"203.0.113.7"`) {
    return text(
        what,
        example,
        ipv6Refinements(
            what,
            z.string().refine((v) => isIpv4(v) || isIpv6(v), {
                message: withFix(`${what} is not an IPv4 or IPv6 address`, `write e.g. 203.0.113.7 or 2001:db8::7`),
            }),
            "2001:db8::7",
        ),
    ).transform((v) => (isIpv4(v) ? v : iosIpv6(v)));
}

/** An IPv6 prefix `X:X::X/LEN`, as IOS prints it. */
function ipv6Prefix(what: string) {
    return text(what, `"2001:db8::7/128"`, ipv6Refinements(what, ipv6PrefixText(what), "2001:db8::7/128")).transform(iosIpv6Prefix);
}

/** A netmask: dotted (`255.255.255.0`) or a prefix length (`24` or `/24`), always held dotted as IOS prints it. */
function mask(what: string) {
    const asLength = (v: string) => (/^\/?\d{1,2}$/.test(v) && Number(v.replace("/", "")) <= 32 ? Number(v.replace("/", "")) : undefined);
    return str(what, `"255.255.255.0"`)
        .refine((v) => maskToPrefixLength(v) !== undefined || asLength(v) !== undefined, {
            message: withFix(
                `${what} is not a contiguous dotted netmask or a prefix length`,
                "write a mask such as 255.255.255.0 or its length 24; wildcard masks like 0.0.0.255 are not accepted here",
            ),
        })
        .transform((v) => {
            const length = asLength(v);
            return length === undefined ? v : prefixLengthToMask(length);
        });
}

/** An IPv4 address, or an IPv4 prefix `A.B.C.D/LEN` that stands for the address and its mask. */
function ipv4OrPrefix(what: string) {
    return text(
        what,
        `"203.0.113.7"`,
        z.string().refine((v) => isIpv4(v) || parsePrefix(v)?.family === 4, {
            message: withFix(`${what} is not an IPv4 address or prefix`, "write four decimal octets, e.g. 203.0.113.7, or a prefix such as 203.0.113.0/24"),
        }),
    );
}

/** `{ address: "A/LEN" }` -> `{ address: "A", mask: "M" }`; an issue when a mask is given twice. */
function splitAddressPrefix<T extends { address?: string; mask?: string }>(v: T, ctx: z.RefinementCtx): T {
    const prefix = v.address === undefined ? undefined : parsePrefix(v.address);
    if (!prefix) return v;
    if (v.mask !== undefined) {
        ctx.addIssue({
            code: "custom",
            path: ["mask"],
            message: withFix(`mask is set and address has a prefix length (${v.address}) too`, "give the range once: as address A.B.C.D/LEN or as address plus mask"),
        });
    }
    return { ...v, address: prefix.address, mask: prefixLengthToMask(prefix.length) };
}

/** Lower-case prefixes of IOS keywords that a value in the same place would be read as. */
function keywordPrefix(value: string, keywords: readonly string[]): string | undefined {
    const lower = value.toLowerCase();
    return keywords.find((k) => k.startsWith(lower));
}

/**
 * A DNS name in `identity fqdn NAME` or `match identity remote fqdn NAME`, where IOS also takes the
 * keyword `domain` (`fqdn domain NAME` matches a whole domain); IOS reads any abbreviation of a
 * keyword as the keyword (Cisco's YANG model, Cisco-IOS-XE-crypto.yang: `fqdn-option` is a choice of
 * `name` and `domain`).
 */
function iosFqdn(what: string) {
    return text(
        what,
        `"vps.example.net"`,
        fqdn(what).refine((v) => keywordPrefix(v, ["domain"]) === undefined, {
            message: withFix(
                `${what} is "domain" or an abbreviation of it, which IOS reads as the keyword \`fqdn domain\` (match a whole domain), not as a name`,
                "use the full DNS name, e.g. vps.example.net",
            ),
        }),
    );
}

/** An IKE identity: exactly one of address, fqdn, email, keyId (IOS `address`, `fqdn`, `email`, `key-id`). */
function identity(what: string) {
    return strict(what, {
        address: ipAddress(`${what}.address`).optional().describe("IPv4 or IPv6 address identity (IOS `address A.B.C.D` or `address X:X::X`)."),
        fqdn: iosFqdn(`${what}.fqdn`).optional().describe("DNS name identity (IOS `fqdn NAME`)."),
        email: text(`${what}.email`, `"vpn@example.net"`, email(`${what}.email`)).optional().describe("E-mail identity (IOS `email NAME`)."),
        keyId: text(`${what}.keyId`, `"site-b"`, keyId(`${what}.keyId`)).optional().describe("Opaque key-id identity (IOS `key-id ID`)."),
    }).superRefine((v, ctx) =>
        exactlyOne(what, v, ["address", "fqdn", "email", "keyId"], ctx, `set exactly one, e.g. ${what}: { address: "203.0.113.7" }`),
    );
}

// ---------------------------------------------------------------------------------------------
// Algorithms

// The accepted names are algorithms.ts's table, shared with the strongSwan schema: DH groups are
// MODP 2048/3072/4096, ECP 256/384/521 and MODP 2048 with 256-bit subgroup.

const WEAK_DH_GROUPS: Record<number, string> = { 1: "768-bit MODP", 2: "1024-bit MODP", 5: "1536-bit MODP" };

function dhGroup(what: string) {
    return z.number({ error: typeError(what, "a number", "14") }).superRefine((g, ctx) => {
        if (WEAK_DH_GROUPS[g]) {
            ctx.addIssue({
                code: "custom",
                message: withFix(
                    `${what} ${g} is a weak Diffie-Hellman group (${WEAK_DH_GROUPS[g]}) that can be broken`,
                    "use group 14 (2048-bit MODP), 19 (256-bit ECP) or 20 (384-bit ECP), and the same on the peer",
                ),
            });
        } else if (!(DH_GROUPS as readonly number[]).includes(g)) {
            ctx.addIssue({
                code: "custom",
                message: withFix(`${what} ${g} is not a Diffie-Hellman group this provider configures`, `use one of ${DH_GROUPS.join(", ")}`),
            });
        }
    });
}

const isGcm = (e: string) => e.startsWith("aes-gcm");

// ---------------------------------------------------------------------------------------------
// crypto ikev2 proposal

const ikeV2ProposalSchema = strict("IkeV2Proposal", {
    name: name("name", "PROP-AES256").describe("Proposal name (IOS `crypto ikev2 proposal NAME`)."),
    encryption: list("encryption", oneOf("encryption", IKE_ENCRYPTIONS), 1, 5, `["aes-cbc-256"]`)
        .superRefine(noDuplicates("encryption"))
        .describe(
            "Encryption algorithms in order of preference (IOS `encryption aes-cbc-256 ...`). AES-CBC and AES-GCM cannot be mixed in one proposal.",
        ),
    integrity: list("integrity", oneOf("integrity", IKE_INTEGRITIES), 0, 4, `["sha256"]`)
        .superRefine(noDuplicates("integrity"))
        .optional()
        .describe("Integrity algorithms (IOS `integrity sha256 ...`). Required with AES-CBC, not allowed with AES-GCM."),
    prf: list("prf", oneOf("prf", IKE_PRFS), 0, 4, `["sha384"]`)
        .superRefine(noDuplicates("prf"))
        .optional()
        .describe("Pseudo-random functions (IOS `prf sha384 ...`). Required with AES-GCM; optional with AES-CBC, where it follows integrity."),
    groups: list("groups", dhGroup("group"), 1, 7, "[14]")
        .superRefine(noDuplicates("groups"))
        .describe(`Diffie-Hellman groups (IOS \`group 14 ...\`): ${DH_GROUPS.join(", ")}. 1, 2 and 5 are refused as weak.`),
}).superRefine((p, ctx) => {
    const gcm = p.encryption.filter(isGcm);
    const cbc = p.encryption.filter((e) => !isGcm(e));
    if (gcm.length && cbc.length) {
        ctx.addIssue({
            code: "custom",
            path: ["encryption"],
            message: withFix(
                `encryption mixes AES-GCM (${gcm.join(", ")}) with AES-CBC (${cbc.join(", ")}), which IOS refuses in one proposal`,
                "use two proposals, one GCM and one CBC, both listed in the IkeV2Policy",
            ),
        });
        return;
    }
    if (gcm.length && p.integrity?.length) {
        ctx.addIssue({
            code: "custom",
            path: ["integrity"],
            message: withFix("integrity is set on an AES-GCM proposal, but GCM authenticates by itself and IOS refuses integrity with it", "remove integrity and set prf instead, e.g. prf: [\"sha384\"]"),
        });
    }
    if (gcm.length && !p.prf?.length) {
        ctx.addIssue({
            code: "custom",
            path: ["prf"],
            message: withFix("an AES-GCM proposal has no prf", "set prf, e.g. prf: [\"sha384\"]"),
        });
    }
    if (cbc.length && !p.integrity?.length) {
        ctx.addIssue({
            code: "custom",
            path: ["integrity"],
            message: withFix("an AES-CBC proposal has no integrity algorithm", "set integrity, e.g. integrity: [\"sha256\"]"),
        });
    }
}).describe(
    "`crypto ikev2 proposal`: the IKE SA's algorithms. IOS uses a proposal only when an IkeV2Policy lists it.",
);

// ---------------------------------------------------------------------------------------------
// crypto ikev2 policy

/**
 * `any` (in any case, as IOS reads keywords) or a VRF name. A name that abbreviates `any` (`a`,
 * `An`) would be read as the keyword, so it is refused.
 */
const fvrf = (what: string) =>
    str(what, `"any"`)
        .refine((v) => v.toLowerCase() === "any" || keywordPrefix(v, ["any"]) === undefined, {
            message: withFix(`${what} abbreviates the keyword "any", which IOS would read instead of a VRF name`, `write "any" in full, or the VRF's full name`),
        })
        .transform((v) => (v.toLowerCase() === "any" ? "any" : v))
        .pipe(z.union([z.literal("any"), iosObjectName(what)], { error: withFix(`${what} is not "any" or a VRF name`, `write "any" or the VRF's name`) }));

const ikeV2PolicySchema = strict("IkeV2Policy", {
    name: name("name", "POL-1").describe("Policy name (IOS `crypto ikev2 policy NAME`)."),
    proposals: list("proposals", name("proposal name", "PROP-AES256"), 1, 16, `["PROP-AES256"]`)
        .superRefine(noDuplicates("proposals"))
        .describe(
            "Names of the IkeV2Proposals this policy offers, in order of preference (IOS `proposal NAME`, one line each; a new order is applied by removing and adding lines).",
        ),
    matchAddressLocal: ipAddress("matchAddressLocal")
        .optional()
        .describe("Use this policy only for IKE on this local address (IOS `match address local A.B.C.D` or `X:X::X`)."),
    matchFvrf: fvrf("matchFvrf")
        .optional()
        .describe("Use this policy only in this front-door VRF, or `any` (IOS `match fvrf NAME|any`)."),
}).describe(
    "`crypto ikev2 policy`: which proposals IKE negotiates, optionally per local address or front-door VRF.",
);

// ---------------------------------------------------------------------------------------------
// crypto ikev2 keyring

/**
 * Words IOS reads as keywords where a key goes (`pre-shared-key [local|remote] [0|6] KEY` or
 * `pre-shared-key [local|remote] hex HEX`: Cisco-IOS-XE-crypto.yang, `crypto-ikev2-keyring-peer-grouping`).
 * IOS takes any abbreviation of a keyword for the keyword (`l` is `local`), so a key that is one
 * would be parsed as the keyword, and a device reloading its saved configuration would read it so
 * even when it was first entered after `0`. The digits are the key types.
 */
const KEY_KEYWORDS = ["local", "remote", "hex"] as const;
const KEY_TYPES = ["0", "6", "7"];

/**
 * A pre-shared key as IOS takes it on one line (`pre-shared-key KEY`): 1-128 printable ASCII
 * characters without white space or `?`, not a word IOS parses as a keyword, and without `"` or `\`
 * so it can go into swanctl.conf quoted. A secret; messages never repeat the key.
 */
function preSharedKey(what: string) {
    return secret(z
        .string({ error: typeError(what, "a string", "a Pulumi secret string") })
        .min(1, { error: withFix(`${what} is empty`, "set a key of 1 to 128 characters") })
        .max(128, { error: withFix(`${what} is longer than 128 characters, the IOS limit`, "use a shorter key") })
        .refine((v) => /^[\x21-\x7e]*$/.test(v), {
            message: withFix(
                `${what} contains white space, a control or a non-ASCII character, which IOS would cut off or refuse`,
                "use printable ASCII characters without spaces",
            ),
        })
        .refine((v) => !v.includes("?"), {
            message: withFix(`${what} contains '?', which IOS CLI treats as a help request`, "remove the '?'"),
        })
        .refine((v) => !/["\\]/.test(v), {
            message: withFix(`${what} contains '"' or '\\', which cannot be quoted safely in swanctl.conf`, "use other characters"),
        })
        .refine((v) => !KEY_TYPES.includes(v) && keywordPrefix(v, KEY_KEYWORDS) === undefined, {
            message: withFix(
                `${what} is a key type (${KEY_TYPES.join(", ")}) or an abbreviation of a keyword (${KEY_KEYWORDS.join(", ")}) that IOS reads in place of a key`,
                "use a longer key, e.g. 20 random characters",
            ),
        }));
}

const peerAddressObject = strict("address", {
    address: ipv4OrPrefix("address.address")
        .optional()
        .describe("IPv4 address of the peer (IOS `address A.B.C.D`), or a range as `A.B.C.D/LEN` (IOS `address A.B.C.D MASK`)."),
    mask: mask("address.mask").optional().describe("Mask to match a range of peers (IOS `address A.B.C.D MASK`); dotted or a prefix length. 255.255.255.255 is the same as none."),
    ipv6Prefix: ipv6Prefix("address.ipv6Prefix")
        .optional()
        .describe("IPv6 peer prefix (IOS `address X:X::X/LEN`); IOS prints it in upper case."),
})
    .superRefine((a, ctx) => {
        exactlyOne("address", a, ["address", "ipv6Prefix"], ctx, `set address: "203.0.113.7" or address: { ipv6Prefix: "2001:db8::7/128" }`);
        if (a.mask && !a.address) {
            ctx.addIssue({ code: "custom", path: ["mask"], message: withFix("mask is set without an IPv4 address", "add address or remove mask") });
        }
    })
    .transform((a, ctx) => {
        const v = splitAddressPrefix(a, ctx);
        // A host match is IOS's `address A`: the mask 255.255.255.255 is the same as none.
        return v.mask === "255.255.255.255" ? { ...v, mask: undefined } : v;
    });

type PeerAddressInput = string | z.input<typeof peerAddressObject>;

/**
 * `"203.0.113.7"` is short for `{ address: "203.0.113.7" }`, `"203.0.113.0/24"` for a range,
 * `"2001:db8::7/128"` (or `"2001:db8::7"`, a single host) for `{ ipv6Prefix: ... }`.
 */
// The parameter's type is the property's input type (what the resource class takes).
const peerAddress = z.preprocess((v: PeerAddressInput) => {
    if (typeof v !== "string") return v;
    if (!v.includes(":")) return { address: v };
    return { ipv6Prefix: v.includes("/") ? v : `${v}/128` };
}, peerAddressObject);

/** The IKEv2 keyring peer fields IOS matches on: a peer with none of them is never used. */
const PEER_MATCHERS = ["address", "identity", "hostname"] as const;

/** A keyring peer's lines (IOS `peer NAME` and its sub-block); shared by IkeV2Keyring's peers and IkeV2KeyringPeer. */
const peerShape = {
    name: name("peer name", "vps").describe(
        "The peer's label (IOS `peer NAME`). Only a label: IOS never matches on it; it picks the key by address, identity or hostname.",
    ),
    description: text("description", `"VPS in Frankfurt"`, lineText("description", 80)).optional().describe("Free text (IOS `description TEXT`)."),
    address: peerAddress
        .optional()
        .describe(
            'Address IOS matches the peer on (IOS `address A.B.C.D [MASK]` or `address X:X::X/LEN`). `"203.0.113.7"` is short for `{ address: "203.0.113.7" }`, `"203.0.113.0/24"` for a range, `"2001:db8::7"` for `{ ipv6Prefix: "2001:db8::7/128" }`.',
        ),
    hostname: text("hostname", `"vps.example.net"`, fqdn("hostname")).optional().describe("Peer host name IOS matches on (IOS `hostname NAME`)."),
    identity: identity("identity").optional().describe("IKE identity IOS matches the peer on (IOS `identity address|fqdn|email|key-id ...`)."),
    preSharedKey: preSharedKey("preSharedKey").optional().describe("Key for both directions (IOS `pre-shared-key KEY`). A secret."),
    localPreSharedKey: preSharedKey("localPreSharedKey").optional().describe("Key this router signs with (IOS `pre-shared-key local KEY`). A secret."),
    remotePreSharedKey: preSharedKey("remotePreSharedKey").optional().describe("Key the peer signs with (IOS `pre-shared-key remote KEY`). A secret."),
};

type PeerKeys = { preSharedKey?: string; localPreSharedKey?: string; remotePreSharedKey?: string };

/** A peer has one complete key: preSharedKey, or both local and remote keys. */
function oneCompleteKey(p: PeerKeys, ctx: z.RefinementCtx): void {
    if (p.preSharedKey !== undefined && (p.localPreSharedKey !== undefined || p.remotePreSharedKey !== undefined)) {
        ctx.addIssue({
            code: "custom",
            path: ["preSharedKey"],
            message: withFix("peer sets preSharedKey and localPreSharedKey/remotePreSharedKey", "use either preSharedKey or both localPreSharedKey and remotePreSharedKey"),
        });
    } else if (p.preSharedKey === undefined && (p.localPreSharedKey === undefined || p.remotePreSharedKey === undefined)) {
        ctx.addIssue({
            code: "custom",
            path: [p.localPreSharedKey === undefined && p.remotePreSharedKey === undefined ? "preSharedKey" : p.localPreSharedKey === undefined ? "localPreSharedKey" : "remotePreSharedKey"],
            message: withFix("peer has no complete pre-shared key", "set preSharedKey, or both localPreSharedKey and remotePreSharedKey"),
        });
    }
}

const keyringPeer = strict("peer", peerShape).superRefine(oneCompleteKey);

/** The story's mistake: a peer IOS can never match. The message explains why and names the line to add. */
export function unmatchablePeerMessage(peerName: string): string {
    const problem =
        `keyring peer "${peerName}" has no address, identity or hostname. The peer name is only a label that IOS never matches on: ` +
        "IOS picks the key by the peer's address, identity or hostname, so this peer is never used and IKE_AUTH ends in AUTHENTICATION_FAILED";
    if (isIpv4(peerName)) return withFix(problem, `add address: "${peerName}" to this peer (IOS: \`address ${peerName}\`)`);
    if (isIpv6(peerName)) {
        return withFix(problem, `add address: "${peerName}/128" to this peer (IOS: \`address ${peerName}/128\`)`);
    }
    return withFix(
        problem,
        'add the peer\'s address, e.g. address: "203.0.113.7" (IOS: `address 203.0.113.7`), or its identity or hostname',
    );
}

/** What IOS matches a peer on, as one comparable text per matcher (values are already in IOS's spelling). */
const MATCHER_KEYS: Record<(typeof PEER_MATCHERS)[number], (p: z.output<typeof keyringPeer>) => string | undefined> = {
    address: (p) => p.address && (p.address.ipv6Prefix ?? `${p.address.address} ${p.address.mask ?? "255.255.255.255"}`),
    identity: (p) => p.identity && JSON.stringify(p.identity),
    hostname: (p) => p.hostname?.toLowerCase(),
};

const ikeV2KeyringSchema = strict("IkeV2Keyring", {
    name: name("name", "KR").describe("Keyring name (IOS `crypto ikev2 keyring NAME`)."),
    peers: secretsTravelIn(list("peers", keyringPeer, 1, 1000, `[{ name: "vps", address: "203.0.113.7", preSharedKey: secret }]`), "preSharedKeys", "name").describe(
        "Peers and their keys (IOS `peer NAME` sub-blocks). Names, addresses, identities and hostnames must be unique.",
    ),
    keysVersion: notOnDevice(int("keysVersion", 0, 2147483647, 2))
        .optional()
        .describe(
            "Not configuration: a number to change when the keys must be sent again although none was changed in the program, e.g. after someone changed a key on a router that shows keys only encrypted (`pre-shared-key 6 ...`, with `password encryption aes`), where no refresh can see it. The next `pulumi up` sends every key of this keyring.",
        ),
}).superRefine((k, ctx) => {
    const names = new Map<string, number>();
    const seen = { address: new Map<string, number>(), identity: new Map<string, number>(), hostname: new Map<string, number>() };
    k.peers.forEach((p, i) => {
        if (!PEER_MATCHERS.some((m) => p[m] !== undefined)) {
            ctx.addIssue({ code: "custom", path: ["peers", i, "address"], message: unmatchablePeerMessage(p.name) });
        }
        const lower = p.name.toLowerCase();
        if (names.has(lower)) {
            ctx.addIssue({
                code: "custom",
                path: ["peers", i, "name"],
                message: withFix(`peer name "${p.name}" is used by peers[${names.get(lower)}] too; IOS would merge them into one peer`, "give each peer its own name"),
            });
        } else names.set(lower, i);
        for (const matcher of PEER_MATCHERS) {
            const key = MATCHER_KEYS[matcher](p);
            if (key === undefined) continue;
            const other = seen[matcher].get(key);
            if (other === undefined) {
                seen[matcher].set(key, i);
                continue;
            }
            ctx.addIssue({
                code: "custom",
                path: ["peers", i, matcher],
                message: withFix(
                    `peer "${p.name}" has the same ${matcher} as peers[${other}] ("${k.peers[other].name}"), so IOS would use one of their keys for both`,
                    `keep one peer per ${matcher}`,
                ),
            });
        }
    });
}).describe(
    "`crypto ikev2 keyring`: pre-shared keys per peer. The peer's name is only a label; IOS picks the key by the peer's address, identity or hostname, so every peer needs one of them (check refuses a peer without). Keys travel as Pulumi secrets in their own input `preSharedKeys`, so previews show the peers but never a key. On a router with `password encryption aes` the keys show only encrypted: see keysVersion.",
);

// ---------------------------------------------------------------------------------------------
// One peer of a keyring, managed apart from the keyring's other peers

const ikeV2KeyringPeerSchema = strict("IkeV2KeyringPeer", {
    keyring: name("keyring", "KR").describe(
        "The keyring the peer belongs to (IOS `crypto ikev2 keyring NAME`). The keyring is created with its first peer and removed with its last.",
    ),
    ...peerShape,
    keysVersion: notOnDevice(int("keysVersion", 0, 2147483647, 2))
        .optional()
        .describe(
            "Not configuration: a number to change when the key must be sent again although it was not changed in the program, e.g. after someone changed it on a router that shows keys only encrypted (`pre-shared-key 6 ...`), where no refresh can see it.",
        ),
}).superRefine((p, ctx) => {
    oneCompleteKey(p, ctx);
    if (!PEER_MATCHERS.some((m) => p[m] !== undefined)) ctx.addIssue({ code: "custom", path: ["address"], message: unmatchablePeerMessage(p.name) });
}).describe(
    "One peer of a `crypto ikev2 keyring` (IOS `peer NAME` with its address, identity or hostname and its key), managed apart from the keyring's other peers, so that adding or removing a tunnel on a hub touches only its own peer: the keyring is created with its first peer and removed with its last. Do not also manage the same keyring with IkeV2Keyring. The key is a Pulumi secret input of its own.",
);

// ---------------------------------------------------------------------------------------------
// crypto ikev2 profile

const remoteIdentity = strict("matchIdentityRemote entry", {
    address: ipv4OrPrefix("matchIdentityRemote.address")
        .optional()
        .describe("Peer IPv4 address identity (IOS `match identity remote address A.B.C.D MASK`), or a range as `A.B.C.D/LEN`."),
    mask: mask("matchIdentityRemote.mask").optional().describe("Mask of the address match, dotted or a prefix length; 255.255.255.255 when left out (written out, as IOS keeps it)."),
    ipv6Prefix: ipv6Prefix("matchIdentityRemote.ipv6Prefix").optional().describe("Peer IPv6 identity (IOS `match identity remote address X:X::X/LEN`)."),
    fqdn: iosFqdn("matchIdentityRemote.fqdn").optional().describe("IOS `match identity remote fqdn NAME`."),
    email: text("matchIdentityRemote.email", `"vpn@example.net"`, email("matchIdentityRemote.email")).optional().describe("IOS `match identity remote email NAME`."),
    keyId: text("matchIdentityRemote.keyId", `"site-b"`, keyId("matchIdentityRemote.keyId")).optional().describe("IOS `match identity remote key-id ID`."),
})
    .superRefine((v, ctx) => {
        exactlyOne("matchIdentityRemote entry", v, ["address", "ipv6Prefix", "fqdn", "email", "keyId"], ctx, 'set exactly one, e.g. { address: "203.0.113.7" }');
        if (v.mask && !v.address) {
            ctx.addIssue({ code: "custom", path: ["mask"], message: withFix("mask is set without address", "add address or remove mask") });
        }
    })
    .transform((v, ctx) => {
        const split = splitAddressPrefix(v, ctx);
        return split.address !== undefined && split.mask === undefined ? { ...split, mask: "255.255.255.255" } : split;
    });

const ikeV2ProfileSchema = strict("IkeV2Profile", {
    name: name("name", "PROF-VPS").describe("Profile name (IOS `crypto ikev2 profile NAME`)."),
    description: text("description", `"to the VPS"`, lineText("description", 80)).optional().describe("Free text (IOS `description TEXT`)."),
    matchIdentityRemote: list("matchIdentityRemote", remoteIdentity, 1, 64, `[{ address: "203.0.113.7" }]`)
        .superRefine(noDuplicates("matchIdentityRemote"))
        .describe("Identities of the peers this profile answers (IOS `match identity remote ...`, one line each)."),
    identityLocal: identity("identityLocal").optional().describe("Identity this router sends (IOS `identity local address|fqdn|email|key-id ...`)."),
    authentication: strict("authentication", {
        local: oneOf("authentication.local", ["pre-share"] as const).describe("IOS `authentication local pre-share`."),
        remote: oneOf("authentication.remote", ["pre-share"] as const).describe("IOS `authentication remote pre-share`."),
    })
        .default({ local: "pre-share", remote: "pre-share" })
        .describe("How each side authenticates; pre-shared keys only."),
    keyring: name("keyring", "KR").optional().describe("The IkeV2Keyring holding the pre-shared keys (IOS `keyring local NAME`)."),
    lifetime: int("lifetime", 120, 86400, 28800)
        .transform((v) => unlessDefault(v, HIDDEN_DEFAULTS.ikeLifetime))
        .optional()
        .describe("IKE SA lifetime in seconds (IOS `lifetime SECONDS`). 86400 is IOS's default, which it does not print: declaring it is the same as leaving it out."),
    dpd: strict("dpd", {
        interval: int("dpd.interval", 10, 3600, 10).describe("Seconds between checks."),
        retry: int("dpd.retry", 2, 60, 2).describe("Seconds between retries."),
        mode: oneOf("dpd.mode", ["on-demand", "periodic"] as const).describe("`on-demand` checks only when traffic stops; `periodic` always."),
    })
        .optional()
        .describe("Dead peer detection (IOS `dpd INTERVAL RETRY on-demand|periodic`)."),
    matchAddressLocal: ipAddress("matchAddressLocal").optional().describe("Answer only on this local address (IOS `match address local A.B.C.D` or `X:X::X`; one per profile)."),
    ivrf: vrfName("ivrf").optional().describe("Inside VRF of the tunnel (IOS `ivrf NAME`)."),
    matchFvrf: fvrf("matchFvrf").optional().describe("Front-door VRF to match, or `any` (IOS `match fvrf NAME|any`)."),
}).superRefine((p, ctx) => {
    if ((p.authentication.local === "pre-share" || p.authentication.remote === "pre-share") && p.keyring === undefined) {
        ctx.addIssue({
            code: "custom",
            path: ["keyring"],
            message: withFix("the profile authenticates with pre-shared keys but names no keyring", "set keyring to the IkeV2Keyring's name, e.g. keyring: \"KR\""),
        });
    }
}).describe(
    "`crypto ikev2 profile`: which peers it matches (`match identity remote`), the local identity, authentication and keyring.",
);

// ---------------------------------------------------------------------------------------------
// crypto ipsec transform-set

// ESP encryption is one word (algorithms.ts): `esp-aes-128` stands for IOS's `esp-aes 128`,
// `esp-gcm-256` for `esp-gcm 256` (a flat enum reads better in Pulumi programs than a pair).

const ipsecTransformSetSchema = strict("IpsecTransformSet", {
    name: name("name", "TS-AES256").describe("Transform set name (IOS `crypto ipsec transform-set NAME ...`)."),
    encryption: oneOf("encryption", ESP_ENCRYPTIONS).describe(
        "ESP encryption; `esp-aes-256` is IOS's `esp-aes 256`, `esp-gcm-256` is `esp-gcm 256`.",
    ),
    integrity: oneOf("integrity", ESP_INTEGRITIES)
        .optional()
        .describe("ESP integrity (IOS `esp-sha256-hmac` ...). Required with esp-aes, not allowed with esp-gcm."),
    mode: oneOf("mode", ["tunnel", "transport"] as const).default("tunnel").describe("IOS `mode tunnel|transport`."),
}).superRefine((t, ctx) => {
    const gcm = t.encryption.startsWith("esp-gcm");
    if (gcm && t.integrity !== undefined) {
        ctx.addIssue({
            code: "custom",
            path: ["integrity"],
            message: withFix(`integrity is set with ${t.encryption}, but GCM authenticates by itself and IOS refuses the pair`, "remove integrity"),
        });
    }
    if (!gcm && t.integrity === undefined) {
        ctx.addIssue({
            code: "custom",
            path: ["integrity"],
            message: withFix(`${t.encryption} has no integrity`, 'set integrity, e.g. integrity: "esp-sha256-hmac"'),
        });
    }
}).describe(
    "`crypto ipsec transform-set`: the ESP algorithms.",
);

// ---------------------------------------------------------------------------------------------
// crypto ipsec profile

const ipsecProfileSchema = strict("IpsecProfile", {
    name: name("name", "IPSEC-VPS").describe("IPsec profile name (IOS `crypto ipsec profile NAME`)."),
    transformSets: list("transformSets", name("transform set name", "TS-AES256"), 1, 6, `["TS-AES256"]`)
        .superRefine(noDuplicates("transformSets"))
        .describe("IpsecTransformSet names in order of preference (IOS `set transform-set NAME ...`)."),
    ikev2Profile: name("ikev2Profile", "PROF-VPS").describe("The IkeV2Profile that negotiates the SAs (IOS `set ikev2-profile NAME`)."),
    pfsGroup: dhGroup("pfsGroup").optional().describe("PFS Diffie-Hellman group for rekeys (IOS `set pfs groupN`)."),
    lifetimeSeconds: int("lifetimeSeconds", 120, 86400, 1800)
        .transform((v) => unlessDefault(v, HIDDEN_DEFAULTS.ipsecLifetimeSeconds))
        .optional()
        .describe(
            "IPsec SA lifetime (IOS `set security-association lifetime seconds N`). 3600 is IOS's default, which it does not print: declaring it is the same as leaving it out.",
        ),
    lifetimeKilobytes: int("lifetimeKilobytes", 2560, 4294967295, 102400000)
        .transform((v) => unlessDefault(v, HIDDEN_DEFAULTS.ipsecLifetimeKilobytes))
        .optional()
        .describe(
            "IPsec SA volume lifetime (IOS `set security-association lifetime kilobytes N`). 4608000 is IOS's default: declaring it is the same as leaving it out.",
        ),
}).describe(
    "`crypto ipsec profile`: transform sets, IKEv2 profile, PFS and SA lifetimes; applied to a tunnel with `tunnel protection`.",
);

// ---------------------------------------------------------------------------------------------
// interface TunnelN and its static routes

/** Why an interface name has no IOS spelling, or undefined when it has one (or is an address). */
function interfaceProblem(v: string): string | undefined {
    if (isIpv4(v) || isIpv6(v)) return undefined;
    const spelled = spellInterface(v);
    if ("name" in spelled) return undefined;
    if ("ambiguous" in spelled) return `tunnelSource abbreviates several interface types (${spelled.ambiguous.join(", ")})`;
    if ("unknownType" in spelled) return `tunnelSource has an interface type that IOS routers do not have ("${spelled.unknownType}")`;
    return "tunnelSource is not an interface name or an IP address";
}

/** An interface (any abbreviation or case IOS takes, held in full: `gi1` is `GigabitEthernet1`) or an address. */
const tunnelSource = text(
    "tunnelSource",
    `"GigabitEthernet1"`,
    ipv6Refinements(
        "tunnelSource",
        cliWord("tunnelSource", 64).superRefine((v, ctx) => {
            const problem = interfaceProblem(v);
            if (problem) {
                ctx.addIssue({
                    code: "custom",
                    message: withFix(problem, 'write the interface as IOS prints it, e.g. "GigabitEthernet1" or "GigabitEthernet0/0/0", or the address, e.g. "198.51.100.1"'),
                });
            }
        }),
        "2001:db8::1",
    ),
).transform((v) => (isIpv4(v) ? v : isIpv6(v) ? iosIpv6(v) : iosInterface(v)));

const tunnelRoute = strict("route", {
    destination: text("routes.destination", `"10.2.0.0/24"`, ipv4Cidr("routes.destination")).describe(
        "Network reached through the tunnel, in CIDR (IOS `ip route 10.2.0.0 255.255.255.0 TunnelN`).",
    ),
    distance: int("routes.distance", 1, 255, 5)
        .transform((v) => unlessDefault(v, HIDDEN_DEFAULTS.routeDistance))
        .optional()
        .describe("Administrative distance (IOS `ip route ... TunnelN DISTANCE`). 1 is the default of a static route: declaring it is the same as leaving it out."),
    name: text("routes.name", `"to-vps"`, cliWord("routes.name", 64)).optional().describe("Route name (IOS `ip route ... name NAME`)."),
});

const tunnelAddressObject = strict("ipAddress", {
    address: ipv4("ipAddress.address").describe("This end's tunnel address."),
    mask: mask("ipAddress.mask").describe("Tunnel network mask, dotted or a prefix length, e.g. 255.255.255.252 or 30."),
});

/** `"172.16.0.1/30"` is short for `{ address: "172.16.0.1", mask: "255.255.255.252" }`. */
const tunnelAddress = z.preprocess((v: string | z.input<typeof tunnelAddressObject>) => {
    const prefix = typeof v === "string" ? parsePrefix(v) : undefined;
    if (typeof v !== "string") return v;
    return prefix?.family === 4 ? { address: prefix.address, mask: prefixLengthToMask(prefix.length) } : { address: v };
}, tunnelAddressObject);

const tunnelInterfaceSchema = strict("TunnelInterface", {
    number: int("number", 0, 2147483647, 1).describe("Tunnel number (IOS `interface TunnelN`)."),
    description: text("description", `"to the VPS"`, lineText("description", 200)).optional().describe("Free text (IOS `description TEXT`)."),
    ipAddress: tunnelAddress.describe(
        'Tunnel interface address (IOS `ip address A.B.C.D MASK`); `"172.16.0.1/30"` is short for `{ address: "172.16.0.1", mask: "255.255.255.252" }`.',
    ),
    tunnelSource: tunnelSource.describe(
        "Outside interface or address the tunnel starts from (IOS `tunnel source ...`). Interface names may be abbreviated as on the CLI (`Gi1`); they are held as IOS prints them.",
    ),
    tunnelDestination: ipAddress("tunnelDestination").describe("The peer's outside address (IOS `tunnel destination A.B.C.D` or `X:X::X`)."),
    mode: oneOf("mode", ["ipsec-ipv4", "ipsec-ipv6"] as const).default("ipsec-ipv4").describe("IOS `tunnel mode ipsec ipv4|ipv6`."),
    protectionProfile: name("protectionProfile", "IPSEC-VPS").describe("IpsecProfile protecting the tunnel (IOS `tunnel protection ipsec profile NAME`)."),
    ipMtu: int("ipMtu", 576, 9976, 1400).optional().describe("IP MTU (IOS `ip mtu N`)."),
    tcpAdjustMss: int("tcpAdjustMss", 500, 1460, 1360).optional().describe("TCP MSS clamp (IOS `ip tcp adjust-mss N`)."),
    routes: list("routes", tunnelRoute, 0, 1000, `[{ destination: "10.2.0.0/24" }]`)
        .superRefine(noDuplicates<{ destination: string }>("routes", (r) => r.destination))
        .default([])
        .describe("Static routes through the tunnel (IOS `ip route NETWORK MASK TunnelN [DISTANCE] [name NAME]`)."),
}).superRefine((t, ctx) => {
    const v6 = t.mode === "ipsec-ipv6";
    if (v6 ? !isIpv6(t.tunnelDestination) : !isIpv4(t.tunnelDestination)) {
        ctx.addIssue({
            code: "custom",
            path: ["tunnelDestination"],
            message: withFix(
                `tunnelDestination is not an ${v6 ? "IPv6" : "IPv4"} address, as tunnel mode ${t.mode} needs`,
                v6 ? 'write an IPv6 address or set mode: "ipsec-ipv4"' : 'write an IPv4 address or set mode: "ipsec-ipv6"',
            ),
        });
    }
    if (v6 ? isIpv4(t.tunnelSource) : isIpv6(t.tunnelSource)) {
        ctx.addIssue({
            code: "custom",
            path: ["tunnelSource"],
            message: withFix(`tunnelSource is an ${v6 ? "IPv4" : "IPv6"} address on an ${v6 ? "IPv6" : "IPv4"} tunnel`, "use the outside interface name, or an address of the tunnel's family"),
        });
    }
}).describe(
    "`interface TunnelN` (a route-based VTI) plus the `ip route ... TunnelN` lines that send the remote networks into it; routes are created after the interface and removed before it.",
);

// ---------------------------------------------------------------------------------------------

export const iosSchemas = {
    IkeV2Proposal: ikeV2ProposalSchema,
    IkeV2Policy: ikeV2PolicySchema,
    IkeV2Keyring: ikeV2KeyringSchema,
    IkeV2KeyringPeer: ikeV2KeyringPeerSchema,
    IkeV2Profile: ikeV2ProfileSchema,
    IpsecTransformSet: ipsecTransformSetSchema,
    IpsecProfile: ipsecProfileSchema,
    TunnelInterface: tunnelInterfaceSchema,
};

export type IosKind = keyof typeof iosSchemas;
export type IosModel<K extends IosKind> = z.output<(typeof iosSchemas)[K]>;

export type IkeV2ProposalModel = z.output<typeof ikeV2ProposalSchema>;
export type IkeV2PolicyModel = z.output<typeof ikeV2PolicySchema>;
export type IkeV2KeyringModel = z.output<typeof ikeV2KeyringSchema>;
export type IkeV2KeyringPeerModel = IkeV2KeyringModel["peers"][number];
export type IkeV2ProfileModel = z.output<typeof ikeV2ProfileSchema>;
export type IpsecTransformSetModel = z.output<typeof ipsecTransformSetSchema>;
export type IpsecProfileModel = z.output<typeof ipsecProfileSchema>;
export type TunnelInterfaceModel = z.output<typeof tunnelInterfaceSchema>;
/** Every kind's model type, indexed by kind (for code generic over the kind). */
export type IosModels = { [K in IosKind]: IosModel<K> };
