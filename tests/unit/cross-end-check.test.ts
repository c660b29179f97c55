/**
 * The CrossEndCheck resource's check(): the cross-end checks on the models both ends' resources
 * receive, at preview as at up. A part still unknown at preview (the engine's sentinel) leaves out
 * exactly the checks it feeds; the same inputs fully known fail.
 */
import assert from "node:assert/strict";
import { crossEndCheckHandlers } from "../../provider/dynamic/cross-end-check";
import { UNKNOWN } from "../../provider/dynamic/engine";

const home = {
    site: "home",
    platform: "ios",
    device: "admin@198.51.100.1",
    address: "198.51.100.1",
    lans: ["10.1.0.0/24"],
    resources: { ike: 'IkeV2Policy "home-policy"', keys: 'IkeV2KeyringPeer "home-vps-home-peer"', identity: 'IkeV2Profile "home-vps-home-profile"' },
    proposals: [{ name: "PROP", encryption: ["aes-cbc-256"], integrity: ["sha256"], groups: [14] }],
    keyringPeers: [{ name: "vps", address: "203.0.113.7" }],
    profile: { name: "PROF-VPS", matchIdentityRemote: [{ address: "203.0.113.7" }], identityLocal: { address: "198.51.100.1" }, keyring: "KR" },
    ipsecProfile: { name: "IPSEC-VPS", transformSets: ["TS"], ikev2Profile: "PROF-VPS", pfsGroup: 14 },
    transformSets: [{ name: "TS", encryption: "esp-aes-256", integrity: "esp-sha256-hmac" }],
    tunnel: { number: 1, ipAddress: { address: "172.16.0.1", mask: "255.255.255.252" }, tunnelSource: "198.51.100.1", tunnelDestination: "203.0.113.7", protectionProfile: "IPSEC-VPS", routes: [{ destination: "10.2.0.0/24" }] },
};
const vps = {
    site: "vps",
    platform: "strongswan",
    device: "root@203.0.113.7",
    lans: ["10.2.0.0/24"],
    resources: { ike: 'StrongSwanConnection "home-vps-vps-connection"' },
    connection: {
        name: "home",
        localAddrs: ["203.0.113.7"],
        remoteAddrs: ["198.51.100.1"],
        proposals: [{ encryption: ["aes-cbc-256"], integrity: ["sha256"], groups: [15] }],
        local: { auth: "psk", id: { address: "203.0.113.7" } },
        remote: { auth: "psk", id: { address: "198.51.100.1" } },
        children: [{ name: "home-lan", localTs: ["10.2.0.0/24"], remoteTs: ["10.1.0.0/24"], espProposals: [{ encryption: "esp-aes-256", integrity: "esp-sha256-hmac", pfsGroup: 14 }] }],
    },
    child: "home-lan",
};

async function failures(inputs: Record<string, unknown>) {
    return (await crossEndCheckHandlers.check({}, inputs)).failures ?? [];
}

describe("CrossEndCheck resource", () => {
    it("fails check() naming the tunnel, both resources and the fix", async () => {
        const f = await failures({ tunnel: "home-vps", a: home, b: vps, keysAgree: true, neighbours: { a: [], b: [] } });
        assert.equal(f.length, 1);
        assert.match(f[0].reason, /^tunnel home-vps: no common Diffie-Hellman group: home \(IkeV2Policy "home-policy"\) offers modp2048 \(group 14\) and vps \(StrongSwanConnection "home-vps-vps-connection"\) offers modp3072 \(group 15\).*Fix: /);
    });

    it("at preview, leaves out the checks whose inputs are not known yet, and runs the others", async () => {
        const unknownProposals = { ...vps, connection: { ...vps.connection, proposals: UNKNOWN } };
        assert.deepEqual(await failures({ tunnel: "home-vps", a: home, b: unknownProposals, keysAgree: UNKNOWN }), []);
        const alsoWrongKey = await failures({ tunnel: "home-vps", a: { ...home, keyringPeers: [{ name: "vps", address: UNKNOWN }] }, b: vps, keysAgree: false });
        assert.deepEqual(alsoWrongKey.map((x) => x.reason.split(":")[1].trim()), ["no common Diffie-Hellman group", "the pre-shared keys differ"], "the unknown peer address skips only the keyring check");
        const unknownDestination = { ...home, tunnel: { ...home.tunnel, tunnelDestination: UNKNOWN } };
        assert.deepEqual((await failures({ tunnel: "t", a: unknownDestination, b: vps })).map((x) => x.reason.split(":")[1].trim()), ["no common Diffie-Hellman group"]);
        assert.deepEqual(await failures({ tunnel: "t", a: UNKNOWN, b: vps }), []);
    });

    it("stores its inputs and configures nothing; a changed input is a change", async () => {
        const inputs = { tunnel: "home-vps", a: home, b: vps };
        const created = await crossEndCheckHandlers.create(inputs);
        assert.equal(created.id, "CrossEndCheck:home-vps");
        assert.deepEqual(created.outs, inputs);
        assert.equal((await crossEndCheckHandlers.diff("x", inputs, { ...inputs, __provider: "other" })).changes, false);
        assert.equal((await crossEndCheckHandlers.diff("x", inputs, { ...inputs, b: { ...vps, lans: [] } })).changes, true);
    });
});
