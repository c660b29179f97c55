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
import { isIpv4, isIpv6 } from "../address";
import { DH_GROUPS, ESP_ENCRYPTIONS, ESP_INTEGRITIES, IKE_ENCRYPTIONS, IKE_INTEGRITIES, IKE_PRFS } from "../algorithms";
import { withFix } from "../fix";
import {
    cliWord,
    email,
    exactlyOne,
    fqdn,
    int,
    iosObjectName,
    ipv4Address,
    ipv4Cidr,
    ipv4Mask,
    ipv6Prefix,
    keyId,
    lineText,
    list,
    noDuplicates,
    oneOf,
    str,
    strict,
    typeError,
} from "./common";
import { secret, secretsTravelIn } from "./secrets";

// ---------------------------------------------------------------------------------------------
// Local building blocks: the common.ts types behind a string property whose missing value or
// wrong JSON type also gets a message that names the fix.

/** A string property whose content rules come from `inner` (a common.ts type). */
function text<T extends z.ZodType<string, string>>(what: string, example: string, inner: T) {
    return str(what, example).pipe(inner);
}

const name = (what: string, example: string) => text(what, `"${example}"`, iosObjectName(what));
const ipv4 = (what: string) => text(what, `"203.0.113.7"`, ipv4Address(what));
const mask = (what: string) => text(what, `"255.255.255.0"`, ipv4Mask(what));
const vrfName = (what: string) => text(what, `"INTERNET"`, iosObjectName(what));

/** An IKE identity: exactly one of address, fqdn, email, keyId (IOS `address`, `fqdn`, `email`, `key-id`). */
function identity(what: string) {
    return strict(what, {
        address: ipv4(`${what}.address`).optional().describe("IPv4 address identity (IOS `address A.B.C.D`)."),
        fqdn: text(`${what}.fqdn`, `"vps.example.net"`, fqdn(`${what}.fqdn`)).optional().describe("DNS name identity (IOS `fqdn NAME`)."),
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

const fvrf = (what: string) =>
    z
        .union([z.literal("any"), vrfName(what)], {
            error: withFix(`${what} is not "any" or a VRF name`, `write "any" or the VRF's name`),
        });

const ikeV2PolicySchema = strict("IkeV2Policy", {
    name: name("name", "POL-1").describe("Policy name (IOS `crypto ikev2 policy NAME`)."),
    proposals: list("proposals", name("proposal name", "PROP-AES256"), 1, 16, `["PROP-AES256"]`)
        .superRefine(noDuplicates("proposals"))
        .describe("Names of the IkeV2Proposals this policy offers, in order (IOS `proposal NAME`, one line each)."),
    matchAddressLocal: ipv4("matchAddressLocal")
        .optional()
        .describe("Use this policy only for IKE on this local address (IOS `match address local A.B.C.D`)."),
    matchFvrf: fvrf("matchFvrf")
        .optional()
        .describe("Use this policy only in this front-door VRF, or `any` (IOS `match fvrf NAME|any`)."),
}).describe(
    "`crypto ikev2 policy`: which proposals IKE negotiates, optionally per local address or front-door VRF.",
);

// ---------------------------------------------------------------------------------------------
// crypto ikev2 keyring

const KEY_KEYWORDS = ["0", "6", "7", "local", "remote"];

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
        .refine((v) => !KEY_KEYWORDS.includes(v), {
            message: withFix(
                `${what} is one of the words ${KEY_KEYWORDS.join(", ")}, which IOS parses as a keyword of pre-shared-key rather than as the key`,
                "use a longer key",
            ),
        }));
}

const peerAddressObject = strict("address", {
    address: ipv4("address.address").optional().describe("IPv4 address of the peer (IOS `address A.B.C.D`)."),
    mask: mask("address.mask").optional().describe("Mask to match a range of peers (IOS `address A.B.C.D MASK`)."),
    ipv6Prefix: text("address.ipv6Prefix", `"2001:db8::7/128"`, ipv6Prefix("address.ipv6Prefix"))
        .optional()
        .describe("IPv6 peer prefix (IOS `address X:X::X/LEN`)."),
}).superRefine((a, ctx) => {
    exactlyOne("address", a, ["address", "ipv6Prefix"], ctx, `set address: "203.0.113.7" or address: { ipv6Prefix: "2001:db8::7/128" }`);
    if (a.mask && !a.address) {
        ctx.addIssue({ code: "custom", path: ["mask"], message: withFix("mask is set without an IPv4 address", "add address or remove mask") });
    }
});

/** `"203.0.113.7"` is short for `{ address: "203.0.113.7" }`, `"2001:db8::7/128"` for `{ ipv6Prefix: ... }`. */
const peerAddress = z.preprocess(
    // The parameter's type is the property's input type (what the resource class takes).
    (v: string | z.input<typeof peerAddressObject>) => (typeof v === "string" ? (v.includes(":") ? { ipv6Prefix: v } : { address: v }) : v),
    peerAddressObject,
);

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
            'Address IOS matches the peer on (IOS `address A.B.C.D [MASK]` or `address X:X::X/LEN`). `"203.0.113.7"` is short for `{ address: "203.0.113.7" }`.',
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

const addressKey = (a: { address?: string; mask?: string; ipv6Prefix?: string }) =>
    a.ipv6Prefix ? a.ipv6Prefix.toLowerCase() : `${a.address} ${a.mask ?? "255.255.255.255"}`;

const ikeV2KeyringSchema = strict("IkeV2Keyring", {
    name: name("name", "KR").describe("Keyring name (IOS `crypto ikev2 keyring NAME`)."),
    peers: secretsTravelIn(list("peers", keyringPeer, 1, 1000, `[{ name: "vps", address: "203.0.113.7", preSharedKey: secret }]`), "preSharedKeys", "name").describe(
        "Peers and their keys (IOS `peer NAME` sub-blocks). Names and addresses must be unique.",
    ),
}).superRefine((k, ctx) => {
    const names = new Map<string, number>();
    const addresses = new Map<string, number>();
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
        if (p.address) {
            const key = addressKey(p.address);
            if (addresses.has(key)) {
                ctx.addIssue({
                    code: "custom",
                    path: ["peers", i, "address"],
                    message: withFix(
                        `peer "${p.name}" has the same address as peers[${addresses.get(key)}], so IOS would pick one of their keys for both`,
                        "keep one peer per address",
                    ),
                });
            } else addresses.set(key, i);
        }
    });
}).describe(
    "`crypto ikev2 keyring`: pre-shared keys per peer. The peer's name is only a label; IOS picks the key by the peer's address, identity or hostname, so every peer needs one of them (check refuses a peer without). Keys travel as Pulumi secrets in their own input `preSharedKeys`, so previews show the peers but never a key.",
);

// ---------------------------------------------------------------------------------------------
// One peer of a keyring, managed apart from the keyring's other peers

const ikeV2KeyringPeerSchema = strict("IkeV2KeyringPeer", {
    keyring: name("keyring", "KR").describe(
        "The keyring the peer belongs to (IOS `crypto ikev2 keyring NAME`). The keyring is created with its first peer and removed with its last.",
    ),
    ...peerShape,
}).superRefine((p, ctx) => {
    oneCompleteKey(p, ctx);
    if (!PEER_MATCHERS.some((m) => p[m] !== undefined)) ctx.addIssue({ code: "custom", path: ["address"], message: unmatchablePeerMessage(p.name) });
}).describe(
    "One peer of a `crypto ikev2 keyring` (IOS `peer NAME` with its address, identity or hostname and its key), managed apart from the keyring's other peers, so that adding or removing a tunnel on a hub touches only its own peer: the keyring is created with its first peer and removed with its last. Do not also manage the same keyring with IkeV2Keyring. The key is a Pulumi secret input of its own.",
);

// ---------------------------------------------------------------------------------------------
// crypto ikev2 profile

const remoteIdentity = strict("matchIdentityRemote entry", {
    address: ipv4("matchIdentityRemote.address").optional().describe("Peer IPv4 address identity (IOS `match identity remote address A.B.C.D MASK`)."),
    mask: mask("matchIdentityRemote.mask").optional().describe("Mask of the address match; 255.255.255.255 when left out."),
    fqdn: text("matchIdentityRemote.fqdn", `"vps.example.net"`, fqdn("matchIdentityRemote.fqdn")).optional().describe("IOS `match identity remote fqdn NAME`."),
    email: text("matchIdentityRemote.email", `"vpn@example.net"`, email("matchIdentityRemote.email")).optional().describe("IOS `match identity remote email NAME`."),
    keyId: text("matchIdentityRemote.keyId", `"site-b"`, keyId("matchIdentityRemote.keyId")).optional().describe("IOS `match identity remote key-id ID`."),
})
    .superRefine((v, ctx) => {
        exactlyOne("matchIdentityRemote entry", v, ["address", "fqdn", "email", "keyId"], ctx, 'set exactly one, e.g. { address: "203.0.113.7" }');
        if (v.mask && !v.address) {
            ctx.addIssue({ code: "custom", path: ["mask"], message: withFix("mask is set without address", "add address or remove mask") });
        }
    })
    .transform((v) => (v.address !== undefined && v.mask === undefined ? { ...v, mask: "255.255.255.255" } : v));

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
    lifetime: int("lifetime", 120, 86400, 86400).optional().describe("IKE SA lifetime in seconds (IOS `lifetime SECONDS`)."),
    dpd: strict("dpd", {
        interval: int("dpd.interval", 10, 3600, 10).describe("Seconds between checks."),
        retry: int("dpd.retry", 2, 60, 2).describe("Seconds between retries."),
        mode: oneOf("dpd.mode", ["on-demand", "periodic"] as const).describe("`on-demand` checks only when traffic stops; `periodic` always."),
    })
        .optional()
        .describe("Dead peer detection (IOS `dpd INTERVAL RETRY on-demand|periodic`)."),
    matchAddressLocal: ipv4("matchAddressLocal").optional().describe("Answer only on this local address (IOS `match address local A.B.C.D`)."),
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
    lifetimeSeconds: int("lifetimeSeconds", 120, 86400, 3600)
        .optional()
        .describe("IPsec SA lifetime (IOS `set security-association lifetime seconds N`)."),
    lifetimeKilobytes: int("lifetimeKilobytes", 2560, 4294967295, 4608000)
        .optional()
        .describe("IPsec SA volume lifetime (IOS `set security-association lifetime kilobytes N`)."),
}).describe(
    "`crypto ipsec profile`: transform sets, IKEv2 profile, PFS and SA lifetimes; applied to a tunnel with `tunnel protection`.",
);

// ---------------------------------------------------------------------------------------------
// interface TunnelN and its static routes

const INTERFACE_NAME = /^[A-Za-z][A-Za-z-]*[0-9]+(\/[0-9]+)*(\.[0-9]+)?$/;

const tunnelSource = text(
    "tunnelSource",
    `"GigabitEthernet1"`,
    cliWord("tunnelSource", 64).refine((v) => isIpv4(v) || INTERFACE_NAME.test(v), {
        message: withFix("tunnelSource is not an interface name or an IPv4 address", 'write e.g. "GigabitEthernet0/0", "GigabitEthernet1" or "198.51.100.1"'),
    }),
);

const tunnelRoute = strict("route", {
    destination: text("routes.destination", `"10.2.0.0/24"`, ipv4Cidr("routes.destination")).describe(
        "Network reached through the tunnel, in CIDR (IOS `ip route 10.2.0.0 255.255.255.0 TunnelN`).",
    ),
    distance: int("routes.distance", 1, 255, 1).optional().describe("Administrative distance (IOS `ip route ... TunnelN DISTANCE`)."),
    name: text("routes.name", `"to-vps"`, cliWord("routes.name", 64)).optional().describe("Route name (IOS `ip route ... name NAME`)."),
});

const tunnelInterfaceSchema = strict("TunnelInterface", {
    number: int("number", 0, 2147483647, 1).describe("Tunnel number (IOS `interface TunnelN`)."),
    description: text("description", `"to the VPS"`, lineText("description", 200)).optional().describe("Free text (IOS `description TEXT`)."),
    ipAddress: strict("ipAddress", {
        address: ipv4("ipAddress.address").describe("This end's tunnel address."),
        mask: mask("ipAddress.mask").describe("Tunnel network mask, e.g. 255.255.255.252."),
    }).describe("Tunnel interface address (IOS `ip address A.B.C.D MASK`)."),
    tunnelSource: tunnelSource.describe("Outside interface or address the tunnel starts from (IOS `tunnel source ...`)."),
    tunnelDestination: text(
        "tunnelDestination",
        `"203.0.113.7"`,
        z.string().refine((v) => isIpv4(v) || isIpv6(v), {
            message: withFix("tunnelDestination is not an IP address", "write the peer's public address, e.g. 203.0.113.7"),
        }),
    ).describe("The peer's outside address (IOS `tunnel destination A.B.C.D`)."),
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
    if (v6 && isIpv4(t.tunnelSource)) {
        ctx.addIssue({
            code: "custom",
            path: ["tunnelSource"],
            message: withFix("tunnelSource is an IPv4 address on an IPv6 tunnel", "use the outside interface name"),
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
