/**
 * The provider's algorithm table (provider/algorithms.ts) and the IOS emulator's own
 * (emulator/ios/ike/algorithms.ts) were written separately; here they must agree on every row,
 * keyed by the IANA transform ID (plus key length), so that a wrong mapping on either side fails
 * instead of being mirrored on both ends of every lab tunnel.
 */
import { strict as assert } from "assert";
import { ALGORITHMS, AlgorithmRow, DH, ENCR, espProposal, ikeProposal, INTEG, PRF, TransformType } from "../../emulator/ios/ike/algorithms";
import {
    DH_GROUP_KEYWORDS,
    DH_GROUPS,
    ESP_ENCRYPTION_KEYWORDS,
    ESP_INTEGRITY_KEYWORDS,
    espProposalToStrongSwan,
    IKE_ENCRYPTION_KEYWORDS,
    IkeProposal,
    ikeProposalToStrongSwan,
    INTEGRITY_KEYWORDS,
    PRF_KEYWORDS,
} from "../../provider/algorithms";

const TYPE_NAMES: Record<TransformType, string> = { [ENCR]: "ENCR", [PRF]: "PRF", [INTEG]: "INTEG", [DH]: "DH" };

function rowId(r: AlgorithmRow): string {
    return `${TYPE_NAMES[r.transformType]} ${r.ianaId}${r.keyLength ? `/${r.keyLength}` : ""} (${r.ianaName})`;
}

/** One row as the provider sees it: the IOS words and the strongSwan keyword it maps them to. */
interface ProviderRow {
    type: TransformType;
    iosProposal?: string;
    iosTransform?: string;
    iosPfs?: string;
    strongSwan: string;
}

/** The provider's table, read row by row from its exported maps (its ESP names are `esp-aes-256`, IOS's words `esp-aes 256`). */
function providerRows(): ProviderRow[] {
    const rows: ProviderRow[] = [];
    for (const [ios, kw] of Object.entries(IKE_ENCRYPTION_KEYWORDS)) {
        const esp = Object.entries(ESP_ENCRYPTION_KEYWORDS).find(([, k]) => k === kw)?.[0];
        rows.push({ type: ENCR, iosProposal: ios, iosTransform: esp?.replace(/-(\d+)$/, " $1"), strongSwan: kw });
    }
    for (const [ios, kw] of Object.entries(INTEGRITY_KEYWORDS)) {
        const esp = Object.entries(ESP_INTEGRITY_KEYWORDS).find(([, k]) => k === kw)?.[0];
        rows.push({ type: INTEG, iosProposal: ios, iosTransform: esp, strongSwan: kw });
    }
    for (const [ios, kw] of Object.entries(PRF_KEYWORDS)) rows.push({ type: PRF, iosProposal: ios, strongSwan: kw });
    for (const g of DH_GROUPS) rows.push({ type: DH, iosProposal: String(g), iosPfs: `group${g}`, strongSwan: DH_GROUP_KEYWORDS[g] });
    return rows;
}

/** Rows the emulator has and the provider deliberately refuses (IOS accepts them; they are weak). */
const EMULATOR_ONLY = ["DH 2 (1024-bit MODP Group)", "DH 5 (1536-bit MODP Group)"];

describe("algorithm tables: the provider's and the emulator's agree by IANA ID", () => {
    const provider = providerRows();

    it("every provider row has an emulator row", () => {
        assert.equal(provider.length, ALGORITHMS.length - EMULATOR_ONLY.length);
    });

    for (const r of ALGORITHMS) {
        it(`${rowId(r)}: IOS ${[r.iosProposal, r.iosTransform, r.iosPfs].filter(Boolean).join(" / ")} = strongSwan ${r.strongSwan}`, () => {
            // The provider's row for the same IOS word, if any...
            const mine = provider.filter((p) => p.type === r.transformType && p.iosProposal === r.iosProposal);
            if (EMULATOR_ONLY.includes(rowId(r))) {
                assert.deepEqual(mine, [], `${rowId(r)} is listed as emulator-only but the provider has it`);
                return;
            }
            assert.equal(mine.length, 1, `the provider has no row for IOS ${r.iosProposal} (${rowId(r)})`);
            // ...names the same transform on every side.
            assert.equal(mine[0].strongSwan, r.strongSwan, `${rowId(r)}: strongSwan keyword`);
            assert.equal(mine[0].iosTransform, r.iosTransform, `${rowId(r)}: IOS transform-set words`);
            assert.equal(mine[0].iosPfs, r.iosPfs, `${rowId(r)}: IOS set pfs`);
        });
    }

    it("has one emulator row per IANA transform (and key length)", () => {
        const ids = ALGORITHMS.map(rowId);
        assert.equal(new Set(ids).size, ids.length);
    });

    it("builds the same proposals from the same IOS configuration", () => {
        const ike: IkeProposal[] = [
            { encryption: ["aes-cbc-256", "aes-cbc-128"], integrity: ["sha256", "sha1"], groups: [14, 19] },
            { encryption: ["aes-gcm-256"], prf: ["sha384"], groups: [20] },
            { encryption: ["aes-cbc-192"], integrity: ["sha512"], prf: ["sha384"], groups: [24, 21, 16, 15] },
        ];
        for (const p of ike) {
            const asIos = { encryption: p.encryption, integrity: p.integrity ?? [], prf: p.prf ?? [], group: p.groups.map(String) };
            assert.equal(ikeProposal(asIos), ikeProposalToStrongSwan(p));
        }
        assert.equal(espProposal(["esp-aes", "256", "esp-sha256-hmac"], "group14"), espProposalToStrongSwan({ encryption: "esp-aes-256", integrity: "esp-sha256-hmac" }, 14));
        assert.equal(espProposal(["esp-gcm", "128"]), espProposalToStrongSwan({ encryption: "esp-gcm-128" }));
        assert.equal(espProposal(["esp-aes", "esp-sha-hmac"]), espProposalToStrongSwan({ encryption: "esp-aes-128", integrity: "esp-sha-hmac" }));
    });
});
