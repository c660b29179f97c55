/** Host key policy against a real sshd: pinned fingerprint, known_hosts (plain and hashed), opt-out. */
import assert from "assert";
import { execFileSync } from "child_process";
import { readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { hostConnectionSchema } from "../../provider/schema/device";
import { DeviceError } from "../../provider/ssh/errors";
import { parseKnownHosts } from "../../provider/ssh/host-keys";
import { SshPool } from "../../provider/ssh/pool";
import { Sshd, startSshd } from "../helpers/sshd";

describe("ssh host key policy", function () {
    this.timeout(30000);
    let sshd: Sshd;
    let pool: SshPool;

    before(async () => {
        sshd = await startSshd({ hostKeyTypes: ["ed25519", "ecdsa", "rsa"] });
    });
    after(async () => {
        await sshd.stop();
    });
    beforeEach(() => {
        pool = new SshPool();
    });
    afterEach(async () => {
        await pool.closeAll();
    });

    const connect = (policy: Record<string, unknown>) => {
        // The schema refuses a connection without any policy; build that case by hand.
        const connection = hostConnectionSchema.parse({ host: sshd.host, port: sshd.port, username: "root", insecureSkipHostKeyVerification: true, ...policy });
        if (!("insecureSkipHostKeyVerification" in policy)) connection.insecureSkipHostKeyVerification = false;
        return pool.withDevice(connection, { privateKey: sshd.clientPrivateKey }, async () => "connected");
    };
    const knownHosts = (name: string, lines: string[]) => {
        const path = join(sshd.dir, name);
        writeFileSync(path, lines.join("\n") + "\n");
        return path;
    };
    const entry = (type: string) => `[${sshd.host}]:${sshd.port} ${sshd.hostPublicKeys[type].split(" ").slice(0, 2).join(" ")}`;

    it("accepts the pinned fingerprint", async () => {
        // Which key the server presents depends on the negotiation; any of its keys' fingerprints, pinned, must work when it is that key.
        assert.strictEqual(await connect({ hostKey: sshd.fingerprints.ed25519 }), "connected");
    });

    it("refuses a wrong pinned fingerprint, naming the device, both fingerprints and the fix", async () => {
        const wrong = "SHA256:" + "A".repeat(43);
        const attemptsBefore = sshd.connectionAttempts();
        await assert.rejects(connect({ hostKey: wrong }), (e: unknown) => {
            assert.ok(e instanceof DeviceError);
            assert.match(e.message, new RegExp(`root@127.0.0.1:${sshd.port}`));
            assert.ok(e.message.includes(wrong), e.message);
            assert.ok(e.message.includes(sshd.fingerprints.ed25519), e.message);
            assert.match(e.message, /out of band/);
            assert.match(e.message, /set hostKey to/);
            return true;
        });
        await new Promise((r) => setTimeout(r, 100));
        assert.strictEqual(sshd.connectionAttempts() - attemptsBefore, 1, "a refused host key is not retried");
    });

    for (const type of ["ed25519", "ecdsa", "rsa"]) {
        it(`accepts a plain known_hosts entry (${type} only, so the server must present that type)`, async () => {
            const path = knownHosts(`kh-${type}`, ["# comment", "example.org ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl", entry(type)]);
            assert.strictEqual(await connect({ knownHostsFile: path }), "connected");
        });
    }

    it("accepts a hashed known_hosts entry (ssh-keygen -H)", async () => {
        const path = knownHosts("kh-hashed", [entry("ecdsa")]);
        execFileSync("ssh-keygen", ["-q", "-H", "-f", path], { stdio: "ignore" });
        assert.match(readFileSync(path, "utf8"), /^\|1\|/);
        assert.strictEqual(await connect({ knownHostsFile: path }), "connected");
    });

    it("refuses a known_hosts key that does not match, with both fingerprints", async () => {
        const other = join(sshd.dir, "other");
        execFileSync("ssh-keygen", ["-q", "-N", "", "-t", "ed25519", "-f", other]);
        const otherLine = readFileSync(`${other}.pub`, "utf8").split(" ").slice(0, 2).join(" ");
        const otherFp = execFileSync("ssh-keygen", ["-lf", `${other}.pub`], { encoding: "utf8" }).split(" ")[1];
        const path = knownHosts("kh-wrong", [`[${sshd.host}]:${sshd.port} ${otherLine}`]);
        await assert.rejects(connect({ knownHostsFile: path }), (e: unknown) => {
            assert.ok(e instanceof DeviceError);
            assert.ok(e.message.includes(otherFp) && e.message.includes(sshd.fingerprints.ed25519), e.message);
            return true;
        });
    });

    it("refuses a host that known_hosts does not list (entry for port 22 only)", async () => {
        const path = knownHosts("kh-other-port", [`${sshd.host} ${sshd.hostPublicKeys.ed25519.split(" ").slice(0, 2).join(" ")}`]);
        await assert.rejects(connect({ knownHostsFile: path }), /has no entry for \[127\.0\.0\.1\]:\d+.*ssh-keyscan/);
    });

    it("refuses a revoked key", async () => {
        const path = knownHosts("kh-revoked", [`@revoked * ${sshd.hostPublicKeys.ed25519.split(" ").slice(0, 2).join(" ")}`, entry("ed25519")]);
        await assert.rejects(connect({ knownHostsFile: path }), /@revoked/);
    });

    it("refuses to connect with no policy and no opt-out, before any connection", async () => {
        const loginsBefore = sshd.acceptedLogins();
        await assert.rejects(connect({}), (e: unknown) => e instanceof DeviceError && /would not be verified.*insecureSkipHostKeyVerification/.test(e.message));
        await new Promise((r) => setTimeout(r, 100));
        assert.strictEqual(sshd.acceptedLogins(), loginsBefore);
    });

    it("connects with the explicit opt-out", async () => {
        assert.strictEqual(await connect({ insecureSkipHostKeyVerification: true }), "connected");
    });

    it("parses known_hosts patterns: lists, wildcards, negation, hashed, markers", () => {
        const key = sshd.hostPublicKeys.ed25519.split(" ").slice(0, 2).join(" ");
        const text = [`a.example,10.0.0.1 ${key}`, `*.lab,!bad.lab ${key}`, `@cert-authority * ${key}`, `[10.0.0.2]:2222 ${key}`].join("\n");
        assert.strictEqual(parseKnownHosts(text, "10.0.0.1", 22).keys.length, 1);
        assert.strictEqual(parseKnownHosts(text, "r1.lab", 22).keys.length, 1);
        assert.strictEqual(parseKnownHosts(text, "bad.lab", 22).keys.length, 0);
        assert.strictEqual(parseKnownHosts(text, "10.0.0.2", 2222).keys.length, 1);
        assert.strictEqual(parseKnownHosts(text, "10.0.0.2", 22).keys.length, 0);
    });
});
