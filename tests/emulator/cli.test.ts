import { strict as assert } from "assert";
import { IosEmulator } from "../../emulator/ios/server";
import { Shell, execOnce, startEmu } from "./helpers";

const LONG_CONFIG = Array.from({ length: 12 }, (_, i) => `interface Tunnel${i}\n description tunnel ${i}\n ip address 10.0.${i}.1 255.255.255.252\n`).join("");

describe("IOS emulator CLI", function () {
    this.timeout(20000);
    let emu: IosEmulator;
    before(async () => {
        emu = await startEmu();
    });
    after(() => emu.close());

    describe("login and privilege", () => {
        it("logs a privilege-1 user in at `>` and `enable` with the right secret gives `#`", async () => {
            const sh = await Shell.open(emu.port, "oper", "oper-pw");
            try {
                assert.match(await sh.cmd("show privilege"), /Current privilege level is 1\r\nhome>$/);
                sh.write("enable\r");
                await sh.waitFor(/Password: $/);
                sh.write("en-secret\r");
                const after = await sh.waitFor(/[>#]$/);
                assert.ok(!after.includes("en-secret"), "the secret is not echoed");
                assert.match(after, /home#$/);
                assert.match(await sh.cmd("show privilege"), /Current privilege level is 15/);
                assert.match(await sh.cmd("disable"), /home>$/);
            } finally {
                sh.close();
            }
        });

        it("answers a wrong enable secret three times with `% Bad secrets` and stays at `>`", async () => {
            const sh = await Shell.open(emu.port, "oper", "oper-pw");
            try {
                sh.write("enable\r");
                for (let i = 0; i < 3; i++) {
                    await sh.waitFor(/Password: $/);
                    sh.write("wrong\r");
                }
                assert.match(await sh.waitFor(/[>#]$/), /% Bad secrets\r\n\r\nhome>$|% Bad secrets\r\nhome>$/);
            } finally {
                sh.close();
            }
        });

        it("logs a privilege-15 user in at `#`, and hides privileged commands from privilege 1", async () => {
            const sh = await Shell.open(emu.port);
            try {
                assert.match(await sh.cmd("show privilege"), /level is 15\r\nhome#$/);
            } finally {
                sh.close();
            }
            const op = await Shell.open(emu.port, "oper", "oper-pw");
            try {
                const out = await op.cmd("show running-config");
                assert.match(out, /\r\n {10}\^\r\n% Invalid input detected at '\^' marker\./);
                assert.match(await op.cmd("configure terminal"), /% Invalid input detected/);
            } finally {
                op.close();
            }
        });

        it("rejects a wrong password", async () => {
            await assert.rejects(execOnce(emu.port, "show version", "admin", "nope"));
        });
    });

    describe("modes and prompts", () => {
        let sh: Shell;
        beforeEach(async () => {
            sh = await Shell.open(emu.port);
        });
        afterEach(() => sh.close());

        it("shows the prompt of every configuration mode", async () => {
            assert.match(await sh.cmd("configure terminal"), /Enter configuration commands, one per line\.  End with CNTL\/Z\.\r\nhome\(config\)#$/);
            const modes: [string, string][] = [
                ["crypto ikev2 proposal P1", "config-ikev2-proposal"],
                ["crypto ikev2 policy POL1", "config-ikev2-policy"],
                ["crypto ikev2 keyring KR", "config-ikev2-keyring"],
                ["peer vps", "config-ikev2-keyring-peer"],
                ["crypto ikev2 profile PROF", "config-ikev2-profile"],
                ["crypto ipsec transform-set TS esp-aes 256 esp-sha256-hmac", "cfg-crypto-trans"],
                ["crypto ipsec profile IPS", "ipsec-profile"],
                ["interface Tunnel7", "config-if"],
            ];
            for (const [line, mode] of modes) assert.match(await sh.cmd(line), new RegExp(`home\\(${mode}\\)#$`), line);
            assert.match(await sh.cmd("exit"), /home\(config\)#$/);
            await sh.cmd("crypto ikev2 keyring KR");
            await sh.cmd("peer vps");
            assert.match(await sh.cmd("exit"), /home\(config-ikev2-keyring\)#$/);
            assert.match(await sh.cmd("exit"), /home\(config\)#$/);
            assert.match(await sh.cmd("exit"), /home#$/);
            await sh.cmd("conf t");
            await sh.cmd("int tu7");
            assert.match(await sh.cmd("end"), /home#$/);
            await sh.cmd("conf t");
            await sh.cmd("crypto ikev2 proposal P1");
            sh.write("\x1a");
            assert.match(await sh.waitFor(/[>#]$/), /home#$/);
            await sh.cmd("conf t");
            await sh.cmd("no interface Tunnel7");
            for (const n of ["crypto ikev2 profile PROF", "crypto ipsec profile IPS", "crypto ipsec transform-set TS", "crypto ikev2 keyring KR", "crypto ikev2 policy POL1", "crypto ikev2 proposal P1"])
                await sh.cmd("no " + n);
            await sh.cmd("end");
        });

        it("runs a parent-mode command typed in a sub-mode in the parent mode", async () => {
            await sh.cmd("conf t");
            await sh.cmd("crypto ikev2 keyring KRX");
            await sh.cmd("peer a");
            assert.match(await sh.cmd("interface Tunnel9"), /home\(config-if\)#$/);
            assert.match(await sh.cmd("hostname home"), /home\(config\)#$/);
            assert.match(await sh.cmd("do show running-config interface Tunnel9"), /interface Tunnel9\r\n no ip address\r\nend/);
            assert.match(await sh.cmd("no interface Tunnel9"), /home\(config\)#$/);
            await sh.cmd("no crypto ikev2 keyring KRX");
            await sh.cmd("end");
        });

        it("abandons a question on Ctrl-C: copy running-config startup-config saves nothing", async () => {
            const before = emu.startupConfig();
            sh.write("copy running-config startup-config\r");
            await sh.waitFor(/Destination filename \[startup-config\]\? $/);
            sh.write("\x03");
            assert.match(await sh.waitFor(/[>#]$/), /^\r\nhome#$/);
            assert.equal(emu.startupConfig(), before);
            assert.match(await sh.cmd("show privilege"), /level is 15/);
        });

        it("closes the session on exit in EXEC", async () => {
            sh.write("exit\r");
            await new Promise<void>((r) => sh.ch.on("close", () => r()));
        });
    });

    describe("parser", () => {
        let sh: Shell;
        before(async () => {
            sh = await Shell.open(emu.port);
        });
        after(() => sh.close());

        it("accepts abbreviations: conf t, sh run, sh run | sec, int tu1, wr", async () => {
            assert.match(await sh.cmd("conf t"), /\(config\)#$/);
            assert.match(await sh.cmd("int tu1"), /\(config-if\)#$/);
            assert.match(await sh.cmd("ip add 10.9.9.1 255.255.255.252"), /\(config-if\)#$/);
            assert.match(await sh.cmd("end"), /home#$/);
            assert.match(await sh.cmd("ter len 0"), /home#$/);
            const run = await sh.out("sh run");
            assert.match(run, /^Building configuration\.\.\.\n\nCurrent configuration : \d+ bytes\n/);
            assert.match(run, /interface Tunnel1\n ip address 10\.9\.9\.1 255\.255\.255\.252\n!/);
            assert.equal(await sh.out("sh run | sec Tunnel"), "interface Tunnel1\n ip address 10.9.9.1 255.255.255.252");
            assert.equal(await sh.out("sh run | i ^hostname"), "hostname home");
            assert.match(await sh.out("wr"), /^Building configuration\.\.\.\n\[OK\]$/);
            await sh.cmd("conf t");
            await sh.cmd("no int tu1");
            await sh.cmd("end");
        });

        it("reports ambiguous, incomplete, invalid (caret under the first wrong character) and unknown commands", async () => {
            assert.match(await sh.cmd("c"), /% Ambiguous command: "c"\r\n/);
            assert.match(await sh.cmd("e"), /% Ambiguous command: "e"\r\n/);
            assert.match(await sh.cmd("show"), /% Incomplete command\.\r\n/);
            assert.match(await sh.cmd("frobnicate"), /% Unknown command or computer name, or unable to find computer address\r\n/);
            // "home#" is 5 columns; "show runx" goes wrong at "x", column 13.
            const out = await sh.cmd("show runx");
            assert.ok(out.includes("\r\n" + " ".repeat(5 + 8) + "^\r\n% Invalid input detected at '^' marker.\r\n"), JSON.stringify(out));
            await sh.cmd("conf t");
            const out2 = await sh.cmd("crypto ikev2 proposal");
            assert.match(out2, /% Incomplete command\./);
            const out3 = await sh.cmd("crypto ikev3 proposal X");
            // "home(config)#" is 13 columns; "crypto ikev" matches, the "3" is wrong: column 13+11.
            assert.ok(out3.includes("\r\n" + " ".repeat(13 + 11) + "^\r\n% Invalid input"), JSON.stringify(out3));
            await sh.cmd("crypto ikev2 profile PX");
            const out4 = await sh.cmd("keyring KR");
            assert.ok(out4.includes("\r\n" + " ".repeat("home(config-ikev2-profile)#keyring ".length) + "^\r\n% Invalid input"), JSON.stringify(out4));
            assert.match(await sh.cmd("lifetime 5"), /% Invalid input/);
            await sh.cmd("exit");
            await sh.cmd("no crypto ikev2 profile PX");
            assert.match(await sh.cmd("interface GigabitEthernet9"), /% Invalid input/);
            assert.match(await sh.cmd("i"), /% Ambiguous command: "i"/);
            await sh.cmd("end");
        });

        it("prints help for `?` instead of executing", async () => {
            const out = await sh.cmd("show ?");
            assert.match(out, /running-config +Current operating configuration/);
            assert.match(out, /version +System hardware and software status/);
            assert.match(await sh.cmd("sh r?"), /running-config/);
            await sh.cmd("conf t");
            await sh.cmd("crypto ikev2 proposal HELPP");
            const g = await sh.cmd("group ?");
            assert.match(g, /\r\n {2}14 +DH 2048 MODP Group\r\n/);
            assert.match(g, /\r\n {2}19 +DH 256 ECP Group\r\n/);
            await sh.cmd("end");
            assert.doesNotMatch(emu.runningConfig(), /group/);
            await sh.cmd("conf t");
            await sh.cmd("no crypto ikev2 proposal HELPP");
            await sh.cmd("end");
        });
    });

    describe("paging", () => {
        it("pages with --More-- at the default length 24: space, Enter, q; no paging with terminal length 0", async () => {
            emu.loadRunningConfig(LONG_CONFIG);
            const sh = await Shell.open(emu.port);
            try {
                sh.write("show running-config\r");
                const first = await sh.waitFor(/ --More-- $/);
                assert.equal(first.split("\r\n").length - 1, 24, "the echoed line and 23 output lines before --More--");
                sh.write(" ");
                const second = await sh.waitFor(/ --More-- $|home#$/);
                const erase = "\b".repeat(10) + " ".repeat(10) + "\b".repeat(10);
                assert.ok(second.startsWith(erase), JSON.stringify(second.slice(0, 40)));
                if (/ --More-- $/.test(second)) {
                    sh.write("\r");
                    const third = await sh.waitFor(/ --More-- $|home#$/);
                    assert.equal(third.slice(erase.length).split("\r\n").length - 1, 1, "Enter shows one more line");
                    if (/ --More-- $/.test(third)) {
                        sh.write("q");
                        assert.equal(await sh.waitFor(/home#$/), erase + "home#");
                    }
                }
                await sh.cmd("terminal length 0");
                const all = await sh.cmd("show running-config");
                assert.doesNotMatch(all, /--More--/);
                assert.match(all, /\r\nend\r\n/);
            } finally {
                sh.close();
                emu.loadRunningConfig("");
            }
        });

        it("does not page the exec channel", async () => {
            const out = await execOnce(emu.port, "show running-config");
            assert.doesNotMatch(out, /--More--/);
            assert.match(out, /^Building configuration\.\.\.\r\n/);
            assert.match(out, /\r\nend\r\n/);
        });
    });

    describe("show commands", () => {
        it("show version says it is an emulator; show ip interface brief lists interfaces", async () => {
            assert.match(await execOnce(emu.port, "show version"), /Cisco IOS XE Software, Version \S+ \(emulated\)/);
            const brief = await execOnce(emu.port, "show ip interface brief");
            assert.match(brief, /^Interface +IP-Address +OK\? Method Status +Protocol\r\n/);
            assert.match(brief, /GigabitEthernet1 +unassigned +YES unset +up +up/);
        });

        it("filters show running-config with section, include, exclude, begin", async () => {
            emu.loadRunningConfig("hostname home\ncrypto ikev2 proposal P1\n encryption aes-cbc-256\n integrity sha256\n group 14\ncrypto ikev2 policy POL1\n proposal P1\nip route 10.2.0.0 255.255.255.0 GigabitEthernet1\n");
            try {
                assert.equal(await execOnce(emu.port, "show running-config | section crypto ikev2 policy"), "crypto ikev2 policy POL1 \r\n proposal P1\r\n");
                assert.equal(await execOnce(emu.port, "sh run | sec proposal"), "crypto ikev2 proposal P1 \r\n encryption aes-cbc-256\r\n integrity sha256\r\n group 14\r\ncrypto ikev2 policy POL1 \r\n proposal P1\r\n");
                assert.equal(await execOnce(emu.port, "sh run | include ip route"), "ip route 10.2.0.0 255.255.255.0 GigabitEthernet1\r\n");
                const ex = await execOnce(emu.port, "sh run | exclude ^ ");
                assert.doesNotMatch(ex, /\r\n /);
                assert.match(await execOnce(emu.port, "sh run | begin ^ip route"), /^ip route 10\.2\.0\.0 255\.255\.255\.0 GigabitEthernet1\r\n!\r\n!\r\nend\r\n(\r\n)?$/);
                assert.match(await execOnce(emu.port, "sh run | frob x"), /% Invalid input detected/);
            } finally {
                emu.loadRunningConfig("");
            }
        });
    });
});
