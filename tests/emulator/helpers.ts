/** Test helpers: start an emulator and drive it with a real SSH client (ssh2 or OpenSSH). */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Client, ClientChannel } from "ssh2";
import { IosEmulator, IosEmulatorOptions, startIosEmulator } from "../../emulator/ios/server";
import { ed25519KeyPair } from "../helpers/keys";

export const HOST_KEY = ed25519KeyPair().private;

const tempDirs: string[] = [];
process.on("exit", () => tempDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A private temporary folder, removed when the test process exits. */
export function tempDir(prefix = "iosemu-"): string {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    tempDirs.push(d);
    return d;
}

/** An OpenSSH client key made with ssh-keygen: its private key file and its authorized_keys line. */
export function opensshKey(): { file: string; pub: string } {
    const dir = tempDir("iosemu-key-");
    const file = path.join(dir, "id_ed25519");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", file]);
    return { file, pub: fs.readFileSync(file + ".pub", "utf8").trim() };
}

export const USERS: IosEmulatorOptions["users"] = [
    { username: "admin", password: "admin-pw", privilege: 15 },
    { username: "oper", password: "oper-pw", privilege: 1 },
];

export function startEmu(extra: Partial<IosEmulatorOptions> = {}): Promise<IosEmulator> {
    return startIosEmulator({ hostname: "home", hostKey: HOST_KEY, users: USERS, enableSecret: "en-secret", ...extra });
}

export function connect(port: number, username = "admin", password = "admin-pw"): Promise<Client> {
    return new Promise((resolve, reject) => {
        const c = new Client();
        c.on("ready", () => resolve(c)).on("error", reject).connect({ host: "127.0.0.1", port, username, password, readyTimeout: 5000 });
    });
}

/** Runs one command on an exec channel; resolves with its output. */
export async function execOnce(port: number, command: string, username = "admin", password = "admin-pw"): Promise<string> {
    const c = await connect(port, username, password);
    try {
        return await new Promise((resolve, reject) => {
            c.exec(command, (err, ch) => {
                if (err) return reject(err);
                let out = "";
                ch.on("data", (d: Buffer) => (out += d.toString()));
                ch.stderr.on("data", () => undefined);
                ch.on("close", () => resolve(out));
                ch.end();
            });
        });
    } finally {
        c.end();
    }
}

/** An interactive shell (pty + shell) that reads until a pattern shows up. */
export class Shell {
    buf = "";
    closed = false;
    private waiters: (() => void)[] = [];

    private constructor(
        readonly client: Client,
        readonly ch: ClientChannel,
    ) {
        ch.on("data", (d: Buffer) => {
            this.buf += d.toString();
            this.waiters.splice(0).forEach((w) => w());
        });
        ch.on("close", () => {
            this.closed = true;
            this.waiters.splice(0).forEach((w) => w());
        });
        client.on("error", () => undefined);
        client.on("close", () => {
            this.closed = true;
            this.waiters.splice(0).forEach((w) => w());
        });
    }

    static async open(port: number, username = "admin", password = "admin-pw"): Promise<Shell> {
        const c = await connect(port, username, password);
        const ch = await new Promise<ClientChannel>((res, rej) => c.shell({ term: "vt100", rows: 24, cols: 80 }, (e, s) => (e ? rej(e) : res(s))));
        const sh = new Shell(c, ch);
        await sh.waitFor(/[>#]$/);
        sh.buf = "";
        return sh;
    }

    /** Waits until the buffer matches; returns the buffer and clears it. */
    async waitFor(re: RegExp, timeoutMs = 5000): Promise<string> {
        const deadline = Date.now() + timeoutMs;
        while (!re.test(this.buf)) {
            if (this.closed) throw new Error(`closed while waiting for ${re}; got ${JSON.stringify(this.buf)}`);
            const left = deadline - Date.now();
            if (left <= 0) throw new Error(`timeout waiting for ${re}; got ${JSON.stringify(this.buf)}`);
            await new Promise<void>((r) => {
                const t = setTimeout(r, left);
                this.waiters.push(() => {
                    clearTimeout(t);
                    r();
                });
            });
        }
        const out = this.buf;
        this.buf = "";
        return out;
    }

    write(s: string): void {
        this.ch.write(s);
    }

    /** Sends a line and returns everything up to the next prompt (echo included). */
    async cmd(line: string, prompt: RegExp = /\r\n[\w.-]+(\([\w-]+\))?[>#]$/): Promise<string> {
        this.write(line + "\r");
        return this.waitFor(prompt);
    }

    /** Output of a command without the echoed line and the final prompt, with "\n" line ends. */
    async out(line: string): Promise<string> {
        const raw = await this.cmd(line);
        const lines = raw.split("\r\n");
        return lines.slice(1, -1).join("\n");
    }

    close(): void {
        this.client.end();
    }
}

/** The block of a running-config that starts at a header line, up to the next top-level line. */
export function block(config: string, header: string): string {
    const lines = config.split("\n");
    const i = lines.findIndex((l) => l === header || l === header + " ");
    if (i < 0) return "";
    let j = i + 1;
    while (j < lines.length && lines[j].startsWith(" ")) j++;
    return lines.slice(i, j).join("\n");
}
