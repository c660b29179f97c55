/**
 * The story written resource by resource, for people who keep their own objects: a home router
 * (Cisco IOS) is the hub of two IKEv2 tunnels, one to the parents' IOS router and one to a VPS
 * running strongSwan. Both peers sit in ONE keyring on the home router; each peer has its `address`,
 * which is what IOS matches on (the peer's name is only a label). checkTunnelEnds() runs the same
 * cross-end checks as SiteToSiteTunnel on these resources: `pulumi preview` fails, naming both ends'
 * resources and the fix, when a tunnel's two ends disagree (algorithms, keys, identities, keyring
 * peer addresses, selectors and routes, clashing tunnel interfaces). ../index.ts is the same story
 * with SiteToSiteTunnel. Do not deploy both to the same devices: they declare the same objects.
 *
 * Stack configuration (see README; `bash scripts/lab-stack.sh` fills it from the lab):
 *   homeHost homeUser homeHostKey homePassword(secret) homeEnableSecret(secret)
 *   parentsHost parentsUser parentsHostKey parentsPassword(secret) parentsEnableSecret(secret)
 *   vpsHost vpsUser vpsHostKey vpsPrivateKey(secret)
 *   vpsPsk(secret) parentsPsk(secret)
 *   homeWan parentsWan vpsWan homeLan parentsLan vpsLan (defaults: the lab's addresses)
 *   vpsDpdDelay (default 10s); homeLanAddress parentsLanAddress vpsLanAddress (ping targets)
 */
import * as pulumi from "@pulumi/pulumi";
import {
    IkeV2Keyring,
    IkeV2Policy,
    IkeV2Profile,
    IkeV2Proposal,
    IosDevice,
    IpsecProfile,
    IpsecTransformSet,
    StrongSwanConnection,
    StrongSwanHost,
    StrongSwanTunnelCheck,
    TunnelInterface,
    checkTunnelEnds,
} from "pulumi-ikev2";

const cfg = new pulumi.Config();

function iosDevice(prefix: string): IosDevice {
    return {
        host: cfg.require(`${prefix}Host`),
        username: cfg.require(`${prefix}User`),
        password: cfg.requireSecret(`${prefix}Password`),
        enableSecret: cfg.getSecret(`${prefix}EnableSecret`),
        hostKey: cfg.require(`${prefix}HostKey`),
    };
}

const home = iosDevice("home");
const parents = iosDevice("parents");
const vps: StrongSwanHost = {
    host: cfg.require("vpsHost"),
    username: cfg.require("vpsUser"),
    privateKey: cfg.requireSecret("vpsPrivateKey"),
    hostKey: cfg.require("vpsHostKey"),
};

const homeWan = cfg.get("homeWan") ?? "198.51.100.1";
const parentsWan = cfg.get("parentsWan") ?? "192.0.2.50";
const vpsWan = cfg.get("vpsWan") ?? "203.0.113.7";
const homeLan = cfg.get("homeLan") ?? "10.1.0.0/24";
const parentsLan = cfg.get("parentsLan") ?? "10.3.0.0/24";
const vpsLan = cfg.get("vpsLan") ?? "10.2.0.0/24";
const vpsPsk = cfg.requireSecret("vpsPsk");
const parentsPsk = cfg.requireSecret("parentsPsk");

/** One declaration of the algorithms, used by IOS and strongSwan alike. */
const ike = { encryption: ["aes-cbc-256" as const], integrity: ["sha256" as const], groups: [14 as const] };
const esp = { encryption: "esp-aes-256" as const, integrity: "esp-sha256-hmac" as const };
const pfsGroup = 14 as const;

/** The IKEv2/IPsec objects every IOS site needs once. */
function iosCrypto(site: string, device: IosDevice) {
    const proposal = new IkeV2Proposal(`${site}-proposal`, { device, name: "PROP-AES256", ...ike });
    const policy = new IkeV2Policy(`${site}-policy`, { device, name: "POL-1", proposals: [proposal] });
    const transformSet = new IpsecTransformSet(`${site}-ts`, { device, name: "TS-AES256", ...esp, mode: "tunnel" });
    return { proposal, policy, transformSet };
}

/** One route-based tunnel on an IOS router: profile, IPsec profile, tunnel interface and route. */
function iosTunnel(args: {
    site: string; peer: string; device: IosDevice; keyring: IkeV2Keyring; transformSet: IpsecTransformSet; dependsOn: pulumi.Resource[];
    localWan: string; remoteWan: string; number: number; tunnelAddress: string; remoteLans: string[];
}) {
    const upper = args.peer.toUpperCase();
    const profile = new IkeV2Profile(`${args.site}-${args.peer}-profile`, {
        device: args.device,
        name: `PROF-${upper}`,
        description: `IKEv2 to ${args.peer}`,
        matchIdentityRemote: [{ address: args.remoteWan }],
        identityLocal: { address: args.localWan },
        authentication: { local: "pre-share", remote: "pre-share" },
        keyring: args.keyring,
        dpd: { interval: 10, retry: 3, mode: "periodic" },
    }, { dependsOn: args.dependsOn });
    const ipsecProfile = new IpsecProfile(`${args.site}-${args.peer}-ipsec`, {
        device: args.device,
        name: `IPSEC-${upper}`,
        transformSets: [args.transformSet],
        ikev2Profile: profile,
        pfsGroup,
    });
    return new TunnelInterface(`${args.site}-${args.peer}-tunnel`, {
        device: args.device,
        number: args.number,
        description: `to ${args.peer}`,
        ipAddress: { address: args.tunnelAddress, mask: "255.255.255.252" },
        tunnelSource: "GigabitEthernet1",
        tunnelDestination: args.remoteWan,
        protectionProfile: ipsecProfile,
        ipMtu: 1400,
        tcpAdjustMss: 1360,
        routes: args.remoteLans.map((destination) => ({ destination })),
    });
}

// Home: the hub. Both peers in one keyring, each found by its address.
const homeCrypto = iosCrypto("home", home);
const homeKeyring = new IkeV2Keyring("home-keyring", {
    device: home,
    name: "KR",
    peers: [
        { name: "vps", description: "strongSwan VPS", address: vpsWan, preSharedKey: vpsPsk },
        { name: "parents", description: "parents' router", address: parentsWan, preSharedKey: parentsPsk },
    ],
});
const homeToVps = iosTunnel({ site: "home", peer: "vps", device: home, keyring: homeKeyring, transformSet: homeCrypto.transformSet, dependsOn: [homeCrypto.policy],
    localWan: homeWan, remoteWan: vpsWan, number: 1, tunnelAddress: "172.16.0.1", remoteLans: [vpsLan] });
const homeToParents = iosTunnel({ site: "home", peer: "parents", device: home, keyring: homeKeyring, transformSet: homeCrypto.transformSet, dependsOn: [homeCrypto.policy],
    localWan: homeWan, remoteWan: parentsWan, number: 2, tunnelAddress: "172.16.0.5", remoteLans: [parentsLan] });

// Parents: one tunnel back to home, which also carries the VPS's LAN (home is the hub).
const parentsCrypto = iosCrypto("parents", parents);
const parentsKeyring = new IkeV2Keyring("parents-keyring", {
    device: parents,
    name: "KR",
    peers: [{ name: "home", address: homeWan, preSharedKey: parentsPsk }],
});
const parentsToHome = iosTunnel({ site: "parents", peer: "home", device: parents, keyring: parentsKeyring, transformSet: parentsCrypto.transformSet, dependsOn: [parentsCrypto.policy],
    localWan: parentsWan, remoteWan: homeWan, number: 1, tunnelAddress: "172.16.0.6", remoteLans: [homeLan, vpsLan] });

// VPS: the strongSwan end of the home tunnel, with the same algorithms and key. Through the hub it
// also reaches the parents' LAN.
const vpsToHome = new StrongSwanConnection("vps-home", {
    device: vps,
    name: "home",
    localAddrs: [vpsWan],
    remoteAddrs: [homeWan],
    proposals: [ike],
    local: { auth: "psk", id: { address: vpsWan } },
    remote: { auth: "psk", id: { address: homeWan } },
    preSharedKey: vpsPsk,
    children: [
        {
            name: "home-lan",
            localTs: [vpsLan],
            remoteTs: [homeLan, parentsLan],
            espProposals: [{ ...esp, pfsGroup }],
            startAction: "trap",
            dpdAction: "restart",
        },
    ],
    dpdDelay: cfg.get("vpsDpdDelay") ?? "10s",
});

// The two ends of each tunnel must agree: checked at preview, naming both resources and the fix.
checkTunnelEnds("home-vps-agreement", {
    a: { site: "home", tunnel: homeToVps, lans: [homeLan, parentsLan], address: homeWan },
    b: { site: "vps", connection: vpsToHome, child: "home-lan" },
});
checkTunnelEnds("home-parents-agreement", {
    a: { site: "home", tunnel: homeToParents, lans: [homeLan, vpsLan], address: homeWan },
    b: { site: "parents", tunnel: parentsToHome, lans: [parentsLan], address: parentsWan },
});

// Prove it: the deployment fails unless the tunnel comes up and pings from the VPS's LAN reach the
// home LAN and, through the hub, the parents' LAN. Runs after every router is configured.
const allRouters = [homeToVps, homeToParents, parentsToHome];
const vpsLanAddress = cfg.get("vpsLanAddress") ?? "10.2.0.1";
const checks = [
    ["home", cfg.get("homeLanAddress") ?? "10.1.0.1"],
    ["parents", cfg.get("parentsLanAddress") ?? "10.3.0.1"],
].map(([site, destination]) => new StrongSwanTunnelCheck(`vps-reaches-${site}`, {
    device: vps,
    connection: vpsToHome,
    child: "home-lan",
    timeoutSeconds: 30,
    ping: { source: vpsLanAddress, destination, count: 3 },
    triggers: allRouters.map((t) => t.config),
}, { dependsOn: allRouters }));

export const tunnelsUp = checks.map((c) => c.established);
export const homeTunnels = [homeToVps.number, homeToParents.number];
export const parentsTunnel = parentsToHome.number;
export const vpsConnectionFile = vpsToHome.file;
export const homeKeyringConfig = homeKeyring.config;
