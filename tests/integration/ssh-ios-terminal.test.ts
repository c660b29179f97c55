/**
 * IosCliSession against a scripted, deliberately awkward terminal: keyboard-interactive login only,
 * ANSI and backspace noise, paging left on, syslog lines, questions, silence. The IOS emulator
 * covers the CLI itself (ssh-ios-session.test.ts); this covers terminal handling the emulator may
 * never produce.
 */
import assert from "assert";
import { createHash } from "crypto";
import { AddressInfo } from "net";
import { Server, ServerChannel } from "ssh2";
import { iosConnectionSchema } from "../../provider/schema/device";
import { DeviceError } from "../../provider/ssh/errors";
import { IosCliSession } from "../../provider/ssh/ios-session";
import { SshPool } from "../../provider/ssh/pool";
import { ed25519KeyPair } from "../helpers/keys";

const PASSWORD = "Term-Pw-1";
const ENABLE = "Term-Enable-2";
const PSK = "Psk-Secret-3";

interface Terminal {
    port: number;
    hostKey: string;
    received: string[];
    close(): Promise<void>;
}

/** What the scripted device answers to one line: text to print before the next prompt. */
type Script = (line: string, state: { mode: string; privileged: boolean }) => string | { raw: string; noPrompt?: boolean } | undefined;

const SHOW_RUN = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);

async function startTerminal(script: Script): Promise<Terminal> {
    const keys = ed25519KeyPair();
    const blob = Buffer.from(keys.public.split(" ")[1], "base64");
    const hostKey = "SHA256:" + createHash("sha256").update(blob).digest("base64").replace(/=+$/, "");
    const received: string[] = [];
    const server = new Server({ hostKeys: [keys.private] }, (client) => {
        client.on("error", () => undefined);
        (client as unknown as { setNoDelay(v: boolean): void }).setNoDelay(true); // no Nagle delay on each echo/prompt
        client.on("authentication", (ctx) => {
            if (ctx.method !== "keyboard-interactive") return ctx.reject(["keyboard-interactive"]);
            ctx.prompt([{ prompt: "Password: ", echo: false }], (answers) => (answers[0] === PASSWORD ? ctx.accept() : ctx.reject()));
        });
        client.on("session", (accept) => {
            const session = accept();
            session.on("pty", (ok) => ok && ok());
            session.on("shell", (ok) => shell(ok(), script, received));
        });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return {
        port: (server.address() as AddressInfo).port,
        hostKey,
        received,
        close: () => new Promise((r) => server.close(() => r())),
    };
}

function shell(stream: ServerChannel, script: Script, received: string[]): void {
    const state = { mode: "", privileged: false, paging: true, awaiting: "" as "" | "enable" | "more" };
    let pending: string[] = [];
    const prompt = () => `R1${state.mode ? `(${state.mode})` : ""}${state.privileged ? "#" : ">"}`;
    const print = (lines: string[]) => {
        // Pages of 10 lines while paging is on, like IOS with terminal length 10.
        if (state.paging && lines.length > 10) {
            stream.write(lines.slice(0, 10).join("\r\n") + "\r\n --More-- ");
            pending = lines.slice(10);
            state.awaiting = "more";
            return;
        }
        stream.write(lines.map((l) => l + "\r\n").join("") + prompt());
    };
    stream.write("\x1b[2J\x1b[H\r\nUnauthorized access prohibited\r\n\r\nR1>");
    let buf = "";
    stream.on("data", (d: Buffer) => {
        buf += d.toString("latin1");
        if (state.awaiting === "more" && buf.startsWith(" ")) {
            buf = buf.slice(1);
            stream.write("\b".repeat(10) + " ".repeat(10) + "\b".repeat(10));
            state.awaiting = "";
            print(pending);
        }
        let nl: number;
        while ((nl = buf.search(/[\r\n\x03]/)) >= 0) {
            if (buf[nl] === "\x03") {
                // Ctrl-C acts at once, like IOS: drop the typed text, back to the prompt.
                buf = buf.slice(nl + 1);
                received.push("^C");
                stream.write("^C\r\n" + prompt());
                continue;
            }
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            received.push(line);
            if (state.awaiting === "enable") {
                state.awaiting = "";
                if (line === ENABLE) {
                    state.privileged = true;
                    stream.write("\r\n" + prompt());
                } else stream.write("\r\nPassword: ");
                continue;
            }
            stream.write(line + "\r\n"); // echo
            if (line === "enable") {
                state.awaiting = "enable";
                stream.write("Password: ");
                continue;
            }
            if (line === "terminal length 0") {
                stream.write(prompt()); // ignored: paging stays on
                continue;
            }
            if (line === "configure terminal") {
                state.mode = "config";
                stream.write("Enter configuration commands, one per line.  End with CNTL/Z.\r\n" + prompt());
                continue;
            }
            if (line === "end") {
                state.mode = "";
                stream.write("\x1b[K" + prompt());
                continue;
            }
            if (line === "show running-config") {
                print(["Building configuration...", "", ...SHOW_RUN]);
                continue;
            }
            const answer = script(line, state);
            if (answer === undefined) stream.write(prompt());
            else if (typeof answer === "string") print(answer === "" ? [] : answer.split("\n"));
            else stream.write(answer.raw + (answer.noPrompt ? "" : prompt()));
        }
    });
}

describe("ssh IosCliSession terminal handling", function () {
    this.timeout(20000);
    let term: Terminal;
    let pool: SshPool;
    const script: Script = (line, state) => {
        if (line.startsWith("crypto ikev2 keyring")) {
            state.mode = "config-ikev2-keyring";
            return "";
        }
        if (line.startsWith("peer ")) {
            state.mode = "config-ikev2-keyring-peer";
            return "";
        }
        if (line.startsWith("pre-shared-key")) return "%CRYPTO-6-IKEV2: informational syslog line";
        if (line.startsWith("bogus command")) return "               ^\n% Invalid input detected at '^' marker.";
        if (line === "show noisy") return { raw: "a\x1b[1mb\x1b[0mc\r\nxx\byz\r\n\x1b[?25h" };
        if (line === "reload in 5") return { raw: "Proceed with reload? [confirm]", noPrompt: true };
        if (line === "show silence") return { raw: "", noPrompt: true };
        return undefined;
    };

    before(async () => {
        term = await startTerminal(script);
    });
    after(async () => {
        await term.close();
    });
    beforeEach(() => {
        pool = new SshPool();
    });
    afterEach(async () => {
        await pool.closeAll();
    });

    const connection = () =>
        iosConnectionSchema.parse({ host: "127.0.0.1", port: term.port, username: "admin", hostKey: term.hostKey, commandTimeoutMs: 1500 });
    const withSession = <T>(fn: (s: IosCliSession) => Promise<T>, enableSecret: string | undefined = ENABLE) =>
        pool.withDevice(connection(), { password: PASSWORD, enableSecret: enableSecret || undefined }, async (client) => {
            const s = await IosCliSession.open(client, { device: "admin@r1", enableSecret: enableSecret || undefined, commandTimeoutMs: 1500, secrets: [PASSWORD, ENABLE, PSK] });
            try {
                return await fn(s);
            } finally {
                await s.close();
            }
        });

    it("logs in by keyboard-interactive, enables through the banner and ANSI noise, learns the hostname", async () => {
        assert.strictEqual(await withSession(async (s) => s.hostname), "R1");
    });

    it("pages through --More-- when the device ignores terminal length 0", async () => {
        const out = await withSession((s) => s.exec("show running-config"));
        assert.deepStrictEqual(out.split("\n"), ["Building configuration...", "", ...SHOW_RUN]);
    });

    it("strips ANSI sequences and applies backspaces", async () => {
        assert.strictEqual(await withSession((s) => s.exec("show noisy")), "abc\nxyz");
    });

    it("throws DeviceError on a % line, without the echo or prompt", async () => {
        await assert.rejects(withSession((s) => s.exec("bogus command")), (e: unknown) => {
            assert.ok(e instanceof DeviceError);
            assert.match(e.message, /admin@r1 refused bogus command: % Invalid input detected at '\^' marker\./);
            return true;
        });
    });

    it("follows config sub-mode prompts, treats syslog lines as information, and redacts keys", async () => {
        const before = term.received.length;
        const r = await withSession((s) => s.configure(["crypto ikev2 keyring KR", "peer vps", "address 203.0.113.7", `pre-shared-key ${PSK}`, "bogus command", "never sent"]));
        assert.deepStrictEqual(r, { ok: false, index: 4, command: "bogus command", error: "% Invalid input detected at '^' marker." });
        const sent = term.received.slice(before);
        assert.ok(!sent.includes("never sent"));
        assert.strictEqual(sent[sent.length - 2], "end", "left config mode");
    });

    it("redacts a refused key line in the result", async () => {
        const r = await withSession((s) => s.configure([`bogus command ${PSK}`]));
        assert.strictEqual(r.ok, false);
        assert.ok(!JSON.stringify(r).includes(PSK), JSON.stringify(r));
    });

    it("refuses ? and control characters before sending anything", async () => {
        const before = term.received.length;
        await withSession(async (s) => {
            await assert.rejects(s.exec("show ?"), /refusing to send/);
            await assert.rejects(s.configure(["interface Tunnel1", "description a\tb"]), /refusing to send/);
        });
        assert.ok(!term.received.slice(before).some((l) => l.includes("?") || l.includes("\t") || l === "interface Tunnel1"));
    });

    it("cancels a question instead of answering it", async () => {
        await withSession(async (s) => {
            await assert.rejects(s.exec("reload in 5"), /asked "Proceed with reload\? \[confirm\]"/);
            assert.strictEqual(await s.exec("show noisy"), "abc\nxyz", "the session is usable afterwards");
        });
    });

    it("times out a silent command and abandons the session", async () => {
        await withSession(async (s) => {
            const started = Date.now();
            await assert.rejects(s.exec("show silence"), /did not answer show silence within 1500 ms/);
            // Its own 1500 ms, not the default 30 s.
            const took = Date.now() - started;
            assert.ok(took >= 1500 - 2 && took < 15000, `took ${took} ms`);
            await assert.rejects(s.exec("show noisy"), /abandoned/);
        });
    });

    it("refuses a login at > without an enable secret, naming the fix", async () => {
        await assert.rejects(withSession(async () => "never", ""), /user EXEC \(R1>\).*set device\.enableSecret/);
    });

    it("refuses a wrong enable secret without leaking it", async () => {
        await assert.rejects(withSession(async () => "never", "wrong-enable"), (e: unknown) => {
            assert.ok(e instanceof DeviceError && /refused the enable secret/.test(e.message) && !e.message.includes("wrong-enable"), String(e));
            return true;
        });
    });
});
