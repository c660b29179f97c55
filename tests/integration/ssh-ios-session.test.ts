/** IosCliSession (through SshPool) against the IOS-XE emulator. */
import assert from "assert";
import { createHash } from "crypto";
import { IosEmulator, startIosEmulator } from "../../emulator/ios/server";
import { iosConnectionSchema } from "../../provider/schema/device";
import { DeviceError } from "../../provider/ssh/errors";
import { IosCliSession } from "../../provider/ssh/ios-session";
import { SshPool } from "../../provider/ssh/pool";
import { ed25519KeyPair } from "../helpers/keys";

const PASSWORD = "Emu-Login-Pw-5";
const ENABLE = "Emu-Enable-6";
const PSK = "Keyring-Psk-7";

function fingerprintOf(publicKeyLine: string): string {
    const blob = Buffer.from(publicKeyLine.trim().split(/\s+/)[1], "base64");
    return "SHA256:" + createHash("sha256").update(blob).digest("base64").replace(/=+$/, "");
}

describe("ssh IosCliSession against the IOS emulator", function () {
    this.timeout(30000);
    let emulator: IosEmulator;
    let hostKey: string;
    let pool: SshPool;
    const log: string[] = [];

    before(async () => {
        const keys = ed25519KeyPair();
        hostKey = fingerprintOf(keys.public);
        emulator = await startIosEmulator({
            hostname: "edge1",
            hostKey: keys.private,
            users: [
                { username: "operator", password: PASSWORD, privilege: 1 },
                { username: "admin", password: PASSWORD, privilege: 15 },
            ],
            enableSecret: ENABLE,
            port: 0,
            log: (l) => log.push(l),
        });
    });
    after(async () => {
        await emulator.close();
    });
    beforeEach(() => {
        pool = new SshPool();
        emulator.setFaults({ latencyMs: 0, dropAfterLines: undefined, rejectCommands: [] });
    });
    afterEach(async () => {
        await pool.closeAll();
    });

    const connection = (username = "operator", commandTimeoutMs = 5000) =>
        iosConnectionSchema.parse({ host: "127.0.0.1", port: emulator.port, username, hostKey, commandTimeoutMs });
    const withSession = <T>(fn: (s: IosCliSession) => Promise<T>, o: { username?: string; enableSecret?: string | null; commandTimeoutMs?: number } = {}) => {
        const enableSecret = o.enableSecret === null ? undefined : o.enableSecret ?? ENABLE;
        const c = connection(o.username, o.commandTimeoutMs);
        return pool.withDevice(c, { password: PASSWORD, enableSecret }, async (client) => {
            const s = await IosCliSession.open(client, { device: "operator@edge1", enableSecret, commandTimeoutMs: c.commandTimeoutMs, secrets: [PASSWORD, ENABLE, PSK] });
            try {
                return await fn(s);
            } finally {
                await s.close();
            }
        });
    };

    it("logs in at > and enables with the enable secret; learns the hostname", async () => {
        assert.strictEqual(await withSession(async (s) => s.hostname), "edge1");
    });

    it("logs in straight to # for a privilege-15 user without an enable secret", async () => {
        assert.strictEqual(await withSession(async (s) => s.hostname, { username: "admin", enableSecret: null }), "edge1");
    });

    it("refuses a login at > without an enable secret, naming the fix", async () => {
        await assert.rejects(withSession(async () => "never", { enableSecret: null }), /set device\.enableSecret/);
    });

    it("reports a wrong enable secret without leaking it", async () => {
        await assert.rejects(withSession(async () => "never", { enableSecret: "Wrong-Enable-0" }), (e: unknown) => {
            assert.ok(e instanceof DeviceError, String(e));
            assert.match(e.message, /enable/);
            assert.match(e.message, /device\.enableSecret/);
            assert.ok(!e.message.includes("Wrong-Enable-0"));
            return true;
        });
    });

    it("turns paging off: a long show running-config arrives whole, without --More--", async () => {
        const lines = Array.from({ length: 60 }, (_, i) => `ip route 10.${i}.0.0 255.255.255.0 Tunnel1`);
        const r = await withSession((s) => s.configure(["interface Tunnel1", "ip address 172.16.0.1 255.255.255.252", "exit", ...lines]));
        assert.deepStrictEqual(r, { ok: true });
        const out = await withSession((s) => s.exec("show running-config"));
        assert.ok(!out.includes("More"), "no paging prompt in the output");
        for (const l of lines) assert.ok(out.includes(l), `missing ${l}`);
        assert.ok(!/edge1#\s*$/.test(out), "no trailing prompt");
        assert.ok(!out.startsWith("show running-config"), "no echo");
        assert.strictEqual(out.replace(/\n+$/, ""), emulator.runningConfig().replace(/\n+$/, ""));
    });

    it("configures through sub-mode prompts and returns to privileged EXEC", async () => {
        const r = await withSession(async (s) => {
            const result = await s.configure([
                "crypto ikev2 keyring KR",
                "peer vps",
                "address 203.0.113.7",
                `pre-shared-key ${PSK}`,
                "exit",
                "exit",
                "crypto ikev2 proposal P1",
                "encryption aes-cbc-256",
                "integrity sha256",
                "group 14",
            ]);
            // back in privileged EXEC: an EXEC command works
            assert.match(await s.exec("show running-config"), /crypto ikev2 proposal P1/);
            return result;
        });
        assert.deepStrictEqual(r, { ok: true });
        const config = emulator.runningConfig();
        assert.match(config, /crypto ikev2 keyring KR\n peer vps\n  address 203\.0\.113\.7/);
        assert.match(config, /crypto ikev2 proposal P1/);
    });

    it("stops at a refused line, reports index/command/error redacted, and leaves config mode", async () => {
        emulator.setFaults({ rejectCommands: [/^pre-shared-key/] });
        const before = log.length;
        const r = await withSession(async (s) => {
            const result = await s.configure(["crypto ikev2 keyring KR2", "peer p2", "address 192.0.2.9", `pre-shared-key ${PSK}`, "exit", "exit", "crypto ikev2 proposal NEVER"]);
            // privileged EXEC again: an exec command works
            const out = await s.exec("show running-config");
            return { result, out };
        });
        assert.strictEqual(r.result.ok, false);
        if (r.result.ok) return;
        assert.strictEqual(r.result.index, 3);
        assert.strictEqual(r.result.command, "pre-shared-key *****");
        assert.match(r.result.error, /% Invalid input detected at '\^' marker\./);
        assert.ok(!JSON.stringify(r.result).includes(PSK));
        assert.ok(!r.out.includes("crypto ikev2 proposal NEVER"), "nothing after the refused line was sent");
        assert.ok(!emulator.runningConfig().includes("NEVER"));
        assert.ok(!log.slice(before).some((l) => l.includes("proposal NEVER")));
    });

    it("throws DeviceError on an invalid EXEC command", async () => {
        await assert.rejects(withSession((s) => s.exec("show bogus-thing")), (e: unknown) => {
            assert.ok(e instanceof DeviceError);
            assert.match(e.message, /refused show bogus-thing: %/);
            return true;
        });
    });

    it("reports a dropped connection with the command, and the pool reopens next time", async () => {
        const logins = () => log.filter((l) => / logged in at privilege /.test(l)).length;
        const loginsBefore = logins();
        // login sends enable, the secret, terminal length 0 and terminal width 511: drop on the next lines.
        emulator.setFaults({ dropAfterLines: 6 });
        await assert.rejects(
            withSession(async (s) => {
                await s.configure(["crypto ikev2 proposal DROP", "encryption aes-cbc-128", `integrity sha1`, "group 19", "group 20"]);
            }),
            (e: unknown) => {
                assert.ok(e instanceof DeviceError, String(e));
                assert.match(e.message, /connection to operator@edge1 dropped while running (encryption|integrity|group|crypto|end)/);
                return true;
            },
        );
        emulator.setFaults({ dropAfterLines: undefined });
        await new Promise((r) => setTimeout(r, 100));
        assert.strictEqual(await withSession(async (s) => s.hostname), "edge1");
        assert.strictEqual(logins() - loginsBefore, 2, "the pool opened a second connection");
    });

    it("works with latency, and times out when the device is slower than commandTimeoutMs", async () => {
        emulator.setFaults({ latencyMs: 150 });
        const took = await withSession(async (s) => {
            const started = Date.now();
            assert.match(await s.exec("show running-config"), /hostname edge1/);
            return Date.now() - started;
        });
        assert.ok(took >= 140, `latency was applied (${took} ms)`);
        emulator.setFaults({ latencyMs: 1500 });
        await assert.rejects(withSession(async (s) => s.hostname, { commandTimeoutMs: 500 }), /did not answer .* within 500 ms/);
    });

    it("refuses ? and control characters before sending", async () => {
        const before = log.length;
        await withSession(async (s) => {
            await assert.rejects(s.exec("show ?"), /refusing to send/);
            await assert.rejects(s.configure(["hostname x\nreload"]), /refusing to send/);
        });
        assert.ok(!log.slice(before).some((l) => l.includes("?") || l.includes("reload")));
    });
});
