/**
 * The emulator's own table of the algorithms an IOS-XE router negotiates in IKEv2 and ESP, and how
 * the charon behind it names them. It is deliberately NOT the provider's table
 * (provider/algorithms.ts): the emulator is the device the provider is tested against, and a wrong
 * mapping shared by both would pass every lab test. `tests/unit/algorithm-tables.test.ts` checks
 * that the two tables agree row by row.
 *
 * The common ground is the IANA transform ID of each algorithm: IOS's words and strongSwan's
 * keywords are both names for one IANA transform (plus a key length for AES).
 *
 * Sources:
 * - IANA, "Internet Key Exchange Version 2 (IKEv2) Parameters", Transform Type 1 (Encryption
 *   Algorithm), 2 (Pseudorandom Function), 3 (Integrity Algorithm), 4 (Key Exchange Method) IDs:
 *   https://www.iana.org/assignments/ikev2-parameters/ikev2-parameters.xhtml ; the transform
 *   types and the Key Length attribute: RFC 7296 sections 3.3.2 and 3.3.5,
 *   https://www.rfc-editor.org/rfc/rfc7296
 * - Cisco, IOS-XE 17.9.1 YANG model Cisco-IOS-XE-crypto.yang (`crypto ikev2 proposal` encryption /
 *   integrity / prf / group leaves with their help texts, e.g. aes-gcm-128 "Combined-mode,128 bit
 *   key,16 byte ICV(Authentication Tag)", group twenty-four "DH 2048 (256 subgroup) MODP";
 *   transform-set `esp` esp-aes|esp-gcm with `key-bit` 128|192|256 and `esp-hmac` esp-sha-hmac ..
 *   esp-sha512-hmac; `set pfs group1..group24`):
 *   https://github.com/YangModels/yang/blob/main/vendor/cisco/xe/1791/Cisco-IOS-XE-crypto.yang
 * - strongSwan, "IKEv2 Cipher Suites" / "Algorithm Proposals":
 *   https://docs.strongswan.org/docs/latest/config/proposals.html and the keyword table it is
 *   generated from, src/libstrongswan/crypto/proposal/proposal_keywords_static.txt
 *   (e.g. `aes256gcm16 -> ENCR_AES_GCM_ICV16, 256`, `sha256 -> AUTH_HMAC_SHA2_256_128`,
 *   `modp2048s256 -> MODP_2048_256`): https://github.com/strongswan/strongswan
 * - What charon prints for a negotiated SA (`swanctl --list-sas --raw`: encr-alg=AES_CBC
 *   encr-keysize=256 integ-alg=HMAC_SHA2_256_128 prf-alg=PRF_HMAC_SHA2_256 dh-group=MODP_2048):
 *   recorded from strongSwan 5.9.8 in tests/fixtures/strongswan/list-sas-*.raw.
 */

/** IANA transform types (RFC 7296 section 3.3.2). */
export const ENCR = 1;
export const PRF = 2;
export const INTEG = 3;
export const DH = 4;
export type TransformType = typeof ENCR | typeof PRF | typeof INTEG | typeof DH;

export interface AlgorithmRow {
    transformType: TransformType;
    /** The IANA Transform ID within its type. */
    ianaId: number;
    /** The Key Length attribute (bits) of a variable-length cipher. */
    keyLength?: number;
    /** The IANA registry's name. */
    ianaName: string;
    /** The word in `crypto ikev2 proposal` (`encryption`, `integrity`, `prf`, `group`). */
    iosProposal?: string;
    /** The words in `crypto ipsec transform-set` (encryption with its key size, or the HMAC). */
    iosTransform?: string;
    /** The word after `set pfs`. */
    iosPfs?: string;
    /** The strongSwan proposal keyword. */
    strongSwan: string;
    /** The name charon reports for a negotiated SA (encr-alg, prf-alg, integ-alg, dh-group). */
    charon: string;
    /** How `show crypto ikev2 sa` names it (Encr, PRF, Hash, DH Grp). */
    iosShow: string;
}

const aes = (id: number, iana: string, mode: "cbc" | "gcm", bits: number): AlgorithmRow => ({
    transformType: ENCR,
    ianaId: id,
    keyLength: bits,
    ianaName: iana,
    iosProposal: `aes-${mode}-${bits}`,
    iosTransform: `${mode === "cbc" ? "esp-aes" : "esp-gcm"} ${bits}`,
    strongSwan: mode === "cbc" ? `aes${bits}` : `aes${bits}gcm16`,
    charon: mode === "cbc" ? "AES_CBC" : "AES_GCM_16",
    iosShow: mode === "cbc" ? "AES-CBC" : "AES-GCM",
});

const dh = (group: number, iana: string, strongSwan: string, charon: string): AlgorithmRow => ({
    transformType: DH,
    ianaId: group,
    ianaName: iana,
    iosProposal: String(group),
    iosPfs: `group${group}`,
    strongSwan,
    charon,
    iosShow: String(group),
});

export const ALGORITHMS: readonly AlgorithmRow[] = [
    // Transform Type 1: ENCR_AES_CBC (12) and ENCR_AES_GCM_16 (20, 16-octet ICV), with Key Length.
    aes(12, "ENCR_AES_CBC", "cbc", 128),
    aes(12, "ENCR_AES_CBC", "cbc", 192),
    aes(12, "ENCR_AES_CBC", "cbc", 256),
    aes(20, "ENCR_AES_GCM_16", "gcm", 128),
    aes(20, "ENCR_AES_GCM_16", "gcm", 256),
    // Transform Type 2: pseudorandom functions (IOS `prf` takes the integrity words).
    { transformType: PRF, ianaId: 2, ianaName: "PRF_HMAC_SHA1", iosProposal: "sha1", strongSwan: "prfsha1", charon: "PRF_HMAC_SHA1", iosShow: "SHA1" },
    { transformType: PRF, ianaId: 5, ianaName: "PRF_HMAC_SHA2_256", iosProposal: "sha256", strongSwan: "prfsha256", charon: "PRF_HMAC_SHA2_256", iosShow: "SHA256" },
    { transformType: PRF, ianaId: 6, ianaName: "PRF_HMAC_SHA2_384", iosProposal: "sha384", strongSwan: "prfsha384", charon: "PRF_HMAC_SHA2_384", iosShow: "SHA384" },
    { transformType: PRF, ianaId: 7, ianaName: "PRF_HMAC_SHA2_512", iosProposal: "sha512", strongSwan: "prfsha512", charon: "PRF_HMAC_SHA2_512", iosShow: "SHA512" },
    // Transform Type 3: integrity (truncated HMACs; IOS `esp-sha-hmac` is HMAC-SHA1-96).
    { transformType: INTEG, ianaId: 2, ianaName: "AUTH_HMAC_SHA1_96", iosProposal: "sha1", iosTransform: "esp-sha-hmac", strongSwan: "sha1", charon: "HMAC_SHA1_96", iosShow: "SHA96" },
    { transformType: INTEG, ianaId: 12, ianaName: "AUTH_HMAC_SHA2_256_128", iosProposal: "sha256", iosTransform: "esp-sha256-hmac", strongSwan: "sha256", charon: "HMAC_SHA2_256_128", iosShow: "SHA256" },
    { transformType: INTEG, ianaId: 13, ianaName: "AUTH_HMAC_SHA2_384_192", iosProposal: "sha384", iosTransform: "esp-sha384-hmac", strongSwan: "sha384", charon: "HMAC_SHA2_384_192", iosShow: "SHA384" },
    { transformType: INTEG, ianaId: 14, ianaName: "AUTH_HMAC_SHA2_512_256", iosProposal: "sha512", iosTransform: "esp-sha512-hmac", strongSwan: "sha512", charon: "HMAC_SHA2_512_256", iosShow: "SHA512" },
    // Transform Type 4: Diffie-Hellman groups; IOS numbers them by their IANA ID.
    dh(2, "1024-bit MODP Group", "modp1024", "MODP_1024"),
    dh(5, "1536-bit MODP Group", "modp1536", "MODP_1536"),
    dh(14, "2048-bit MODP Group", "modp2048", "MODP_2048"),
    dh(15, "3072-bit MODP Group", "modp3072", "MODP_3072"),
    dh(16, "4096-bit MODP Group", "modp4096", "MODP_4096"),
    dh(19, "256-bit random ECP group", "ecp256", "ECP_256"),
    dh(20, "384-bit random ECP group", "ecp384", "ECP_384"),
    dh(21, "521-bit random ECP group", "ecp521", "ECP_521"),
    dh(24, "2048-bit MODP Group with 256-bit Prime Order Subgroup", "modp2048s256", "MODP_2048_256"),
];

function row(type: TransformType, pick: (r: AlgorithmRow) => string | undefined, value: string): AlgorithmRow | undefined {
    return ALGORITHMS.find((r) => r.transformType === type && pick(r) === value);
}

/** A proposal as `crypto ikev2 proposal` holds it (IOS words). */
export interface IosIkeProposal {
    encryption: string[];
    integrity: string[];
    prf: string[];
    group: string[];
}

/** Why charon could not be given a proposal, in words close to IOS's. */
export class ProposalError extends Error {}

function keywords(type: TransformType, words: string[], what: string): string[] {
    return words.map((w) => {
        const r = row(type, (x) => x.iosProposal, w);
        if (!r) throw new ProposalError(`${what} ${w} is not supported`);
        return r.strongSwan;
    });
}

/**
 * An IOS IKEv2 proposal as one strongSwan proposal. Without a `prf`, IOS derives the PRF from the
 * integrity algorithm, as strongSwan does; an AEAD (GCM) proposal needs a `prf` and takes no integrity.
 */
export function ikeProposal(p: IosIkeProposal): string {
    if (p.encryption.length === 0) throw new ProposalError("no encryption algorithm");
    if (p.group.length === 0) throw new ProposalError("no DH group");
    const gcm = p.encryption.filter((e) => e.startsWith("aes-gcm"));
    if (gcm.length && gcm.length < p.encryption.length) throw new ProposalError("AES-GCM and AES-CBC in one proposal");
    if (gcm.length && p.integrity.length) throw new ProposalError("integrity with an AES-GCM encryption");
    if (gcm.length && !p.prf.length) throw new ProposalError("no prf with an AES-GCM encryption");
    if (!gcm.length && !p.integrity.length) throw new ProposalError("no integrity algorithm");
    return [
        ...keywords(ENCR, p.encryption, "encryption"),
        ...keywords(INTEG, p.integrity, "integrity"),
        ...keywords(PRF, p.prf, "prf"),
        ...keywords(DH, p.group, "group"),
    ].join("-");
}

/**
 * A transform set's words (`esp-aes 256 esp-sha256-hmac`; `esp-aes` alone is 128 bits) plus the
 * IPsec profile's `set pfs groupN`, as one strongSwan ESP proposal.
 */
export function espProposal(words: string[], pfs?: string): string {
    let encryption: AlgorithmRow | undefined;
    let integrity: AlgorithmRow | undefined;
    for (let i = 0; i < words.length; i++) {
        const w = words[i];
        if (w === "esp-aes" || w === "esp-gcm") {
            const bits = /^(128|192|256)$/.test(words[i + 1] ?? "") ? words[++i] : "128";
            encryption = row(ENCR, (r) => r.iosTransform, `${w} ${bits}`);
            if (!encryption) throw new ProposalError(`transform ${w} ${bits} is not supported`);
        } else {
            integrity = row(INTEG, (r) => r.iosTransform, w);
            if (!integrity) throw new ProposalError(`transform ${w} is not supported`);
        }
    }
    if (!encryption) throw new ProposalError("no ESP encryption transform");
    const aead = encryption.charon.startsWith("AES_GCM");
    if (aead && integrity) throw new ProposalError(`${encryption.iosTransform} takes no ${integrity.iosTransform}`);
    if (!aead && !integrity) throw new ProposalError(`${encryption.iosTransform} needs an ESP authentication transform`);
    const out = [encryption.strongSwan];
    if (integrity) out.push(integrity.strongSwan);
    if (pfs) {
        const g = row(DH, (r) => r.iosPfs, pfs);
        if (!g) throw new ProposalError(`pfs ${pfs} is not supported`);
        out.push(g.strongSwan);
    }
    return out.join("-");
}

/** The table row for a name charon reported (with the key size for AES), if the table has it. */
export function fromCharon(type: TransformType, name: string, keySize?: string): AlgorithmRow | undefined {
    return ALGORITHMS.find((r) => r.transformType === type && r.charon === name && (r.keyLength === undefined || keySize === undefined || String(r.keyLength) === keySize));
}
