/**
 * The test sshd of the SSH-layer tests (tests/helpers/sshd.ts) logs in as root, so without a login
 * environment of its own every command would run root's start-up files of the machine. Here it is
 * started where those files are hostile (tests/helpers/hostile-root.ts): a login must not notice.
 */
import assert from "assert";
import { resolve } from "path";
import { hostileRoot, HostileRoot, MARKER } from "../helpers/hostile-root";

const SSHD_HELPER = resolve(__dirname, "../helpers/sshd.js");

// Runs in the hostile namespace: starts the test sshd, runs one command over OpenSSH, prints the result.
const PROBE = `
const { spawnSync } = require("child_process");
const { writeFileSync } = require("fs");
const { join } = require("path");
const { startSshd } = require(process.argv[1]);
(async () => {
    const sshd = await startSshd();
    try {
        const key = join(sshd.dir, "probe-key");
        writeFileSync(key, sshd.clientPrivateKey, { mode: 0o600 });
        const r = spawnSync("ssh", ["-F", "/dev/null", "-i", key, "-p", String(sshd.port),
            "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
            "root@127.0.0.1", 'echo "HOME=$HOME"; ls -A "$HOME"; bash -lc "echo login shell"'], { encoding: "utf8" });
        process.stdout.write(JSON.stringify({ code: r.status, stdout: r.stdout, stderr: r.stderr }));
    } finally {
        await sshd.stop();
    }
})().catch((e) => { console.error(e); process.exit(1); });
`;

describe("the test sshd on a machine with hostile start-up files for root", function () {
    this.timeout(60000);
    let hostile: HostileRoot;

    before(async () => {
        hostile = await hostileRoot();
    });
    after(async () => {
        await hostile?.close();
    });

    it("the machine's files are hostile in the namespace (the premise of the next test)", async () => {
        const r = await hostile.run(["cat", "/root/.bashrc", "/etc/bash.bashrc", "/etc/profile"]);
        assert.strictEqual(r.code, 0, r.stderr);
        assert.strictEqual(r.stdout.split(MARKER).length - 1, 3, r.stdout);
    });

    it("a root login runs none of them and sees the home made for it", async () => {
        const r = await hostile.run(["node", "-e", PROBE, SSHD_HELPER]);
        assert.strictEqual(r.code, 0, r.stdout + r.stderr);
        const login = JSON.parse(r.stdout) as { code: number; stdout: string; stderr: string };
        assert.deepStrictEqual(login, { code: 0, stdout: "HOME=/root\n.lab-home\nlogin shell\n", stderr: "" });
    });
});
