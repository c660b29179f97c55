/**
 * What an operator on the emulated IOS router sees when proving or diagnosing a tunnel, against a
 * real strongSwan peer (vps) and a real charon behind the emulator: `ping ... source` through the
 * tunnel with IOS's output and growing `#pkts encaps/decaps`, and `show logging` with `debug crypto
 * ikev2` naming each failure by its cause. The broken configurations are written to the devices
 * directly, as a person would type them. Assumes `bash lab/lab.sh up` ran; runs as root.
 */
import assert from "assert";
import { randomBytes } from "crypto";
import { counters, home, ios, iosRemove, iosShow, iosTunnel, labExec, settled, sshHost, vps, vpsSwanctlConf, waitFor } from "./ios-lab-helpers";

const CONN = "iosdiag";
const FILE = `/etc/swanctl/conf.d/${CONN}.conf`;
const KEY = "ikd" + randomBytes(12).toString("hex");
const LAN_MASK = "255.255.255.0";

/** vps's side, loaded by hand; the IKE_SAs of the previous variant are closed on both ends. */
async function vpsSide(o: { key?: string; proposals?: string; esp?: string; localTs?: string } = {}): Promise<void> {
    const conf = vpsSwanctlConf(CONN, { remoteTs: home.lan, esp: o.esp ?? "aes256-sha256", key: o.key ?? KEY, proposals: o.proposals, localTs: o.localTs });
    const put = await sshHost(vps, `umask 077; cat > ${FILE} && swanctl --load-all >/dev/null 2>&1; swanctl --terminate --ike ${CONN} >/dev/null 2>&1; true`, conf);
    assert.strictEqual(put.code, 0, put.stderr);
    await labExec("home", "swanctl", "--terminate", "--ike", "Tunnel1", "--timeout", "5");
}

/** The lines of home's logging buffer. */
async function homeLog(): Promise<string[]> {
    return (await iosShow(home, "show logging")).split("\n");
}

/**
 * Starts negotiations from `initiator` until home's logging buffer has a new line matching `re`
 * (the debug relay subscribes to charon's log asynchronously, so one attempt may go unseen).
 */
async function expectOnHome(re: RegExp, initiator: "vps" | "home"): Promise<string[]> {
    const seen = (await homeLog()).length;
    return waitFor(`${re} in home's show logging`, async () => {
        if (initiator === "vps") await sshHost(vps, `swanctl --initiate --child ${CONN} --timeout 12 >/dev/null 2>&1; true`);
        else await labExec("home", "swanctl", "--initiate", "--child", "Tunnel1", "--timeout", "12");
        const fresh = (await homeLog()).slice(seen - 2);
        return fresh.some((l) => re.test(l)) ? fresh : undefined;
    }, 90000);
}

describe("emulated IOS in the lab: ping from the router, and diagnosis in show logging", function () {
    this.timeout(180000);
    let beforeConfig = "";

    before(async () => {
        beforeConfig = await iosShow(home, "show running-config");
        await vpsSide();
        await ios(home, ["debug crypto ikev2", ...iosTunnel({ tunnel: "Tunnel1", local: home.wan, remote: vps.wan, remoteLan: vps.lan, peerLines: [`address ${vps.wan}`], key: KEY })]);
    });

    after(async () => {
        await ios(home, ["configure terminal", "no interface Tunnel3", `no ip route 10.5.0.0 ${LAN_MASK} Tunnel3`, "end", ...iosRemove("Tunnel1", vps.lan)]);
        await sshHost(vps, `swanctl --terminate --ike ${CONN} >/dev/null 2>&1; rm -f ${FILE}; swanctl --load-all >/dev/null 2>&1; true`);
        await labExec("home", "swanctl", "--terminate", "--ike", "Tunnel1");
        await settled("home", "Tunnel1");
        const body = (t: string) => t.replace(/^[\s\S]*?\n!\n/, "").replace(/#\s*$/, "");
        assert.strictEqual(body(await iosShow(home, "show running-config")), body(beforeConfig), "home's running-config differs from before the tests");
    });

    it("`ping DEST source IFACE|ADDRESS` goes through the tunnel with IOS's output, and the counters grow", async () => {
        await waitFor("READY", async () => (/READY/.test(await iosShow(home, "show crypto ikev2 sa")) ? true : undefined));
        const before = counters(await iosShow(home, "show crypto ipsec sa"));
        const out = await waitFor("a ping that passes", async () => {
            const o = await iosShow(home, `ping ${vps.lanAddress} source GigabitEthernet2`);
            return /!!!!!/.test(o) ? o : undefined;
        });
        assert.match(
            out,
            new RegExp(
                `\\nType escape sequence to abort\\.\\nSending 5, 100-byte ICMP Echos to ${vps.lanAddress.replace(/\./g, "\\.")}, timeout is 2 seconds:\\n` +
                    `Packet sent with a source address of ${home.lanAddress.replace(/\./g, "\\.")} \\n!!!!!\\n` +
                    "Success rate is 100 percent \\(5/5\\), round-trip min/avg/max = \\d+/\\d+/\\d+ ms\\n",
            ),
        );
        const after = counters(await iosShow(home, "show crypto ipsec sa"));
        assert.ok(after.encaps >= before.encaps + 5, `#pkts encaps ${before.encaps} -> ${after.encaps}`);
        assert.ok(after.decaps >= before.decaps + 5, `#pkts decaps ${before.decaps} -> ${after.decaps}`);
        assert.match(await iosShow(home, `ping ${vps.lanAddress} source ${home.lanAddress} repeat 3 size 200`), /Sending 3, 200-byte ICMP Echos[\s\S]*\n!!!\nSuccess rate is 100 percent \(3\/3\)/);
        // A LAN no tunnel carries: the lab's internet refuses private addresses.
        const lost = await iosShow(home, "ping 10.4.0.1 source Gi2 repeat 2 timeout 1");
        assert.match(lost, /\n[.U]{2}\nSuccess rate is 0 percent \(0\/2\)\n/);
        assert.match(await iosShow(home, "ping 10.4.0.1 source 10.77.0.1"), /% Invalid source address- IP address not on any of our up interfaces/);
    });

    it("different keys: IOS's authentication failure lines as responder and as initiator", async () => {
        await vpsSide({ key: KEY + "-other" });
        const asResponder = await expectOnHome(/Verification of peer's authenctication data FAILED/, "vps");
        assert.ok(asResponder.some((l) => /IKEv2-ERROR:\(SESSION ID = \d+,SA ID = \d+\):: Failed to authenticate the IKE SA/.test(l)), asResponder.join("\n"));
        const asInitiator = await expectOnHome(/IKEv2-ERROR:\(SESSION ID = \d+,SA ID = \d+\):: Auth exchange failed/, "home");
        assert.ok(asInitiator.some((l) => /Failed to authenticate the IKE SA/.test(l)), asInitiator.join("\n"));
        assert.doesNotMatch(await iosShow(home, "show crypto ikev2 sa"), /READY/);
    });

    it("no common IKE proposal: NO_PROPOSAL_CHOSEN, as responder and as initiator", async () => {
        await vpsSide({ proposals: "aes128-sha1-modp3072" });
        await expectOnHome(/IKEv2-ERROR:\(SESSION ID = \d+,SA ID = \d+\):Received Policies: : Failed to find a matching policy/, "vps");
        await expectOnHome(/IKEv2-ERROR:\(SESSION ID = \d+,SA ID = \d+\):: Received no proposal chosen notify/, "home");
    });

    it("no common ESP proposal: NO_PROPOSAL_CHOSEN inside IKE_AUTH, as responder and as initiator", async () => {
        await vpsSide({ esp: "aes128gcm16" });
        await expectOnHome(/IKE_AUTH Exchange RESPONSE, Payload contents: VID IDr AUTH NOTIFY\(NO_PROPOSAL_CHOSEN\)/, "home");
        await expectOnHome(/Received Policies: ESP: : Failed to find a matching policy/, "vps");
    });

    it("traffic selectors that do not match: TS_UNACCEPTABLE", async () => {
        await vpsSide({ localTs: "10.99.0.0/24" });
        await expectOnHome(/NOTIFY\(TS_UNACCEPTABLE\)/, "home");
    });

    it("a KE payload in a DH group the responder does not prefer: INVALID_KE_PAYLOAD in IOS's words, and the retry brings the tunnel up", async () => {
        // home offers groups 14 and 15 and sends its KE for 14; vps prefers modp3072 (group 15) and asks
        // again. (The lab's charon has no ECP groups, so the MODP ones show it.)
        await ios(home, ["configure terminal", "crypto ikev2 proposal IKT-PROP", " group 15", "end"]);
        try {
            await vpsSide({ proposals: "aes256-sha256-modp3072-modp2048" });
            await expectOnHome(/IKE_SA_INIT Exchange RESPONSE, Payload contents: NOTIFY\(INVALID_KE_PAYLOAD\) \(peer requested MODP_3072\)/, "home");
            const sa = await waitFor("READY after the retry", async () => {
                const s = await iosShow(home, "show crypto ikev2 sa");
                return /READY/.test(s) ? s : undefined;
            });
            assert.match(sa, /DH Grp:15/);
        } finally {
            await ios(home, ["configure terminal", "crypto ikev2 proposal IKT-PROP", " no group 15", "end"]);
        }
    });

    it("a peer that does not answer: retransmissions, and the SA stays in negotiation", async () => {
        const silent = "203.0.113.99";
        await ios(home, [
            "configure terminal",
            "crypto ikev2 keyring IKT-KR",
            ` peer ${silent}`,
            `  address ${silent}`,
            `  pre-shared-key ${KEY}`,
            "interface Tunnel3",
            " ip address 172.16.3.1 255.255.255.252",
            " tunnel source GigabitEthernet1",
            " tunnel mode ipsec ipv4",
            ` tunnel destination ${silent}`,
            " tunnel protection ipsec profile IKT-IPSEC-Tunnel1",
            `ip route 10.5.0.0 ${LAN_MASK} Tunnel3`,
            "end",
        ]);
        const seen = (await homeLog()).length;
        const lines = await waitFor("a retransmission", async () => {
            await labExec("home", "swanctl", "--initiate", "--child", "Tunnel3", "--timeout", "6");
            const fresh = (await homeLog()).slice(seen - 2);
            return fresh.some((l) => /IKEv2:\(SESSION ID = \d+,SA ID = \d+\):Retransmitting packet/.test(l)) ? fresh : undefined;
        }, 90000);
        assert.ok(lines.length > 0);
        assert.match(await iosShow(home, "show logging"), /IKEv2:\(SESSION ID = \d+,SA ID = \d+\):Sending Packet \[To 203\.0\.113\.99\] IKEv2 IKE_SA_INIT Exchange REQUEST/);
        assert.match(await iosShow(home, "show crypto ikev2 sa"), /203\.0\.113\.99\/500\s+none\/none\s+IN-NEG/);
        await ios(home, ["configure terminal", "no interface Tunnel3", `no ip route 10.5.0.0 ${LAN_MASK} Tunnel3`, "crypto ikev2 keyring IKT-KR", ` no peer ${silent}`, "end"]);
    });
});
