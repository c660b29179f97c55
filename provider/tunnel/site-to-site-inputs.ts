/**
 * What a SiteToSiteTunnel (provider/resources/site-to-site.ts) declares on each end, as plain
 * inputs: the objects an IosRouter shares between its tunnels (proposals, policy, transform sets)
 * and, per end, the keyring peer, IKEv2 profile, IPsec profile and tunnel interface (IOS) or the
 * connection (strongSwan), each without its device. One place for these formulas: the component
 * creates its resources from them, and the importer (provider/importer/site-to-site.ts) checks with
 * them that a tunnel declared this way is what the devices already have. No I/O, no Pulumi.
 */
import { DhGroup, EspTransform, IkeProposal } from "../algorithms";
import { Identity } from "../strongswan/swanctl-ids";

/** One set of algorithms for both ends, in IOS's names (algorithms.ts maps them for strongSwan). */
export interface TunnelAlgorithms {
    /** IKE SA: e.g. `{ encryption: ["aes-cbc-256"], integrity: ["sha256"], groups: [14] }`. */
    ike: IkeProposal;
    /** ESP: e.g. `{ encryption: "esp-aes-256", integrity: "esp-sha256-hmac" }`. */
    esp: EspTransform;
    /** PFS group for the CHILD_SAs' rekeys (IOS `set pfs groupN`); none when left out. */
    pfsGroup?: DhGroup;
}

/** Names on a router (defaults: keyring "KR", policy "POL-IKEV2", proposals and transform sets named after their algorithms). */
export interface RouterNames {
    keyring?: string;
    policy?: string;
    proposals?: string[];
    transformSets?: string[];
}

/** What the formulas read of an IosRouter. */
export interface RouterShape {
    site: string;
    wan: string;
    lans: string[];
    tunnelSource: string;
    keyring: string;
    algorithms: TunnelAlgorithms[];
    names: RouterNames;
}

/** What the formulas read of an IOS end. */
export interface IosEndShape {
    router: RouterShape;
    tunnel: { number: number; address: string; mtu?: number; tcpAdjustMss?: number };
    lans?: string[];
    id?: Identity;
    names?: { peer?: string; profile?: string; ipsecProfile?: string };
    descriptions?: EndDescriptions;
}

/**
 * The `description` lines of an IOS end's objects: text, or false for none. Defaults: `tunnel NAME`
 * on the keyring peer and the IKEv2 profile, `tunnel NAME to FAR` on the tunnel interface.
 */
export interface EndDescriptions {
    peer?: string | false;
    profile?: string | false;
    tunnel?: string | false;
}

/** What the formulas read of a strongSwan end. */
export interface StrongSwanEndShape {
    host: { name: string; wan: string; lans?: string[] };
    lans?: string[];
    id?: Identity;
    names?: { connection?: string; child?: string };
    startAction?: "none" | "trap" | "start";
}

export type EndShape = IosEndShape | StrongSwanEndShape;

/** The tunnel's own settings, whatever the key is (a Pulumi input in the component, a string in the importer). */
export interface TunnelSettings<Key> {
    preSharedKey: Key;
    keysVersion?: number;
    algorithms?: TunnelAlgorithms;
    dpd?: { interval: number; retry?: number } | false;
    ikeLifetime?: number;
    ipsecLifetime?: number;
}

export const isIosEnd = (e: EndShape): e is IosEndShape => "router" in e;
export const siteOfEnd = (e: EndShape) => (isIosEnd(e) ? e.router.site : e.host.name);
const wanOfEnd = (e: EndShape) => (isIosEnd(e) ? e.router.wan : e.host.wan);
export const lansOfEnd = (e: EndShape) => e.lans ?? (isIosEnd(e) ? e.router.lans : (e.host.lans ?? []));
const idOfEnd = (e: EndShape): Identity => e.id ?? { address: wanOfEnd(e) };

const upperWord = (s: string) => s.toUpperCase().replace(/[^A-Z0-9_.-]/g, "-");
const swanWord = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, "-");

const ENC_TAG: Record<string, string> = { "aes-cbc-128": "AES128", "aes-cbc-192": "AES192", "aes-cbc-256": "AES256", "aes-gcm-128": "AESGCM128", "aes-gcm-256": "AESGCM256" };
const ESP_TAG: Record<string, string> = { "esp-aes-128": "AES128", "esp-aes-192": "AES192", "esp-aes-256": "AES256", "esp-gcm-128": "AESGCM128", "esp-gcm-256": "AESGCM256" };

/** `PROP-AES256-SHA256-G14`: a proposal named after what it holds. */
function proposalName(a: TunnelAlgorithms): string {
    const hashes = a.ike.integrity?.length ? a.ike.integrity : (a.ike.prf ?? []);
    return ["PROP", ...a.ike.encryption.map((e) => ENC_TAG[e]), ...hashes.map((h) => h.toUpperCase()), ...a.ike.groups.map((g) => `G${g}`)].join("-");
}

/** `TS-AES256-SHA256`: a transform set named after what it holds. */
function transformSetName(a: TunnelAlgorithms): string {
    return ["TS", ESP_TAG[a.esp.encryption], ...(a.esp.integrity ? [a.esp.integrity.replace(/^esp-|-hmac$/g, "").toUpperCase()] : [])].join("-");
}

const sameAlgorithms = (x: TunnelAlgorithms, y: TunnelAlgorithms) => JSON.stringify([x.ike, x.esp, x.pfsGroup ?? null]) === JSON.stringify([y.ike, y.esp, y.pfsGroup ?? null]);

/** The name of the router's transform set for its i-th algorithm set. */
function transformSetNameOf(router: RouterShape, i: number): string {
    return router.names.transformSets?.[i] ?? transformSetName(router.algorithms[i]);
}

/** What an IosRouter creates: one IKEv2 proposal and one transform set per algorithm set, and one policy listing the proposals. */
export function routerInputs(router: RouterShape) {
    const proposals = router.algorithms.map((a, i) => ({ name: router.names.proposals?.[i] ?? proposalName(a), ...a.ike }));
    return {
        proposals,
        policy: { name: router.names.policy ?? "POL-IKEV2", proposals: proposals.map((p) => p.name) },
        transformSets: router.algorithms.map((a, i) => ({ name: transformSetNameOf(router, i), ...a.esp, mode: "tunnel" as const })),
    };
}

/** The index of a tunnel's algorithms among the router's, or an error that says how to fix it. */
export function suiteOf(router: RouterShape, tunnel: string, algorithms: TunnelAlgorithms | undefined): number {
    if (algorithms === undefined) return 0;
    const i = router.algorithms.findIndex((a) => sameAlgorithms(a, algorithms));
    if (i < 0) {
        throw new Error(
            `SiteToSiteTunnel ${tunnel}: its algorithms are not among IosRouter ${router.site}'s, so the router would offer none of them. ` +
                `Fix: add them to the router's algorithms (IosRouter ${router.site} { algorithms: [...] }), or leave the tunnel's algorithms out to use the router's first`,
        );
    }
    return i;
}

/** The tunnel's algorithms: its own, or the first set of its (first) IOS end's router. */
export function tunnelAlgorithms(tunnel: string, settings: TunnelSettings<unknown>, a: EndShape, b: EndShape): TunnelAlgorithms {
    const algorithms = settings.algorithms ?? (isIosEnd(a) ? a.router.algorithms[0] : isIosEnd(b) ? b.router.algorithms[0] : undefined);
    if (!algorithms) throw new Error(`SiteToSiteTunnel ${tunnel}: between two strongSwan hosts the algorithms must be given. Fix: set algorithms: { ike, esp, pfsGroup }`);
    return algorithms;
}

function cidr(address: string): { address: string; mask: string } {
    const [ip, length] = address.split("/");
    const n = Number(length ?? 32);
    const mask = n === 0 ? 0 : (0xffffffff << (32 - n)) >>> 0;
    return { address: ip, mask: [24, 16, 8, 0].map((s) => (mask >>> s) & 255).join(".") };
}

const description = (given: string | false | undefined, fallback: string) => (given === false ? undefined : (given ?? fallback));

/** The objects of an IOS end (without their device): keyring peer, IKEv2 profile, IPsec profile, tunnel interface with its routes. */
export function iosEndInputs<Key>(tunnel: string, settings: TunnelSettings<Key>, algorithms: TunnelAlgorithms, self: IosEndShape, far: EndShape) {
    const router = self.router;
    const farSite = siteOfEnd(far);
    const suite = suiteOf(router, tunnel, settings.algorithms);
    const names = {
        peer: self.names?.peer ?? swanWord(farSite).toLowerCase(),
        profile: self.names?.profile ?? `PROF-${upperWord(farSite)}`,
        ipsec: self.names?.ipsecProfile ?? `IPSEC-${upperWord(farSite)}`,
    };
    const dpd = settings.dpd === false ? undefined : { interval: settings.dpd?.interval ?? 10, retry: settings.dpd?.retry ?? 3, mode: "periodic" as const };
    const peer = {
        keyring: router.keyring,
        name: names.peer,
        description: description(self.descriptions?.peer, `tunnel ${tunnel}`),
        address: wanOfEnd(far),
        preSharedKey: settings.preSharedKey,
        keysVersion: settings.keysVersion,
    };
    const profile = {
        name: names.profile,
        description: description(self.descriptions?.profile, `tunnel ${tunnel}`),
        matchIdentityRemote: [idOfEnd(far)],
        identityLocal: idOfEnd(self),
        keyring: router.keyring,
        dpd,
        lifetime: settings.ikeLifetime,
    };
    const transformSet = { name: transformSetNameOf(router, suite), ...algorithms.esp, mode: "tunnel" };
    const ipsec = { name: names.ipsec, transformSets: [transformSet.name], ikev2Profile: names.profile, pfsGroup: algorithms.pfsGroup, lifetimeSeconds: settings.ipsecLifetime };
    const tunnelInterface = {
        number: self.tunnel.number,
        description: description(self.descriptions?.tunnel, `tunnel ${tunnel} to ${farSite}`),
        ipAddress: cidr(self.tunnel.address),
        tunnelSource: router.tunnelSource,
        tunnelDestination: wanOfEnd(far),
        protectionProfile: names.ipsec,
        ipMtu: self.tunnel.mtu,
        tcpAdjustMss: self.tunnel.tcpAdjustMss,
        routes: lansOfEnd(far).map((destination) => ({ destination })),
    };
    return { suite, peer, profile, transformSet, ipsec, tunnelInterface };
}

/** The strongSwan connection and child names an end gets on its host for a far site. */
export function strongSwanNames(self: StrongSwanEndShape, far: EndShape): { connection: string; child: string } {
    const farSite = swanWord(siteOfEnd(far));
    return { connection: self.names?.connection ?? farSite, child: self.names?.child ?? `${farSite}-lan` };
}

/** The connection of a strongSwan end (without its device). */
export function strongSwanEndInputs<Key>(settings: TunnelSettings<Key>, algorithms: TunnelAlgorithms, self: StrongSwanEndShape, far: EndShape) {
    const names = strongSwanNames(self, far);
    return {
        names,
        connection: {
            name: names.connection,
            localAddrs: [self.host.wan],
            remoteAddrs: [wanOfEnd(far)],
            proposals: [algorithms.ike],
            local: { auth: "psk" as const, id: idOfEnd(self) },
            remote: { auth: "psk" as const, id: idOfEnd(far) },
            preSharedKey: settings.preSharedKey,
            children: [
                {
                    name: names.child,
                    localTs: lansOfEnd(self),
                    remoteTs: lansOfEnd(far),
                    espProposals: [{ ...algorithms.esp, pfsGroup: algorithms.pfsGroup }],
                    startAction: self.startAction ?? "trap",
                    dpdAction: settings.dpd === false ? undefined : ("restart" as const),
                    rekeyTime: settings.ipsecLifetime,
                },
            ],
            dpdDelay: settings.dpd === false ? undefined : `${settings.dpd?.interval ?? 10}s`,
            rekeyTime: settings.ikeLifetime,
        },
    };
}
