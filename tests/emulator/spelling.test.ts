// The emulator stores what was typed as IOS does and prints IOS's spelling: IPv6 upper case and
// compressed, interface names in full, defaults hidden, a peer's single address and identity, the
// list semantics of match lines, and keywords where a value could go (see emulator/ios/README.md).
import { strict as assert } from "assert";
import { IosEmulator } from "../../emulator/ios/server";
import { ipv6Text } from "../../emulator/ios/spelling";
import { Shell, block, startEmu } from "./helpers";

describe("IOS emulator: IOS's own spelling of what was typed", function () {
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

    /** Runs lines in configuration mode; returns each line's answer. */
    async function configure(lines: string[]): Promise<string[]> {
        await sh.cmd("configure terminal");
        const out: string[] = [];
        for (const l of lines) out.push(await sh.cmd(l));
        await sh.cmd("end");
        return out;
    }

    it("IPv6 as RFC 5952 in upper case, whatever was typed", () => {
        assert.equal(ipv6Text("2001:0db8:0000:0000:0000:0000:0000:0007"), "2001:DB8::7");
        assert.equal(ipv6Text("2001:db8:0:0:1:0:0:1"), "2001:DB8::1:0:0:1");
        assert.equal(ipv6Text("2001:DB8:0:3::2"), "2001:DB8:0:3::2");
        assert.equal(ipv6Text("2001:db8:0:1:1:1:1:1"), "2001:DB8:0:1:1:1:1:1");
        assert.equal(ipv6Text("::"), "::");
        assert.equal(ipv6Text("fe80::1%eth0"), undefined);
        assert.equal(ipv6Text("::ffff:192.0.2.1"), undefined);
    });

    it("prints IPv6 addresses and prefixes of peers, identities, local addresses and tunnels in its own form", async () => {
        const answers = await configure([
            "crypto ikev2 keyring KR",
            "peer v6",
            "address 2001:0db8:0:0::7/128",
            "identity address 2001:db8::0:7",
            "crypto ikev2 profile P",
            "match identity remote address 2001:db8:0:0:0:0:0:7/128",
            "match address local 2001:db8::1",
            "identity local address 2001:DB8:0::1",
            "crypto ikev2 policy POL",
            "match address local 2001:db8::a",
            "interface Tunnel6",
            "tunnel mode ipsec ipv6",
            "tunnel source 2001:db8::1",
            "tunnel destination 2001:db8:0:0::7",
        ]);
        assert.ok(answers.every((a) => !a.includes("%")), answers.join("\n"));
        const run = emu.runningConfig();
        assert.match(block(run, "crypto ikev2 keyring KR"), /\n  address 2001:DB8::7\/128\n  identity address 2001:DB8::7\n/);
        assert.match(block(run, "crypto ikev2 profile P"), /\n match address local 2001:DB8::1\n match identity remote address 2001:DB8::7\/128 \n identity local address 2001:DB8::1/);
        assert.match(block(run, "crypto ikev2 policy POL "), /match address local 2001:DB8::A/);
        assert.match(block(run, "interface Tunnel6"), /tunnel source 2001:DB8::1\n tunnel mode ipsec ipv6\n tunnel destination 2001:DB8::7/);
    });

    it("expands interface names in any case and abbreviation, refuses ambiguous ones", async () => {
        const answers = await configure(["interface tu7", "tunnel source gi1", "interface TUNNEL8", "tunnel source gigabitethernet01", "interface Tunnel9", "tunnel source t1"]);
        assert.match(answers[5], /% Invalid input/, "t abbreviates Tunnel, TenGigabitEthernet, TwoGigabitEthernet ...");
        const run = emu.runningConfig();
        assert.match(block(run, "interface Tunnel7"), /tunnel source GigabitEthernet1$/m);
        assert.match(block(run, "interface Tunnel8"), /tunnel source GigabitEthernet1$/m);
    });

    it("does not print default values", async () => {
        await configure([
            "crypto ipsec transform-set T esp-aes 128 esp-sha-hmac",
            "crypto ipsec transform-set G esp-gcm 128",
            "crypto ipsec profile IP",
            "set transform-set T",
            "set security-association lifetime seconds 3600",
            "set security-association lifetime kilobytes 4608000",
            "crypto ikev2 profile P",
            "lifetime 86400",
            "interface Tunnel1",
            "ip route 10.9.0.0 255.255.0.0 Tunnel1 1",
        ]);
        const run = emu.runningConfig();
        assert.match(run, /^crypto ipsec transform-set T esp-aes esp-sha-hmac \n mode tunnel$/m, "`mode tunnel` is printed although it is the default (S4)");
        assert.match(run, /^crypto ipsec transform-set G esp-gcm $/m);
        assert.equal(block(run, "crypto ipsec profile IP"), "crypto ipsec profile IP\n set transform-set T ");
        assert.equal(block(run, "crypto ikev2 profile P"), "crypto ikev2 profile P");
        assert.match(run, /^ip route 10\.9\.0\.0 255\.255\.0\.0 Tunnel1$/m);
    });

    it("a peer has one address and one identity; the latest replaces the earlier", async () => {
        await configure(["crypto ikev2 keyring KR", "peer p", "address 203.0.113.7", "address 2001:db8::7/128", "identity address 203.0.113.7", "identity fqdn p.example.net"]);
        assert.equal(block(emu.runningConfig(), "crypto ikev2 keyring KR").replace(/\n !/g, ""), "crypto ikev2 keyring KR\n peer p\n  address 2001:DB8::7/128\n  identity fqdn p.example.net");
    });

    it("match identity remote addresses are keyed by address: a new mask replaces the old", async () => {
        await configure([
            "crypto ikev2 profile P",
            "match identity remote address 10.1.0.0 255.255.0.0",
            "match identity remote address 10.1.0.0 255.255.255.0",
            "match identity remote address 10.2.0.0 255.255.0.0",
        ]);
        assert.equal(
            block(emu.runningConfig(), "crypto ikev2 profile P"),
            "crypto ikev2 profile P\n match identity remote address 10.1.0.0 255.255.255.0 \n match identity remote address 10.2.0.0 255.255.0.0 ",
        );
        await configure(["crypto ikev2 profile P", "no match identity remote address 10.1.0.0 255.255.0.0"]);
        assert.equal(block(emu.runningConfig(), "crypto ikev2 profile P"), "crypto ikev2 profile P\n match identity remote address 10.2.0.0 255.255.0.0 ");
    });

    it("a profile has one local address; a policy a list of them and refuses a proposal it has", async () => {
        const answers = await configure([
            "crypto ikev2 profile P",
            "match address local 198.51.100.1",
            "match address local 198.51.100.2",
            "crypto ikev2 policy POL",
            "match address local 198.51.100.1",
            "match address local 198.51.100.2",
            "proposal A",
            "proposal B",
            "proposal A",
        ]);
        assert.match(answers[8], /% Policy already has same proposal set/);
        const run = emu.runningConfig();
        assert.equal(block(run, "crypto ikev2 profile P"), "crypto ikev2 profile P\n match address local 198.51.100.2");
        assert.equal(block(run, "crypto ikev2 policy POL "), "crypto ikev2 policy POL \n match address local 198.51.100.1\n match address local 198.51.100.2\n proposal A\n proposal B");
    });

    it("reads a key that abbreviates a keyword of pre-shared-key as that keyword", async () => {
        const answers = await configure([
            "crypto ikev2 keyring KR",
            "peer p",
            "pre-shared-key l",
            "pre-shared-key REM",
            "pre-shared-key h",
            "pre-shared-key hexagon",
            "match fvrf ANY",
        ]);
        for (const i of [2, 3, 4]) assert.match(answers[i], /% Incomplete command/, `answer ${i}: ${answers[i]}`);
        assert.match(block(emu.runningConfig(), "crypto ikev2 keyring KR"), /pre-shared-key hexagon/);
        const fvrf = await configure(["crypto ikev2 policy POL", "match fvrf ANY"]);
        assert.ok(!fvrf[1].includes("%"));
        assert.match(block(emu.runningConfig(), "crypto ikev2 policy POL "), /match fvrf any/);
    });
});
