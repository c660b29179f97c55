/**
 * `ping` on the emulated router: IOS's output from the echoes Linux's ping reports, and the
 * answers that need no packets. The echoes themselves are real only in the lab
 * (tests/lab/ios-diagnosis.test.ts); an emulator started here has no data path and says so.
 */
import { strict as assert } from "assert";
import { formatPing, parseLinuxPing } from "../../emulator/ios/ping";
import { IosEmulator } from "../../emulator/ios/server";
import { execOnce, startEmu } from "./helpers";

const LINUX_OUTPUT = `PING 10.2.0.1 (10.2.0.1) from 10.1.0.1 : 72(100) bytes of data.
80 bytes from 10.2.0.1: icmp_seq=1 ttl=64 time=1.62 ms
80 bytes from 10.2.0.1: icmp_seq=2 ttl=64 time=0.412 ms
From 198.51.100.254 icmp_seq=4 Destination Net Unreachable
80 bytes from 10.2.0.1: icmp_seq=5 ttl=64 time=3.51 ms

--- 10.2.0.1 ping statistics ---
5 packets transmitted, 3 received, +1 errors, 40% packet loss, time 812ms
`;

describe("IOS emulator ping", () => {
    it("prints IOS's lines from Linux's echoes: ! . U, success rate, round trips in whole ms", () => {
        const echoes = parseLinuxPing(LINUX_OUTPUT, 5);
        assert.deepEqual(echoes, [1.62, 0.412, undefined, "unreachable", 3.51]);
        assert.equal(
            formatPing({ destination: "10.2.0.1", source: "10.1.0.1", repeat: 5, size: 100, timeout: 2 }, echoes),
            [
                "Type escape sequence to abort.",
                "Sending 5, 100-byte ICMP Echos to 10.2.0.1, timeout is 2 seconds:",
                "Packet sent with a source address of 10.1.0.1 ",
                "!!.U!",
                "Success rate is 60 percent (3/5), round-trip min/avg/max = 1/2/4 ms",
            ].join("\n"),
        );
        const none = formatPing({ destination: "10.9.9.9", repeat: 2, size: 100, timeout: 2 }, [undefined, undefined]);
        assert.match(none, /\n\.\.\nSuccess rate is 0 percent \(0\/2\)$/);
        assert.doesNotMatch(none, /source address/);
        const many = formatPing({ destination: "10.2.0.1", repeat: 100, size: 100, timeout: 2 }, Array.from({ length: 100 }, () => 1));
        assert.match(many, /\n!{70}\n!{30}\nSuccess rate is 100 percent \(100\/100\)/);
    });

    describe("without the lab", function () {
        this.timeout(10000);
        let emu: IosEmulator;
        before(async () => {
            emu = await startEmu({ interfaces: [{ name: "GigabitEthernet1", address: "198.51.100.1", mask: "255.255.255.0" }, { name: "GigabitEthernet2" }] });
        });
        after(() => emu.close());

        it("sends nothing and says why; refuses sources the router does not have, as IOS words it", async () => {
            assert.match(await execOnce(emu.port, "ping 10.2.0.1 source GigabitEthernet1 repeat 3"), /^% This emulator has no data path outside the lab/);
            assert.match(await execOnce(emu.port, "ping 10.2.0.1 source 10.7.7.7"), /^% Invalid source address- IP address not on any of our up interfaces/);
            assert.match(await execOnce(emu.port, "ping 10.2.0.1 source Gi2"), /^% Invalid source interface - IP not enabled or interface is down/);
            assert.match(await execOnce(emu.port, "ping not-an-address"), /^% Unrecognized host or address, or protocol not running\./);
            assert.match(await execOnce(emu.port, "ping 10.2.0.1 repeat 0"), /% Invalid input detected at '\^' marker\./);
            assert.match(await execOnce(emu.port, "ping 10.2.0.1 source GigabitEthernet1", "oper", "oper-pw"), /no data path/, "ping is a user-EXEC command");
        });
    });
});
