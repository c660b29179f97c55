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

/** Waits until cond holds (a process ending, a log line arriving takes a moment on a loaded machine); false when it never did. */
async function eventually(cond: () => boolean, ms = 10000): Promise<boolean> {
    for (const deadline = Date.now() + ms; !cond(); await sleep(50)) if (Date.now() > deadline) return false;
    return true;
}

/** sshd's log lines reach us on their own time: wait for `count()` to reach `n`, then let late ones arrive, and read it. */
async function settled(count: () => number, n: number): Promise<number> {
    await eventually(() => count() >= n);
    await sleep(200);
    return count();
}

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
        const attemptsBefore = sshd.connectionAttempts();
        for (let i = 0; i < 5; i++) {
            const r = await pool.withDevice(conn(), credentials, (c) => echo(c, `call ${i}`));
            assert.strictEqual(r.stdout, `call ${i}\n`);
        }
        assert.ok(await eventually(() => sshd.openConnections() === 1), "the connection stays open");
        assert.strictEqual((await settled(sshd.connectionAttempts, attemptsBefore + 1)) - attemptsBefore, 1);
        assert.strictEqual((await settled(sshd.acceptedLogins, before + 1)) - before, 1);
    });

    it("runs parallel calls for one device one at a time, in call order", async () => {
        const before = sshd.acceptedLogins();
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
        assert.strictEqual((await settled(sshd.acceptedLogins, before + 1)) - before, 1);
    });

    it("runs different devices in parallel", async () => {
        // The same sshd under two names (127.0.0.1 and localhost) is two devices to the pool. Each
        // call, holding its device, waits until the other call holds its own: both are inside at the
        // same time, whatever each login takes. A pool that ran devices one after the other would
        // keep the second out until the first gave up waiting.
        const a = conn();
        const b = hostConnectionSchema.parse({ ...a, host: "localhost" });
        const entered: Record<string, () => void> = {};
        const inside: Record<string, Promise<void>> = {
            a: new Promise((r) => (entered.a = r)),
            b: new Promise((r) => (entered.b = r)),
        };
        const hold = (name: string, other: string, c: typeof a) =>
            pool.withDevice(c, credentials, async (client) => {
                await echo(client, name);
                entered[name]();
                let timer: NodeJS.Timeout | undefined;
                const gaveUp = new Promise<"gave up">((r) => (timer = setTimeout(() => r("gave up"), 20000)));
                const outcome = await Promise.race([inside[other], gaveUp]);
                clearTimeout(timer);
                assert.notStrictEqual(outcome, "gave up", `${name} held its device for 20 s and ${other} never got into its own: the devices did not run in parallel`);
            });
        await Promise.all([hold("a", "b", a), hold("b", "a", b)]);
    });

    it("releases the lock when fn throws", async () => {
        await assert.rejects(pool.withDevice(conn(), credentials, async () => Promise.reject(new Error("boom"))), /boom/);
        assert.strictEqual(await pool.withDevice(conn(), credentials, async () => "next"), "next");
    });

    it("reopens the connection after the server dropped it", async () => {
        const before = sshd.acceptedLogins();
        let first: import("ssh2").Client | undefined;
        await pool.withDevice(conn(), credentials, (c) => {
            first = c;
            return echo(c, "first");
        });
        const closed = new Promise<void>((r) => first!.once("close", () => r()));
        assert.ok(sshd.dropConnections() >= 1);
        // The pool watches the same event on its client (registered first): by now it has noticed the drop.
        assert.ok(await Promise.race([closed.then(() => true), sleep(5000).then(() => false)]), "the client saw the drop");
        const r = await pool.withDevice(conn(), credentials, (c) => echo(c, "second"));
        assert.strictEqual(r.stdout, "second\n");
        assert.strictEqual((await settled(sshd.acceptedLogins, before + 2)) - before, 2);
    });

    it("closes an idle connection after idleMs", async () => {
        const idlePool = new SshPool({ idleMs: 200 });
        const before = sshd.acceptedLogins();
        try {
            await idlePool.withDevice(conn(), credentials, (c) => echo(c, "x"));
            assert.ok(await eventually(() => sshd.openConnections() === 1), "the connection is open after the call");
            await sleep(500);
            assert.ok(await eventually(() => sshd.openConnections() === 0), "the idle connection was closed");
            await idlePool.withDevice(conn(), credentials, (c) => echo(c, "y"));
            assert.strictEqual((await settled(sshd.acceptedLogins, before + 2)) - before, 2);
        } finally {
            await idlePool.closeAll();
        }
    });

    it("reopens when the credentials change", async () => {
        const before = sshd.acceptedLogins();
        await pool.withDevice(conn(), credentials, (c) => echo(c, "x"));
        await pool.withDevice(conn({ keepaliveIntervalMs: 5000 }), credentials, (c) => echo(c, "y"));
        assert.strictEqual((await settled(sshd.acceptedLogins, before + 2)) - before, 2);
    });

    it("fails fast on a closed port, after connectRetries further attempts", async () => {
        const port = await freePort();
        const closed = conn({ port, connectRetries: 2, connectTimeoutMs: 15000 });
        const started = Date.now();
        await assert.rejects(pool.withDevice(closed, credentials, async () => "never"), (e: unknown) => {
            assert.ok(e instanceof DeviceError);
            assert.match(e.message, new RegExp(`cannot connect to root@127\\.0\\.0\\.1:${port} \\(3 attempts\\).*ECONNREFUSED.*Fix:`));
            return true;
        });
        // Refused at once: no attempt waited for its connect timeout.
        assert.ok(Date.now() - started < 15000, `took ${Date.now() - started} ms`);
    });

    it("times out a server that never speaks SSH, within connectTimeoutMs per attempt", async () => {
        let accepted = 0;
        const silent: Server = createServer(() => accepted++);
        await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
        const port = (silent.address() as { port: number }).port;
        try {
            const c = conn({ port, connectRetries: 1, connectTimeoutMs: 300 });
            const started = Date.now();
            await assert.rejects(pool.withDevice(c, credentials, async () => "never"), /\(2 attempts\).*Timed out while waiting for handshake/);
            // Each attempt waited its 300 ms, not the default 15 s.
            const took = Date.now() - started;
            assert.ok(took >= 2 * 300 - 2 && took < 15000, `took ${took} ms`);
            assert.strictEqual(accepted, 2);
        } finally {
            silent.close();
        }
    });

    it("does not retry a refused login, and names the fix", async () => {
        const stranger = ed25519KeyPair().private;
        const c = conn({ connectRetries: 3 });
        const before = sshd.connectionAttempts();
        await assert.rejects(pool.withDevice(c, { privateKey: stranger }, async () => "never"), /refused the login.*Fix: check username/);
        assert.strictEqual((await settled(sshd.connectionAttempts, before + 1)) - before, 1);
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
        assert.ok(await eventually(() => sshd.openConnections() === 0), "no connection left open");
    });
});
