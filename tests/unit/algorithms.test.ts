import * as assert from "assert";
import {
    DH_GROUPS,
    DhGroup,
    ESP_ENCRYPTIONS,
    ESP_INTEGRITIES,
    espProposalToStrongSwan,
    IKE_ENCRYPTIONS,
    ikeProposalToStrongSwan,
} from "../../provider/algorithms";
import { parseStrongSwanProposal } from "../../provider/strongswan/proposals";

// REFERENCE.md "Algorithm names: IOS vs strongSwan", row by row.
const IKE_ENC_ROWS: [string, string][] = [
    ["aes-cbc-128", "aes128"],
    ["aes-cbc-192", "aes192"],
    ["aes-cbc-256", "aes256"],
    ["aes-gcm-128", "aes128gcm16"],
    ["aes-gcm-256", "aes256gcm16"],
];
const ESP_ENC_ROWS: [string, string][] = [
    ["esp-aes-128", "aes128"],
    ["esp-aes-192", "aes192"],
    ["esp-aes-256", "aes256"],
    ["esp-gcm-128", "aes128gcm16"],
    ["esp-gcm-256", "aes256gcm16"],
];
const INTEGRITY_ROWS: [string, string, string][] = [
    ["sha1", "esp-sha-hmac", "sha1"],
    ["sha256", "esp-sha256-hmac", "sha256"],
    ["sha384", "esp-sha384-hmac", "sha384"],
    ["sha512", "esp-sha512-hmac", "sha512"],
];
const PRF_ROWS: [string, string][] = [
    ["sha1", "prfsha1"],
    ["sha256", "prfsha256"],
    ["sha384", "prfsha384"],
    ["sha512", "prfsha512"],
];
const GROUP_ROWS: [DhGroup, string][] = [
    [14, "modp2048"],
    [15, "modp3072"],
    [16, "modp4096"],
    [19, "ecp256"],
    [20, "ecp384"],
    [21, "ecp521"],
    [24, "modp2048s256"],
];

describe("algorithms: IOS <-> strongSwan table", () => {
    it("exports the literal lists both sides share", () => {
        assert.deepStrictEqual([...IKE_ENCRYPTIONS], IKE_ENC_ROWS.map((r) => r[0]));
        assert.deepStrictEqual([...ESP_ENCRYPTIONS], ESP_ENC_ROWS.map((r) => r[0]));
        assert.deepStrictEqual([...ESP_INTEGRITIES], INTEGRITY_ROWS.map((r) => r[1]));
        assert.deepStrictEqual([...DH_GROUPS], GROUP_ROWS.map((r) => r[0]));
    });

    for (const [ios, kw] of IKE_ENC_ROWS) {
        const gcm = ios.includes("gcm");
        const p = gcm
            ? { encryption: [ios as never], prf: ["sha384" as const], groups: [20 as const] }
            : { encryption: [ios as never], integrity: ["sha256" as const], groups: [14 as const] };
        const text = gcm ? `${kw}-prfsha384-ecp384` : `${kw}-sha256-modp2048`;
        it(`IKE encryption ${ios} <-> ${kw}`, () => {
            assert.strictEqual(ikeProposalToStrongSwan(p), text);
            const back = parseStrongSwanProposal(text, "ike");
            assert.ok(back.ok);
            assert.deepStrictEqual(back.value.ios, p);
        });
    }
    for (const [ios, esp, kw] of INTEGRITY_ROWS) {
        it(`integrity ${ios} / ${esp} <-> ${kw}`, () => {
            assert.strictEqual(ikeProposalToStrongSwan({ encryption: ["aes-cbc-256"], integrity: [ios as never], groups: [14] }), `aes256-${kw}-modp2048`);
            assert.strictEqual(espProposalToStrongSwan({ encryption: "esp-aes-256", integrity: esp as never }), `aes256-${kw}`);
            const back = parseStrongSwanProposal(`aes256-${kw}`, "esp");
            assert.ok(back.ok);
            assert.deepStrictEqual(back.value.ios, { transform: { encryption: "esp-aes-256", integrity: esp } });
        });
    }
    for (const [ios, kw] of PRF_ROWS) {
        it(`prf ${ios} <-> ${kw}`, () => {
            const p = { encryption: ["aes-cbc-128" as const], integrity: ["sha256" as const], prf: [ios as never], groups: [19 as const] };
            assert.strictEqual(ikeProposalToStrongSwan(p), `aes128-sha256-${kw}-ecp256`);
            const back = parseStrongSwanProposal(`aes128-sha256-${kw}-ecp256`, "ike");
            assert.ok(back.ok);
            assert.deepStrictEqual(back.value.ios, p);
        });
    }
    for (const [group, kw] of GROUP_ROWS) {
        it(`group ${group} / set pfs group${group} <-> ${kw}`, () => {
            assert.strictEqual(ikeProposalToStrongSwan({ encryption: ["aes-cbc-256"], integrity: ["sha256"], groups: [group] }), `aes256-sha256-${kw}`);
            assert.strictEqual(espProposalToStrongSwan({ encryption: "esp-aes-256", integrity: "esp-sha256-hmac" }, group), `aes256-sha256-${kw}`);
            const back = parseStrongSwanProposal(`aes256-sha256-${kw}`, "esp");
            assert.ok(back.ok);
            assert.deepStrictEqual(back.value.ios, { transform: { encryption: "esp-aes-256", integrity: "esp-sha256-hmac" }, pfsGroup: group });
        });
    }
    for (const [ios, kw] of ESP_ENC_ROWS) {
        it(`ESP encryption ${ios} <-> ${kw}`, () => {
            const gcm = ios.includes("gcm");
            const t = gcm ? { encryption: ios as never } : { encryption: ios as never, integrity: "esp-sha256-hmac" as const };
            const text = gcm ? kw : `${kw}-sha256`;
            assert.strictEqual(espProposalToStrongSwan(t), text);
            const back = parseStrongSwanProposal(text, "esp");
            assert.ok(back.ok);
            assert.deepStrictEqual(back.value.ios, { transform: t });
        });
    }

    it("reproduces REFERENCE.md's examples", () => {
        assert.strictEqual(ikeProposalToStrongSwan({ encryption: ["aes-cbc-256"], integrity: ["sha256"], groups: [14] }), "aes256-sha256-modp2048");
        assert.strictEqual(ikeProposalToStrongSwan({ encryption: ["aes-gcm-256"], prf: ["sha384"], groups: [20] }), "aes256gcm16-prfsha384-ecp384");
        assert.strictEqual(espProposalToStrongSwan({ encryption: "esp-aes-256", integrity: "esp-sha256-hmac" }, 14), "aes256-sha256-modp2048");
        assert.strictEqual(espProposalToStrongSwan({ encryption: "esp-aes-256", integrity: "esp-sha256-hmac" }), "aes256-sha256");
    });

    it("keeps several algorithms of a kind in order", () => {
        assert.strictEqual(
            ikeProposalToStrongSwan({ encryption: ["aes-cbc-256", "aes-cbc-128"], integrity: ["sha512", "sha256"], groups: [20, 14] }),
            "aes256-aes128-sha512-sha256-ecp384-modp2048",
        );
    });

    it("refuses combinations strongSwan or IOS refuse, naming the fix", () => {
        assert.throws(() => ikeProposalToStrongSwan({ encryption: ["aes-gcm-256"], groups: [20] }), /no prf\. Fix: set prf/);
        assert.throws(() => ikeProposalToStrongSwan({ encryption: ["aes-gcm-256"], integrity: ["sha256"], prf: ["sha256"], groups: [20] }), /Fix: remove integrity/);
        assert.throws(() => ikeProposalToStrongSwan({ encryption: ["aes-gcm-256", "aes-cbc-256"], integrity: ["sha256"], groups: [20] }), /Fix: split/);
        assert.throws(() => ikeProposalToStrongSwan({ encryption: ["aes-cbc-256"], groups: [14] }), /Fix: set integrity/);
        assert.throws(() => ikeProposalToStrongSwan({ encryption: ["aes-cbc-256"], integrity: ["sha256"], groups: [] }), /Fix: set groups/);
        assert.throws(() => espProposalToStrongSwan({ encryption: "esp-gcm-256", integrity: "esp-sha-hmac" }), /Fix: remove integrity/);
        assert.throws(() => espProposalToStrongSwan({ encryption: "esp-aes-256" }), /Fix: set integrity/);
    });
});

describe("algorithms: raw strongSwan proposals", () => {
    const ok = (text: string, kind: "ike" | "esp") => {
        const r = parseStrongSwanProposal(text, kind);
        assert.ok(r.ok, `${text}: ${r.ok ? "" : r.error}`);
        return r.value;
    };
    const bad = (text: string, kind: "ike" | "esp", pattern: RegExp) => {
        const r = parseStrongSwanProposal(text, kind);
        assert.ok(!r.ok, `${text} should be refused`);
        assert.match(r.error, pattern);
        assert.match(r.error, /\. Fix: /);
    };

    it("accepts strongSwan keywords beyond the IOS table, without an IOS reading", () => {
        const p = ok("chacha20poly1305-prfsha256-curve25519", "ike");
        assert.strictEqual(p.aead, true);
        assert.strictEqual(p.ios, undefined);
        assert.deepStrictEqual(ok("aes256-sha256-modp2048-esn", "esp").esn, ["esn"]);
        assert.strictEqual(ok("aes256-sha256-modp2048-esn", "esp").ios, undefined);
    });
    it("refuses unknown and misspelled keywords", () => {
        bad("aes256-sha256-modp2049", "ike", /modp2049 is not a IKE keyword/);
        bad("aes256-sha256-prfsha256", "esp", /prfsha256 is not a ESP keyword/);
        bad("aes256-sha256-modp2048-esn", "ike", /esn is not a IKE keyword/);
        bad("AES256-sha256-modp2048", "ike", /dash-separated lower-case/);
        bad("aes256 sha256", "esp", /dash-separated/);
        bad("aes256-sha256-modp2048,aes128-sha1-modp2048", "ike", /several proposals.*own list entry/);
        bad("aes256--sha256", "esp", /dash-separated/);
        bad("", "esp", /dash-separated/);
        bad("default", "ike", /default/);
        bad("aes256-sha256-sha256-modp2048", "ike", /twice/);
    });
    it("refuses weak algorithms", () => {
        bad("3des-sha1-modp2048", "ike", /3DES/);
        bad("aes256-md5-modp2048", "ike", /MD5/);
        bad("aes256-sha256-modp1024", "ike", /group 2/);
        bad("aes256-sha256-modp1536", "esp", /group 5/);
    });
    it("applies the AEAD rules", () => {
        bad("aes256gcm16-ecp384", "ike", /AEAD cipher but no PRF.*prfsha384/);
        bad("aes256gcm16-sha256-prfsha256-ecp384", "ike", /integrity sha256 with an AEAD/);
        bad("aes256gcm16-sha256", "esp", /integrity sha256 with an AEAD/);
        bad("aes256gcm16-aes256-sha256-prfsha256-ecp384", "ike", /mixes AEAD/);
        bad("aes256-modp2048", "esp", /without an integrity/);
        bad("aes256-sha256", "ike", /no Diffie-Hellman group/);
        bad("sha256-modp2048", "esp", /no encryption/);
        ok("aes256gcm16", "esp");
        ok("aes256-sha256-prfsha384-modp2048", "ike");
    });
});
