/**
 * The pure parts of the emulator's IKE feature: its own algorithm table in use, its reader of
 * `swanctl --raw` output, and the translation of a running-config into one swanctl file by IOS's
 * rules (the lab test tests/lab/ios-ike.test.ts runs the same against a real charon).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { espProposal, ikeProposal, ProposalError } from "../../emulator/ios/ike/algorithms";
import { IosDebugTranslator } from "../../emulator/ios/ike/debug";
import { asCount, asList, asSection, asText, listedSas, readRaw } from "../../emulator/ios/ike/swanctl-raw";
import { translate } from "../../emulator/ios/ike/translate";
import { Router } from "../../emulator/ios/router";

const FIXTURES = path.join(__dirname, "../../../tests/fixtures/strongswan");

describe("emulator IKE: swanctl --raw reader", () => {
    it("reads an established IKE_SA with its CHILD_SA and counters", () => {
        const sas = listedSas(fs.readFileSync(path.join(FIXTURES, "list-sas-established.raw"), "utf8"));
        assert.deepEqual(sas.map((x) => x.name), ["lan"]);
        const sa = sas[0].sa;
        assert.equal(asText(sa.state), "ESTABLISHED");
        assert.equal(asText(sa["encr-alg"]), "AES_CBC");
        assert.equal(asText(sa["dh-group"]), "MODP_2048");
        const child = asSection(asSection(sa["child-sas"])["lan-1"]);
        assert.equal(asCount(child["packets-in"]), 2);
        assert.equal(asCount(child["packets-out"]), 2);
        assert.deepEqual(asList(child["local-ts"]), ["10.4.0.0/24"]);
        assert.deepEqual(asList(child["remote-ts"]), ["10.2.0.0/24"]);
    });

    it("keeps SAs that are still connecting, and an empty reply", () => {
        const sas = listedSas(fs.readFileSync(path.join(FIXTURES, "list-sas-mixed.raw"), "utf8"));
        assert.deepEqual(sas.map((x) => [x.name, asText(x.sa.state)]), [["dead", "CONNECTING"], ["lan", "ESTABLISHED"]]);
        assert.deepEqual(asList(sas[0].sa["tasks-active"]).slice(0, 2), ["IKE_VENDOR", "IKE_INIT"]);
        assert.deepEqual(listedSas(fs.readFileSync(path.join(FIXTURES, "list-sas-empty.raw"), "utf8")), []);
    });

    it("reads values with spaces, nested sections, odd names, and skips lines that are no message", () => {
        const text = fs.readFileSync(path.join(FIXTURES, "list-conns-vti.raw"), "utf8");
        const [conn] = readRaw(text).filter((m) => m.label === "list-conn event");
        const home = asSection(conn.body.home);
        assert.equal(asText(asSection(home["local-1"]).class), "pre-shared key");
        assert.equal(asText(asSection(home["local-1"]).id), "vps.example.net");
        assert.deepEqual(asList(asSection(asSection(home.children).vti)["remote-ts"]), ["0.0.0.0/0", "dynamic"]);
        const odd = readRaw("no files found matching '/etc/swanctl/conf.d/*.conf'\nlist-sa event {__proto__ {state=ESTABLISHED}}\n");
        assert.equal(odd.length, 1);
        assert.equal(asText(asSection(odd[0].body.__proto__).state), "ESTABLISHED");
        assert.equal(Object.getPrototypeOf(odd[0].body), Object.prototype);
    });
});

describe("emulator IKE: proposals from its own table", () => {
    it("turns IOS proposals and transform sets into strongSwan proposals", () => {
        assert.equal(ikeProposal({ encryption: ["aes-cbc-256"], integrity: ["sha256"], prf: [], group: ["14"] }), "aes256-sha256-modp2048");
        assert.equal(ikeProposal({ encryption: ["aes-gcm-256"], integrity: [], prf: ["sha384"], group: ["20"] }), "aes256gcm16-prfsha384-ecp384");
        assert.equal(ikeProposal({ encryption: ["aes-cbc-128"], integrity: ["sha1"], prf: [], group: ["2", "5", "24"] }), "aes128-sha1-modp1024-modp1536-modp2048s256");
        assert.equal(espProposal(["esp-aes", "256", "esp-sha256-hmac"], "group14"), "aes256-sha256-modp2048");
        assert.equal(espProposal(["esp-aes", "esp-sha512-hmac"]), "aes128-sha512");
        assert.equal(espProposal(["esp-gcm", "256"], "group21"), "aes256gcm16-ecp521");
    });

    it("refuses what charon cannot be given, saying why", () => {
        const bad: [() => string, RegExp][] = [
            [() => ikeProposal({ encryption: ["aes-cbc-256"], integrity: [], prf: [], group: ["14"] }), /no integrity/],
            [() => ikeProposal({ encryption: ["aes-gcm-128"], integrity: ["sha1"], prf: ["sha1"], group: ["14"] }), /integrity with an AES-GCM/],
            [() => ikeProposal({ encryption: ["aes-gcm-128", "aes-cbc-128"], integrity: [], prf: ["sha1"], group: ["14"] }), /AES-GCM and AES-CBC/],
            [() => ikeProposal({ encryption: ["aes-cbc-128"], integrity: ["sha1"], prf: [], group: [] }), /no DH group/],
            [() => espProposal(["esp-aes", "256"]), /needs an ESP authentication/],
            [() => espProposal(["esp-gcm", "esp-sha-hmac"]), /takes no esp-sha-hmac/],
        ];
        for (const [f, re] of bad) assert.throws(f, (e: Error) => e instanceof ProposalError && re.test(e.message));
    });
});

const STORY = (peerLines: string[]) => `
crypto ikev2 proposal P1
 encryption aes-cbc-256
 integrity sha256
 group 14
crypto ikev2 policy POL1
 proposal P1
crypto ikev2 keyring KR
 peer 203.0.113.7
${peerLines.map((l) => `  ${l}`).join("\n")}
crypto ikev2 profile PROF-VPS
 match identity remote address 203.0.113.7 255.255.255.255
 identity local address 198.51.100.1
 authentication remote pre-share
 authentication local pre-share
 keyring local KR
crypto ipsec transform-set TS esp-gcm 256
crypto ipsec profile IPSEC-VPS
 set transform-set TS
 set ikev2-profile PROF-VPS
 set pfs group20
interface GigabitEthernet1
 ip address 198.51.100.1 255.255.255.0
interface Tunnel1
 ip address 172.16.0.1 255.255.255.252
 tunnel source GigabitEthernet1
 tunnel mode ipsec ipv4
 tunnel destination 203.0.113.7
 tunnel protection ipsec profile IPSEC-VPS
ip route 10.2.0.0 255.255.255.0 Tunnel1
end
`;

function configOf(text: string) {
    const router = new Router({ hostname: "home" });
    router.replaceConfig(text);
    return router.config;
}

describe("emulator IKE: running-config -> swanctl.conf", () => {
    it("the story's mistake: a peer named like the address but without `address` gets no key", () => {
        const t = translate(configOf(STORY(["pre-shared-key s3cret"])));
        assert.equal(t.tunnels.length, 1);
        assert.equal(t.tunnels[0].hasKey, false);
        assert.doesNotMatch(t.conf, /secret =/);
        assert.ok(t.debug.some((l) => /peer 203\.0\.113\.7 is only a label: it has no 'address 203\.0\.113\.7' line/.test(l)), t.debug.join("\n"));
        assert.ok(t.debug.includes("IKEv2-ERROR:(Tunnel1):: Failed to locate an item in the database"));
    });

    it("with `address`, the tunnel gets its key, identities, proposals and routed selectors", () => {
        const t = translate(configOf(STORY(["address 203.0.113.7", "pre-shared-key s3cret"])));
        assert.equal(t.tunnels[0].hasKey, true);
        assert.match(t.conf, /proposals = aes256-sha256-modp2048\n/);
        assert.match(t.conf, /esp_proposals = aes256gcm16-ecp384\n/);
        assert.match(t.conf, /local_addrs = 198\.51\.100\.1\n/);
        assert.match(t.conf, /remote_ts = 10\.2\.0\.0\/24\n/);
        assert.match(t.conf, /ike-Tunnel1 \{\n {8}id-local = 198\.51\.100\.1\n {8}id-remote0 = 203\.0\.113\.7\n {8}secret = "s3cret"\n/);
        assert.deepEqual(t.routes, [{ prefix: "10.2.0.0/24", tunnel: "Tunnel1" }]);
    });
});

describe("emulator IKE: charon's log as IOS debug lines", () => {
    /** A `swanctl --log --raw` line as charon's vici logger sends it. */
    const raw = (id: string, msg: string) => `log {group=IKE level=1 thread=14 ikesa-name=Tunnel1 ikesa-uniqueid=${id} msg=${msg}}`;
    const translate = (t: IosDebugTranslator, line: string) => readRaw(line).flatMap((m) => t.translate({ msg: asText(m.body.msg), ikeSaId: asText(m.body["ikesa-uniqueid"]) || undefined }));

    it("names each failure by its cause, tagged with the IKE SA", () => {
        const t = new IosDebugTranslator();
        const cases: [string, RegExp][] = [
            ["tried 1 shared key for '198.51.100.1' - '203.0.113.7', but MAC mismatched", /^IKEv2:\(SESSION ID = 7,SA ID = 7\):Verification of peer's authenctication data FAILED \(peer 203\.0\.113\.7\)\nIKEv2-ERROR:\(SESSION ID = 7,SA ID = 7\):: Failed to authenticate the IKE SA\nIKEv2-ERROR:\(SESSION ID = 7,SA ID = 7\):: Auth exchange failed$/],
            ["received AUTHENTICATION_FAILED notify error", /:: Failed to authenticate the IKE SA\n.*:: Auth exchange failed$/],
            ["no shared key found for '198.51.100.1' - '203.0.113.7'", /:: Failed to locate an item in the database \(no matching pre-shared key for peer 203\.0\.113\.7\)$/],
            ["no matching peer config found", /^IKEv2:% IKEv2 profile not found\n/],
            ["received proposals unacceptable", /^IKEv2-ERROR:\(SESSION ID = 7,SA ID = 7\):Received Policies: : Failed to find a matching policy\n/],
            ["received NO_PROPOSAL_CHOSEN notify error", /:: Received no proposal chosen notify$/],
            ["received NO_PROPOSAL_CHOSEN notify, no CHILD_SA built", /IKE_AUTH Exchange RESPONSE, Payload contents: VID IDr AUTH NOTIFY\(NO_PROPOSAL_CHOSEN\)/],
            ["received TS_UNACCEPTABLE notify, no CHILD_SA built", /NOTIFY\(TS_UNACCEPTABLE\)/],
            ["traffic selectors 10.99.0.0/24 === 10.1.0.0/24 unacceptable", /There was no IPSEC policy found for received TS \(10\.99\.0\.0\/24 === 10\.1\.0\.0\/24\)\n.*Sending TS unacceptable notify$/],
            ["DH group ECP_384 unacceptable, requesting MODP_2048", /:: The peer's KE payload contained the wrong DH group \(ECP_384; expected MODP_2048\)$/],
            ["retransmit 2 of request with message ID 0", /^IKEv2:\(SESSION ID = 7,SA ID = 7\):Retransmitting packet \(retransmission 2, message id 0\)$/],
            ["giving up after 5 retransmits", /Maximum number of retransmissions reached$/],
        ];
        for (const [msg, re] of cases) assert.match(translate(t, raw("7", msg)).join("\n"), re, msg);
        assert.deepEqual(translate(t, raw("7", "sending keep alive to 203.0.113.7[4500]")), []);
    });

    it("tells an IKE proposal mismatch from an ESP one by whether the IKE SA is up, and reads messages with braces", () => {
        const t = new IosDebugTranslator();
        assert.match(translate(t, raw("9", "no acceptable proposal found"))[0], /Received Policies: : Failed/);
        assert.match(translate(t, raw("9", "IKE_SA Tunnel1[9] established between 198.51.100.1[198.51.100.1]...203.0.113.7[203.0.113.7]"))[0], /Session with IKE ID PAIR \(203\.0\.113\.7, 198\.51\.100\.1\) is UP$/);
        assert.match(translate(t, raw("9", "no acceptable proposal found"))[0], /Received Policies: ESP: : Failed/);
        assert.match(
            translate(t, raw("9", "CHILD_SA Tunnel1{3} established with SPIs c1a2b3c4_i d5e6f7a8_o and TS 0.0.0.0/0 === 10.2.0.0/24"))[0],
            /^IKEv2:\(SESSION ID = 9,SA ID = 9\):IPsec SA created for Tunnel1: inbound spi 0xC1A2B3C4, outbound spi 0xD5E6F7A8$/,
        );
    });
});
