/**
 * The smallest useful tunnel: one IOS router (home) and one strongSwan host (vps), declared once for
 * both ends, checked at preview and proven from both ends at `pulumi up`. Same stack configuration
 * keys as the story (home*, vps*, vpsPsk); `bash scripts/lab-stack.sh` fills them from the lab.
 */
import * as pulumi from "@pulumi/pulumi";
import { IosRouter, SiteToSiteTunnel } from "pulumi-ikev2";

const cfg = new pulumi.Config();
const router = new IosRouter("home", {
    device: {
        host: cfg.require("homeHost"),
        username: cfg.require("homeUser"),
        password: cfg.requireSecret("homePassword"),
        enableSecret: cfg.getSecret("homeEnableSecret"),
        hostKey: cfg.require("homeHostKey"),
    },
    wan: cfg.get("homeWan") ?? "198.51.100.1",
    lans: [cfg.get("homeLan") ?? "10.1.0.0/24"],
    lanAddress: cfg.get("homeLanAddress") ?? "10.1.0.1",
    // The lab's strongSwan has no AES-GCM or ECP groups; with a real charon, aes-gcm-256 / prf sha384 / group 20 work alike.
    algorithms: { ike: { encryption: ["aes-cbc-256"], integrity: ["sha256"], groups: [14] }, esp: { encryption: "esp-aes-256", integrity: "esp-sha256-hmac" }, pfsGroup: 14 },
});
const vps = {
    name: "vps",
    device: { host: cfg.require("vpsHost"), username: cfg.require("vpsUser"), privateKey: cfg.requireSecret("vpsPrivateKey"), hostKey: cfg.require("vpsHostKey") },
    wan: cfg.get("vpsWan") ?? "203.0.113.7",
    lans: [cfg.get("vpsLan") ?? "10.2.0.0/24"],
    lanAddress: cfg.get("vpsLanAddress") ?? "10.2.0.1",
};

const tunnel = new SiteToSiteTunnel("home-vps", {
    a: { router, tunnel: { number: 10, address: "172.16.10.1/30" } },
    b: { host: vps },
    preSharedKey: cfg.requireSecret("vpsPsk"),
});

export const established = tunnel.established;
