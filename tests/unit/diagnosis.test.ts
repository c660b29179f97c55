/**
 * The diagnosis of a tunnel that did not come up, from both ends' logs (lines as charon 5.9 and
 * IOS's `debug crypto ikev2` print them; the lab test reproduces each on real devices) and the
 * configurations read back: each cause gets its own message, with the evidence and the fix.
 */
import assert from "node:assert/strict";
import { diagnose, EndEvidence } from "../../provider/tunnel/diagnosis";
import { TunnelEnd } from "../../provider/tunnel/ends";
import { homeEnd, vpsEnd } from "../fixtures/tunnel-ends";

const iosSays = (log: string[], actual: TunnelEnd | undefined = homeEnd()): EndEvidence => ({ site: "home", platform: "ios", log, actual });
const swanSays = (log: string[], actual: TunnelEnd | undefined = vpsEnd()): EndEvidence => ({ site: "vps", platform: "strongswan", log, actual });
const tag = "(SESSION ID = 7,SA ID = 7)";
const AUTH_FAILED_AT_VPS = ["[ENC] parsed IKE_AUTH response 1 [ N(AUTH_FAILED) ]", "[IKE] received AUTHENTICATION_FAILED notify error", "initiate failed: establishing CHILD_SA 'home-lan' failed"];

describe("diagnosis from both ends", () => {
    it("AUTHENTICATION_FAILED, three causes, three messages", () => {
        const story = diagnose(swanSays(AUTH_FAILED_AT_VPS), iosSays([`*Nov 28 21:00:00.000: IKEv2-ERROR:${tag}:: Failed to locate an item in the database (no matching pre-shared key for peer 203.0.113.7)`], homeEnd({ peers: [{ name: "203.0.113.7" }] })));
        assert.equal(story.cause, "auth-no-key");
        assert.match(story.message, /^AUTHENTICATION_FAILED: one end has no pre-shared key for the other\. Evidence: vps \(strongSwan\) logged .*`\[IKE\] received AUTHENTICATION_FAILED notify error`; home \(IOS\) logged `IKEv2-ERROR:.*Failed to locate an item in the database/);
        assert.match(story.message, /Why: home .* has no pre-shared key for vps: keyring peer "203\.0\.113\.7" has no address.*Fix: add address: "203\.0\.113\.7"/);

        const keys = diagnose(swanSays(AUTH_FAILED_AT_VPS), iosSays([`IKEv2:${tag}:Verification of peer's authenctication data FAILED (peer 203.0.113.7)`]), { keysAgree: false });
        assert.equal(keys.cause, "auth-key-mismatch");
        assert.match(keys.message, /^AUTHENTICATION_FAILED: the two ends hold different pre-shared keys\..*Why: the pre-shared keys differ/);

        const identity = diagnose(swanSays(AUTH_FAILED_AT_VPS), iosSays(["IKEv2:% IKEv2 profile not found", `IKEv2-ERROR:${tag}:: Auth exchange failed`]));
        assert.equal(identity.cause, "auth-identity");
        assert.match(identity.message, /^AUTHENTICATION_FAILED: one end does not accept the identity the other sends\./);
        assert.notEqual(story.message.split(".")[0], keys.message.split(".")[0]);
        assert.notEqual(keys.message.split(".")[0], identity.message.split(".")[0]);
    });

    it("from one end's AUTHENTICATION_FAILED alone, the configurations read back say which cause", () => {
        const identity = diagnose(swanSays(AUTH_FAILED_AT_VPS, vpsEnd((c) => ({ ...c, local: { auth: "psk", id: { fqdn: "vps.example.net" } } }))), iosSays([]));
        assert.equal(identity.cause, "auth-identity");
        assert.match(identity.message, /Why: identity mismatch: vps .* sends identity fqdn vps\.example\.net/);
        const keys = diagnose(swanSays(AUTH_FAILED_AT_VPS), iosSays([]), { keysAgree: false });
        assert.equal(keys.cause, "auth-key-mismatch");
        const unknown = diagnose(swanSays(AUTH_FAILED_AT_VPS, undefined), { site: "the far end", platform: "ios", log: [] });
        assert.equal(unknown.cause, "auth-failed");
        assert.match(unknown.message, /Why: not visible in the configurations read back\. Fix: on vps and the far end compare the keyring peer's address \(IOS matches the key by address, never by the peer's name\)/);
    });

    it("NO_PROPOSAL_CHOSEN for IKE, a DH group mismatch, and for ESP", () => {
        const ike = diagnose(swanSays(["[ENC] parsed IKE_SA_INIT response 0 [ N(NO_PROP) ]", "[IKE] received NO_PROPOSAL_CHOSEN notify error"], vpsEnd((c) => ({ ...c, proposals: ["aes128-sha1-modp3072"] }))), iosSays([`IKEv2-ERROR:${tag}:Received Policies: : Failed to find a matching policy`]));
        assert.equal(ike.cause, "no-proposal-ike");
        assert.match(ike.message, /^NO_PROPOSAL_CHOSEN in IKE_SA_INIT: no common IKE proposal\..*Why: no common IKE proposal/);
        const dh = diagnose(swanSays(["[IKE] received NO_PROPOSAL_CHOSEN notify error"], vpsEnd((c) => ({ ...c, proposals: ["aes256-sha256-modp3072"] }))), iosSays([]));
        assert.equal(dh.cause, "dh-group");
        assert.match(dh.message, /^no common Diffie-Hellman group in IKE_SA_INIT\..*vps .* offers modp3072 \(group 15\) and home .* offers modp2048 \(group 14\)/);
        const esp = diagnose(
            swanSays(["[IKE] IKE_SA home[3] established between 203.0.113.7[203.0.113.7]...198.51.100.1[198.51.100.1]", "[IKE] received NO_PROPOSAL_CHOSEN notify, no CHILD_SA built"]),
            iosSays([`IKEv2-ERROR:${tag}:Received Policies: ESP: : Failed to find a matching policy`]),
        );
        assert.equal(esp.cause, "no-proposal-esp");
        // charon as responder says the same words for both: after authentication, it is ESP.
        const responder = diagnose(swanSays(["[IKE] authentication of '198.51.100.1' with pre-shared key successful", "[IKE] no acceptable proposal found"]), iosSays([]));
        assert.equal(responder.cause, "no-proposal-esp");
        assert.equal(diagnose(swanSays(["[IKE] no acceptable proposal found"]), iosSays([])).cause, "no-proposal-ike");
    });

    it("TS_UNACCEPTABLE, with the route the IOS end lacks", () => {
        const ts = diagnose(swanSays(["[IKE] received TS_UNACCEPTABLE notify, no CHILD_SA built"], vpsEnd((c) => ({ ...c, children: [{ ...c.children[0], localTs: ["10.99.0.0/24"] }] }))), iosSays([]));
        assert.equal(ts.cause, "ts-unacceptable");
        assert.match(ts.message, /Why: vps's local_ts 10\.99\.0\.0\/24 is not routed into Tunnel1 on home/);
    });

    it("a peer that does not answer, and retransmissions that were answered in the end", () => {
        const silent = diagnose(swanSays(["[IKE] initiating IKE_SA home[1] to 198.51.100.1", "[IKE] retransmit 1 of request with message ID 0", "[IKE] retransmit 2 of request with message ID 0"]), iosSays([]));
        assert.equal(silent.cause, "peer-unreachable");
        assert.match(silent.message, /^the peer does not answer IKE .*Fix: check that UDP 500 and 4500 pass between vps and home/);
        const late = diagnose(swanSays(["[IKE] retransmit 1 of request with message ID 1", "[NET] received packet: from 198.51.100.1[4500]", "[IKE] received AUTHENTICATION_FAILED notify error"]), iosSays([]), { keysAgree: false });
        assert.equal(late.cause, "auth-key-mismatch");
    });

    it("an INVALID_KE_PAYLOAD that the retry settled is no failure; says when a device drifted from the stack", () => {
        assert.equal(diagnose(swanSays([]), iosSays([`IKEv2:${tag}:Received Packet: IKEv2 IKE_SA_INIT Exchange RESPONSE, Payload contents: NOTIFY(INVALID_KE_PAYLOAD) (peer requested MODP_3072)`])).cause, "unknown");
        const drifted = diagnose(swanSays(AUTH_FAILED_AT_VPS), iosSays([], homeEnd({ peers: [{ name: "vps" }] })), { declared: [homeEnd(), vpsEnd()] });
        assert.match(drifted.message, /a device no longer holds what the stack declares \(`pulumi refresh` shows the drift, `pulumi up` restores it\)\.$/);
    });
});
