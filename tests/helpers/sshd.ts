/**
 * A real OpenSSH sshd on 127.0.0.1 for the SSH edge tests: temporary host keys, root login by
 * public key only. Tests run as root; sshd needs its privilege separation directory /run/sshd.
 * sshd runs in a private mount namespace with a login environment of its own (lab/login-env.sh):
 * root's home and the shell start-up files a login sees are made for it, never the machine's.
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { createServer, Socket } from "net";
import { tmpdir } from "os";
import { join, resolve } from "path";

const LOGIN_ENV = resolve(__dirname, "../../../lab/login-env.sh");

export type HostKeyType = "ed25519" | "ecdsa" | "rsa";

export interface Sshd {
    host: string;
    port: number;
    dir: string;
    /** The client's OpenSSH private key text (authorized for root). */
    clientPrivateKey: string;
    /** Host public key lines (`type base64 comment`) by type. */
    hostPublicKeys: Record<string, string>;
    /** `ssh-keygen -l` fingerprint (SHA256:...) of each host key, by type. */
    fingerprints: Record<string, string>;
    /** Logins sshd accepted so far (from its log). */
    acceptedLogins(): number;
    /** TCP connections sshd received so far (from its log), whether or not they logged in. */
    connectionAttempts(): number;
    /** Connections open right now: sshd's per-connection processes. */
    openConnections(): number;
    /** Kills every per-connection sshd process and what its sessions run; the listener stays up. */
    dropConnections(): number;
    /** Resolves once a session of this sshd runs a process whose command line matches (polled). */
    waitForCommand(pattern: RegExp, timeoutMs?: number): Promise<void>;
    stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const port = (server.address() as { port: number }).port;
            server.close(() => resolve(port));
        });
    });
}

function keygen(path: string, type: HostKeyType): void {
    const args = ["-q", "-N", "", "-t", type, "-f", path, "-C", `test-${type}`];
    if (type === "rsa") args.push("-b", "2048");
    execFileSync("ssh-keygen", args);
}

function canConnect(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const s = new Socket();
        s.once("connect", () => {
            s.destroy();
            resolve(true);
        });
        s.once("error", () => resolve(false));
        s.connect(port, "127.0.0.1");
    });
}

function childPids(parent: number): number[] {
    const pids: number[] = [];
    for (const name of readdirSync("/proc")) {
        if (!/^\d+$/.test(name)) continue;
        try {
            const stat = readFileSync(`/proc/${name}/stat`, "utf8");
            const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
            if (ppid === parent) pids.push(Number(name));
        } catch {
            // the process ended while we looked
        }
    }
    return pids;
}

/** Every process below the listener: each connection's sshd processes and what its sessions run. */
function descendants(listener: number): number[] {
    const all: number[] = [];
    for (let queue = childPids(listener); queue.length > 0; ) {
        const pid = queue.shift()!;
        all.push(pid);
        queue.push(...childPids(pid));
    }
    return all;
}

function commandLine(pid: number): string {
    try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
    } catch {
        return ""; // the process ended while we looked
    }
}

/** Kills every per-connection process (each connection's monitor and its session children), not the listener. */
function dropConnections(listener: number): number {
    const children = childPids(listener);
    const all = descendants(listener);
    for (const pid of all) {
        try {
            process.kill(pid, "SIGKILL");
        } catch {
            // already gone
        }
    }
    return children.length;
}

export async function startSshd(opts: { hostKeyTypes?: HostKeyType[] } = {}): Promise<Sshd> {
    const types = opts.hostKeyTypes ?? ["ed25519"];
    mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
    const dir = mkdtempSync(join(tmpdir(), "sshd-test-"));
    const hostPublicKeys: Record<string, string> = {};
    const fingerprints: Record<string, string> = {};
    for (const t of types) {
        const path = join(dir, `host_${t}`);
        keygen(path, t);
        hostPublicKeys[t] = readFileSync(`${path}.pub`, "utf8").trim();
        fingerprints[t] = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", `${path}.pub`], { encoding: "utf8" }).split(" ")[1];
    }
    keygen(join(dir, "client"), "ed25519");
    writeFileSync(join(dir, "authorized_keys"), readFileSync(join(dir, "client.pub")), { mode: 0o600 });
    const port = await freePort();
    const config = [
        `Port ${port}`,
        "ListenAddress 127.0.0.1",
        ...types.map((t) => `HostKey ${join(dir, `host_${t}`)}`),
        `PidFile ${join(dir, "sshd.pid")}`,
        `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
        "PermitRootLogin prohibit-password",
        "PubkeyAuthentication yes",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "UsePAM no",
        "StrictModes no",
        "MaxStartups 100",
        "MaxSessions 100",
        "LogLevel VERBOSE",
    ].join("\n");
    writeFileSync(join(dir, "sshd_config"), config + "\n");
    const login = join(dir, "login");
    execFileSync("bash", [LOGIN_ENV, "make", login, "the test sshd"]);
    // unshare and login-env.sh exec sshd: the child's pid is the listener's.
    const proc: ChildProcess = spawn(
        "unshare",
        ["-m", "--propagation", "private", "bash", LOGIN_ENV, "enter", login, dir, "--", "/usr/sbin/sshd", "-D", "-e", "-f", join(dir, "sshd_config")],
        { stdio: ["ignore", "ignore", "pipe"] },
    );
    let log = "";
    proc.stderr!.on("data", (d: Buffer) => (log += d.toString()));
    let exited = false;
    proc.once("exit", () => (exited = true));
    const deadline = Date.now() + 10000;
    while (!(await canConnect(port))) {
        if (exited || Date.now() > deadline) throw new Error(`sshd did not start: ${log}`);
        await new Promise((r) => setTimeout(r, 50));
    }
    // The probe is a connection too: let its log line arrive, so that counting starts after it.
    while (!/^Connection from /m.test(log) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return {
        host: "127.0.0.1",
        port,
        dir,
        clientPrivateKey: readFileSync(join(dir, "client"), "utf8"),
        hostPublicKeys,
        fingerprints,
        acceptedLogins: () => (log.match(/Accepted publickey for root/g) ?? []).length,
        connectionAttempts: () => (log.match(/^Connection from /gm) ?? []).length,
        openConnections: () => childPids(proc.pid!).length,
        dropConnections: () => dropConnections(proc.pid!),
        waitForCommand: async (pattern, timeoutMs = 20000) => {
            const deadline = Date.now() + timeoutMs;
            while (!descendants(proc.pid!).some((pid) => pattern.test(commandLine(pid)))) {
                if (Date.now() > deadline) throw new Error(`no session of the test sshd ran ${pattern} within ${timeoutMs} ms`);
                await new Promise((r) => setTimeout(r, 20));
            }
        },
        stop: async () => {
            if (!exited) {
                dropConnections(proc.pid!);
                const gone = new Promise((r) => proc.once("exit", r));
                proc.kill("SIGTERM");
                await gone;
            }
            rmSync(dir, { recursive: true, force: true });
        },
    };
}
