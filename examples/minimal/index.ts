/**
 * The smallest useful tunnel: one IOS router (home) and one strongSwan host (vps), route-based on
 * the IOS side, LAN-to-LAN on the strongSwan side. Same stack configuration keys as the story
 * (home*, vps*, vpsPsk); `bash scripts/lab-stack.sh` fills them from the lab.
 */
import * as pulumi from "@pulumi/pulumi";
import { IkeV2Keyring, IkeV2Policy, IkeV2Profile, IkeV2Proposal, IpsecProfile, IpsecTransformSet, StrongSwanConnection, TunnelInterface } from "pulumi-ikev2";

const cfg = new pulumi.Config();
const router = {
    host: cfg.require("homeHost"),
    username: cfg.require("homeUser"),
    password: cfg.requireSecret("homePassword"),
    enableSecret: cfg.getSecret("homeEnableSecret"),
    hostKey: cfg.require("homeHostKey"),
};
const vps = { host: cfg.require("vpsHost"), username: cfg.require("vpsUser"), privateKey: cfg.requireSecret("vpsPrivateKey"), hostKey: cfg.require("vpsHostKey") };
const psk = cfg.requireSecret("vpsPsk");
const [routerWan, vpsWan] = [cfg.get("homeWan") ?? "198.51.100.1", cfg.get("vpsWan") ?? "203.0.113.7"];
const [routerLan, vpsLan] = [cfg.get("homeLan") ?? "10.1.0.0/24", cfg.get("vpsLan") ?? "10.2.0.0/24"];

const ike = { encryption: ["aes-gcm-256" as const], prf: ["sha384" as const], groups: [20 as const] };
const esp = { encryption: "esp-gcm-256" as const };

const proposal = new IkeV2Proposal("proposal", { device: router, name: "PROP-GCM", ...ike });
const policy = new IkeV2Policy("policy", { device: router, name: "POL-GCM", proposals: [proposal] });
const keyring = new IkeV2Keyring("keyring", { device: router, name: "KR-VPS", peers: [{ name: "vps", address: vpsWan, preSharedKey: psk }] });
const profile = new IkeV2Profile("profile", {
    device: router,
    name: "PROF-VPS",
    matchIdentityRemote: [{ address: vpsWan }],
    identityLocal: { address: routerWan },
    keyring,
}, { dependsOn: [policy] });
const transformSet = new IpsecTransformSet("ts", { device: router, name: "TS-GCM", ...esp });
const ipsecProfile = new IpsecProfile("ipsec", { device: router, name: "IPSEC-VPS", transformSets: [transformSet], ikev2Profile: profile, pfsGroup: 20 });
const tunnel = new TunnelInterface("tunnel", {
    device: router,
    number: 10,
    ipAddress: { address: "172.16.10.1", mask: "255.255.255.252" },
    tunnelSource: "GigabitEthernet1",
    tunnelDestination: vpsWan,
    protectionProfile: ipsecProfile,
    routes: [{ destination: vpsLan }],
});

const connection = new StrongSwanConnection("vps", {
    device: vps,
    name: "router",
    localAddrs: [vpsWan],
    remoteAddrs: [routerWan],
    proposals: [ike],
    local: { auth: "psk", id: { address: vpsWan } },
    remote: { auth: "psk", id: { address: routerWan } },
    preSharedKey: psk,
    children: [{ name: "lan", localTs: [vpsLan], remoteTs: [routerLan], espProposals: [{ ...esp, pfsGroup: 20 }], startAction: "trap" }],
});

export const tunnelNumber = tunnel.number;
export const vpsFile = connection.file;
