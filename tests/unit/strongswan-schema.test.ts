import * as assert from "assert";
import { z } from "zod";
import { validate } from "../../provider/dynamic/engine";
import { strongSwanConnectionSchema } from "../../provider/schema/strongswan";
import { identityFromSwanctl, identityToSwanctl } from "../../provider/strongswan/swanctl-ids";
import { lanToLan, vpsHome } from "../fixtures/strongswan/story-vps";

type Obj = Record<string, unknown>;
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

/** Sets `path` (dotted, numbers index arrays) in a copy of vpsHome. */
function withValue(path: string, value: unknown): Obj {
    const copy = clone(vpsHome) as Obj;
    const keys = path.split(".");
    let node: Obj = copy;
    for (const k of keys.slice(0, -1)) node = node[k] as Obj;
    node[keys[keys.length - 1]] = value;
    return copy;
}

function failures(input: unknown) {
    const r = validate(strongSwanConnectionSchema, input);
    return r.ok ? [] : r.failures;
}

function refused(input: unknown, property: string, pattern?: RegExp) {
    const f = failures(input);
    const hit = f.find((x) => x.property === property || x.property.startsWith(property));
    assert.ok(hit, `expected a failure at ${property}, got ${JSON.stringify(f)}`);
    assert.match(hit!.reason, /\. Fix: /, "every message names the fix");
    if (pattern) assert.match(hit!.reason, pattern);
}

describe("strongSwan schema", () => {
    it("accepts the story's connections and normalizes proposals to strongSwan strings", () => {
        const home = strongSwanConnectionSchema.parse(vpsHome);
        assert.deepStrictEqual(home.proposals, ["aes256-sha256-modp2048"]);
        assert.deepStrictEqual(home.children[0].espProposals, ["aes256-sha256-modp2048"]);
        assert.strictEqual(home.version, 2);
        assert.strictEqual(home.children[0].lifeTime, "3960s");
        const lan = strongSwanConnectionSchema.parse(lanToLan);
        assert.deepStrictEqual(lan.proposals, ["aes256gcm16-prfsha384-ecp384", "aes256-sha256-modp2048"]);
        assert.deepStrictEqual(lan.children[0].espProposals, ["aes256gcm16-ecp384", "aes256-sha256"]);
        assert.strictEqual(lan.dpdDelay, "30s");
    });

    it("validates its own output again unchanged (models from files are re-checked)", () => {
        for (const input of [vpsHome, lanToLan]) {
            const once = strongSwanConnectionSchema.parse(input);
            assert.deepStrictEqual(strongSwanConnectionSchema.parse(once), once);
        }
    });

    it("describes every property with its swanctl.conf key", () => {
        const json = JSON.stringify(z.toJSONSchema(strongSwanConnectionSchema, { io: "input", unrepresentable: "any" }));
        for (const key of ["local_addrs", "remote_addrs", "proposals", "esp_proposals", "local_ts", "remote_ts", "if_id_in", "if_id_out", "start_action", "dpd_action", "close_action", "dpd_delay", "rekey_time", "life_time", "updown", "secret"]) {
            assert.ok(json.includes(key), `no description mentions ${key}`);
        }
    });

    it("checks cross-field rules", () => {
        const dup = clone(vpsHome) as Obj;
        (dup.children as Obj[]).push({ ...(dup.children as Obj[])[0] });
        refused(dup, "children[1].name", /two children named home-vti/);
        refused(withValue("children", []), "children", /at least 1/);
        const noPsk = clone(vpsHome) as Obj;
        delete noPsk.preSharedKey;
        refused(noPsk, "preSharedKey", /auth is psk but preSharedKey is not set/);
        const noPeer = clone(vpsHome) as Obj;
        delete (noPeer.remote as Obj).id;
        noPeer.remoteAddrs = ["home.example.net"];
        refused(noPeer, "remote.id", /cannot be tied to the peer/);
        delete noPeer.remoteAddrs;
        refused(noPeer, "remote.id", /cannot be tied to the peer/);
        const oneIfId = clone(vpsHome) as Obj;
        delete ((oneIfId.children as Obj[])[0] as Obj).ifIdOut;
        refused(oneIfId, "children[0].ifIdOut", /only one of ifIdIn and ifIdOut/);
        refused(withValue("remote.id", { address: "198.51.100.1", fqdn: "x.example.net" }), "remote.id.fqdn", /exactly one/);
        refused(withValue("remote.id", {}), "remote.id", /none of address/);
    });

    it("refuses wrong values with the fix", () => {
        refused(withValue("version", 3), "version");
        refused(withValue("localAddrs", ["300.1.1.1"]), "localAddrs[0]");
        refused(withValue("remoteAddrs", ["10.0.0.1/8"]), "remoteAddrs[0]");
        refused(withValue("proposals", ["aes256-sha256-modp1024"]), "proposals[0]", /weak/);
        refused(withValue("proposals", [{ encryption: ["aes-gcm-256"], groups: [20] }]), "proposals[0]", /no prf/);
        refused(withValue("proposals", [{ encryption: ["aes-cbc-256"], integrity: ["sha256"], groups: [2] }]), "proposals[0]");
        refused(withValue("proposals", [42]), "proposals[0]", /must be an object/);
        refused(withValue("children.0.espProposals", [{ encryption: "esp-gcm-256", integrity: "esp-sha-hmac" }]), "children[0].espProposals[0]", /remove integrity/);
        refused(withValue("children.0.localTs", ["10.2.0.1/24"]), "children[0].localTs[0]", /host bits zero/);
        refused(withValue("children.0.mode", "beet"), "children[0].mode");
        refused(withValue("children.0.startAction", "route"), "children[0].startAction");
        refused(withValue("children.0.dpdAction", "hold"), "children[0].dpdAction");
        refused(withValue("children.0.ifIdIn", 0), "children[0].ifIdIn");
        refused(withValue("children.0.ifIdIn", "%unique-dir"), "children[0].ifIdIn");
        refused(withValue("children.0.updown", "_updown"), "children[0].updown", /absolute path/);
        refused(withValue("children.0.updown", "/usr/lib/../../bin/sh"), "children[0].updown");
        refused(withValue("children.0.rekeyTime", "1 hour"), "children[0].rekeyTime");
        refused(withValue("children.0.rekeyTime", -5), "children[0].rekeyTime");
        refused(withValue("rekeyTime", "4w"), "rekeyTime");
        refused(withValue("unique", "yes"), "unique");
        refused(withValue("keyingTries", 1.5), "keyingTries");
        refused(withValue("local.auth", "pubkey"), "local.auth", /psk/);
        refused(withValue("mobike", "no"), "mobike");
        refused(withValue("preSharedKey", "short"), "preSharedKey", /8 characters/);
        refused({ ...clone(vpsHome), dpd: 1 }, "", /unknown property 'dpd'/);
    });

    it("accepts %any, IPv6, CIDR, fqdn addresses, dynamic selectors and %unique", () => {
        const input = clone(lanToLan) as Obj;
        input.remoteAddrs = ["%any", "2001:db8::1", "192.0.2.0/24", "peer.example.net"];
        const child = (input.children as Obj[])[0];
        child.localTs = ["dynamic", "2001:db8:2::/48"];
        child.ifIdIn = "%unique";
        child.ifIdOut = "%unique";
        assert.deepStrictEqual(failures(input), []);
    });

    describe("refuses injection into every string property", () => {
        const CORPUS: [string, string][] = [
            ["newline", "a\nb"],
            ["carriage return", "a\rb"],
            ["NUL", "a\u0000b"],
            ["hash", "a#b"],
            ["open brace", "a{b"],
            ["close brace", "a}b"],
            ["quote", 'a"b'],
            ["equals", "a=b"],
            ["comma", "a,b"],
            ["space", "a b"],
            ["non-ASCII", "aé"],
        ];
        const STRING_PATHS = [
            "name",
            "localAddrs.0",
            "remoteAddrs.0",
            "proposals.0",
            "local.id.address",
            "remote.id.address",
            "children.0.name",
            "children.0.localTs.0",
            "children.0.remoteTs.0",
            "children.0.espProposals.0",
            "children.0.updown",
            "children.0.rekeyTime",
            "children.0.lifeTime",
            "children.0.ifIdIn",
            "dpdDelay",
            "rekeyTime",
        ];
        for (const path of STRING_PATHS) {
            it(path, () => {
                for (const [what, bad] of CORPUS) {
                    const f = failures(withValue(path, bad));
                    assert.ok(f.length > 0, `${path} accepted ${what}`);
                }
            });
        }
        for (const kind of ["fqdn", "email", "keyId"]) {
            it(`remote.id.${kind}`, () => {
                for (const [what, bad] of CORPUS) {
                    assert.ok(failures(withValue("remote.id", { [kind]: bad })).length > 0, `remote.id.${kind} accepted ${what}`);
                }
            });
        }
        it("preSharedKey refuses line breaks, control characters and non-ASCII but keeps quotes, # and braces", () => {
            for (const bad of ["longenough\nx", "longenough\rx", "longenough\u0000x", "longenough\tx", "longenoughé"]) {
                assert.ok(failures(withValue("preSharedKey", bad)).length > 0, JSON.stringify(bad));
            }
            assert.deepStrictEqual(failures(withValue("preSharedKey", 'a "quoted" {key} # = , \\ x')), []);
        });
    });

    it("renders identities as swanctl ids and reads them back", () => {
        const cases: [object, string][] = [
            [{ address: "203.0.113.7" }, "203.0.113.7"],
            [{ address: "2001:db8::7" }, "2001:db8::7"],
            [{ fqdn: "vps.example.net" }, "fqdn:vps.example.net"],
            [{ email: "vpn@example.net" }, "email:vpn@example.net"],
            [{ keyId: "branch-4" }, "keyid:branch-4"],
        ];
        for (const [id, text] of cases) {
            assert.strictEqual(identityToSwanctl(id), text);
            assert.deepStrictEqual(identityFromSwanctl(text), id);
        }
        assert.deepStrictEqual(identityFromSwanctl("vps.example.net"), { fqdn: "vps.example.net" });
        assert.deepStrictEqual(identityFromSwanctl("vpn@example.net"), { email: "vpn@example.net" });
        assert.deepStrictEqual(identityFromSwanctl("rfc822:vpn@example.net"), { email: "vpn@example.net" });
    });
});
