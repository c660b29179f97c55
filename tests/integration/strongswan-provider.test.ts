/**
 * StrongSwanConnection on the lab's real strongSwan hosts over SSH: create, read, update, delete,
 * drift (a file edited by hand, a connection unloaded), rollback of a file charon refuses, and a
 * vps <-> branch tunnel declared with two StrongSwanConnections that really carries a ping
 * through ESP (the SA's packet counters grow).
 */
import * as assert from "assert";
import { handlersFor } from "../../provider/dynamic/handlers";
import { SshPool } from "../../provider/ssh/pool";
import { parseListSasRaw } from "../../provider/strongswan/swanctl-output";
import { labDevice, labHost } from "../../scripts/lab-sites";
import { labExec } from "../helpers/lab";

const PSK = "Lab-Tunnel-Psk-8080";
type Props = Record<string, unknown>;

function connectionTo(site: "vps" | "branch", peer: "vps" | "branch", extra: Props = {}): Props {
    const me = labHost(site);
    const other = labHost(peer);
    return {
        ...labDevice(site),
        name: `lab-${peer}`,
        localAddrs: [me.wan],
        remoteAddrs: [other.wan],
        proposals: [{ encryption: ["aes-cbc-256"], integrity: ["sha256"], groups: [14] }],
        local: { auth: "psk", id: { address: me.wan } },
        remote: { auth: "psk", id: { address: other.wan } },
        preSharedKey: PSK,
        children: [
            {
                name: `lan-${peer}`,
                localTs: [me.lan],
                remoteTs: [other.lan],
                espProposals: [{ encryption: "esp-aes-256", integrity: "esp-sha256-hmac", pfsGroup: 14 }],
                startAction: "trap",
            },
        ],
        ...extra,
    };
}

function confFiles(site: string): string {
    // Names, modes and contents: not the folder's times, which every atomic write changes.
    return labExec(site, ["sh", "-c", "cd /etc/swanctl/conf.d && for f in *; do [ -e \"$f\" ] && { stat -c '%n %a' \"$f\"; cat \"$f\"; }; done; true"]);
}

async function create(props: Props): Promise<{ id: string; outs: Props }> {
    const h = handlersFor("StrongSwanConnection");
    const checked = await h.check({}, props);
    assert.deepStrictEqual(checked.failures, []);
    const result = await h.create(checked.inputs);
    return { id: result.id, outs: result.outs };
}

describe("StrongSwanConnection on the lab's strongSwan hosts", function () {
    this.timeout(90000);
    const h = handlersFor("StrongSwanConnection");
    const created: Array<{ id: string; outs: Props }> = [];

    afterEach(async () => {
        for (const c of created.splice(0).reverse()) await h.delete(c.id, c.outs).catch(() => undefined);
        await SshPool.shared.closeAll();
    });

    it("creates a 0600 file in conf.d, loads it, reads it back without drift, updates it and deletes it", async () => {
        const before = confFiles("vps");
        const props = connectionTo("vps", "branch");
        const c = await create(props);
        created.push(c);
        assert.strictEqual(c.outs.loaded, true);
        const listing = labExec("vps", ["stat", "-c", "%a %U", c.outs.file as string]).trim();
        assert.strictEqual(listing, "600 root");
        const text = labExec("vps", ["cat", c.outs.file as string]);
        assert.ok(text.includes(`secret = "${PSK}"`));
        assert.ok(!JSON.stringify(c.outs.config).includes(PSK), "the key leaked into the config output");
        assert.match(labExec("vps", ["swanctl", "--list-conns"]), /lab-branch:/);

        const read = await h.read(c.id, c.outs);
        assert.strictEqual((await h.diff(c.id, read.props, props)).changes, false);
        // Typed proposals stay as declared although the file holds strongSwan strings.
        assert.deepStrictEqual(read.inputs!.proposals, props.proposals);

        const changed = { ...props, dpdDelay: "15s" };
        assert.strictEqual((await h.diff(c.id, c.outs, changed)).changes, true);
        const updated = await h.update(c.id, c.outs, changed);
        assert.ok(labExec("vps", ["cat", c.outs.file as string]).includes("dpd_delay = 15s"));
        c.outs = updated.outs!;

        await h.delete(c.id, c.outs);
        created.pop();
        assert.strictEqual((await h.read(c.id, c.outs)).id, undefined);
        assert.doesNotMatch(labExec("vps", ["swanctl", "--list-conns"]), /lab-branch:/);
        assert.strictEqual(confFiles("vps"), before);
    });

    it("shows a hand edit and an unloaded connection as drift; the next update corrects both", async () => {
        const props = connectionTo("vps", "branch");
        const c = await create(props);
        created.push(c);
        labExec("vps", ["sed", "-i", "s/dpd_delay = .*/dpd_delay = 99s/; s/^\\(\\s*\\)version = 2/&\\n\\1fragmentation = yes/", c.outs.file as string]);
        // As after a charon restart without a reload: the file is there, the connection is not loaded.
        const file = c.outs.file as string;
        labExec("vps", ["sh", "-c", `mv ${file} ${file}.aside && swanctl --load-all >/dev/null 2>&1; mv ${file}.aside ${file}`]);
        const read = await h.read(c.id, c.outs);
        assert.strictEqual(read.props!.loaded, false);
        assert.ok((read.props!.unmanaged as string[]).some((k) => /fragmentation/.test(k)), JSON.stringify(read.props!.unmanaged));
        assert.strictEqual((await h.diff(c.id, read.props!, props)).changes, true);
        const fixed = await h.update(c.id, read.props!, props);
        c.outs = fixed.outs!;
        const again = await h.read(c.id, c.outs);
        assert.strictEqual(again.props!.loaded, true);
        assert.deepStrictEqual(again.props!.unmanaged, []);
        assert.strictEqual((await h.diff(c.id, again.props!, props)).changes, false);
    });

    it("refuses to create over a connection of the same name loaded from another file", async () => {
        labExec("vps", ["sh", "-c", "printf 'connections { lab-branch { children { x { } } } }\\n' > /etc/swanctl/conf.d/by-hand.conf && swanctl --load-all >/dev/null 2>&1"]);
        try {
            await assert.rejects(create(connectionTo("vps", "branch")), /already loaded .*merge/s);
        } finally {
            labExec("vps", ["sh", "-c", "rm -f /etc/swanctl/conf.d/by-hand.conf && swanctl --load-all >/dev/null 2>&1"]);
        }
    });

    it("puts the previous file back when swanctl cannot load the new configuration", async () => {
        const props = connectionTo("vps", "branch");
        const c = await create(props);
        created.push(c);
        const before = labExec("vps", ["cat", c.outs.file as string]);
        // A broken file written by hand makes every --load-all fail, as it would on a real host.
        labExec("vps", ["sh", "-c", "printf 'connections { broken {\\n' > /etc/swanctl/conf.d/broken-by-hand.conf"]);
        try {
            await assert.rejects(h.update(c.id, c.outs, { ...props, dpdDelay: "20s" }), (e: Error) => {
                assert.match(e.message, /swanctl --load-all/);
                assert.match(e.message, /previous file is back/);
                assert.match(e.message, /swanctl cannot parse the host.s configuration, and then unloads every connection/);
                assert.ok(!e.message.includes(PSK));
                return true;
            });
            assert.strictEqual(labExec("vps", ["cat", c.outs.file as string]), before);
        } finally {
            labExec("vps", ["sh", "-c", "rm -f /etc/swanctl/conf.d/broken-by-hand.conf && swanctl --load-all >/dev/null 2>&1"]);
        }
        assert.match(labExec("vps", ["swanctl", "--list-conns"]), /lab-branch:/);
    });

    it("brings up a vps <-> branch tunnel declared as two StrongSwanConnections; a ping passes through ESP", async () => {
        created.push(await create(connectionTo("vps", "branch")));
        created.push(await create(connectionTo("branch", "vps")));
        const vps = labHost("vps");
        const branch = labHost("branch");
        labExec("vps", ["swanctl", "--initiate", "--child", "lan-branch", "--timeout", "20"], 40000);
        const sas = () => parseListSasRaw(labExec("vps", ["swanctl", "--list-sas", "--raw"]));
        const ike = sas().find((s) => s.name === "lab-branch");
        assert.ok(ike, "no IKE_SA");
        assert.strictEqual(ike.state, "ESTABLISHED");
        const child = ike.children.find((c) => c.name === "lan-branch");
        assert.strictEqual(child?.state, "INSTALLED");
        const packetsBefore = child.packetsOut;
        labExec("vps", ["ping", "-c", "3", "-W", "2", "-I", vps.lanAddress, branch.lanAddress]);
        const after = sas().find((s) => s.name === "lab-branch")!.children.find((c) => c.name === "lan-branch")!;
        assert.ok(after.packetsOut >= packetsBefore + 3, `packets out ${packetsBefore} -> ${after.packetsOut}`);
        assert.ok(after.packetsIn >= 3, `packets in ${after.packetsIn}`);
    });

    it("StrongSwanTunnelCheck proves the tunnel carries traffic, sees it go down on refresh and brings it back on update", async () => {
        created.push(await create(connectionTo("vps", "branch")));
        created.push(await create(connectionTo("branch", "vps")));
        const check = handlersFor("StrongSwanTunnelCheck");
        const props: Props = {
            ...labDevice("vps"),
            connectionName: "lab-branch",
            child: "lan-branch",
            timeoutSeconds: 20,
            ping: { source: labHost("vps").lanAddress, destination: labHost("branch").lanAddress, count: 3 },
        };
        assert.deepStrictEqual((await check.check({}, props)).failures, []);
        const result = await check.create(props);
        assert.strictEqual(result.outs.established, true);
        assert.match((result.outs.config as string[])[0], /CHILD_SA lan-branch INSTALLED/);

        labExec("vps", ["swanctl", "--terminate", "--ike", "lab-branch", "--timeout", "10"]);
        const read = await check.read!(result.id, result.outs);
        assert.strictEqual(read.props!.established, false);
        assert.strictEqual((await check.diff!(result.id, read.props!, props)).changes, true);
        const repaired = await check.update!(result.id, read.props!, props);
        assert.strictEqual(repaired.outs!.established, true);
        const again = await check.read!(result.id, repaired.outs!);
        assert.strictEqual((await check.diff!(result.id, again.props!, props)).changes, false);
    });

    it("StrongSwanTunnelCheck fails the deployment with the reason and the fix when the keys differ, from both ends when it can read the far one", async () => {
        created.push(await create(connectionTo("vps", "branch")));
        created.push(await create(connectionTo("branch", "vps", { preSharedKey: "Another-Key-9999" })));
        const check = handlersFor("StrongSwanTunnelCheck");
        const props: Props = { ...labDevice("vps"), connectionName: "lab-branch", child: "lan-branch", site: "vps", timeoutSeconds: 8 };
        const noSecret = (e: Error) => assert.ok(!e.message.includes(PSK) && !e.message.includes("Another-Key-9999"));
        await assert.rejects(check.create(props), (e: Error) => {
            assert.match(e.message, /did not come up/);
            assert.match(e.message, /AUTHENTICATION_FAILED\. Evidence: vps \(strongSwan\) logged .*AUTHENTICATION_FAILED/);
            assert.match(e.message, /Fix: .*keyring peer's address .*the pre-shared keys/);
            noSecret(e);
            return true;
        });
        const branch = labDevice("branch");
        const withPeer = { ...props, peer: { platform: "strongswan", site: "branch", connection: branch.connection, connectionName: "lab-vps", child: "lan-vps" }, peerPrivateKey: branch.credentials.privateKey };
        await assert.rejects(check.create(withPeer), (e: Error) => {
            assert.match(e.message, /AUTHENTICATION_FAILED: the two ends hold different pre-shared keys\..*Why: the pre-shared keys differ: vps \(.*pulumi-lab-branch\.conf`\) and branch \(.*pulumi-lab-vps\.conf`\) hold different keys \(neither is shown\)/);
            noSecret(e);
            return true;
        });
    });

    it("works for a non-root login through sudo -n, and says to set sudo when the login cannot use swanctl", async () => {
        const deploy = labHost("vps").ssh.sudoUser!;
        const base = connectionTo("vps", "branch");
        const asDeploy = (sudo: boolean): Props => ({ ...base, connection: { ...(base.connection as Props), username: deploy, sudo } });
        await assert.rejects(create(asDeploy(false)), (e: Error) => {
            assert.match(e.message, /set device\.sudo: true/);
            return true;
        });
        const c = await create(asDeploy(true));
        created.push(c);
        assert.strictEqual(c.outs.loaded, true);
        assert.strictEqual(labExec("vps", ["stat", "-c", "%a %U", c.outs.file as string]).trim(), "600 root");
        assert.strictEqual((await h.diff(c.id, (await h.read(c.id, c.outs)).props!, asDeploy(true))).changes, false);
        await h.delete(c.id, c.outs);
        created.pop();
        assert.doesNotMatch(labExec("vps", ["swanctl", "--list-conns"]), /lab-branch:/);
    });
});
