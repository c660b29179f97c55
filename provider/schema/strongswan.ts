/**
 * Schema of the strongSwan connection resource: one swanctl connection (`connections.<name>`) with
 * its children and the pre-shared key in the same file's `secrets` section. It holds only what goes
 * into the file; the glue adds the device connection and credentials (see device.ts).
 *
 * Every string that reaches swanctl.conf is checked against what the swanctl.conf syntax would
 * interpret (line breaks, `#`, braces, `=`, quotes, commas in lists). Algorithm proposals, typed
 * or raw, are normalized to strongSwan proposal strings in the parsed model, so a model read back
 * from a file compares equal to the declared one.
 */
import { z } from "zod";
import {
    DH_GROUPS,
    ESP_ENCRYPTIONS,
    ESP_INTEGRITIES,
    espProposalToStrongSwan,
    IKE_ENCRYPTIONS,
    IKE_INTEGRITIES,
    IKE_PRFS,
    ikeProposalToStrongSwan,
} from "../algorithms";
import { isCidr, isIp } from "../address";
import { withFix } from "../fix";
import { parseStrongSwanProposal } from "../strongswan/proposals";
import { pskOwners } from "../strongswan/swanctl-ids";
import { email, exactlyOne, fqdn, int, isFqdn, keyId, list, noDuplicates, oneOf, str, strict, typeError } from "./common";
import { secret } from "./secrets";

// ---------------------------------------------------------------------------------------------
// Building blocks

/**
 * A swanctl section name (connection or child): swanctl.conf refuses `. , : { } = " #` and white
 * space in names; we allow only letters, digits, '-' and '_' so the name is also safe in file names
 * and shell arguments.
 */
export function swanctlName(what: string, example: string) {
    return str(what, `"${example}"`).refine((v) => /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(v), {
        message: withFix(
            `${what} must be 1 to 64 letters, digits, '-' or '_' starting with a letter or digit (swanctl.conf section names may not contain . , : { } = " # or white space)`,
            `rename it, e.g. "${example}"`,
        ),
    });
}

/** A DNS name whose last label is not all digits, so a mistyped address like 300.1.1.1 is not taken for a name. */
const isHostName = (v: string) => isFqdn(v) && /[A-Za-z]/.test(v.split(".").pop() ?? "");

/** An entry of `local_addrs` / `remote_addrs`. */
function address(what: string) {
    return str(what, `"203.0.113.7"`).refine((v) => v === "%any" || isIp(v) || isHostName(v) || isCidr(v), {
        message: withFix(`${what} is not an IP address, DNS name, CIDR subnet or %any`, 'write e.g. "203.0.113.7", "vps.example.net", "198.51.100.0/24" or "%any"'),
    });
}

/** An entry of `local_ts` / `remote_ts`. */
function trafficSelector(what: string) {
    return str(what, `"10.2.0.0/24"`).refine((v) => v === "dynamic" || isCidr(v), {
        message: withFix(
            `${what} is not a subnet in CIDR notation (host bits zero) or "dynamic"`,
            'write e.g. "10.2.0.0/24", "0.0.0.0/0" (route-based, with ifIdIn/ifIdOut) or "dynamic"',
        ),
    });
}

/** swanctl time: seconds as a number, or digits with s, m, h or d. Normalized to a string with unit. */
function time(what: string) {
    const fix = 'write seconds as a number (3600) or a string with unit s, m, h or d ("1h", "3600s")';
    return z
        .union([int(what, 0, 2 ** 31 - 1, 3600), str(what, '"1h"')], { error: withFix(`${what} is not a time`, fix) })
        .refine((v) => typeof v === "number" || /^\d{1,10}[smhd]$/.test(v), { message: withFix(`${what} is not a time`, fix) })
        .transform((v) => (typeof v === "number" ? `${v}s` : v));
}

function ifId(what: string) {
    return z
        .union([int(what, 1, 0xffffffff, 42), z.literal("%unique")], {
            error: withFix(`${what} is not an XFRM interface id`, 'use a number from 1 to 4294967295 (the xfrm interface\'s if_id) or "%unique"'),
        });
}

/** An IKE identity; exactly one kind. Rendered as swanctl ids: `203.0.113.7`, `fqdn:x`, `email:x`, `keyid:x`. */
function identity(what: string) {
    return strict(what, {
        address: str(`${what}.address`, `"203.0.113.7"`)
            .refine(isIp, { message: withFix(`${what}.address is not an IP address`, 'write e.g. "203.0.113.7"') })
            .optional()
            .describe("IP address identity (swanctl `id = 203.0.113.7`, ID_IPV4_ADDR / ID_IPV6_ADDR)."),
        fqdn: str(`${what}.fqdn`, `"vps.example.net"`).pipe(fqdn(`${what}.fqdn`)).optional().describe("DNS name identity (swanctl `id = fqdn:vps.example.net`, ID_FQDN)."),
        email: str(`${what}.email`, `"vpn@example.net"`).pipe(email(`${what}.email`)).optional().describe("E-mail identity (swanctl `id = email:vpn@example.net`, ID_RFC822_ADDR)."),
        keyId: str(`${what}.keyId`, `"site-b"`)
            .pipe(keyId(`${what}.keyId`))
            .refine((v) => /^[A-Za-z0-9._@:/-]+$/.test(v), {
                message: withFix(`${what}.keyId contains characters swanctl.conf would interpret`, "use letters, digits, '.', '-', '_', '@', ':' and '/' only"),
            })
            .optional()
            .describe("Opaque key-id identity (swanctl `id = keyid:site-b`, ID_KEY_ID; IOS `identity local key-id`)."),
    }).superRefine((v, ctx) =>
        exactlyOne(what, v, ["address", "fqdn", "email", "keyId"], ctx, `set exactly one, e.g. ${what}: { address: "203.0.113.7" }`),
    );
}

const authRound = (what: string) =>
    strict(what, {
        auth: z.literal("psk", { error: withFix(`${what}.auth must be "psk"`, 'set auth: "psk" (certificates are not supported yet)') }).describe(
            "Authentication method (swanctl `auth = psk`): pre-shared key, from preSharedKey.",
        ),
        id: identity(`${what}.id`)
            .optional()
            .describe(`IKE identity (swanctl \`${what}.id\`). Unset: ${what === "local" ? "the local IP address is sent" : "any identity is accepted; the PSK is then tied to the remote IP addresses"}.`),
    });

const ikeProposal = (what: string) =>
    strict(what, {
        encryption: list(`${what}.encryption`, oneOf(`${what}.encryption`, IKE_ENCRYPTIONS), 1, 5, '["aes-cbc-256"]')
            .superRefine(noDuplicates(`${what}.encryption`))
            .describe("Encryption algorithms, IOS names (aes-cbc-256 becomes aes256, aes-gcm-256 aes256gcm16)."),
        integrity: list(`${what}.integrity`, oneOf(`${what}.integrity`, IKE_INTEGRITIES), 0, 4, '["sha256"]')
            .superRefine(noDuplicates(`${what}.integrity`))
            .optional()
            .describe("Integrity algorithms (sha1/sha256/sha384/sha512). Required with AES-CBC, not allowed with AES-GCM."),
        prf: list(`${what}.prf`, oneOf(`${what}.prf`, IKE_PRFS), 0, 4, '["sha384"]')
            .superRefine(noDuplicates(`${what}.prf`))
            .optional()
            .describe("Pseudo-random functions (sha384 becomes prfsha384). Required with AES-GCM."),
        groups: list(
            `${what}.groups`,
            z.literal(DH_GROUPS, {
                error: withFix(`${what}.groups has a group this provider does not configure`, `use ${DH_GROUPS.join(", ")}`),
            }),
            1,
            7,
            "[14]",
        )
            .superRefine(noDuplicates(`${what}.groups`))
            .describe(`Diffie-Hellman groups, IOS numbers: ${DH_GROUPS.join(", ")} (14 is modp2048, 20 ecp384).`),
    });

const espTransform = (what: string) =>
    strict(what, {
        encryption: oneOf(`${what}.encryption`, ESP_ENCRYPTIONS).describe("ESP cipher, IOS name (esp-aes-256 becomes aes256, esp-gcm-256 aes256gcm16)."),
        integrity: oneOf(`${what}.integrity`, ESP_INTEGRITIES).optional().describe("ESP integrity, IOS name (esp-sha256-hmac becomes sha256). Not with GCM."),
        pfsGroup: z
            .literal(DH_GROUPS, {
                error: withFix(`${what}.pfsGroup is not a group this provider configures`, `use ${DH_GROUPS.join(", ")}`),
            })
            .optional()
            .describe("PFS Diffie-Hellman group (IOS `set pfs groupN`); must match the peer, a mismatch only shows at rekey."),
    });

/** A typed proposal or a raw strongSwan string, normalized to the strongSwan string. */
function proposal(what: string, kind: "ike" | "esp") {
    const typed = kind === "ike" ? ikeProposal(what) : espTransform(what);
    const example = "aes256-sha256-modp2048";
    const raw = str(what, `"${example}"`).superRefine((v, ctx) => {
        const parsed = parseStrongSwanProposal(v, kind);
        if (!parsed.ok) ctx.addIssue({ code: "custom", message: `${what}: ${parsed.error}` });
    });
    // A union's own message is zod's "Invalid input": report the branch that the input's type selects.
    const error = (issue: z.core.$ZodRawIssue) => {
        const branch = issue.code === "invalid_union" ? issue.errors[typeof issue.input === "string" ? 0 : 1] : undefined;
        return branch?.[0]?.message ?? withFix(`${what} must be a string or an object`, `write it like "${example}"`);
    };
    return z.union([raw, typed], { error }).transform((v, ctx) => {
        if (typeof v === "string") return v;
        try {
            if (kind === "ike") return ikeProposalToStrongSwan(v as z.output<ReturnType<typeof ikeProposal>>);
            const t = v as z.output<ReturnType<typeof espTransform>>;
            return espProposalToStrongSwan({ encryption: t.encryption, integrity: t.integrity }, t.pfsGroup);
        } catch (e) {
            ctx.addIssue({ code: "custom", message: `${what}: ${(e as Error).message}` });
            return z.NEVER;
        }
    });
}

const CONTROL = /[\u0000-\u001f\u007f]/;

const preSharedKey = secret(z
    .string({ error: typeError("preSharedKey", "a string", "a Pulumi secret") })
    .min(8, { error: withFix("preSharedKey is shorter than 8 characters", "use a long random key, e.g. `openssl rand -base64 30`") })
    .max(256, { error: withFix("preSharedKey is longer than 256 characters", "shorten it") })
    .refine((v) => !CONTROL.test(v), {
        message: withFix("preSharedKey contains a line break or control character, which swanctl.conf cannot hold in a value", "remove it"),
    })
    .refine((v) => /^[\x20-\x7e]*$/.test(v), {
        message: withFix("preSharedKey contains non-ASCII characters, which IOS cannot enter the same way", "use printable ASCII only"),
    }));

// ---------------------------------------------------------------------------------------------
// The connection

const child = (i: string) =>
    strict("child", {
        name: swanctlName(`${i}.name`, "lan").describe("Child section name (swanctl `children.<name>`); the name `swanctl --initiate --child` takes."),
        localTs: list(`${i}.localTs`, trafficSelector(`${i}.localTs`), 1, 32, '["10.2.0.0/24"]')
            .superRefine(noDuplicates(`${i}.localTs`))
            .describe("Local traffic selectors (swanctl `local_ts`): subnets or `dynamic`; 0.0.0.0/0 for a route-based (VTI) tunnel to IOS."),
        remoteTs: list(`${i}.remoteTs`, trafficSelector(`${i}.remoteTs`), 1, 32, '["10.4.0.0/24"]')
            .superRefine(noDuplicates(`${i}.remoteTs`))
            .describe("Remote traffic selectors (swanctl `remote_ts`)."),
        espProposals: list(`${i}.espProposals`, proposal(`${i}.espProposals`, "esp"), 1, 16, '[{ encryption: "esp-aes-256", integrity: "esp-sha256-hmac" }]')
            .superRefine(noDuplicates(`${i}.espProposals`))
            .describe(
                "ESP proposals (swanctl `esp_proposals`): typed `{encryption, integrity?, pfsGroup?}` with IOS names, or raw strongSwan strings like `aes256-sha256-modp2048`. Stored as strongSwan strings.",
            ),
        mode: oneOf(`${i}.mode`, ["tunnel", "transport"]).default("tunnel").describe("IPsec mode (swanctl `mode`)."),
        startAction: oneOf(`${i}.startAction`, ["none", "trap", "start"])
            .optional()
            .describe("What charon does after loading (swanctl `start_action`): none (respond only), trap (on traffic), start (initiate now)."),
        closeAction: oneOf(`${i}.closeAction`, ["none", "trap", "start"]).optional().describe("What charon does when the peer closes the CHILD_SA (swanctl `close_action`)."),
        dpdAction: oneOf(`${i}.dpdAction`, ["clear", "trap", "restart"]).optional().describe("What charon does when DPD declares the peer dead (swanctl `dpd_action`)."),
        ifIdIn: ifId(`${i}.ifIdIn`).optional().describe("XFRM interface id of inbound SAs/policies (swanctl `if_id_in`), for route-based tunnels."),
        ifIdOut: ifId(`${i}.ifIdOut`).optional().describe("XFRM interface id of outbound SAs/policies (swanctl `if_id_out`)."),
        updown: str(`${i}.updown`, '"/usr/lib/ipsec/_updown"')
            .refine((v) => /^\/[A-Za-z0-9_./-]{1,255}$/.test(v) && !v.split("/").includes(".."), {
                message: withFix(`${i}.updown is not an absolute path of plain characters`, 'write e.g. "/usr/lib/ipsec/_updown" (arguments are not supported)'),
            })
            .optional()
            .describe("Script charon runs on CHILD_SA up/down events (swanctl `updown`)."),
        rekeyTime: time(`${i}.rekeyTime`).optional().describe("CHILD_SA rekey interval (swanctl `rekey_time`, strongSwan default 1h); seconds or e.g. \"1h\"."),
        lifeTime: time(`${i}.lifeTime`).optional().describe("CHILD_SA hard lifetime (swanctl `life_time`, default rekeyTime + 10%)."),
    });

export const strongSwanConnectionSchema = strict("StrongSwanConnection", {
    name: swanctlName("name", "home").describe(
        "Connection name (swanctl `connections.<name>`), also the file `conf.d/pulumi-<name>.conf` and the secret `secrets.ike-<name>`.",
    ),
    version: z
        .union([z.literal(2), z.literal(1)], { error: withFix("version must be 2 or 1", "use 2 (IKEv2)") })
        .default(2)
        .describe("IKE version (swanctl `version`)."),
    localAddrs: list("localAddrs", address("localAddrs"), 1, 16, '["203.0.113.7"]')
        .superRefine(noDuplicates("localAddrs"))
        .optional()
        .describe("Local addresses to use for IKE (swanctl `local_addrs`); unset: %any."),
    remoteAddrs: list("remoteAddrs", address("remoteAddrs"), 1, 16, '["198.51.100.1"]')
        .superRefine(noDuplicates("remoteAddrs"))
        .optional()
        .describe("Peer addresses (swanctl `remote_addrs`): IP, DNS name, CIDR or %any; unset: %any (respond to anyone)."),
    proposals: list("proposals", proposal("proposals", "ike"), 1, 16, '[{ encryption: ["aes-cbc-256"], integrity: ["sha256"], groups: [14] }]')
        .superRefine(noDuplicates("proposals"))
        .describe(
            "IKE proposals (swanctl `proposals`): typed `{encryption, integrity?, prf?, groups}` with IOS names, or raw strongSwan strings like `aes256gcm16-prfsha384-ecp384`. Stored as strongSwan strings.",
        ),
    local: authRound("local").describe("Local authentication round (swanctl `local { }`)."),
    remote: authRound("remote").describe("Remote authentication round (swanctl `remote { }`)."),
    preSharedKey: preSharedKey
        .optional()
        .describe("The pre-shared key (secret), written quoted to this file's own `secrets.ike-<name>.secret`, tied to the peer's and our identities (`id-N`)."),
    children: list("children", child("children[]"), 1, 32, '[{ name: "lan", localTs: ["10.2.0.0/24"], remoteTs: ["10.4.0.0/24"], espProposals: ["aes256-sha256"] }]')
        .describe("CHILD_SAs (swanctl `children`)."),
    dpdDelay: time("dpdDelay").optional().describe("Dead peer detection interval (swanctl `dpd_delay`); unset: no active DPD."),
    dpdTimeout: time("dpdTimeout").optional().describe("DPD timeout, IKEv1 only (swanctl `dpd_timeout`)."),
    rekeyTime: time("rekeyTime").optional().describe("IKE_SA rekey interval (swanctl `rekey_time`, strongSwan default 4h; IOS IKE lifetime default 86400 s)."),
    reauthTime: time("reauthTime").optional().describe("IKE reauthentication interval (swanctl `reauth_time`); unset: no reauthentication."),
    mobike: z.boolean({ error: withFix("mobike must be true or false", "write mobike: false") }).optional().describe("MOBIKE (swanctl `mobike`); IOS does not support it, strongSwan negotiates it off."),
    encap: z.boolean({ error: withFix("encap must be true or false", "write encap: true") }).optional().describe("Force UDP encapsulation of ESP (swanctl `encap`)."),
    keyingTries: int("keyingTries", 0, 1000, 0).optional().describe("Initiation attempts (swanctl `keyingtries`); 0 retries forever."),
    unique: oneOf("unique", ["no", "never", "keep", "replace"]).optional().describe("Uniqueness policy (swanctl `unique`); replace closes an older IKE_SA of the same peer."),
}).superRefine((c, ctx) => {
    const names = new Set<string>();
    c.children.forEach((ch, i) => {
        if (names.has(ch.name)) {
            ctx.addIssue({ code: "custom", path: ["children", i, "name"], message: withFix(`children has two children named ${ch.name}`, "give each child its own name") });
        }
        names.add(ch.name);
        if ((ch.ifIdIn === undefined) !== (ch.ifIdOut === undefined)) {
            ctx.addIssue({
                code: "custom",
                path: ["children", i, ch.ifIdIn === undefined ? "ifIdIn" : "ifIdOut"],
                message: withFix(`child ${ch.name} sets only one of ifIdIn and ifIdOut`, "set both, usually to the same xfrm interface id"),
            });
        }
    });
    if (c.local.auth === "psk" || c.remote.auth === "psk") {
        if (c.preSharedKey === undefined) {
            ctx.addIssue({ code: "custom", path: ["preSharedKey"], message: withFix("auth is psk but preSharedKey is not set", "set preSharedKey (as a Pulumi secret)") });
        }
        if (pskOwners(c).remote.length === 0) {
            ctx.addIssue({
                code: "custom",
                path: ["remote", "id"],
                message: withFix(
                    "the pre-shared key cannot be tied to the peer: remote.id is unset and remoteAddrs has no IP address (strongSwan looks the key up by the peer's identity, which is its IP address unless it sends another)",
                    'set remote.id to what the peer sends, e.g. { address: "198.51.100.1" }, or list the peer\'s IP address in remoteAddrs',
                ),
            });
        }
    }
}).describe(
    "A swanctl connection on a strongSwan host, written to its own file `<swanctlDir>/conf.d/pulumi-<name>.conf` (mode 0600, with its pre-shared key in the file's own `secrets` section) and loaded with `swanctl --load-all`.",
);

export type StrongSwanConnectionInput = z.input<typeof strongSwanConnectionSchema>;
export type StrongSwanConnectionModel = z.output<typeof strongSwanConnectionSchema>;
export type StrongSwanChildModel = StrongSwanConnectionModel["children"][number];
