/**
 * One IKEv2 tunnel between a Cisco IOS / IOS-XE router and a Linux host running strongSwan: on the
 * router the IKEv2 proposal, policy, keyring, profile, IPsec transform set and profile and a
 * route-based tunnel interface with a route to the host's LAN; on the host one swanctl connection;
 * then a check that the tunnel comes up. The algorithms are declared once, for both ends.
 *
 * Fill the stack's configuration with `pulumi config set KEY VALUE` (secrets with `--secret`, typed
 * at the prompt or piped in, never as an argument):
 *   routerHost, routerUser, routerHostKey         the router's SSH address, login and host key
 *                                                 (`ssh-keyscan HOST | ssh-keygen -lf -`: SHA256:...)
 *   routerPassword (secret), routerEnableSecret (secret, if the login lands at `>`)
 *   routerWan, routerLan                          the router's public address and its LAN (CIDR)
 *   strongswanHost, strongswanUser, strongswanHostKey, strongswanPrivateKey (secret)
 *   strongswanWan, strongswanLan                  the host's public address and its LAN (CIDR)
 *   preSharedKey (secret)                         the key both ends authenticate with
 * Optional: routerTunnelSource (GigabitEthernet1), tunnelNumber (1), tunnelAddress (172.16.0.1/30 on
 * the router's side), and routerLanAddress with strongswanLanAddress to make the check ping through
 * the tunnel. Hover any property in an editor for its meaning and the line it becomes.
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
} from "pulumi-ikev2";

const cfg = new pulumi.Config();

const router: IosDevice = {
    host: cfg.require("routerHost"),
    username: cfg.require("routerUser"),
    hostKey: cfg.require("routerHostKey"),
    password: cfg.requireSecret("routerPassword"),
    enableSecret: cfg.getSecret("routerEnableSecret"),
};
const strongswan: StrongSwanHost = {
    host: cfg.require("strongswanHost"),
    username: cfg.require("strongswanUser"),
    hostKey: cfg.require("strongswanHostKey"),
    privateKey: cfg.requireSecret("strongswanPrivateKey"),
};
const routerWan = cfg.require("routerWan");
const routerLan = cfg.require("routerLan");
const strongswanWan = cfg.require("strongswanWan");
const strongswanLan = cfg.require("strongswanLan");
const preSharedKey = cfg.requireSecret("preSharedKey");

/**
 * The algorithms, declared once: the IOS proposal and transform set and the strongSwan proposals.
 * AES-CBC with SHA-256 and the 2048-bit MODP group work with every strongSwan build; where both ends
 * support elliptic curves (strongSwan's openssl plugin), AES-GCM with group 19 or 20 is the stronger
 * choice, e.g. `{ encryption: ["aes-gcm-256"], prf: ["sha384"], groups: [20] }` and `esp-gcm-256`.
 */
const ike = { encryption: ["aes-cbc-256" as const], integrity: ["sha256" as const], groups: [14 as const] };
const esp = { encryption: "esp-aes-256" as const, integrity: "esp-sha256-hmac" as const };
const pfsGroup = 14 as const;

// The router.
const proposal = new IkeV2Proposal("proposal", { device: router, name: "PROP-TUNNEL", ...ike });
const policy = new IkeV2Policy("policy", { device: router, name: "POL-TUNNEL", proposals: [proposal] });
// IOS picks a keyring peer's key by its address: the peer's name is only a label.
const keyring = new IkeV2Keyring("keyring", {
    device: router,
    name: "KR-TUNNEL",
    peers: [{ name: "strongswan", address: strongswanWan, preSharedKey }],
});
const profile = new IkeV2Profile(
    "profile",
    {
        device: router,
        name: "PROF-TUNNEL",
        matchIdentityRemote: [{ address: strongswanWan }],
        identityLocal: { address: routerWan },
        authentication: { local: "pre-share", remote: "pre-share" },
        keyring,
    },
    { dependsOn: [policy] },
);
const transformSet = new IpsecTransformSet("transform-set", { device: router, name: "TS-TUNNEL", ...esp });
const ipsecProfile = new IpsecProfile("ipsec-profile", { device: router, name: "IPSEC-TUNNEL", transformSets: [transformSet], ikev2Profile: profile, pfsGroup });
const tunnel = new TunnelInterface("tunnel", {
    device: router,
    number: cfg.getNumber("tunnelNumber") ?? 1,
    description: `to ${strongswanWan}`,
    ipAddress: { address: cfg.get("tunnelAddress") ?? "172.16.0.1", mask: "255.255.255.252" },
    tunnelSource: cfg.get("routerTunnelSource") ?? "GigabitEthernet1",
    tunnelDestination: strongswanWan,
    protectionProfile: ipsecProfile,
    routes: [{ destination: strongswanLan }],
});

// The strongSwan host.
const connection = new StrongSwanConnection("connection", {
    device: strongswan,
    name: "router",
    localAddrs: [strongswanWan],
    remoteAddrs: [routerWan],
    proposals: [ike],
    local: { auth: "psk", id: { address: strongswanWan } },
    remote: { auth: "psk", id: { address: routerWan } },
    preSharedKey,
    children: [{ name: "lan", localTs: [strongswanLan], remoteTs: [routerLan], espProposals: [{ ...esp, pfsGroup }], startAction: "trap" }],
});

// The deployment fails, with the likely cause, unless the tunnel comes up (and carries pings, when
// both LAN addresses are set).
const routerLanAddress = cfg.get("routerLanAddress");
const strongswanLanAddress = cfg.get("strongswanLanAddress");
const check = new StrongSwanTunnelCheck(
    "tunnel-up",
    {
        device: strongswan,
        connection,
        child: "lan",
        ping: routerLanAddress && strongswanLanAddress ? { source: strongswanLanAddress, destination: routerLanAddress } : undefined,
        triggers: [tunnel.config, connection.config],
    },
    { dependsOn: [tunnel] },
);

export const tunnelInterface = pulumi.interpolate`Tunnel${tunnel.number}`;
export const connectionFile = connection.file;
export const established = check.established;
