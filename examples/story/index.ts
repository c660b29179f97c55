/**
 * The story: a home router (Cisco IOS) is the hub of two IKEv2 tunnels, one to the parents' IOS
 * router and one to a VPS running strongSwan. Each tunnel is declared once for both ends
 * (SiteToSiteTunnel): one key, one set of algorithms, the identities and the LANs. The home router's
 * keyring holds a peer per tunnel, each found by its `address` (a peer's name is only a label), and
 * `pulumi preview` fails if the two ends of a tunnel disagree. `pulumi up` proves each tunnel from
 * both ends (IOS: show crypto, ping from the router; strongSwan: SAs, ping), and a tunnel that does
 * not come up fails with the cause and the fix from both ends' logs.
 *
 * Stack configuration (see README; `bash scripts/lab-stack.sh` fills it from the lab):
 *   homeHost homeUser homeHostKey homePassword(secret) homeEnableSecret(secret), the same for parents,
 *   vpsHost vpsUser vpsHostKey vpsPrivateKey(secret), vpsPsk(secret) parentsPsk(secret),
 *   and optionally SITEWan SITELan SITELanAddress (default: the lab's) and vpsDpdDelay (seconds, default 10).
 * `hand-written.ts` is the same story written resource by resource, checked with checkTunnelEnds().
 */
import * as pulumi from "@pulumi/pulumi";
import { IosRouter, SiteToSiteTunnel, TunnelAlgorithms } from "pulumi-ikev2";

const cfg = new pulumi.Config();
const lab = { home: ["198.51.100.1", "10.1.0.0/24", "10.1.0.1"], parents: ["192.0.2.50", "10.3.0.0/24", "10.3.0.1"], vps: ["203.0.113.7", "10.2.0.0/24", "10.2.0.1"] };
const site = (name: keyof typeof lab) => ({ wan: cfg.get(`${name}Wan`) ?? lab[name][0], lan: cfg.get(`${name}Lan`) ?? lab[name][1], lanAddress: cfg.get(`${name}LanAddress`) ?? lab[name][2] });
const [home, parents, vps] = [site("home"), site("parents"), site("vps")];
const ios = (name: string) => ({
    host: cfg.require(`${name}Host`),
    username: cfg.require(`${name}User`),
    password: cfg.requireSecret(`${name}Password`),
    enableSecret: cfg.getSecret(`${name}EnableSecret`),
    hostKey: cfg.require(`${name}HostKey`),
});

/** One declaration of the algorithms, for IOS and strongSwan alike. */
const algorithms: TunnelAlgorithms = {
    ike: { encryption: ["aes-cbc-256"], integrity: ["sha256"], groups: [14] },
    esp: { encryption: "esp-aes-256", integrity: "esp-sha256-hmac" },
    pfsGroup: 14,
};
const router = (name: "home" | "parents", s: typeof home) =>
    new IosRouter(name, { device: ios(name), wan: s.wan, lans: [s.lan], lanAddress: s.lanAddress, algorithms, names: { keyring: "KR" } });
const homeRouter = router("home", home);
const parentsRouter = router("parents", parents);
const vpsHost = {
    name: "vps",
    device: { host: cfg.require("vpsHost"), username: cfg.require("vpsUser"), privateKey: cfg.requireSecret("vpsPrivateKey"), hostKey: cfg.require("vpsHostKey") },
    wan: vps.wan,
    lans: [vps.lan],
    lanAddress: vps.lanAddress,
};

// Home is the hub: each tunnel also carries the LAN behind the other tunnel.
const toVps = new SiteToSiteTunnel("home-vps", {
    a: { router: homeRouter, tunnel: { number: 1, address: "172.16.0.1/30", mtu: 1400, tcpAdjustMss: 1360 }, lans: [home.lan, parents.lan] },
    b: { host: vpsHost },
    preSharedKey: cfg.requireSecret("vpsPsk"),
    dpd: { interval: cfg.getNumber("vpsDpdDelay") ?? 10 },
});
const toParents = new SiteToSiteTunnel("home-parents", {
    a: { router: homeRouter, tunnel: { number: 2, address: "172.16.0.5/30", mtu: 1400, tcpAdjustMss: 1360 }, lans: [home.lan, vps.lan] },
    b: { router: parentsRouter, tunnel: { number: 1, address: "172.16.0.6/30", mtu: 1400, tcpAdjustMss: 1360 } },
    preSharedKey: cfg.requireSecret("parentsPsk"),
});

export const tunnelsUp = [toVps.established, toParents.established];
