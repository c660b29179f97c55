import { strict as assert } from "assert";
import { IosEmulator } from "../../emulator/ios/server";
import { Shell, execOnce, startEmu } from "./helpers";

describe("IOS emulator fault injection", function () {
    this.timeout(20000);
    let emu: IosEmulator;
    beforeEach(async () => {
        emu = await startEmu();
    });
    afterEach(() => emu.close());

    it("latencyMs delays every answer, and setFaults changes it at run time", async () => {
        emu.setFaults({ latencyMs: 400 });
        let t = Date.now();
        assert.match(await execOnce(emu.port, "show version"), /emulated/);
        assert.ok(Date.now() - t >= 400, "exec channel answer was delayed");
        emu.setFaults({ latencyMs: 0 });
        const sh = await Shell.open(emu.port);
        try {
            // Up and down on an open session. The latency is far above what one answer takes on a
            // loaded machine, so that "without it" is told apart from "slow" with a wide margin.
            emu.setFaults({ latencyMs: 2000 });
            t = Date.now();
            await sh.cmd("show privilege");
            assert.ok(Date.now() - t >= 2000, "shell answer was delayed");
            emu.setFaults({ latencyMs: 0 });
            t = Date.now();
            await sh.cmd("show privilege");
            assert.ok(Date.now() - t < 2000, "shell answer no longer delayed");
        } finally {
            sh.close();
        }
    });

    it("dropAfterLines closes the connection when the line after the last allowed one arrives", async () => {
        emu.setFaults({ dropAfterLines: 3 });
        const sh = await Shell.open(emu.port);
        await sh.cmd("configure terminal");
        await sh.cmd("crypto ikev2 proposal P1");
        await sh.cmd("encryption aes-cbc-256");
        sh.write("group 14\r");
        await assert.rejects(sh.waitFor(/never/), /closed while waiting/);
        const run = emu.runningConfig();
        assert.match(run, /encryption aes-cbc-256/);
        assert.doesNotMatch(run, /group 14/);
        // Counted per connection: a new connection starts again at zero.
        assert.match(await execOnce(emu.port, "show privilege"), /level is 15/);
        emu.setFaults({ dropAfterLines: undefined });
        const sh2 = await Shell.open(emu.port);
        for (let i = 0; i < 6; i++) await sh2.cmd("show privilege");
        sh2.close();
    });

    it("rejectCommands answers matching config commands with % Invalid input and applies nothing", async () => {
        emu.setFaults({ rejectCommands: [/^tunnel protection/] });
        const sh = await Shell.open(emu.port);
        try {
            await sh.cmd("configure terminal");
            await sh.cmd("interface Tunnel1");
            const out = await sh.cmd("tunnel protection ipsec profile IPS");
            assert.ok(out.includes("\r\n" + " ".repeat("home(config-if)#".length) + "^\r\n% Invalid input detected at '^' marker.\r\n"), JSON.stringify(out));
            assert.doesNotMatch(await sh.cmd("tunnel destination 203.0.113.7"), /%/);
            await sh.cmd("end");
            assert.doesNotMatch(emu.runningConfig(), /tunnel protection/);
            assert.match(emu.runningConfig(), /tunnel destination 203\.0\.113\.7/);
            emu.setFaults({ rejectCommands: [] });
            await sh.cmd("conf t");
            await sh.cmd("interface Tunnel1");
            assert.doesNotMatch(await sh.cmd("tunnel protection ipsec profile IPS"), /%/);
            await sh.cmd("end");
            assert.match(emu.runningConfig(), /tunnel protection ipsec profile IPS/);
        } finally {
            sh.close();
        }
    });

    it("never writes secrets to the session log", async () => {
        const lines: string[] = [];
        const e2 = await startEmu({ log: (l) => lines.push(l) });
        try {
            const sh = await Shell.open(e2.port, "oper", "oper-pw");
            sh.write("enable\r");
            await sh.waitFor(/Password: $/);
            sh.write("en-secret\r");
            await sh.waitFor(/#$/);
            await sh.cmd("conf t");
            for (const l of ["crypto ikev2 keyring KR", "peer a", "pre-shared-key local 0 TopSecret1", "pre-shared-key TopSecret2", "key config-key password-encrypt TopSecret3", "enable secret TopSecret4", "username u secret TopSecret5"])
                await sh.cmd(l);
            await sh.cmd("end");
            sh.close();
        } finally {
            await e2.close();
        }
        const text = lines.join("\n");
        assert.match(text, /pre-shared-key local 0 <redacted>/);
        assert.doesNotMatch(text, /TopSecret|en-secret|oper-pw/);
    });
});
