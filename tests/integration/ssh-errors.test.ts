/** Redaction: every message from the SSH edge goes through it. */
import assert from "assert";
import { redact } from "../../provider/masking";
import { DeviceError } from "../../provider/ssh/errors";

describe("ssh redact", () => {
    it("masks each secret and its escaped forms", () => {
        const s = `k"e'y\\1`;
        const text = [s, JSON.stringify(s), `'${s.replace(/'/g, `'\\''`)}'`, `"${s.replace(/[\\"]/g, (c) => "\\" + c)}"`, encodeURIComponent(s)].join(" | ");
        const out = redact(text, [s]);
        assert.ok(!out.includes("e'y") && !out.includes("k\\\"e") && !out.includes("k%22e"), out);
        assert.strictEqual(out.split("*****").length - 1, 5, out);
    });

    it("masks the longest secret first and ignores empty ones", () => {
        assert.strictEqual(redact("abc abcdef", ["abc", "abcdef", ""]), "***** *****");
    });

    it("masks pre-shared-key, enable and username secrets and swanctl secret lines even when not listed", () => {
        const text = [
            " pre-shared-key unlisted-key-1",
            " pre-shared-key local 6 AbC$%^",
            " pre-shared-key remote 0 zz top",
            "enable secret 9 $9$abc",
            "username admin privilege 15 secret 0 hunter2",
            '    secret = "swan secret"',
            " address 203.0.113.7",
        ].join("\n");
        const out = redact(text, []);
        for (const leaked of ["unlisted-key-1", "AbC$", "zz top", "$9$abc", "hunter2", "swan secret"]) assert.ok(!out.includes(leaked), out);
        assert.match(out, /pre-shared-key local 6 \*\*\*\*\*/);
        assert.match(out, / address 203\.0\.113\.7/);
    });

    it("DeviceError carries the device and the command", () => {
        const e = new DeviceError("admin@r1", "boom", "show x");
        assert.ok(e instanceof Error);
        assert.deepStrictEqual([e.name, e.device, e.command, e.message], ["DeviceError", "admin@r1", "show x", "boom"]);
    });
});
