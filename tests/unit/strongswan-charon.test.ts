/**
 * The golden files against the real strongSwan: a throwaway charon in its own mount and network
 * namespace (its PID file and VICI socket live under /run, so /run is a private bind mount), the
 * files loaded with `swanctl --load-all` and checked with `swanctl --list-conns --raw`.
 * Needs root and Debian's strongswan-charon / strongswan-swanctl (installed by the test scripts).
 */
import * as assert from "assert";
import { ChildProcess, execFileSync, spawn } from "child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { strongSwanConnectionSchema } from "../../provider/schema/strongswan";
import { connectionFileName, renderConnectionFile } from "../../provider/strongswan/swanctl-conf";
import { parseListConnsRaw } from "../../provider/strongswan/swanctl-output";

const FIXTURES = join(__dirname, "../../../tests/fixtures/strongswan");
const CHARON = "/usr/lib/ipsec/charon";

describe("golden files against the real swanctl and charon", function () {
    this.timeout(60000);
    let dir: string;
    let charon: ChildProcess;
    let log = "";

    const swanctl = (...args: string[]) =>
        execFileSync("swanctl", [args[0], "--uri", `unix://${dir}/run/charon.vici`, ...args.slice(1)], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

    before(async () => {
        assert.ok(existsSync(CHARON), `${CHARON} is missing: install strongswan-charon strongswan-swanctl libcharon-extra-plugins`);
        dir = mkdtempSync(join(tmpdir(), "pulumi-ikev2-charon-"));
        mkdirSync(join(dir, "run"));
        mkdirSync(join(dir, "swanctl/conf.d"), { recursive: true });
        writeFileSync(
            join(dir, "strongswan.conf"),
            [
                "charon {",
                "    load_modular = yes",
                "    install_routes = no",
                "    plugins {",
                "        include /etc/strongswan.d/charon/*.conf",
                "        kernel-libipsec { load = yes }",
                "        socket-default { fwmark = 0x42 }",
                "        kernel-netlink { fwmark = !0x42 }",
                "    }",
                "}",
                "",
            ].join("\n"),
        );
        writeFileSync(join(dir, "swanctl/swanctl.conf"), "include conf.d/*.conf\n");
        // A private mount namespace (own /run for charon.pid and the socket) and network namespace (no traffic leaves).
        charon = spawn(
            "unshare",
            ["-m", "-n", "--propagation", "private", "sh", "-c", `mount --bind "$0/run" /run && ip link set lo up && exec ${CHARON}`, dir],
            { env: { ...process.env, STRONGSWAN_CONF: join(dir, "strongswan.conf") }, stdio: ["ignore", "pipe", "pipe"] },
        );
        charon.stdout!.on("data", (d) => (log += d));
        charon.stderr!.on("data", (d) => (log += d));
        const deadline = Date.now() + 20000;
        while (!existsSync(join(dir, "run/charon.vici"))) {
            if (charon.exitCode !== null || Date.now() > deadline) throw new Error(`charon did not start:\n${log}`);
            await new Promise((r) => setTimeout(r, 100));
        }
    });

    after(async () => {
        if (charon && charon.exitCode === null) {
            const exited = new Promise((r) => charon.once("exit", r));
            charon.kill("SIGTERM");
            await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
            if (charon.exitCode === null) charon.kill("SIGKILL");
        }
        if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("loads every golden file and lists its connections and children", () => {
        const golden = ["vps-home.golden.conf", "lan-to-lan.golden.conf"];
        for (const file of golden) copyFileSync(join(FIXTURES, file), join(dir, "swanctl/conf.d", file));
        const out = swanctl("--load-all", "--noprompt", "--file", join(dir, "swanctl/swanctl.conf"));
        assert.match(out, /successfully loaded 2 connections, 0 unloaded/);
        assert.match(out, /loaded ike secret 'ike-home'/);
        assert.match(out, /loaded ike secret 'ike-lan-branch4'/);
        assert.doesNotMatch(out, /failed|invalid/i);
        const conns = parseListConnsRaw(swanctl("--list-conns", "--raw"));
        assert.deepStrictEqual(Object.keys(conns).sort(), ["home", "lan-branch4"]);
        assert.deepStrictEqual(conns.home.remoteAddrs, ["198.51.100.1"]);
        assert.deepStrictEqual(conns.home.remoteIds, ["198.51.100.1"]);
        assert.deepStrictEqual(conns.home.children["home-vti"].localTs, ["0.0.0.0/0"]);
        assert.deepStrictEqual(conns["lan-branch4"].localIds, ["vps.example.net"]);
        assert.deepStrictEqual(conns["lan-branch4"].children.lan.remoteTs, ["10.4.0.0/24"]);
        for (const file of golden) rmSync(join(dir, "swanctl/conf.d", file));
    });

    it("loads rendered files with hostile-looking secrets and every option, and unloads a removed file", () => {
        const variants = [
            { name: "v1", remoteAddrs: ["192.0.2.1"], preSharedKey: 'q"uo\\te # {x} = ,' },
            { name: "v2", remoteAddrs: ["192.0.2.2"], preSharedKey: "0sNotBase64!", version: 1 as const },
            { name: "v3", remoteAddrs: ["%any"], remote: { auth: "psk" as const, id: { email: "r@example.net" } }, reauthTime: "1d", encap: true, dpdTimeout: 150, preSharedKey: "plain-key-3" },
        ];
        for (const v of variants) {
            const input = {
                localAddrs: ["%any"],
                proposals: ["aes256gcm16-prfsha384-ecp384"],
                local: { auth: "psk" as const },
                remote: { auth: "psk" as const },
                children: [{ name: "c", localTs: ["dynamic"], remoteTs: ["10.9.0.0/24", "2001:db8::/64"], espProposals: ["aes128-sha1-esn"], mode: "transport" as const, ifIdIn: "%unique" as const, ifIdOut: 9, closeAction: "trap" as const }],
                ...v,
            };
            const model = strongSwanConnectionSchema.parse(input);
            writeFileSync(join(dir, "swanctl/conf.d", connectionFileName(model.name)), renderConnectionFile(model), { mode: 0o600 });
        }
        const out = swanctl("--load-all", "--noprompt", "--file", join(dir, "swanctl/swanctl.conf"));
        assert.match(out, /successfully loaded 3 connections/);
        assert.match(out, /loaded ike secret 'ike-v1'[\s\S]*loaded ike secret 'ike-v2'[\s\S]*loaded ike secret 'ike-v3'/);
        assert.deepStrictEqual(Object.keys(parseListConnsRaw(swanctl("--list-conns", "--raw"))).sort(), ["v1", "v2", "v3"]);
        rmSync(join(dir, "swanctl/conf.d", connectionFileName("v2")));
        assert.match(swanctl("--load-all", "--noprompt", "--file", join(dir, "swanctl/swanctl.conf")), /1 unloaded/);
        assert.deepStrictEqual(Object.keys(parseListConnsRaw(swanctl("--list-conns", "--raw"))).sort(), ["v1", "v3"]);
    });
});
