/**
 * Helpers for lab tests of the emulated IOS routers: the lab's hosts, commands inside a site,
 * SSH to a strongSwan host, an IOS CLI session as an operator types it, the story's tunnel lines.
 * Assumes `bash lab/lab.sh up` ran; runs as root.
 */
import assert from "assert";
import { spawn } from "child_process";
import { createHash } from "crypto";
import { readFileSync } from "fs";
import { join, resolve } from "path";
import { Client, ClientChannel } from "ssh2";

const REPO = resolve(__dirname, "../../..");
const LAB_DIR = process.env.LAB_DIR ?? join(REPO, ".lab");
const LAB_EXEC = join(REPO, "lab/lab-exec.sh");

export interface LabHost {
    kind: "ios" | "strongswan";
    wan: string;
    lan: string;
    lanAddress: string;
    ssh: {
        host: string;
        port: number;
        username: string;
        hostKey: string;
        passwordFile?: string;
        enableSecretFile?: string;
        privateKeyFile?: string;
    };
}

const lab: { hosts: Record<string, LabHost> } = JSON.parse(readFileSync(join(LAB_DIR, "lab.json"), "utf8"));
export const home = lab.hosts.home;
export const parents = lab.hosts.parents;
export const vps = lab.hosts.vps;

export interface Run {
    code: number | null;
    stdout: string;
    stderr: string;
}

export function labExec(site: string, ...args: string[]): Promise<Run> {
    return new Promise((done, fail) => {
        const child = spawn("bash", [LAB_EXEC, site, ...args], { stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("error", fail);
        child.on("close", (code) => done({ code, stdout, stderr }));
    });
}

function hostVerifier(expected: string) {
    return (key: Buffer) => "SHA256:" + createHash("sha256").update(key).digest("base64").replace(/=+$/, "") === expected;
}

function connect(h: LabHost): Promise<Client> {
    const c = new Client();
    return new Promise((ok, fail) => {
        c.once("ready", () => ok(c));
        c.once("error", fail);
        c.connect({
            host: h.ssh.host,
            port: h.ssh.port,
            username: h.ssh.username,
            password: h.ssh.passwordFile ? readFileSync(h.ssh.passwordFile, "utf8").trim() : undefined,
            privateKey: h.ssh.privateKeyFile ? readFileSync(h.ssh.privateKeyFile) : undefined,
            readyTimeout: 10000,
            hostVerifier: hostVerifier(h.ssh.hostKey),
        });
    });
}

/** A command on a strongSwan host over SSH (ssh2, key login, pinned host key); `input` goes to stdin. */
export async function sshHost(h: LabHost, command: string, input?: string): Promise<Run> {
    const c = await connect(h);
    try {
        return await new Promise<Run>((done, fail) =>
            c.exec(command, (err, ch) => {
                if (err) return fail(err);
                let stdout = "";
                let stderr = "";
                ch.on("data", (d: Buffer) => (stdout += d.toString()));
                ch.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
                ch.on("close", (code: number | null) => done({ code, stdout, stderr }));
                ch.end(input ?? "");
            }),
        );
    } finally {
        c.end();
    }
}

/** Logs into an emulated IOS router (password, enable), runs lines at `#` prompts, returns each line's output. */
export async function ios(h: LabHost, lines: string[]): Promise<string[]> {
    const c = await connect(h);
    try {
        const ch = await new Promise<ClientChannel>((ok, fail) =>
            c.shell({ term: "vt100", rows: 24, cols: 200 }, (err, s) => (err ? fail(err) : ok(s))),
        );
        let buf = "";
        ch.on("data", (d: Buffer) => (buf += d.toString()));
        const until = async (re: RegExp, timeoutMs = 30000): Promise<string> => {
            const deadline = Date.now() + timeoutMs;
            while (!re.test(buf)) {
                assert.ok(Date.now() < deadline, `no ${re} in ${JSON.stringify(buf.slice(-500))}`);
                await new Promise((r) => setTimeout(r, 20));
            }
            const out = buf;
            buf = "";
            return out;
        };
        await until(/>\s*$/);
        ch.write("enable\n");
        await until(/Password:\s*$/);
        ch.write(readFileSync(h.ssh.enableSecretFile!, "utf8").trim() + "\n");
        await until(/#\s*$/);
        ch.write("terminal length 0\n");
        await until(/#\s*$/);
        const outputs: string[] = [];
        for (const l of lines) {
            ch.write(l + "\n");
            outputs.push((await until(/#\s*$/)).replace(/\r/g, ""));
        }
        ch.end("exit\n");
        return outputs;
    } finally {
        c.end();
    }
}

export async function iosShow(h: LabHost, cmd: string): Promise<string> {
    return (await ios(h, [cmd]))[0];
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
        try {
            const v = await probe();
            if (v !== undefined) return v;
        } catch (e) {
            last = e;
        }
        assert.ok(Date.now() < deadline, `timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
        await new Promise((r) => setTimeout(r, 500));
    }
}

/** vps's side of a tunnel to home, written by hand as an operator would (not by the provider). */
export function vpsSwanctlConf(conn: string, o: { remoteTs: string; esp: string; key: string; extraChild?: string; proposals?: string; localTs?: string }): string {
    return `connections {
    ${conn} {
        version = 2
        local_addrs = ${vps.wan}
        remote_addrs = ${home.wan}
        proposals = ${o.proposals ?? "aes256-sha256-modp2048"}
        local {
            auth = psk
            id = ${vps.wan}
        }
        remote {
            auth = psk
            id = ${home.wan}
        }
        children {
            ${conn} {
                local_ts = ${o.localTs ?? vps.lan}
                remote_ts = ${o.remoteTs}
                esp_proposals = ${o.esp}${o.extraChild ? `\n                ${o.extraChild}` : ""}
            }
        }
    }
}
secrets {
    ike-${conn} {
        id-local = ${vps.wan}
        id-remote = ${home.wan}
        secret = "${o.key}"
    }
}
`;
}

export const counters = (text: string) => ({
    encaps: Number(/#pkts encaps: (\d+)/.exec(text)?.[1] ?? -1),
    decaps: Number(/#pkts decaps: (\d+)/.exec(text)?.[1] ?? -1),
});

/** An IOS site's VTI toward `remote`, as the story's operator typed it; `peerLines` fill the keyring peer. */
export function iosTunnel(o: { tunnel: string; local: string; remote: string; remoteLan: string; peerLines: string[]; key: string }): string[] {
    const lanMask = "255.255.255.0";
    return [
        "configure terminal",
        "crypto ikev2 proposal IKT-PROP",
        " encryption aes-cbc-256",
        " integrity sha256",
        " group 14",
        "crypto ikev2 policy IKT-POL",
        " proposal IKT-PROP",
        "crypto ikev2 keyring IKT-KR",
        ` peer ${o.remote}`,
        ...o.peerLines.map((l) => `  ${l}`),
        `  pre-shared-key ${o.key}`,
        `crypto ikev2 profile IKT-PROF-${o.tunnel}`,
        ` match identity remote address ${o.remote} 255.255.255.255`,
        ` identity local address ${o.local}`,
        " authentication remote pre-share",
        " authentication local pre-share",
        " keyring local IKT-KR",
        " dpd 10 2 periodic",
        "crypto ipsec transform-set IKT-TS esp-aes 256 esp-sha256-hmac",
        " mode tunnel",
        `crypto ipsec profile IKT-IPSEC-${o.tunnel}`,
        " set transform-set IKT-TS",
        ` set ikev2-profile IKT-PROF-${o.tunnel}`,
        `interface ${o.tunnel}`,
        " ip address 172.16.0.1 255.255.255.252",
        " tunnel source GigabitEthernet1",
        " tunnel mode ipsec ipv4",
        ` tunnel destination ${o.remote}`,
        ` tunnel protection ipsec profile IKT-IPSEC-${o.tunnel}`,
        `ip route ${o.remoteLan.split("/")[0]} ${lanMask} ${o.tunnel}`,
        "end",
    ];
}

/** Removes what iosTunnel added, in reverse order of references; the router is as before. */
export function iosRemove(tunnel: string, remoteLan: string): string[] {
    return [
        "configure terminal",
        `no ip route ${remoteLan.split("/")[0]} 255.255.255.0 ${tunnel}`,
        `no interface ${tunnel}`,
        `no crypto ipsec profile IKT-IPSEC-${tunnel}`,
        "no crypto ipsec transform-set IKT-TS",
        `no crypto ikev2 profile IKT-PROF-${tunnel}`,
        "no crypto ikev2 keyring IKT-KR",
        "no crypto ikev2 policy IKT-POL",
        "no crypto ikev2 proposal IKT-PROP",
        "end",
        "undebug all",
    ];
}

/** The emulator applies config in the background: wait until its tunnel's SAs and routes are gone. */
export async function settled(site: string, tunnel: string): Promise<void> {
    await waitFor(`${site}: ${tunnel} torn down`, async () => {
        const sas = await labExec(site, "swanctl", "--list-sas", "--ike", tunnel, "--raw");
        const routes = await labExec(site, "ip", "route", "show", "dev", "ipsec0");
        return /list-sa event/.test(sas.stdout) || routes.stdout.trim() !== "" ? undefined : true;
    });
}

