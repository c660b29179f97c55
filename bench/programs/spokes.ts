/**
 * Pulumi program of the benchmark's hub with real spokes: the lab's home router (IOS emulator) as
 * the hub of K tunnels (bench/hub.ts), each to a strongSwan spoke of the lab, whose side is a
 * StrongSwanConnection, and a StrongSwanTunnelCheck per spoke that proves at deploy time that its
 * tunnel came up and carries pings from the spoke's LAN to the hub's. 5K + 4 resources.
 * Stack configuration (bench/runs.ts sets it from the lab's lab.json):
 *   homeHost homePort homeUser homeHostKey homePassword(secret) homeEnableSecret(secret)
 *   homeWan homeLan homeLanAddress
 *   spokes: JSON list of { name, host, port, user, hostKey, wan, lan, lanAddress }
 *   spokePrivateKey(secret) pskSeed(secret) changed(bool: the one-property change)
 */
import * as pulumi from "@pulumi/pulumi";
import { IosDevice, StrongSwanConnection, StrongSwanHost, StrongSwanTunnelCheck, TunnelInterface } from "../../provider";
import { ESP_ALGORITHMS, hubObjects, IKE_ALGORITHMS, peerKey, PFS_GROUP } from "../hub";
import { hubResources } from "./hub-resources";

/** A spoke of the lab as this program needs it. */
export interface LabSpoke {
    name: string;
    host: string;
    port: number;
    user: string;
    hostKey: string;
    wan: string;
    lan: string;
    lanAddress: string;
}

const cfg = new pulumi.Config();
const home: IosDevice = {
    host: cfg.require("homeHost"),
    port: cfg.requireNumber("homePort"),
    username: cfg.require("homeUser"),
    hostKey: cfg.require("homeHostKey"),
    password: cfg.requireSecret("homePassword"),
    enableSecret: cfg.requireSecret("homeEnableSecret"),
};
const homeWan = cfg.require("homeWan");
const homeLan = cfg.require("homeLan");
const homeLanAddress = cfg.require("homeLanAddress");
const spokes = cfg.requireObject<LabSpoke[]>("spokes");
const pskSeed = cfg.requireSecret("pskSeed");
const spokeKey = cfg.requireSecret("spokePrivateKey");

const objects = hubObjects({
    hubWan: homeWan,
    tunnelSource: "GigabitEthernet1",
    spokes: spokes.map((s) => ({ name: s.name, wan: s.wan, lans: [s.lan] })),
    changed: cfg.getBoolean("changed"),
});
const hub = hubResources(home, objects, pskSeed);

const established = spokes.map((s) => {
    const device: StrongSwanHost = { host: s.host, port: s.port, username: s.user, hostKey: s.hostKey, privateKey: spokeKey };
    const connection = new StrongSwanConnection(`${s.name}-hub`, {
        device,
        name: "hub",
        localAddrs: [s.wan],
        remoteAddrs: [homeWan],
        proposals: [IKE_ALGORITHMS],
        local: { auth: "psk", id: { address: s.wan } },
        remote: { auth: "psk", id: { address: homeWan } },
        preSharedKey: pskSeed.apply((seed) => peerKey(seed, s.name)),
        children: [
            {
                name: "hub-lan",
                localTs: [s.lan],
                remoteTs: [homeLan],
                espProposals: [{ ...ESP_ALGORITHMS, pfsGroup: PFS_GROUP }],
                startAction: "trap",
                dpdAction: "restart",
            },
        ],
        dpdDelay: "10s",
    });
    const tunnel = hub.get(`${s.name}-tunnel`);
    if (!(tunnel instanceof TunnelInterface)) throw new Error(`the hub has no tunnel to ${s.name}`);
    return new StrongSwanTunnelCheck(
        `${s.name}-proves-hub`,
        {
            device,
            connection,
            child: "hub-lan",
            timeoutSeconds: 120,
            ping: { source: s.lanAddress, destination: homeLanAddress, count: 3 },
            triggers: [tunnel.config],
        },
        // After every hub object: the tunnel needs its IPsec and IKEv2 profiles, keyring and policy.
        { dependsOn: [...hub.values()] },
    ).established;
});

export const tunnelsUp = pulumi.all(established);
