/** SshPool against a real sshd: reuse, the per-device FIFO lock, reconnects, idle close, retries. */
import assert from "assert";
import { execFileSync } from "child_process";
import { appendFileSync, readFileSync } from "fs";
import { join } from "path";
import { createServer, Server } from "net";
import { hostConnectionSchema } from "../../provider/schema/device";
import { DeviceError } from "../../provider/ssh/errors";
import { HostSession } from "../../provider/ssh/host-session";
import { SshPool } from "../../provider/ssh/pool";
import { freePort, Sshd, startSshd } from "../helpers/sshd";
import { ed25519KeyPair } from "../helpers/keys";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("ssh pool", function () {
    this.timeout(30000);
    let sshd: Sshd;
    let pool: SshPool;
    let credentials: { privateKey: string };
    const conn = (extra: Record<string, unknown> = {}) =>
        hostConnectionSchema.parse({ host: sshd.host, port: sshd.port, username: "root", hostKey: sshd.fingerprints.ed25519, ...extra });
    const echo = (client: import("ssh2").Client, text: string) =>
        new HostSession(client, { device: "t", sudo: false, commandTimeoutMs: 10000, secrets: [] }).run(["echo", text]);

    before(async () => {
        sshd = await startSshd();
        credentials = { privateKey: sshd.clientPrivateKey };
    });
    after(async () => {
        await sshd.stop();
    });
    beforeEach(() => {
        pool = new SshPool({ retryBackoffMs: 50 });
    });
    afterEach(async () => {
        await pool.closeAll();
    });

    it("reuses one connection for sequential calls", async () => {
        const before = sshd.acceptedLogins();
        for (let i = 0; i < 5; i++) {
            const r = await pool.withDevice(conn(), credentials, (c) => echo(c, `call ${i}`));
            assert.strictEqual(r.stdout, `call ${i}\n`);
        }
        assert.deepStrictEqual(pool.stats(conn()), { connectAttempts: 1, connectionsOpened: 1, open: true });
        await sleep(100);
        assert.strictEqual(sshd.acceptedLogins() - before, 1);
    });

    it("runs parallel calls for one device one at a time, in call order", async () => {
        const spans: { i: number; enter: number; exit: number }[] = [];
        await Promise.all(
            Array.from({ length: 10 }, (_, i) =>
                pool.withDevice(conn(), credentials, async (c) => {
                    const enter = performance.now();
                    await echo(c, String(i));
                    await sleep(10);
                    spans.push({ i, enter, exit: performance.now() });
                }),
            ),
        );
        assert.deepStrictEqual(
            spans.map((s) => s.i),
            [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
            "FIFO",
        );
        for (let k = 1; k < spans.length; k++) assert.ok(spans[k].enter >= spans[k - 1].exit, `call ${k} entered before call ${k - 1} left`);
        assert.strictEqual(pool.stats(conn()).connectionsOpened, 1);
    });

    it("runs different devices in parallel", async () => {
        // The same sshd under two names (127.0.0.1 and localhost) is two devices to the pool.
        const a = conn();
        const b = hostConnectionSchema.parse({ ...a, host: "localhost" });
        const spans: Record<string, { enter: number; exit: number }> = {};
        const hold = (name: string, c: typeof a) =>
            pool.withDevice(c, credentials, async (client) => {
                await echo(client, name);
                const enter = performance.now();
                await sleep(300);
                spans[name] = { enter, exit: performance.now() };
            });
        await Promise.all([hold("a", a), hold("b", b)]);
        assert.ok(spans.a.enter < spans.b.exit && spans.b.enter < spans.a.exit, "the two devices overlapped");
    });

    it("releases the lock when fn throws", async () => {
        await assert.rejects(pool.withDevice(conn(), credentials, async () => Promise.reject(new Error("boom"))), /boom/);
        assert.strictEqual(await pool.withDevice(conn(), credentials, async () => "next"), "next");
    });

    it("reopens the connection after the server dropped it", async () => {
        await pool.withDevice(conn(), credentials, (c) => echo(c, "first"));
        assert.ok(sshd.dropConnections() >= 1);
        for (let waited = 0; pool.stats(conn()).open && waited < 5000; waited += 50) await sleep(50);
        assert.strictEqual(pool.stats(conn()).open, false, "the pool noticed the drop");
        const r = await pool.withDevice(conn(), credentials, (c) => echo(c, "second"));
        assert.strictEqual(r.stdout, "second\n");
        assert.strictEqual(pool.stats(conn()).connectionsOpened, 2);
    });

    it("closes an idle connection after idleMs", async () => {
        const idlePool = new SshPool({ idleMs: 200 });
        try {
            await idlePool.withDevice(conn(), credentials, (c) => echo(c, "x"));
            assert.strictEqual(idlePool.stats(conn()).open, true);
            await sleep(500);
            assert.strictEqual(idlePool.stats(conn()).open, false);
            await idlePool.withDevice(conn(), credentials, (c) => echo(c, "y"));
            assert.strictEqual(idlePool.stats(conn()).connectionsOpened, 2);
        } finally {
            await idlePool.closeAll();
        }
    });

    it("reopens when the credentials change", async () => {
        await pool.withDevice(conn(), credentials, (c) => echo(c, "x"));
        await pool.withDevice(conn({ keepaliveIntervalMs: 5000 }), credentials, (c) => echo(c, "y"));
        assert.strictEqual(pool.stats(conn()).connectionsOpened, 2);
    });

    it("fails fast on a closed port, after connectRetries further attempts", async () => {
        const port = await freePort();
        const closed = conn({ port, connectRetries: 2 });
        const started = Date.now();
        await assert.rejects(pool.withDevice(closed, credentials, async () => "never"), (e: unknown) => {
            assert.ok(e instanceof DeviceError);
            assert.match(e.message, new RegExp(`cannot connect to root@127\\.0\\.0\\.1:${port} \\(3 attempts\\).*ECONNREFUSED.*Fix:`));
            return true;
        });
        assert.ok(Date.now() - started < 2000, "fast");
        assert.strictEqual(pool.stats(closed).connectAttempts, 3);
    });

    it("times out a server that never speaks SSH, within connectTimeoutMs per attempt", async () => {
        const silent: Server = createServer(() => undefined);
        await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
        const port = (silent.address() as { port: number }).port;
        try {
            const c = conn({ port, connectRetries: 1, connectTimeoutMs: 300 });
            const started = Date.now();
            await assert.rejects(pool.withDevice(c, credentials, async () => "never"), /\(2 attempts\).*Timed out while waiting for handshake/);
            assert.ok(Date.now() - started < 2000);
            assert.strictEqual(pool.stats(c).connectAttempts, 2);
        } finally {
            silent.close();
        }
    });

    it("does not retry a refused login, and names the fix", async () => {
        const stranger = ed25519KeyPair().private;
        const c = conn({ connectRetries: 3 });
        await assert.rejects(pool.withDevice(c, { privateKey: stranger }, async () => "never"), /refused the login.*Fix: check username/);
        assert.strictEqual(pool.stats(c).connectAttempts, 1);
    });

    it("logs in with a passphrase-protected private key", async () => {
        const path = join(sshd.dir, "with-passphrase");
        execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "Key Pass 9", "-f", path]);
        appendFileSync(join(sshd.dir, "authorized_keys"), readFileSync(`${path}.pub`));
        const key = readFileSync(path, "utf8");
        const r = await pool.withDevice(conn(), { privateKey: key, privateKeyPassphrase: "Key Pass 9" }, (c) => echo(c, "unlocked"));
        assert.strictEqual(r.stdout, "unlocked\n");
        await pool.closeAll();
        await assert.rejects(pool.withDevice(conn(), { privateKey: key, privateKeyPassphrase: "wrong" }, async () => "never"), (e: unknown) => {
            assert.ok(e instanceof DeviceError && /cannot use the privateKey/.test(e.message) && !e.message.includes("Key Pass 9"), String(e));
            return true;
        });
    });

    it("reports a private key that cannot be used without leaking it", async () => {
        const c = conn();
        await assert.rejects(pool.withDevice(c, { privateKey: "not a key" }, async () => "never"), (e: unknown) => {
            assert.ok(e instanceof DeviceError && /cannot use the privateKey/.test(e.message) && !e.message.includes("not a key"), String(e));
            return true;
        });
    });

    it("closeAll ends every connection", async () => {
        await pool.withDevice(conn(), credentials, (c) => echo(c, "x"));
        await pool.closeAll();
        assert.strictEqual(pool.stats(conn()).open, false);
    });
});
