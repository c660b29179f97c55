/**
 * Raw strongSwan proposal strings (`aes256-sha256-modp2048`, as in `proposals` / `esp_proposals`):
 * validated keyword by keyword and, where every keyword is in the IOS table (algorithms.ts), read
 * back as IOS names so both ends of a tunnel can be compared. No I/O.
 */
import {
    DH_GROUP_KEYWORDS,
    DH_GROUPS,
    DhGroup,
    ESP_ENCRYPTION_KEYWORDS,
    ESP_INTEGRITY_KEYWORDS,
    EspTransform,
    IKE_ENCRYPTION_KEYWORDS,
    IkeProposal,
    INTEGRITY_KEYWORDS,
    PRF_KEYWORDS,
} from "../algorithms";
import { withFix } from "../fix";

/** strongSwan keywords accepted in raw proposals beyond the IOS table (all supported by the Debian charon). */
const EXTRA_AEAD = ["aes128gcm8", "aes128gcm12", "aes192gcm16", "aes256gcm8", "aes256gcm12", "chacha20poly1305"];
const EXTRA_GROUPS = ["modp6144", "modp8192", "curve25519", "curve448", "ecp224"];
const EXTRA_INTEGRITY = ["aesxcbc", "aescmac"];
const EXTRA_PRF = ["prfaesxcbc", "prfaescmac"];
const ESN = ["esn", "noesn"];

/** Keywords strongSwan knows but that are too weak to configure; each with why. */
const WEAK: Record<string, string> = {
    des: "single DES",
    "3des": "3DES (64-bit block)",
    md5: "MD5",
    prfmd5: "MD5",
    modp768: "the 768-bit MODP group (IOS group 1)",
    modp1024: "the 1024-bit MODP group (IOS group 2)",
    modp1536: "the 1536-bit MODP group (IOS group 5)",
    modp1024s160: "the 1024-bit MODP group with 160-bit subgroup (IOS group 22)",
    modp2048s224: "the 2048-bit MODP group with 224-bit subgroup (IOS group 23)",
    null: "no encryption",
};

const invert = <K extends string>(table: Record<K, string>): Map<string, K> =>
    new Map(Object.entries(table).map(([k, v]) => [v as string, k as K]));

const IKE_ENCRYPTION_BY_KEYWORD = invert(IKE_ENCRYPTION_KEYWORDS);
const INTEGRITY_BY_KEYWORD = invert(INTEGRITY_KEYWORDS);
const PRF_BY_KEYWORD = invert(PRF_KEYWORDS);
const GROUP_BY_KEYWORD = new Map(DH_GROUPS.map((g) => [DH_GROUP_KEYWORDS[g], g]));
const ESP_ENCRYPTION_BY_KEYWORD = invert(ESP_ENCRYPTION_KEYWORDS);
const ESP_INTEGRITY_BY_KEYWORD = invert(ESP_INTEGRITY_KEYWORDS);

const CBC = ["aes128", "aes192", "aes256"];
const AEAD = ["aes128gcm16", "aes256gcm16", ...EXTRA_AEAD];
const INTEGRITY = [...Object.values(INTEGRITY_KEYWORDS), ...EXTRA_INTEGRITY];
const PRF = [...Object.values(PRF_KEYWORDS), ...EXTRA_PRF];
const GROUPS = [...Object.values(DH_GROUP_KEYWORDS), ...EXTRA_GROUPS];

/** A raw proposal split into its kinds of keywords, plus its IOS reading when every keyword has one. */
export interface ParsedProposal {
    kind: "ike" | "esp";
    aead: boolean;
    encryption: string[];
    integrity: string[];
    prf: string[];
    groups: string[];
    esn: string[];
    /** The same proposal in IOS terms, when every keyword is in the IOS table (IKE: IkeProposal; ESP: one transform + optional PFS group). */
    ios?: IkeProposal | { transform: EspTransform; pfsGroup?: DhGroup };
}

export type ProposalParseResult = { ok: true; value: ParsedProposal } | { ok: false; error: string };

const EXAMPLE = { ike: "aes256-sha256-modp2048 or aes256gcm16-prfsha384-ecp384", esp: "aes256-sha256-modp2048 or aes256gcm16" };

/**
 * Validates one strongSwan proposal (dash-separated keywords, as in `proposals` / `esp_proposals`):
 * known keywords only, no weak algorithms, AEAD and classic ciphers not mixed, integrity present
 * with a classic cipher and absent with AEAD, a PRF with AEAD in IKE, a DH group in IKE.
 */
export function parseStrongSwanProposal(text: string, kind: "ike" | "esp"): ProposalParseResult {
    const fail = (problem: string, fix: string): ProposalParseResult => ({ ok: false, error: withFix(`proposal "${text}": ${problem}`, fix) });
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(text)) {
        if (text.includes(",")) return fail("lists several proposals in one string", "give each proposal as its own list entry");
        return fail(
            "is not dash-separated lower-case strongSwan keywords",
            `write it like ${EXAMPLE[kind]}`,
        );
    }
    if (text === "default") return fail('"default" depends on the strongSwan version', `name the algorithms, e.g. ${EXAMPLE[kind]}`);
    const p: ParsedProposal = { kind, aead: false, encryption: [], integrity: [], prf: [], groups: [], esn: [] };
    for (const word of text.split("-")) {
        if (WEAK[word]) return fail(`${word} is ${WEAK[word]}, which is too weak`, `use e.g. ${EXAMPLE[kind]}`);
        if (CBC.includes(word)) p.encryption.push(word);
        else if (AEAD.includes(word)) {
            p.encryption.push(word);
            p.aead = true;
        } else if (INTEGRITY.includes(word)) p.integrity.push(word);
        else if (PRF.includes(word) && kind === "ike") p.prf.push(word);
        else if (GROUPS.includes(word)) p.groups.push(word);
        else if (ESN.includes(word) && kind === "esp") p.esn.push(word);
        else {
            const known = [...CBC, ...AEAD, ...INTEGRITY, ...(kind === "ike" ? PRF : []), ...GROUPS, ...(kind === "esp" ? ESN : [])];
            return fail(`${word} is not a ${kind.toUpperCase()} keyword this provider accepts`, `use only ${known.join(", ")}`);
        }
    }
    const seen = new Set<string>();
    for (const word of text.split("-")) {
        if (seen.has(word)) return fail(`lists ${word} twice`, "remove the duplicate");
        seen.add(word);
    }
    if (p.encryption.length === 0) return fail("has no encryption algorithm", `start it with one, e.g. ${EXAMPLE[kind]}`);
    const classic = p.encryption.filter((e) => CBC.includes(e));
    if (p.aead && classic.length > 0) {
        return fail(`mixes AEAD (${p.encryption.filter((e) => !CBC.includes(e)).join(", ")}) and classic ciphers (${classic.join(", ")})`, "split it into two proposals");
    }
    if (p.aead && p.integrity.length > 0) {
        return fail(`has integrity ${p.integrity.join(", ")} with an AEAD cipher, which authenticates by itself`, kind === "ike" ? "remove it and name a PRF instead, e.g. prfsha384" : "remove it");
    }
    if (!p.aead && p.integrity.length === 0) return fail("has a classic cipher without an integrity algorithm", "add one, e.g. sha256");
    if (kind === "ike" && p.aead && p.prf.length === 0) return fail("has an AEAD cipher but no PRF", "add one, e.g. prfsha384");
    if (kind === "ike" && p.groups.length === 0) return fail("has no Diffie-Hellman group", "add one, e.g. modp2048 (IOS group 14) or ecp384 (group 20)");
    p.ios = iosReading(p);
    return { ok: true, value: p };
}

function iosReading(p: ParsedProposal): ParsedProposal["ios"] {
    const all = <T>(words: string[], table: Map<string, T>): T[] | undefined =>
        words.every((w) => table.has(w)) ? words.map((w) => table.get(w)!) : undefined;
    const groups = all(p.groups, GROUP_BY_KEYWORD);
    if (!groups) return undefined;
    if (p.kind === "ike") {
        const encryption = all(p.encryption, IKE_ENCRYPTION_BY_KEYWORD);
        const integrity = all(p.integrity, INTEGRITY_BY_KEYWORD);
        const prf = all(p.prf, PRF_BY_KEYWORD);
        if (!encryption || !integrity || !prf) return undefined;
        const result: IkeProposal = { encryption, groups };
        if (integrity.length) result.integrity = integrity;
        if (prf.length) result.prf = prf;
        return result;
    }
    const encryption = all(p.encryption, ESP_ENCRYPTION_BY_KEYWORD);
    const integrity = all(p.integrity, ESP_INTEGRITY_BY_KEYWORD);
    if (!encryption || !integrity || encryption.length !== 1 || integrity.length > 1 || groups.length > 1 || p.esn.length) return undefined;
    const transform: EspTransform = { encryption: encryption[0] };
    if (integrity.length) transform.integrity = integrity[0];
    return groups.length ? { transform, pfsGroup: groups[0] } : { transform };
}
