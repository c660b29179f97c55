/**
 * IKE identities as swanctl.conf writes them (`id = fqdn:vps.example.net`) and the identities a
 * connection's pre-shared key is filed under (`secrets.ike-<name>.id-N`). No I/O.
 */
import { isIp } from "../address";

/** An IKE identity: exactly one kind is set. */
export type Identity = { address?: string; fqdn?: string; email?: string; keyId?: string };

/** The swanctl `id` value of an identity. IP addresses stay bare: `ipv4:` would skip the binary conversion. */
export function identityToSwanctl(id: Identity): string {
    if (id.address !== undefined) return id.address;
    if (id.fqdn !== undefined) return `fqdn:${id.fqdn}`;
    if (id.email !== undefined) return `email:${id.email}`;
    return `keyid:${id.keyId}`;
}

/** The identity a swanctl `id` value stands for (inverse of identityToSwanctl, also reads unprefixed forms). */
export function identityFromSwanctl(text: string): Identity {
    const m = /^(fqdn|dns|email|rfc822|userfqdn|keyid):(.*)$/.exec(text);
    if (m) {
        if (m[1] === "fqdn" || m[1] === "dns") return { fqdn: m[2] };
        if (m[1] === "keyid") return { keyId: m[2] };
        return { email: m[2] };
    }
    if (isIp(text)) return { address: text };
    if (text.includes("@")) return { email: text };
    return { fqdn: text };
}

/**
 * The identities the PSK belongs to (swanctl `secrets.ike-<name>.id-N`): the remote id, or with none
 * the peer's literal IP addresses (what it sends by default); and the local id, or our literal
 * addresses. charon picks the secret that best matches both ends of the IKE_SA.
 */
export function pskOwners(c: { local?: { id?: Identity }; remote?: { id?: Identity }; localAddrs?: string[]; remoteAddrs?: string[] }): {
    remote: string[];
    local: string[];
} {
    const of = (id: Identity | undefined, addrs: string[] | undefined) => (id ? [identityToSwanctl(id)] : (addrs ?? []).filter(isIp));
    return { remote: of(c.remote?.id, c.remoteAddrs), local: of(c.local?.id, c.localAddrs) };
}
