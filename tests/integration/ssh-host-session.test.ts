/** HostSession against a real OpenSSH sshd: commands, stdin, files, and where secrets may travel. */
import assert from "assert";
import { existsSync, readFileSync, statSync, writeFileSync } from "fs";
import { join } from "path";
import { Client } from "ssh2";
import { hostConnectionSchema } from "../../provider/schema/device";
import { DeviceError } from "../../provider/ssh/errors";
import { buildCommandLine, HostSession, shellQuote } from "../../provider/ssh/host-session";
import { SshPool } from "../../provider/ssh/pool";
import { Sshd, startSshd } from "../helpers/sshd";

const SECRET = `pa$$ 'w"o\\rd #1`;

describe("ssh HostSession argv builder", () => {
    it("quotes every argument for sh and leaves plain words readable", () => {
        assert.strictEqual(buildCommandLine(["swanctl", "--load-conns"], false), "swanctl --load-conns");
        assert.strictEqual(shellQuote("a b"), "'a b'");
        assert.strictEqual(shellQuote("it's"), `'it'\\''s'`);
        assert.strictEqual(shellQuote("$(reboot)"), "'$(reboot)'");
        assert.strictEqual(shellQuote(""), "''");
    });

    it("prefixes sudo -n -- when sudo is on", () => {
        assert.strictEqual(buildCommandLine(["rm", "-f", "--", "/etc/x y"], true), "sudo -n -- rm -f -- '/etc/x y'");
    });

    it("refuses NUL in an argument", () => {
        assert.throws(() => buildCommandLine(["echo", "a\u0000b"], false));
    });
});

describe("ssh HostSession over sshd", function () {
    this.timeout(30000);
    let sshd: Sshd;
    let pool: SshPool;
    let connection: ReturnType<typeof hostConnectionSchema.parse>;
    let credentials: { privateKey: string };

    before(async () => {
        sshd = await startSshd();
        pool = new SshPool();
        connection = hostConnectionSchema.parse({ host: sshd.host, port: sshd.port, username: "root", hostKey: sshd.fingerprints.ed25519 });
        credentials = { privateKey: sshd.clientPrivateKey };
    });
    after(async () => {
        await pool.closeAll();
        await sshd.stop();
    });

    const withSession = <T>(fn: (s: HostSession, client: Client) => Promise<T>, sudo = false) =>
        pool.withDevice(connection, credentials, (client) =>
            fn(new HostSession(client, { device: "root@test", sudo, commandTimeoutMs: 10000, secrets: [SECRET] }), client),
        );

    it("runs argv and reports exit code, stdout and stderr", async () => {
        const r = await withSession((s) => s.run(["sh", "-c", 'echo "out $1"; echo err >&2; exit 3', "sh", "a b; rm -rf /"]));
        assert.deepStrictEqual(r, { code: 3, stdout: "out a b; rm -rf /\n", stderr: "err\n" });
        const ok = await withSession((s) => s.run(["true"]));
        assert.strictEqual(ok.code, 0);
    });

    it("passes stdin through", async () => {
        const r = await withSession((s) => s.run(["cat"], "line 1\nline 2 with 'quotes' and $vars\n"));
        assert.strictEqual(r.stdout, "line 1\nline 2 with 'quotes' and $vars\n");
    });

    it("reads a file, and undefined for an absent one", async () => {
        const path = join(sshd.dir, "read me.txt");
        writeFileSync(path, "hello\nworld\n");
        assert.strictEqual(await withSession((s) => s.readFile(path)), "hello\nworld\n");
        assert.strictEqual(await withSession((s) => s.readFile(join(sshd.dir, "absent"))), undefined);
    });

    it("writes a file atomically with mode 0600 and exact content, replacing the old one", async () => {
        const path = join(sshd.dir, "conn.conf");
        writeFileSync(path, "old", { mode: 0o644 });
        const content = `secret = "${SECRET}"\n\u00e9\u4e2d $HOME \`id\` \\n\n`;
        await withSession((s) => s.writeFileAtomic(path, content, 0o600));
        assert.strictEqual(readFileSync(path, "utf8"), content);
        assert.strictEqual(statSync(path).mode & 0o777, 0o600);
        assert.strictEqual(await withSession((s) => s.readFile(path)), content);
        await withSession((s) => s.writeFileAtomic(path, "public\n", 0o644));
        assert.strictEqual(statSync(path).mode & 0o777, 0o644);
    });

    it("sends the secret only on stdin: the command line of a write holds no secret", async () => {
        const sent: string[] = [];
        await withSession(async (s, client) => {
            const exec = client.exec.bind(client);
            (client as unknown as { exec: unknown }).exec = (cmd: string, cb: never) => {
                sent.push(cmd);
                return exec(cmd, cb);
            };
            try {
                await s.writeFileAtomic(join(sshd.dir, "psk.conf"), `secret = "${SECRET}"\n`, 0o600);
            } finally {
                (client as unknown as { exec: unknown }).exec = exec;
            }
        });
        // Two commands: the private temp file, then the rename that puts it in place.
        assert.strictEqual(sent.length, 2);
        for (const command of sent) assert.ok(!command.includes(SECRET) && !command.includes("w\"o"), command);
    });

    it("a temp file that an interrupted write left is removed by the next write, and by a removal", async () => {
        const path = join(sshd.dir, "pulumi-left.conf");
        const stale = join(sshd.dir, ".pulumi-left.conf.Ab12Cd");
        const other = join(sshd.dir, ".pulumi-other.conf.Ab12Cd");
        writeFileSync(stale, "half a file");
        writeFileSync(other, "another file's temp");
        await withSession((s) => s.writeFileAtomic(path, "whole\n", 0o600));
        assert.ok(!existsSync(stale), "the next write left the stale temp file");
        assert.ok(existsSync(other), "a temp file of another file was removed");
        writeFileSync(stale, "half a file");
        await withSession((s) => s.removeFile(path));
        assert.ok(!existsSync(stale) && !existsSync(path));
        assert.ok(existsSync(other));
    });

    it("refuses a secret in argv before anything is sent, without echoing it", async () => {
        await assert.rejects(
            withSession((s) => s.run(["echo", SECRET])),
            (e: unknown) => e instanceof DeviceError && /secret is in its arguments/.test(e.message) && !e.message.includes(SECRET),
        );
    });

    it("removes a file, and removing an absent file is fine", async () => {
        const path = join(sshd.dir, "gone.conf");
        writeFileSync(path, "x");
        await withSession((s) => s.removeFile(path));
        assert.ok(!existsSync(path));
        await withSession((s) => s.removeFile(path));
    });

    it("runs through sudo -n when sudo is on", async () => {
        const r = await withSession((s) => s.run(["id", "-u"]), true);
        // Root with sudo installed prints 0; without sudo the shell says so: either way the prefix was used.
        if (r.code === 0) assert.strictEqual(r.stdout.trim(), "0");
        else assert.match(r.stderr, /sudo/);
    });

    it("reports a dropped connection as such", async () => {
        await assert.rejects(
            withSession(async (s) => {
                const running = s.run(["sleep", "5"]);
                running.catch(() => undefined); // awaited below; rejects while we wait for the command
                // Drop while the command runs: once sshd's session runs it, not after a guessed delay.
                await sshd.waitForCommand(/\bsleep 5\b/);
                sshd.dropConnections();
                return running;
            }),
            (e: unknown) => e instanceof DeviceError && /connection to root@test dropped while running sleep 5/.test(e.message),
        );
        const r = await withSession((s) => s.run(["echo", "back"]));
        assert.strictEqual(r.stdout, "back\n");
    });

    it("times out a command that does not finish", async () => {
        await assert.rejects(
            pool.withDevice(connection, credentials, (client) =>
                new HostSession(client, { device: "root@test", sudo: false, commandTimeoutMs: 300, secrets: [] }).run(["sleep", "3"]),
            ),
            /did not finish sleep 3 within 300 ms/,
        );
    });
});
