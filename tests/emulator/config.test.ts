import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { IosEmulator } from "../../emulator/ios/server";
import { Shell, block, execOnce, startEmu, tempDir } from "./helpers";

/** Sends configuration lines in one `configure terminal` session; fails on any `%` message. */
async function configure(sh: Shell, lines: string[]): Promise<void> {
    await sh.cmd("configure terminal");
    for (const l of lines) {
        const out = await sh.cmd(l);
        assert.ok(!out.includes("%"), `${l}: ${JSON.stringify(out)}`);
    }
    await sh.cmd("end");
}

describe("IOS emulator configuration grammar", function () {
    this.timeout(20000);
    let emu: IosEmulator;
    let sh: Shell;
    before(async () => {
        emu = await startEmu();
        sh = await Shell.open(emu.port);
        await sh.cmd("terminal length 0");
    });
    after(async () => {
        sh.close();
        await emu.close();
    });
    beforeEach(() => emu.loadRunningConfig(""));

    it("round-trips an IKEv2 proposal", async () => {
        await configure(sh, [
            "crypto ikev2 proposal P1",
            "encryption aes-cbc-256 aes-cbc-128",
            "encryption aes-cbc-192",
            "integrity sha256 sha512",
            "prf sha384",
            "group 14 19",
            "group 24",
            "crypto ikev2 proposal GCM",
            "encr aes-gcm-256",
            "prf sha512",
            "group 20 21 15 16 2 5",
        ]);
        const run = emu.runningConfig();
        assert.equal(
            block(run, "crypto ikev2 proposal P1 "),
            "crypto ikev2 proposal P1 \n encryption aes-cbc-256 aes-cbc-128 aes-cbc-192\n integrity sha256 sha512\n prf sha384\n group 14 19 24",
        );
        assert.equal(block(run, "crypto ikev2 proposal GCM "), "crypto ikev2 proposal GCM \n encryption aes-gcm-256\n prf sha512\n group 20 21 15 16 2 5");
        await configure(sh, ["crypto ikev2 proposal P1", "no encryption aes-cbc-128", "no integrity", "no group 19", "no prf sha384"]);
        assert.equal(block(emu.runningConfig(), "crypto ikev2 proposal P1 "), "crypto ikev2 proposal P1 \n encryption aes-cbc-256 aes-cbc-192\n group 14 24");
        await configure(sh, ["no crypto ikev2 proposal P1"]);
        assert.doesNotMatch(emu.runningConfig(), /proposal P1/);
    });

    it("round-trips an IKEv2 policy", async () => {
        await configure(sh, ["crypto ikev2 policy POL1", "proposal P1", "proposal P2", "match fvrf any", "match address local 198.51.100.1"]);
        assert.equal(
            block(emu.runningConfig(), "crypto ikev2 policy POL1 "),
            "crypto ikev2 policy POL1 \n match fvrf any\n match address local 198.51.100.1\n proposal P1\n proposal P2",
        );
        await configure(sh, ["crypto ikev2 policy POL1", "no proposal P1", "no match fvrf", "no match address local 198.51.100.1"]);
        assert.equal(block(emu.runningConfig(), "crypto ikev2 policy POL1 "), "crypto ikev2 policy POL1 \n proposal P2");
        await configure(sh, ["no crypto ikev2 policy POL1"]);
        assert.doesNotMatch(emu.runningConfig(), /policy/);
    });

    it("round-trips an IKEv2 keyring with peers of every kind", async () => {
        await configure(sh, [
            "crypto ikev2 keyring KR",
            "peer vps",
            "description the VPS in Frankfurt",
            "address 203.0.113.7",
            "identity address 203.0.113.7",
            "pre-shared-key s3cret-1",
            "peer net",
            "address 10.0.0.0 255.0.0.0",
            "pre-shared-key local key-local",
            "pre-shared-key remote key-remote",
            "peer v6",
            "address 2001:db8::/32",
            "hostname vpn.example.net",
            "identity fqdn vpn.example.net",
            "pre-shared-key 0 s3cret-2",
            "peer typed",
            "identity key-id abc",
            "pre-shared-key 6 OPAQUEcipherAAB",
        ]);
        const run = emu.runningConfig();
        assert.equal(
            block(run, "crypto ikev2 keyring KR").replace(/\n !/g, "\n!"),
            "crypto ikev2 keyring KR\n peer vps\n  description the VPS in Frankfurt\n  address 203.0.113.7\n  identity address 203.0.113.7\n  pre-shared-key s3cret-1\n" +
                "!\n peer net\n  address 10.0.0.0 255.0.0.0\n  pre-shared-key local key-local\n  pre-shared-key remote key-remote\n" +
                "!\n peer v6\n  address 2001:DB8::/32\n  hostname vpn.example.net\n  identity fqdn vpn.example.net\n  pre-shared-key s3cret-2\n" +
                "!\n peer typed\n  identity key-id abc\n  pre-shared-key 6 OPAQUEcipherAAB\n!",
        );
        await configure(sh, ["crypto ikev2 keyring KR", "no peer net", "peer vps", "no description", "no identity", "no pre-shared-key", "no address"]);
        const after = block(emu.runningConfig(), "crypto ikev2 keyring KR");
        assert.match(after, /^crypto ikev2 keyring KR\n peer vps\n !\n peer v6\n/);
        assert.doesNotMatch(after, /peer net/);
        await configure(sh, ["no crypto ikev2 keyring KR"]);
        assert.doesNotMatch(emu.runningConfig(), /keyring/);
    });

    it("round-trips an IKEv2 profile; `keyring NAME` without `local` is refused", async () => {
        await configure(sh, [
            "crypto ikev2 profile PROF-VPS",
            "description to the VPS",
            "match fvrf any",
            "match address local 198.51.100.1",
            "match identity remote address 203.0.113.7",
            "match identity remote address 10.0.0.0 255.0.0.0",
            "match identity remote fqdn domain example.net",
            "match identity remote fqdn vpn.example.net",
            "match identity remote email a@example.net",
            "match identity remote key-id kid",
            "identity local address 198.51.100.1",
            "authentication remote pre-share",
            "authentication local pre-share",
            "keyring local KR",
            "lifetime 3600",
            "dpd 10 3 on-demand",
            "ivrf INSIDE",
        ]);
        assert.equal(
            block(emu.runningConfig(), "crypto ikev2 profile PROF-VPS"),
            [
                "crypto ikev2 profile PROF-VPS",
                " description to the VPS",
                " match fvrf any",
                " match address local 198.51.100.1",
                " match identity remote address 203.0.113.7 255.255.255.255 ",
                " match identity remote address 10.0.0.0 255.0.0.0 ",
                " match identity remote fqdn domain example.net",
                " match identity remote fqdn vpn.example.net",
                " match identity remote email a@example.net",
                " match identity remote key-id kid",
                " identity local address 198.51.100.1",
                " authentication remote pre-share",
                " authentication local pre-share",
                " keyring local KR",
                " lifetime 3600",
                " dpd 10 3 on-demand",
                " ivrf INSIDE",
            ].join("\n"),
        );
        await sh.cmd("conf t");
        await sh.cmd("crypto ikev2 profile PROF-VPS");
        assert.match(await sh.cmd("keyring KR2"), /% Invalid input detected at '\^' marker\./);
        await sh.cmd("end");
        await configure(sh, [
            "crypto ikev2 profile PROF-VPS",
            "no description",
            "no match identity remote address 10.0.0.0 255.0.0.0",
            "no match identity remote fqdn",
            "no match identity remote email a@example.net",
            "no match identity remote key-id kid",
            "no match fvrf",
            "no match address local",
            "no identity local",
            "no authentication local",
            "no keyring local",
            "no lifetime",
            "no dpd",
            "no ivrf",
        ]);
        assert.equal(
            block(emu.runningConfig(), "crypto ikev2 profile PROF-VPS"),
            "crypto ikev2 profile PROF-VPS\n match identity remote address 203.0.113.7 255.255.255.255 \n authentication remote pre-share",
        );
        await configure(sh, ["no crypto ikev2 profile PROF-VPS"]);
        assert.doesNotMatch(emu.runningConfig(), /profile/);
    });

    it("round-trips transform-sets (re-entering the header replaces the transforms) and IPsec profiles", async () => {
        await configure(sh, [
            "crypto ipsec transform-set TS esp-aes 256 esp-sha256-hmac",
            "mode tunnel",
            "crypto ipsec transform-set TS2 esp-gcm 256",
            "mode transport",
            "crypto ipsec transform-set TS3 esp-aes esp-sha-hmac",
            "crypto ipsec transform-set TS3 esp-aes 192 esp-sha512-hmac",
            "crypto ipsec profile IPSEC-VPS",
            "set transform-set TS TS2",
            "set ikev2-profile PROF-VPS",
            "set pfs group19",
            "set security-association lifetime seconds 1800",
            "set security-association lifetime kilobytes 102400000",
        ]);
        const run = emu.runningConfig();
        assert.equal(block(run, "crypto ipsec transform-set TS esp-aes 256 esp-sha256-hmac "), "crypto ipsec transform-set TS esp-aes 256 esp-sha256-hmac \n mode tunnel");
        assert.equal(block(run, "crypto ipsec transform-set TS2 esp-gcm 256 "), "crypto ipsec transform-set TS2 esp-gcm 256 \n mode transport");
        assert.equal(block(run, "crypto ipsec transform-set TS3 esp-aes 192 esp-sha512-hmac "), "crypto ipsec transform-set TS3 esp-aes 192 esp-sha512-hmac \n mode tunnel");
        assert.equal(
            block(run, "crypto ipsec profile IPSEC-VPS"),
            "crypto ipsec profile IPSEC-VPS\n set security-association lifetime seconds 1800\n set security-association lifetime kilobytes 102400000\n set transform-set TS TS2 \n set pfs group19\n set ikev2-profile PROF-VPS",
        );
        await configure(sh, [
            "crypto ipsec transform-set TS2 esp-gcm 256",
            "no mode",
            "crypto ipsec profile IPSEC-VPS",
            "no set pfs",
            "no set security-association lifetime seconds",
            "no set security-association lifetime kilobytes",
            "no set ikev2-profile",
            "set transform-set TS",
        ]);
        const run2 = emu.runningConfig();
        assert.equal(block(run2, "crypto ipsec transform-set TS2 esp-gcm 256 "), "crypto ipsec transform-set TS2 esp-gcm 256 \n mode tunnel");
        assert.equal(block(run2, "crypto ipsec profile IPSEC-VPS"), "crypto ipsec profile IPSEC-VPS\n set transform-set TS ");
        await configure(sh, ["no crypto ipsec profile IPSEC-VPS", "no crypto ipsec transform-set TS", "no crypto ipsec transform-set TS2", "no crypto ipsec transform-set TS3"]);
        assert.doesNotMatch(emu.runningConfig(), /crypto ipsec/);
        await sh.cmd("conf t");
        assert.match(await sh.cmd("crypto ipsec transform-set TX esp-des"), /% Invalid input/);
        assert.match(await sh.cmd("crypto ipsec transform-set TX esp-aes 512"), /% Invalid input/);
        await sh.cmd("end");
    });

    it("round-trips tunnel and physical interfaces in IOS order, and their no forms", async () => {
        await configure(sh, [
            "interface Tunnel10",
            "description to vps",
            "ip address 172.16.0.1 255.255.255.252",
            "ip mtu 1400",
            "ip tcp adjust-mss 1360",
            "tunnel source GigabitEthernet1",
            "tunnel mode ipsec ipv4",
            "tunnel destination 203.0.113.7",
            "tunnel protection ipsec profile IPSEC-VPS",
            "interface Tunnel2",
            "tunnel source 198.51.100.1",
            "shutdown",
            "interface GigabitEthernet1",
            "description uplink",
            "ip address 198.51.100.1 255.255.255.0",
            "interface gi2",
            "shutdown",
        ]);
        const run = emu.runningConfig();
        const order = [...run.matchAll(/^interface (\S+)$/gm)].map((m) => m[1]);
        assert.deepEqual(order, ["GigabitEthernet1", "GigabitEthernet2", "Tunnel2", "Tunnel10"]);
        assert.equal(
            block(run, "interface Tunnel10"),
            "interface Tunnel10\n description to vps\n ip address 172.16.0.1 255.255.255.252\n ip mtu 1400\n ip tcp adjust-mss 1360\n tunnel source GigabitEthernet1\n tunnel mode ipsec ipv4\n tunnel destination 203.0.113.7\n tunnel protection ipsec profile IPSEC-VPS",
        );
        assert.equal(block(run, "interface Tunnel2"), "interface Tunnel2\n no ip address\n shutdown\n tunnel source 198.51.100.1");
        assert.equal(block(run, "interface GigabitEthernet1"), "interface GigabitEthernet1\n description uplink\n ip address 198.51.100.1 255.255.255.0");
        assert.equal(block(run, "interface GigabitEthernet2"), "interface GigabitEthernet2\n no ip address\n shutdown");
        await configure(sh, [
            "interface Tunnel10",
            "no description",
            "no ip address",
            "no ip mtu",
            "no ip tcp adjust-mss",
            "no tunnel source",
            "no tunnel mode",
            "no tunnel destination",
            "no tunnel protection ipsec profile",
            "interface GigabitEthernet2",
            "no shutdown",
            "no interface Tunnel2",
        ]);
        const run2 = emu.runningConfig();
        assert.equal(block(run2, "interface Tunnel10"), "interface Tunnel10\n no ip address");
        assert.equal(block(run2, "interface GigabitEthernet2"), "interface GigabitEthernet2\n no ip address");
        assert.doesNotMatch(run2, /Tunnel2$/m);
        assert.equal(
            await execOnce(emu.port, "show running-config interface Tunnel10"),
            "Building configuration...\r\n\r\nCurrent configuration : 40 bytes\r\n!\r\ninterface Tunnel10\r\n no ip address\r\nend\r\n\r\n",
        );
        await sh.cmd("conf t");
        await sh.cmd("interface GigabitEthernet1");
        assert.match(await sh.cmd("tunnel destination 1.2.3.4"), /% Invalid input/);
        assert.match(await sh.cmd("no interface GigabitEthernet1"), /% Invalid input/);
        await sh.cmd("end");
    });

    it("round-trips ip route lines in prefix order, and their no forms", async () => {
        await configure(sh, [
            "ip route 10.2.0.0 255.255.255.0 Tunnel1",
            "ip route 10.1.0.0 255.255.0.0 192.0.2.1 250 name backup",
            "ip route 10.3.0.0 255.255.255.0 GigabitEthernet1 198.51.100.254",
            "ip route 10.2.0.0 255.255.255.0 Tunnel2 10",
        ]);
        assert.deepEqual(emu.runningConfig().split("\n").filter((l) => l.startsWith("ip route")), [
            "ip route 10.1.0.0 255.255.0.0 192.0.2.1 250 name backup",
            "ip route 10.2.0.0 255.255.255.0 Tunnel1",
            "ip route 10.2.0.0 255.255.255.0 Tunnel2 10",
            "ip route 10.3.0.0 255.255.255.0 GigabitEthernet1 198.51.100.254",
        ]);
        await sh.cmd("conf t");
        assert.match(await sh.cmd("ip route 10.2.0.1 255.255.255.0 Tunnel1"), /%Inconsistent address and mask/);
        await sh.cmd("end");
        await configure(sh, ["no ip route 10.2.0.0 255.255.255.0 Tunnel1", "no ip route 10.1.0.0 255.255.0.0"]);
        assert.deepEqual(emu.runningConfig().split("\n").filter((l) => l.startsWith("ip route")), [
            "ip route 10.2.0.0 255.255.255.0 Tunnel2 10",
            "ip route 10.3.0.0 255.255.255.0 GigabitEthernet1 198.51.100.254",
        ]);
    });

    it("accepts hostname, enable secret and username, printing secrets only as type 9", async () => {
        await configure(sh, ["hostname edge1", "enable secret n3w-enable", "username ops privilege 15 secret ops-pass"]);
        const run = emu.runningConfig();
        assert.match(run, /^hostname edge1$/m);
        assert.match(run, /^enable secret 9 \$9\$[./0-9A-Za-z]{14}\$[./0-9A-Za-z]{43}$/m);
        assert.match(run, /^username ops privilege 15 secret 9 \$9\$/m);
        assert.ok(!run.includes("n3w-enable") && !run.includes("ops-pass"));
        assert.match(await sh.cmd("conf t"), /edge1\(config\)#$/);
        await sh.cmd("hostname home");
        await sh.cmd("end");
        // The new enable secret is the one `enable` checks now.
        const op = await Shell.open(emu.port, "oper", "oper-pw");
        try {
            op.write("enable\r");
            await op.waitFor(/Password: $/);
            op.write("n3w-enable\r");
            assert.match(await op.waitFor(/[>#]$/), /home#$/);
        } finally {
            op.close();
        }
    });

    it("prints pre-shared keys as type 6 with `password encryption aes` and a config key", async () => {
        await configure(sh, ["crypto ikev2 keyring KR", "peer a", "address 192.0.2.1", "pre-shared-key clear-one"]);
        assert.match(emu.runningConfig(), /pre-shared-key clear-one/);
        await configure(sh, ["key config-key password-encrypt MasterKey123", "password encryption aes"]);
        const run = emu.runningConfig();
        assert.match(run, /^password encryption aes$/m);
        assert.doesNotMatch(run, /clear-one|MasterKey123|config-key/);
        const m = /^ {2}pre-shared-key 6 (\S+)$/m.exec(run);
        assert.ok(m, run);
        await configure(sh, ["crypto ikev2 keyring KR", "peer b", "address 192.0.2.2", "pre-shared-key local clear-one", "pre-shared-key remote clear-two"]);
        const run2 = emu.runningConfig();
        const local = /^ {2}pre-shared-key local 6 (\S+)$/m.exec(run2);
        const remote = /^ {2}pre-shared-key remote 6 (\S+)$/m.exec(run2);
        assert.ok(local && remote, run2);
        assert.equal(local[1], m[1], "one key gives one cipher text during a boot");
        assert.notEqual(remote[1], m[1]);
        assert.doesNotMatch(run2, /clear-two/);
    });
});

describe("IOS emulator startup-config", function () {
    this.timeout(20000);

    it("write memory and copy running-config startup-config persist to <stateDir>/startup-config (0600), which survives a restart", async () => {
        const dir = tempDir();
        let emu = await startEmu({ stateDir: dir });
        try {
            assert.equal(emu.startupConfig(), undefined);
            assert.match(await execOnce(emu.port, "show startup-config"), /startup-config is not present/);
            const sh = await Shell.open(emu.port);
            await sh.cmd("terminal length 0");
            await configure(sh, ["crypto ikev2 proposal P1", "encryption aes-cbc-256", "interface Tunnel1", "ip address 172.16.0.1 255.255.255.252"]);
            assert.equal(await sh.out("write memory"), "Building configuration...\n[OK]");
            const file = path.join(dir, "startup-config");
            assert.equal(fs.statSync(file).mode & 0o777, 0o600);
            await configure(sh, ["ip route 10.2.0.0 255.255.255.0 Tunnel1"]);
            sh.write("copy running-config startup-config\r");
            assert.match(await sh.waitFor(/Destination filename \[startup-config\]\? $/), /copy running-config startup-config/);
            sh.write("\r");
            assert.match(await sh.waitFor(/home#$/), /Building configuration\.\.\.\r\n\[OK\]\r\nhome#$/);
            assert.match(await sh.out("show startup-config"), /^Using \d+ out of 33554432 bytes\n!\n/);
            sh.close();
            assert.equal(emu.startupConfig(), fs.readFileSync(file, "utf8"));
        } finally {
            await emu.close();
        }
        const before = fs.readFileSync(path.join(dir, "startup-config"), "utf8");
        emu = await startEmu({ stateDir: dir });
        try {
            const run = emu.runningConfig();
            assert.match(run, /crypto ikev2 proposal P1 \n encryption aes-cbc-256\n/);
            assert.match(run, /interface Tunnel1\n ip address 172\.16\.0\.1 255\.255\.255\.252\n/);
            assert.match(run, /^ip route 10\.2\.0\.0 255\.255\.255\.0 Tunnel1$/m);
            assert.equal(run.slice(run.indexOf("\n!\n") + 1), before, "running-config after boot is the startup-config");
        } finally {
            await emu.close();
        }
    });

    it("loadRunningConfig(runningConfig()) is a fixed point for a full configuration", async () => {
        const emu = await startEmu();
        try {
            const sh = await Shell.open(emu.port);
            await configure(sh, [
                "crypto ikev2 proposal P1",
                "encryption aes-gcm-256",
                "prf sha384",
                "group 20",
                "crypto ikev2 policy POL1",
                "proposal P1",
                "crypto ikev2 keyring KR",
                "peer vps",
                "address 203.0.113.7",
                "pre-shared-key k1",
                "crypto ikev2 profile PROF",
                "match identity remote address 203.0.113.7",
                "identity local address 198.51.100.1",
                "authentication remote pre-share",
                "authentication local pre-share",
                "keyring local KR",
                "crypto ipsec transform-set TS esp-gcm 256",
                "crypto ipsec profile IPS",
                "set transform-set TS",
                "set ikev2-profile PROF",
                "interface Tunnel1",
                "ip address 172.16.0.1 255.255.255.252",
                "tunnel source GigabitEthernet1",
                "tunnel mode ipsec ipv4",
                "tunnel destination 203.0.113.7",
                "tunnel protection ipsec profile IPS",
                "ip route 10.2.0.0 255.255.255.0 Tunnel1",
            ]);
            sh.close();
            const first = emu.runningConfig();
            emu.loadRunningConfig(first);
            assert.equal(emu.runningConfig(), first);
        } finally {
            await emu.close();
        }
    });
});
