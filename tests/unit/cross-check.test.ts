/**
 * The cross-end checks on the story's tunnels (home's IOS hub to the strongSwan VPS and to the
 * parents' IOS router, a strongSwan-to-strongSwan tunnel between vps and branch): every end built
 * from models that passed the resources' own schemas, one disagreement at a time, and the message
 * that names both ends' resources and the fix.
 */
import * as assert from "assert";
import { iosSchemas } from "../../provider/schema/ios";
import { strongSwanConnectionSchema } from "../../provider/schema/strongswan";
import { crossEndFindings, Finding } from "../../provider/tunnel/cross-check";
import { iosEnd, strongSwanEnd, TunnelEnd } from "../../provider/tunnel/ends";
import { HOME, homeEnd, PARENTS, VPS, VPS_CONNECTION, vpsEnd } from "../fixtures/tunnel-ends";

function only(findings: Finding[], check: Finding["check"]): string {
    assert.deepStrictEqual(findings.map((f) => f.check), [check], findings.map((f) => f.message).join("\n"));
    return findings[0].message;
}

describe("cross-end checks", () => {
    it("find nothing when the two ends agree (IOS <-> strongSwan, IOS <-> IOS, strongSwan <-> strongSwan)", () => {
        assert.deepStrictEqual(crossEndFindings(homeEnd(), vpsEnd(), { keysAgree: true }), []);
        const toParents = { site: "parents", wan: PARENTS, lan: "10.3.0.0/24", number: 2, address: "172.16.0.5" };
        const parents = iosEnd({
            site: "parents",
            device: "admin@192.0.2.50",
            address: PARENTS,
            resources: {},
            proposals: [iosSchemas.IkeV2Proposal.parse({ name: "P", encryption: ["aes-cbc-256"], integrity: ["sha256"], groups: [14] })],
            keyringPeers: [{ name: "home", address: HOME }],
            profile: iosSchemas.IkeV2Profile.parse({ name: "PROF-HOME", matchIdentityRemote: [{ address: HOME }], keyring: "KR" }),
            ipsecProfile: iosSchemas.IpsecProfile.parse({ name: "I", transformSets: ["T"], ikev2Profile: "PROF-HOME", pfsGroup: 14 }),
            transformSets: [iosSchemas.IpsecTransformSet.parse({ name: "T", encryption: "esp-aes-256", integrity: "esp-sha256-hmac" })],
            tunnel: iosSchemas.TunnelInterface.parse({
                number: 1, ipAddress: { address: "172.16.0.6", mask: "255.255.255.252" }, tunnelSource: PARENTS, tunnelDestination: HOME,
                protectionProfile: "I", routes: [{ destination: "10.1.0.0/24" }, { destination: "10.2.0.0/24" }],
            }),
            lans: ["10.3.0.0/24"],
        });
        assert.deepStrictEqual(crossEndFindings(homeEnd({ lans: ["10.1.0.0/24", "10.2.0.0/24"] }, toParents), parents, { keysAgree: true }), []);
        const branch = (swap: boolean) =>
            strongSwanEnd({
                site: swap ? "branch" : "vps",
                resources: {},
                connection: strongSwanConnectionSchema.parse({
                    ...VPS_CONNECTION,
                    localAddrs: [swap ? "203.0.113.9" : VPS],
                    remoteAddrs: [swap ? VPS : "203.0.113.9"],
                    local: { auth: "psk" },
                    remote: { auth: "psk" },
                    children: [{ name: "lan", localTs: [swap ? "10.4.0.0/24" : "10.2.0.0/24"], remoteTs: [swap ? "10.2.0.0/24" : "10.4.0.0/24"], espProposals: ["aes256-sha256-modp2048"] }],
                }),
            });
        assert.deepStrictEqual(crossEndFindings(branch(false), branch(true)), []);
    });

    it("no common IKE proposal names both resources and what each offers", () => {
        const m = only(crossEndFindings(homeEnd(), vpsEnd((c) => ({ ...c, proposals: ["aes128-sha1-modp3072"] }))), "ikeProposals");
        assert.match(m, /^no common IKE proposal: home \(IkeV2Proposal "home-proposal"\) offers aes256-sha256-modp2048 and vps \(StrongSwanConnection "vps-home"\) offers aes128-sha1-modp3072, so IKE_SA_INIT ends in NO_PROPOSAL_CHOSEN\. Fix: /);
    });

    it("the same cipher without a common DH group is a DH group mismatch", () => {
        const m = only(crossEndFindings(homeEnd({ proposal: { groups: [15] } }), vpsEnd()), "dhGroups");
        assert.match(m, /no common Diffie-Hellman group: home .* offers modp3072 \(group 15\) and vps .* offers modp2048 \(group 14\)/);
        assert.match(m, /Fix: offer the same group on both ends/);
        // A group in common, whatever the preference: only an INVALID_KE_PAYLOAD round trip.
        assert.deepStrictEqual(crossEndFindings(homeEnd({ proposal: { groups: [15, 14] } }), vpsEnd()), []);
    });

    it("a PRF that follows integrity agrees with the same PRF written out, and GCM needs the same PRF", () => {
        assert.deepStrictEqual(crossEndFindings(homeEnd(), vpsEnd((c) => ({ ...c, proposals: ["aes256-sha256-prfsha256-modp2048"] }))), []);
        const gcm = { encryption: ["aes-gcm-256"], integrity: undefined, prf: ["sha384"], groups: [20] };
        assert.match(only(crossEndFindings(homeEnd({ proposal: gcm }), vpsEnd((c) => ({ ...c, proposals: ["aes256gcm16-prfsha256-ecp384"] }))), "ikeProposals"), /offers aes256gcm16-prfsha384-ecp384 and vps/);
        assert.deepStrictEqual(crossEndFindings(homeEnd({ proposal: gcm }), vpsEnd((c) => ({ ...c, proposals: ["aes256gcm16-prfsha384-ecp384"] }))), []);
    });

    it("no common ESP proposal, and PFS groups that differ (a failure that only shows at rekey)", () => {
        const esp = only(crossEndFindings(homeEnd(), vpsEnd((c) => ({ ...c, children: [{ ...c.children[0], espProposals: ["aes128gcm16"] }] }))), "espProposals");
        assert.match(esp, /no common ESP proposal: home \(IpsecProfile "home-ipsec"\) offers aes256-sha256-modp2048 and vps .* offers aes128gcm16, so the IKE_SA comes up but IKE_AUTH installs no CHILD_SA/);
        const pfs = only(crossEndFindings(homeEnd(), vpsEnd((c) => ({ ...c, children: [{ ...c.children[0], espProposals: ["aes256-sha256"] }] }))), "pfsGroup");
        assert.match(pfs, /the PFS groups differ: home .* uses modp2048 \(group 14\) and vps .* uses no PFS\. The first CHILD_SA comes up .* every rekey fails/);
        assert.deepStrictEqual(crossEndFindings(homeEnd({ ipsec: { pfsGroup: undefined } }), vpsEnd((c) => ({ ...c, children: [{ ...c.children[0], espProposals: ["aes256-sha256", "aes256-sha256-modp2048"] }] }))), []);
    });

    it("different keys are named without showing either key", () => {
        const m = only(crossEndFindings(homeEnd(), vpsEnd(), { keysAgree: false }), "preSharedKey");
        assert.match(m, /the pre-shared keys differ: home \(IkeV2KeyringPeer "home-peer"\) and vps \(StrongSwanConnection "vps-home"\) hold different keys \(neither is shown\), so IKE_AUTH ends in AUTHENTICATION_FAILED/);
        assert.doesNotMatch(m, /not-compared-here/);
    });

    it("the story: a keyring peer named after the address but without `address` has no key for the peer", () => {
        const m = only(crossEndFindings(homeEnd({ peers: [{ name: VPS }] }), vpsEnd()), "keyringPeer");
        assert.match(m, /home \(IkeV2KeyringPeer "home-peer"\) has no pre-shared key for vps: keyring peer "203\.0\.113\.7" has no address: a peer's name is only a label, IOS never matches on it\. No keyring peer has `address 203\.0\.113\.7`/);
        assert.match(m, /AUTHENTICATION_FAILED\. Fix: add address: "203\.0\.113\.7" to keyring peer "203\.0\.113\.7" \(IOS: `address 203\.0\.113\.7`\)$/);
        // A peer with a mask that covers the address, or one found by identity, does have the key.
        assert.deepStrictEqual(crossEndFindings(homeEnd({ peers: [{ name: "all", address: "203.0.113.0", mask: "255.255.255.0" }] }), vpsEnd()), []);
        assert.deepStrictEqual(crossEndFindings(homeEnd({ peers: [{ name: "byid", identity: { address: VPS } }] }), vpsEnd()), []);
    });

    it("identity mismatches: IOS identity local vs remote.id, match identity remote vs local.id, the key's owner", () => {
        const sent = only(crossEndFindings(homeEnd({ profile: { identityLocal: { fqdn: "home.example.net" } } }), vpsEnd()), "identity");
        assert.match(sent, /identity mismatch: home \(IkeV2Profile "home-vps-profile"\) sends `identity local fqdn home\.example\.net`, but vps \(StrongSwanConnection "vps-home"\) accepts only address 198\.51\.100\.1/);
        assert.match(sent, /no matching peer config found.*Fix: set remote\.id: \{ fqdn: "home\.example\.net" \} on vps/);
        const matched = crossEndFindings(homeEnd(), vpsEnd((c) => ({ ...c, local: { auth: "psk", id: { fqdn: "vps.example.net" } } })));
        assert.deepStrictEqual(matched.map((f) => f.check), ["identity"]);
        assert.match(matched[0].message, /vps .* sends identity fqdn vps\.example\.net, but home \(IkeV2Profile "home-vps-profile"\) accepts only address 203\.0\.113\.7, so IOS selects no IKEv2 profile for it \(`% IKEv2 profile not found`\)/);
        assert.match(matched[0].message, /Fix: match it on home .*matchIdentityRemote: \[\{ fqdn: "vps\.example\.net" \}\]/);
        const owner = crossEndFindings(homeEnd({ profile: { identityLocal: { address: "198.51.100.2" }, matchIdentityRemote: [{ address: VPS }] } }), vpsEnd((c) => ({ ...c, remote: { auth: "psk" } })));
        assert.deepStrictEqual(owner.map((f) => f.check), ["keyringPeer"]);
        assert.match(owner[0].message, /vps .* files its pre-shared key under address 198\.51\.100\.1, but home sends identity address 198\.51\.100\.2/);
    });

    it("a tunnel destination that is not the peer's address", () => {
        const m = only(crossEndFindings(homeEnd({ tunnel: { tunnelDestination: "203.0.113.8" } }), vpsEnd()), "peerAddress");
        assert.match(m, /home \(TunnelInterface "home-vps-tunnel"\) sends IKE to tunnel destination 203\.0\.113\.8, but vps's address is 203\.0\.113\.7.*Fix: set tunnelDestination: "203\.0\.113\.7"/);
    });

    it("LANs not routed into a route-based IOS tunnel, and selectors that are not mirror images", () => {
        const m = only(crossEndFindings(homeEnd({ tunnel: { routes: [{ destination: "10.9.0.0/24" }] } }), vpsEnd()), "routes");
        assert.match(m, /vps's local_ts 10\.2\.0\.0\/24 is not routed into Tunnel1 on home .*Fix: add routes: \[\{ destination: "10\.2\.0\.0\/24" \}\]/);
        const wide = crossEndFindings(homeEnd({ tunnel: { routes: [{ destination: "10.0.0.0/8" }] } }), vpsEnd());
        assert.deepStrictEqual(wide, [], "a route that covers the LAN carries it");
        const a = strongSwanEnd({ site: "vps", resources: {}, connection: strongSwanConnectionSchema.parse({ ...VPS_CONNECTION, children: [{ ...VPS_CONNECTION.children[0], localTs: ["10.2.0.0/24"], remoteTs: ["10.4.0.0/24"] }] }) });
        const b = strongSwanEnd({ site: "branch", resources: {}, connection: strongSwanConnectionSchema.parse({ ...VPS_CONNECTION, children: [{ ...VPS_CONNECTION.children[0], localTs: ["10.4.0.0/24"], remoteTs: ["10.2.0.0/23"] }] }) });
        const ts = crossEndFindings(a, b).filter((f) => f.check === "trafficSelectors");
        assert.strictEqual(ts.length, 1);
        assert.match(ts[0].message, /not mirror images: vps has local_ts 10\.2\.0\.0\/24 .* branch has local_ts 10\.4\.0\.0\/24 and remote_ts 10\.2\.0\.0\/23.*TS_UNACCEPTABLE/);
    });

    it("IKE version", () => {
        const m = only(crossEndFindings(homeEnd(), vpsEnd((c) => ({ ...c, version: 1 }))), "ikeVersion");
        assert.match(m, /home speaks IKEv2 and vps IKEv1.*Fix: set version: 2 on vps/);
    });

    it("tunnel interfaces that clash on a router: the same number, overlapping subnets, the same destination", () => {
        const vpsTunnel = homeEnd();
        const parentsAs = (number: number, address: string, wan = PARENTS) => homeEnd({}, { site: "parents", wan, lan: "10.3.0.0/24", number, address });
        const number = crossEndFindings(vpsTunnel, vpsEnd(), { neighbours: { a: [parentsAs(1, "172.16.0.5")] } });
        assert.match(only(number, "tunnelInterface"), /Tunnel1 on home is declared twice: by TunnelInterface "home-vps-tunnel" and by TunnelInterface "home-parents-tunnel"/);
        const overlap = crossEndFindings(vpsTunnel, vpsEnd(), { neighbours: { a: [parentsAs(2, "172.16.0.2")] } });
        assert.match(only(overlap, "tunnelInterface"), /the tunnel subnets overlap on home: Tunnel1 .* \(172\.16\.0\.0\/30\) and Tunnel2 .* has 172\.16\.0\.2/);
        const same = crossEndFindings(vpsTunnel, vpsEnd(), { neighbours: { a: [parentsAs(2, "172.16.0.5", VPS)] } });
        assert.deepStrictEqual(same.map((f) => f.check), ["tunnelInterface", "identity"]);
        assert.deepStrictEqual(crossEndFindings(vpsTunnel, vpsEnd(), { neighbours: { a: [parentsAs(2, "172.16.0.5")] } }), []);
        const pair = crossEndFindings(homeEnd({}, { site: "parents", wan: PARENTS, lan: "10.3.0.0/24", number: 2, address: "172.16.0.5" }), parentsAs(1, "172.16.0.9", HOME));
        assert.ok(pair.some((f) => f.check === "tunnelInterface" && /not in one subnet/.test(f.message)), pair.map((f) => f.message).join("\n"));
    });

    it("skips what is not known (a value only known at up)", () => {
        const home = homeEnd();
        const unknownVps: TunnelEnd = { site: "vps", platform: "strongswan", resources: {} };
        assert.deepStrictEqual(crossEndFindings(home, unknownVps), []);
        assert.deepStrictEqual(crossEndFindings({ ...home, ike: undefined, keyringPeers: undefined }, vpsEnd((c) => ({ ...c, proposals: ["aes128-sha1-modp3072"] }))), []);
    });
});
