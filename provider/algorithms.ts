/**
 * The one table between IOS algorithm names and strongSwan proposal keywords (REFERENCE.md,
 * "Algorithm names: IOS vs strongSwan"), used both ways: IOS-style typed proposals become
 * strongSwan proposal strings here, and raw strongSwan proposal strings are read back as IOS names
 * by strongswan/proposals.ts, so both ends can be compared.
 */
import { withFix } from "./fix";

export const IKE_ENCRYPTIONS = ["aes-cbc-128", "aes-cbc-192", "aes-cbc-256", "aes-gcm-128", "aes-gcm-256"] as const;
export const IKE_INTEGRITIES = ["sha1", "sha256", "sha384", "sha512"] as const;
/** IOS `prf` takes the same hash names as `integrity`. */
export const IKE_PRFS = IKE_INTEGRITIES;
export const DH_GROUPS = [14, 15, 16, 19, 20, 21, 24] as const;
export const ESP_ENCRYPTIONS = ["esp-aes-128", "esp-aes-192", "esp-aes-256", "esp-gcm-128", "esp-gcm-256"] as const;
export const ESP_INTEGRITIES = ["esp-sha-hmac", "esp-sha256-hmac", "esp-sha384-hmac", "esp-sha512-hmac"] as const;

export type IkeEncryption = (typeof IKE_ENCRYPTIONS)[number];
export type IkeIntegrity = (typeof IKE_INTEGRITIES)[number];
export type IkePrf = IkeIntegrity;
export type DhGroup = (typeof DH_GROUPS)[number];
export type EspEncryption = (typeof ESP_ENCRYPTIONS)[number];
export type EspIntegrity = (typeof ESP_INTEGRITIES)[number];

/** An IKEv2 proposal in IOS terms (`crypto ikev2 proposal`). */
export interface IkeProposal {
    encryption: IkeEncryption[];
    integrity?: IkeIntegrity[];
    prf?: IkePrf[];
    groups: DhGroup[];
}

/** An ESP transform in IOS terms (`crypto ipsec transform-set` plus `set pfs`). */
export interface EspTransform {
    encryption: EspEncryption;
    integrity?: EspIntegrity;
}

export const IKE_ENCRYPTION_KEYWORDS: Record<IkeEncryption, string> = {
    "aes-cbc-128": "aes128",
    "aes-cbc-192": "aes192",
    "aes-cbc-256": "aes256",
    "aes-gcm-128": "aes128gcm16",
    "aes-gcm-256": "aes256gcm16",
};
export const INTEGRITY_KEYWORDS: Record<IkeIntegrity, string> = { sha1: "sha1", sha256: "sha256", sha384: "sha384", sha512: "sha512" };
export const PRF_KEYWORDS: Record<IkePrf, string> = { sha1: "prfsha1", sha256: "prfsha256", sha384: "prfsha384", sha512: "prfsha512" };
export const DH_GROUP_KEYWORDS: Record<DhGroup, string> = {
    14: "modp2048",
    15: "modp3072",
    16: "modp4096",
    19: "ecp256",
    20: "ecp384",
    21: "ecp521",
    24: "modp2048s256",
};
export const ESP_ENCRYPTION_KEYWORDS: Record<EspEncryption, string> = {
    "esp-aes-128": "aes128",
    "esp-aes-192": "aes192",
    "esp-aes-256": "aes256",
    "esp-gcm-128": "aes128gcm16",
    "esp-gcm-256": "aes256gcm16",
};
export const ESP_INTEGRITY_KEYWORDS: Record<EspIntegrity, string> = {
    "esp-sha-hmac": "sha1",
    "esp-sha256-hmac": "sha256",
    "esp-sha384-hmac": "sha384",
    "esp-sha512-hmac": "sha512",
};

const isIkeGcm = (e: IkeEncryption) => e.startsWith("aes-gcm");
const isEspGcm = (e: EspEncryption) => e.startsWith("esp-gcm");

/** The strongSwan `proposals` entry for an IOS IKEv2 proposal; throws (with the fix) on a combination strongSwan refuses. */
export function ikeProposalToStrongSwan(p: IkeProposal): string {
    const integrity = p.integrity ?? [];
    const prf = p.prf ?? [];
    const gcm = p.encryption.filter(isIkeGcm);
    if (p.encryption.length === 0) throw new Error(withFix("an IKE proposal has no encryption algorithm", 'set encryption, e.g. ["aes-cbc-256"]'));
    if (p.groups.length === 0) throw new Error(withFix("an IKE proposal has no Diffie-Hellman group", "set groups, e.g. [14]"));
    if (gcm.length > 0 && gcm.length < p.encryption.length) {
        throw new Error(withFix("an IKE proposal mixes AES-GCM with AES-CBC, which strongSwan refuses in one proposal", "split it into two proposals"));
    }
    if (gcm.length > 0) {
        if (integrity.length > 0) throw new Error(withFix("an AES-GCM IKE proposal has integrity algorithms", "remove integrity and set prf"));
        if (prf.length === 0) throw new Error(withFix("an AES-GCM IKE proposal has no prf", 'set prf, e.g. ["sha384"]'));
    } else if (integrity.length === 0) {
        throw new Error(withFix("an AES-CBC IKE proposal has no integrity algorithm", 'set integrity, e.g. ["sha256"]'));
    }
    return [
        ...p.encryption.map((e) => IKE_ENCRYPTION_KEYWORDS[e]),
        ...integrity.map((i) => INTEGRITY_KEYWORDS[i]),
        ...prf.map((f) => PRF_KEYWORDS[f]),
        ...p.groups.map((g) => DH_GROUP_KEYWORDS[g]),
    ].join("-");
}

/** The strongSwan `esp_proposals` entry for an IOS transform set, with the PFS group if `set pfs` is used. */
export function espProposalToStrongSwan(t: EspTransform, pfsGroup?: DhGroup): string {
    if (isEspGcm(t.encryption) && t.integrity) {
        throw new Error(withFix(`${t.encryption} authenticates by itself and takes no integrity transform`, "remove integrity"));
    }
    if (!isEspGcm(t.encryption) && !t.integrity) {
        throw new Error(withFix(`${t.encryption} needs an integrity transform`, 'set integrity, e.g. "esp-sha256-hmac"'));
    }
    const words = [ESP_ENCRYPTION_KEYWORDS[t.encryption]];
    if (t.integrity) words.push(ESP_INTEGRITY_KEYWORDS[t.integrity]);
    if (pfsGroup !== undefined) words.push(DH_GROUP_KEYWORDS[pfsGroup]);
    return words.join("-");
}
