/**
 * Faults while the provider changes a StrongSwanConnection on the lab's real strongSwan hosts
 * (issue 9, item 2): the connection dropped before and after every command of create, update and
 * delete (so before and after the rename that puts the file in place, and before and after the
 * load), `swanctl --load-all` failing, and charon not running. Each time the connection's file and
 * whether charon has it loaded (read on the host, not from the provider) end exactly as before or
 * exactly as intended, no temp file is left, a failure names the command and says which, and the
 * next apply converges.
 *
 * The drops come from an SSH proxy in the test (tests/helpers/ssh-fault-proxy.ts) that forwards
 * every command to the vps's real sshd and drops the provider's connection at a chosen command.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFileSync } from "child_process";
import { ApplyError } from "../../provider/drivers/driver";
import { handlersFor } from "../../provider/dynamic/handlers";
import { SshPool } from "../../provider/ssh/pool";
import { renderConnectionFile } from "../../provider/strongswan/swanctl-conf";
import { strongSwanConnectionSchema } from "../../provider/schema/strongswan";
import { labDevice, labHost } from "../../scripts/lab-sites";
import { labExec, REPO } from "../helpers/lab";
import { SshFaultProxy, startSshFaultProxy } from "../helpers/ssh-fault-proxy";

type Props = Record<string, unknown>;
type Operation = "create" | "update" | "delete";

const PSK = "Fault-Campaign-Psk-5150";
const NAME = "lab-faults";
const FILE = `/etc/swanctl/conf.d/pulumi-${NAME}.conf`;

function connection(site: "vps" | "branch", extra: Props = {}): Props {
    const me = labHost(site);
    return {
        name: NAME,
        localAddrs: [me.wan],
        remoteAddrs: ["192.0.2.200"],
        proposals: [{ encryption: ["aes-cbc-256"], integrity: ["sha256"], groups: [14] }],
        local: { auth: "psk", id: { address: me.wan } },
        remote: { auth: "psk", id: { address: "192.0.2.200" } },
        preSharedKey: PSK,
        children: [{ name: "lan", localTs: [me.lan], remoteTs: ["10.200.0.0/24"], espProposals: [{ encryption: "esp-aes-256", integrity: "esp-sha256-hmac" }] }],
        ...extra,
    };
}

/** The connection's file (undefined when absent), whether charon has it loaded, and stray temp files, read on the host. */
function hostState(site: string): { text?: string; loaded: boolean; temps: string } {
    const out = labExec(site, [
        "sh",
        "-c",
        `if [ -e ${FILE} ]; then cat ${FILE}; else echo '<absent>'; fi; echo '<loaded>'; swanctl --list-conns 2>/dev/null | grep -c '^${NAME}: ' || true; echo '<temps>'; ls -a /etc/swanctl/conf.d | grep '^\\.pulumi-' || true`,
    ]);
    const [text, rest] = out.split("<loaded>\n");
    const [loaded, temps] = rest.split("<temps>\n");
    return { text: text === "<absent>\n" ? undefined : text, loaded: loaded.trim() !== "0", temps: temps.trim() };
}

function expectedState(props: Props | undefined): { text?: string; loaded: boolean } {
    return props ? { text: renderConnectionFile(strongSwanConnectionSchema.parse(props)), loaded: true } : { text: undefined, loaded: false };
}

describe("strongSwan faults: dropped connections around every command, a failing load, charon not running", function () {
    this.timeout(20 * 60 * 1000);
    const h = handlersFor("StrongSwanConnection");
    const counts = { drops: 0, asBefore: 0, asIntended: 0 };
    let proxy: SshFaultProxy;
    let journalDir: string;

    before(async () => {
        journalDir = fs.mkdtempSync(path.join(os.tmpdir(), "ikev2-journal-"));
        process.env.PULUMI_IKEV2_JOURNAL_DIR = journalDir;
        const vps = labHost("vps");
        const device = labDevice("vps");
        proxy = await startSshFaultProxy({ host: vps.ssh.host, port: vps.ssh.port, username: vps.ssh.username, privateKey: device.credentials.privateKey as string });
    });
    after(async () => {
        await SshPool.shared.closeAll();
        await proxy.close();
        labExec("vps", ["sh", "-c", `rm -f ${FILE} /etc/swanctl/conf.d/.pulumi-${NAME}.conf.* && swanctl --load-all >/dev/null 2>&1; true`]);
        delete process.env.PULUMI_IKEV2_JOURNAL_DIR;
        fs.rmSync(journalDir, { recursive: true, force: true });
        console.log(`      strongSwan faults: ${counts.drops} dropped connections; the connection ended as before ${counts.asBefore} times and as intended ${counts.asIntended} times`);
    });

    const viaProxy = (props: Props): Props => ({
        connection: { host: "127.0.0.1", port: proxy.port, username: "root", hostKey: proxy.hostKey, commandTimeoutMs: 20000 },
        credentials: { password: proxy.password },
        ...props,
    });
    const created = connection("vps");
    const updated = connection("vps", { dpdDelay: "20s", remoteAddrs: ["192.0.2.201"], remote: { auth: "psk", id: { address: "192.0.2.201" } } });

    for (const op of ["create", "update", "delete"] as Operation[]) {
        it(`${op}: the connection dropped before and after each command it sends`, async () => {
            const pre = op === "create" ? undefined : created;
            const post = op === "delete" ? undefined : op === "create" ? created : updated;
            let id = "";
            let outs: Props = {};
            const reset = async () => {
                await SshPool.shared.closeAll();
                proxy.setFault(undefined);
                labExec("vps", ["sh", "-c", `rm -f ${FILE} /etc/swanctl/conf.d/.pulumi-${NAME}.conf.* && swanctl --load-all >/dev/null 2>&1; true`]);
                if (pre) ({ id, outs } = await h.create(viaProxy(pre)));
                await SshPool.shared.closeAll();
            };
            const run = () => (op === "create" ? h.create(viaProxy(created)) : op === "update" ? h.update(id, outs, viaProxy(updated)) : h.delete(id, outs));
            const converge = (succeeded: boolean) => (op === "create" && succeeded ? h.update(id, {}, viaProxy(created)) : run());

            await reset();
            const before = proxy.commands.length;
            await run();
            const commands = proxy.commands.length - before;
            assert.ok(commands >= 5, `the ${op} sent ${commands} commands`);

            for (let exec = 0; exec < commands; exec++) {
                for (const when of ["before", "after"] as const) {
                    const what = `drop ${when} command ${exec}`;
                    await reset();
                    proxy.setFault({ exec, when });
                    const outcome = await run().then(() => ({ error: undefined }), (error: unknown) => ({ error }));
                    assert.ok(proxy.fired(), `${what}: the fault did not fire`);
                    counts.drops++;
                    const state = hostState("vps");
                    assert.strictEqual(state.temps, "", `${what}: temp files are left: ${state.temps}`);
                    if (outcome.error === undefined) {
                        assert.deepStrictEqual({ text: state.text, loaded: state.loaded }, expectedState(post), `${what}: succeeded, but the host is not as intended`);
                        counts.asIntended++;
                    } else {
                        const e = outcome.error;
                        assert.ok(e instanceof ApplyError, `${what}: ${(e as Error).stack}`);
                        assert.ok(["unchanged", "restored", "removed"].includes(e.rollback.status), `${what}: ${e.rollback.status}: ${e.message}`);
                        assert.deepStrictEqual({ text: state.text, loaded: state.loaded }, expectedState(pre), `${what}: failed, but the host is not as before: ${e.message}`);
                        assert.match(e.message, /dropped while running \S/, `${what}: the error names no command: ${e.message}`);
                        assert.match(e.message, /Nothing was changed|previous file was restored|new file was removed/, `${what}: ${e.message}`);
                        assert.ok(!e.message.includes(PSK), `${what}: the key is in the error`);
                        counts.asBefore++;
                    }
                    await SshPool.shared.closeAll();
                    await converge(outcome.error === undefined);
                    const converged = hostState("vps");
                    assert.deepStrictEqual({ text: converged.text, loaded: converged.loaded }, expectedState(post), `${what}: the apply after the fault did not converge`);
                }
            }
        });
    }

    it("swanctl --load-all failing (charon refuses the connection) leaves the connection as before for create, update and delete", async () => {
        for (const op of ["create", "update", "delete"] as Operation[]) {
            await SshPool.shared.closeAll();
            proxy.setFault(undefined);
            labExec("vps", ["sh", "-c", `rm -f ${FILE} && swanctl --load-all >/dev/null 2>&1; true`]);
            const pre = op === "create" ? undefined : created;
            const post = op === "delete" ? undefined : op === "create" ? created : updated;
            const made = pre ? await h.create(viaProxy(pre)) : { id: "", outs: {} };
            // What swanctl prints when charon refuses a connection it is asked to load (the first load only).
            proxy.setFault({ command: /swanctl --load-all/, code: 22, stderr: `loading connection '${NAME}' failed: invalid value for: proposals, config discarded\n` });
            const run = () => (op === "create" ? h.create(viaProxy(created)) : op === "update" ? h.update(made.id, made.outs, viaProxy(updated)) : h.delete(made.id, made.outs));
            await assert.rejects(run(), (e: unknown) => {
                assert.ok(e instanceof ApplyError, String(e));
                assert.ok(["restored", "removed"].includes(e.rollback.status), `${op}: ${e.rollback.status}: ${e.message}`);
                assert.match(e.message, /swanctl --load-all ended with exit code 22: loading connection 'lab-faults' failed/);
                assert.match(e.message, /previous file was restored|new file was removed/);
                return true;
            });
            assert.ok(proxy.fired(), "the load was not refused");
            const state = hostState("vps");
            assert.deepStrictEqual({ text: state.text, loaded: state.loaded }, expectedState(pre), `${op}: not as before`);
            counts.asBefore++;
            if (op === "create") await h.create(viaProxy(created));
            else await run();
            const converged = hostState("vps");
            assert.deepStrictEqual({ text: converged.text, loaded: converged.loaded }, expectedState(post), `${op}: the apply after the fault did not converge`);
        }
    });

    it("charon not running: nothing is changed, the error says to start it, and the apply after it converges", async () => {
        const direct = (props: Props): Props => ({ ...labDevice("branch"), ...props });
        const site = path.join(process.env.LAB_DIR ?? path.join(REPO, ".lab"), "sites", "branch");
        const made = await h.create(direct(connection("branch")));
        const charon = Number(fs.readFileSync(path.join(site, "pids", "charon.pid"), "utf8"));
        process.kill(charon, "SIGTERM");
        try {
            for (const run of [() => h.create(direct(connection("branch", { name: "lab-faults-2" }))), () => h.update(made.id, made.outs, direct(connection("branch", { dpdDelay: "25s" }))), () => h.delete(made.id, made.outs)]) {
                await assert.rejects(run(), (e: unknown) => {
                    assert.ok(e instanceof ApplyError, String(e));
                    assert.strictEqual(e.rollback.status, "unchanged", e.message);
                    assert.match(e.message, /swanctl --list-conns failed/);
                    assert.match(e.message, /check that charon runs/);
                    assert.match(e.message, /Nothing was changed/);
                    return true;
                });
            }
            assert.strictEqual(labExec("branch", ["sh", "-c", `cat ${FILE}`]), renderConnectionFile(strongSwanConnectionSchema.parse(connection("branch"))));
        } finally {
            // The lab brings back what is not running (the site's charon), as after a host reboot.
            execFileSync("bash", [path.join(REPO, "lab", "lab.sh"), "up"], { stdio: "ignore", timeout: 120000 });
        }
        await SshPool.shared.closeAll();
        // charon starts without the connection loaded: the update loads it again, the delete removes it.
        await h.update(made.id, made.outs, direct(connection("branch", { dpdDelay: "25s" })));
        assert.match(labExec("branch", ["swanctl", "--list-conns"]), new RegExp(`^${NAME}: IKEv2`, "m"));
        await h.delete(made.id, made.outs);
        assert.strictEqual(hostState("branch").text, undefined);
    });
});
