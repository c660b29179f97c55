/**
 * Proof and diagnosis from both ends, in the lab: a tunnel between the emulated IOS router home and
 * the strongSwan host vps, written by hand; IosTunnelCheck and StrongSwanTunnelCheck (through the
 * provider's own handlers) prove it from each end, then each class of failure is reproduced by
 * writing the broken configuration directly to a device (as a person would: the provider refuses
 * it), and the check's error must name the cause and the fix. Assumes `bash lab/lab.sh up` ran.
 */
import assert from "assert";
import { randomBytes } from "crypto";
import { handlersFor } from "../../provider/dynamic/handlers";
import { ResourceKind } from "../../provider/dynamic/registry";
import { SshPool } from "../../provider/ssh/pool";
import { labDevice } from "../../scripts/lab-sites";
import { home, ios, iosRemove, iosShow, iosTunnel, labExec, parents, settled, sshHost, vps, vpsSwanctlConf } from "./ios-lab-helpers";

const CONN = "tundiag";
const FILE = `/etc/swanctl/conf.d/${CONN}.conf`;
const KEY = "tdg" + randomBytes(12).toString("hex");
const homeDevice = labDevice("home");
const vpsDevice = labDevice("vps");

/** vps's side, loaded by hand; `change` rewrites the file's text before it is written. */
async function vpsSide(o: { key?: string; proposals?: string; esp?: string; localTs?: string } = {}, change: (conf: string) => string = (c) => c): Promise<void> {
    const conf = change(vpsSwanctlConf(CONN, { remoteTs: home.lan, esp: o.esp ?? "aes256-sha256", key: o.key ?? KEY, proposals: o.proposals, localTs: o.localTs }));
    const put = await sshHost(vps, `umask 077; cat > ${FILE} && swanctl --load-all >/dev/null 2>&1; swanctl --terminate --ike ${CONN} >/dev/null 2>&1; true`, conf);
    assert.strictEqual(put.code, 0, put.stderr);
}

/** Drops the SAs on both ends, so that the next negotiation uses what the devices now hold. */
async function renegotiate(): Promise<void> {
    await sshHost(vps, `swanctl --terminate --ike ${CONN} >/dev/null 2>&1; true`);
    await ios(home, ["clear crypto session"]);
}

const iosCheck = {
    connection: homeDevice.connection,
    credentials: homeDevice.credentials,
    tunnel: 1,
    site: "home",
    timeoutSeconds: 8,
    peer: { platform: "strongswan", site: "vps", connection: vpsDevice.connection, connectionName: CONN, child: CONN },
    peerPrivateKey: vpsDevice.credentials.privateKey,
};

const strongSwanCheck = {
    connection: vpsDevice.connection,
    credentials: vpsDevice.credentials,
    connectionName: CONN,
    child: CONN,
    site: "vps",
    timeoutSeconds: 8,
    peer: { platform: "ios", site: "home", connection: homeDevice.connection, tunnel: 1 },
    peerPassword: homeDevice.credentials.password,
    peerEnableSecret: homeDevice.credentials.enableSecret,
};

async function prove(kind: ResourceKind, inputs: Record<string, unknown>): Promise<Record<string, unknown>> {
    const h = handlersFor(kind);
    const checked = await h.check({}, inputs);
    assert.deepStrictEqual(checked.failures, []);
    return (await h.create(checked.inputs)).outs as Record<string, unknown>;
}

/** The check's error: the tunnel must not come up. */
async function failure(kind: ResourceKind, inputs: Record<string, unknown>): Promise<string> {
    let message = "";
    await assert.rejects(prove(kind, inputs), (e: Error) => {
        message = e.message;
        return true;
    });
    for (const secret of [KEY, String(homeDevice.credentials.password), String(homeDevice.credentials.enableSecret)]) assert.ok(!message.includes(secret), "a secret in the error");
    return message;
}

describe("tunnel proof and diagnosis from both ends (home IOS <-> vps strongSwan)", function () {
    this.timeout(240000);
    let beforeConfig = "";

    before(async () => {
        beforeConfig = await iosShow(home, "show running-config");
        await vpsSide();
        await ios(home, iosTunnel({ tunnel: "Tunnel1", local: home.wan, remote: vps.wan, remoteLan: vps.lan, peerLines: [`address ${vps.wan}`], key: KEY }));
    });

    // Each case breaks one device by hand; what the tunnel needs is put back after it, pass or fail.
    afterEach(async () => {
        await labExec("inet", "sh", "-c", "while ip rule del pref 40 2>/dev/null; do :; done");
        await ios(home, ["configure terminal", "crypto ikev2 keyring IKT-KR", ` peer ${vps.wan}`, `  address ${vps.wan}`, "end"]);
    });

    after(async () => {
        await labExec("inet", "sh", "-c", "while ip rule del pref 40 2>/dev/null; do :; done");
        await ios(home, iosRemove("Tunnel1", vps.lan));
        await sshHost(vps, `swanctl --terminate --ike ${CONN} >/dev/null 2>&1; rm -f ${FILE}; swanctl --load-all >/dev/null 2>&1; true`);
        await labExec("home", "swanctl", "--terminate", "--ike", "Tunnel1");
        await settled("home", "Tunnel1");
        const body = (t: string) => t.replace(/^[\s\S]*?\n!\n/, "").replace(/#\s*$/, "");
        assert.strictEqual(body(await iosShow(home, "show running-config")), body(beforeConfig), "home's running-config differs from before the tests");
        assert.doesNotMatch(await iosShow(home, "show debugging"), /IKEv2/, "the checks left debugging on");
        await SshPool.shared.closeAll();
    });

    it("proves the tunnel from both ends: SAs up, pings through it, counters grow on each end", async () => {
        const fromHome = await prove("IosTunnelCheck", { ...iosCheck, timeoutSeconds: 60, ping: { destination: vps.lanAddress, source: "GigabitEthernet2", count: 5 } });
        assert.strictEqual(fromHome.established, true);
        assert.match((fromHome.config as string[])[0], /^IKE SA with 203\.0\.113\.7 READY \(Encr: .*DH Grp:14.*\); ESP SAs installed, #pkts encaps [1-9]\d*, #pkts decaps [1-9]\d*$/);
        const fromVps = await prove("StrongSwanTunnelCheck", { ...strongSwanCheck, timeoutSeconds: 60, ping: { source: vps.lanAddress, destination: home.lanAddress, count: 3 } });
        assert.strictEqual(fromVps.established, true);
        const read = await handlersFor("IosTunnelCheck").read("x", fromHome);
        assert.strictEqual(read.props!.established, true);
    });

    it("AUTHENTICATION_FAILED from a keyring peer without `address` (the story): home has no key for vps", async () => {
        await ios(home, ["configure terminal", "crypto ikev2 keyring IKT-KR", ` peer ${vps.wan}`, "  no address", "end"]);
        await renegotiate();
        const fromHome = await failure("IosTunnelCheck", iosCheck);
        assert.match(fromHome, /^Tunnel1 on admin@198\.51\.100\.1 did not come up within 8 s/);
        assert.match(fromHome, /AUTHENTICATION_FAILED: one end has no pre-shared key for the other/);
        assert.match(fromHome, /Evidence: home \(IOS\) logged `[^`]*Failed to locate an item in the database/);
        assert.match(fromHome, /keyring peer "203\.0\.113\.7" has no address: a peer's name is only a label.*Fix: add address: "203\.0\.113\.7" to keyring peer "203\.0\.113\.7"/);
        const fromVps = await failure("StrongSwanTunnelCheck", strongSwanCheck);
        assert.match(fromVps, /^tunnel tundiag\/tundiag on root@203\.0\.113\.7 did not come up within 8 s/);
        assert.match(fromVps, /AUTHENTICATION_FAILED: one end has no pre-shared key.*Evidence: vps \(strongSwan\) logged .*`\[IKE\] received AUTHENTICATION_FAILED notify error`; home \(IOS\) logged `IKEv2-ERROR:\(SESSION ID = \d+,SA ID = \d+\):: Failed to locate an item in the database/);
        assert.match(fromVps, /Fix: add address: "203\.0\.113\.7"/);
    });

    it("AUTHENTICATION_FAILED from different keys: named without showing either key", async () => {
        await vpsSide({ key: KEY + "-other" });
        await renegotiate();
        const fromHome = await failure("IosTunnelCheck", iosCheck);
        assert.match(fromHome, /AUTHENTICATION_FAILED: the two ends hold different pre-shared keys/);
        assert.match(fromHome, /home \(IOS\) logged `[^`]*authenctication data FAILED/);
        assert.match(fromHome, /the pre-shared keys differ: home .* and vps .* hold different keys \(neither is shown\)/);
        const fromVps = await failure("StrongSwanTunnelCheck", strongSwanCheck);
        assert.match(fromVps, /the two ends hold different pre-shared keys/);
    });

    it("AUTHENTICATION_FAILED from an identity mismatch: vps sends an identity home does not match", async () => {
        await vpsSide({}, (c) => c.replace(/(local \{\s*auth = psk\s*id = )\S+/, "$1fqdn:vps.example.net").replace(/id-local = \S+/, "id-local = fqdn:vps.example.net"));
        await renegotiate();
        const message = await failure("IosTunnelCheck", iosCheck);
        assert.match(message, /AUTHENTICATION_FAILED: one end does not accept the identity the other sends/);
        assert.match(message, /IKEv2 profile not found/);
        assert.match(message, /vps \(`[^`]*tundiag\.conf`\) sends identity fqdn vps\.example\.net, but home \(`crypto ikev2 profile IKT-PROF-Tunnel1`\) accepts only address 203\.0\.113\.7/);
        assert.match(message, /Fix: match it on home .*matchIdentityRemote: \[\{ fqdn: "vps\.example\.net" \}\]/);
    });

    it("NO_PROPOSAL_CHOSEN for IKE: no common IKE proposal", async () => {
        await vpsSide({ proposals: "aes128-sha1-modp3072" });
        await renegotiate();
        const message = await failure("IosTunnelCheck", iosCheck);
        assert.match(message, /NO_PROPOSAL_CHOSEN in IKE_SA_INIT: no common IKE proposal/);
        assert.match(message, /offers aes256-sha256-modp2048 and vps .* offers aes128-sha1-modp3072/);
    });

    it("a DH group mismatch: the same cipher, no common group", async () => {
        await vpsSide({ proposals: "aes256-sha256-modp3072" });
        await renegotiate();
        const message = await failure("IosTunnelCheck", iosCheck);
        assert.match(message, /^[^]*no common Diffie-Hellman group in IKE_SA_INIT/);
        assert.match(message, /home .* offers modp2048 \(group 14\) and vps .* offers modp3072 \(group 15\)/);
    });

    it("NO_PROPOSAL_CHOSEN for ESP: the IKE SA comes up, no CHILD_SA", async () => {
        await vpsSide({ esp: "aes128-sha1" });
        await renegotiate();
        const message = await failure("IosTunnelCheck", iosCheck);
        assert.match(message, /NO_PROPOSAL_CHOSEN in IKE_AUTH: the IKE_SA came up, but there is no common ESP proposal/);
        assert.match(message, /no common ESP proposal: home .* offers aes256-sha256 and vps .* offers aes128-sha1/);
    });

    it("TS_UNACCEPTABLE: vps's LAN is not what home routes into the tunnel", async () => {
        await vpsSide({ localTs: "10.99.0.0/24" });
        await renegotiate();
        const message = await failure("IosTunnelCheck", iosCheck);
        assert.match(message, /TS_UNACCEPTABLE: the CHILD_SA's traffic selectors do not meet/);
        assert.match(message, /vps's local_ts 10\.99\.0\.0\/24 is not routed into Tunnel1 on home/);
    });

    it("a peer that does not answer: UDP 500 and 4500 dropped in the lab's internet", async () => {
        for (const [from, to] of [[home.wan, vps.wan], [vps.wan, home.wan]]) {
            for (const port of ["500", "4500"]) await labExec("inet", "ip", "rule", "add", "pref", "40", "from", from, "to", to, "ipproto", "udp", "dport", port, "blackhole");
        }
        try {
            // Dropped without a DELETE exchange, which could not pass any more (and would keep IOS retrying for minutes).
            await sshHost(vps, `swanctl --terminate --ike ${CONN} --force >/dev/null 2>&1; true`);
            await labExec("home", "swanctl", "--terminate", "--ike", "Tunnel1", "--force");
            const message = await failure("IosTunnelCheck", iosCheck);
            assert.match(message, /the peer does not answer IKE \(no reply to IKE_SA_INIT\)/);
            assert.match(message, /vps \(strongSwan\) logged `[^`]*retransmit/);
            assert.match(message, /Fix: check that UDP 500 and 4500 pass between home and vps/);
        } finally {
            await labExec("inet", "sh", "-c", "while ip rule del pref 40 2>/dev/null; do :; done");
        }
    });
});

describe("tunnel diagnosis between two IOS routers (home <-> parents)", function () {
    this.timeout(180000);
    const PARENTS_KEY = "tdp" + randomBytes(12).toString("hex");
    const parentsDevice = labDevice("parents");
    const configBefore: Record<string, string> = {};
    const tunnel = (site: "home" | "parents", key = PARENTS_KEY) => {
        const [self, far] = site === "home" ? [home, parents] : [parents, home];
        return iosTunnel({ tunnel: "Tunnel2", local: self.wan, remote: far.wan, remoteLan: far.lan, peerLines: [`address ${far.wan}`], key });
    };
    const check = {
        connection: parentsDevice.connection,
        credentials: parentsDevice.credentials,
        tunnel: 2,
        site: "parents",
        timeoutSeconds: 8,
        peer: { platform: "ios", site: "home", connection: homeDevice.connection, tunnel: 2 },
        peerPassword: homeDevice.credentials.password,
        peerEnableSecret: homeDevice.credentials.enableSecret,
    };

    before(async () => {
        for (const [name, site] of [["home", home], ["parents", parents]] as const) configBefore[name] = await iosShow(site, "show running-config");
        await ios(home, tunnel("home"));
        await ios(parents, tunnel("parents"));
    });

    after(async () => {
        for (const [name, site, far] of [["home", home, parents], ["parents", parents, home]] as const) {
            await ios(site, iosRemove("Tunnel2", far.lan));
            await labExec(name, "swanctl", "--terminate", "--ike", "Tunnel2");
            await settled(name, "Tunnel2");
            const body = (t: string) => t.replace(/^[\s\S]*?\n!\n/, "").replace(/#\s*$/, "");
            assert.strictEqual(body(await iosShow(site, "show running-config")), body(configBefore[name]), `${name}'s running-config differs from before the tests`);
        }
        await SshPool.shared.closeAll();
    });

    it("proves it from parents, then diagnoses different keys from both routers' debug lines (the negotiation restarted with clear crypto session remote)", async () => {
        const proven = await prove("IosTunnelCheck", { ...check, timeoutSeconds: 60, ping: { destination: home.lanAddress, source: parents.lanAddress, count: 3 } });
        assert.strictEqual(proven.established, true);
        await ios(home, ["configure terminal", "crypto ikev2 keyring IKT-KR", ` peer ${parents.wan}`, `  pre-shared-key ${PARENTS_KEY}-other`, "end", "clear crypto session"]);
        const message = await failure("IosTunnelCheck", check);
        assert.match(message, /^Tunnel2 on admin@192\.0\.2\.50 did not come up within 8 s/);
        assert.match(message, /AUTHENTICATION_FAILED: the two ends hold different pre-shared keys\./);
        assert.match(message, /Why: the pre-shared keys differ: parents \(`crypto ikev2 keyring IKT-KR`\) and home \(`crypto ikev2 keyring IKT-KR`\) hold different keys \(neither is shown\)/);
        assert.ok(!message.includes(PARENTS_KEY), "a key in the error");
    });
});
