import * as assert from "assert";
import { readFileSync } from "fs";
import { join } from "path";
import { strongSwanConnectionSchema } from "../../provider/schema/strongswan";
import { connectionFileName, parseConnectionFile, parseSwanctlConf, renderConnectionFile } from "../../provider/strongswan/swanctl-conf";
import { parseListConnsRaw, parseListSasRaw } from "../../provider/strongswan/swanctl-output";
import { lanToLan, vpsHome } from "../fixtures/strongswan/story-vps";

const fixture = (name: string) => readFileSync(join(__dirname, "../../../tests/fixtures/strongswan", name), "utf8");
const GOLDEN: [string, unknown][] = [
    ["vps-home.golden.conf", vpsHome],
    ["lan-to-lan.golden.conf", lanToLan],
];

describe("swanctl.conf rendering", () => {
    for (const [file, input] of GOLDEN) {
        it(`renders ${file} exactly`, () => {
            assert.strictEqual(renderConnectionFile(strongSwanConnectionSchema.parse(input)), fixture(file));
        });
        it(`${file} parses back to the same model with nothing unknown`, () => {
            const model = strongSwanConnectionSchema.parse(input);
            const parsed = parseConnectionFile(renderConnectionFile(model), model.name);
            assert.ok(parsed);
            assert.deepStrictEqual(parsed.unknownKeys, []);
            assert.deepStrictEqual(parsed.model, model);
        });
    }

    it("names one file per connection with the pulumi- prefix, refusing unsafe names", () => {
        assert.strictEqual(connectionFileName("home"), "pulumi-home.conf");
        assert.throws(() => connectionFileName("../x"));
        assert.throws(() => connectionFileName("a b"));
    });

    it("quotes the secret with backslash escapes and hex-encodes keys swanctl would decode", () => {
        const model = strongSwanConnectionSchema.parse({ ...vpsHome, preSharedKey: 'a"b\\c#d{}' });
        assert.match(renderConnectionFile(model), /^ {8}secret = "a\\"b\\\\c#d\{\}"$/m);
        const hexLike = strongSwanConnectionSchema.parse({ ...vpsHome, preSharedKey: "0sAAAAAAAA" });
        const text = renderConnectionFile(hexLike);
        assert.match(text, /secret = 0x30734141414141414141$/m);
        assert.strictEqual(parseConnectionFile(text, "home")!.model.preSharedKey, "0sAAAAAAAA");
    });

    it("ties the PSK to the peer's IP when remote.id is unset", () => {
        const input = JSON.parse(JSON.stringify(vpsHome));
        delete input.remote.id;
        delete input.local.id;
        const text = renderConnectionFile(strongSwanConnectionSchema.parse(input));
        assert.match(text, /id-1 = 198\.51\.100\.1\n {8}id-2 = 203\.0\.113\.7\n/);
    });

    it("renders deterministically", () => {
        const model = strongSwanConnectionSchema.parse(lanToLan);
        assert.strictEqual(renderConnectionFile(model), renderConnectionFile(strongSwanConnectionSchema.parse(lanToLan)));
    });
});

describe("swanctl.conf parsing", () => {
    it("reads sections, comments, quoted values with escapes, references and include lines", () => {
        const conf = parseSwanctlConf(
            [
                "include conf.d/*.conf",
                "# comment",
                "a = b # trailing comment",
                'q = "x \\"y\\" \\\\ # not a comment"',
                "empty =",
                "s : other.section {",
                "  nested",
                "  {",
                "    k = v1, v2",
                "  }",
                "}",
                "s { t = u }",
                "__proto__ = harmless",
            ].join("\n"),
        );
        assert.strictEqual(conf.values.a, "b");
        assert.strictEqual(conf.values.q, 'x "y" \\ # not a comment');
        assert.strictEqual(conf.values.empty, "");
        assert.strictEqual(conf.sections.s.sections.nested.values.k, "v1, v2");
        assert.strictEqual(conf.sections.s.values.t, "u");
        assert.strictEqual(Object.getOwnPropertyDescriptor(conf.values, "__proto__")?.value, "harmless");
        assert.strictEqual(({} as Record<string, unknown>).harmless, undefined);
    });

    it("refuses malformed text naming the line", () => {
        assert.throws(() => parseSwanctlConf("a {\n b = c\n"), /not closed/);
        assert.throws(() => parseSwanctlConf("}\n"), /line 1/);
        assert.throws(() => parseSwanctlConf('a = "open\n'), /unterminated/);
        assert.throws(() => parseSwanctlConf("a b c\n"), /line 1: expected '=' or '\{'/);
    });

    it("reports what the model does not hold as unknown keys (drift)", () => {
        const text = fixture("vps-home.golden.conf")
            .replace("        mobike = no\n", "        mobike = no\n        fragmentation = yes\n")
            .replace("                mode = tunnel\n", "                mode = tunnel\n                hostaccess = yes\n")
            .replace("        id-2 = 203.0.113.7\n", "        id-2 = 192.0.2.99\n")
            .concat("connections {\n    other {\n        remote_addrs = 192.0.2.1\n    }\n}\nsecrets {\n    ike-other {\n        secret = x\n    }\n}\n");
        const parsed = parseConnectionFile(text, "home");
        assert.ok(parsed);
        assert.deepStrictEqual(parsed.unknownKeys.sort(), [
            "connections.home.children.home-vti.hostaccess",
            "connections.home.fragmentation",
            "connections.other",
            "secrets.ike-home.id (missing 203.0.113.7)",
            "secrets.ike-home.id-2",
            "secrets.ike-other",
        ]);
        assert.strictEqual(parsed.model.mobike, false);
    });

    it("returns undefined when the file does not define the connection", () => {
        assert.strictEqual(parseConnectionFile(fixture("vps-home.golden.conf"), "lan"), undefined);
        assert.strictEqual(parseConnectionFile("# empty\n", "home"), undefined);
    });

    it("reads a hand-written file (plain numbers, unprefixed ids, hex secret)", () => {
        const parsed = parseConnectionFile(
            [
                "connections { hand { remote_addrs = 192.0.2.1",
                "  proposals = aes256-sha256-modp2048",
                "  local { auth = psk",
                "    id = vps.example.net }",
                "  remote { auth = psk }",
                "  children { c { local_ts = 10.2.0.0/24",
                "    remote_ts = 10.4.0.0/24",
                "    rekey_time = 3600",
                "    if_id_in = 7 } } } }",
                "secrets { ike-hand { id = 192.0.2.1",
                "  id-vps = vps.example.net",
                "  secret = 0x736563726574 } }",
            ].join("\n"),
            "hand",
        );
        assert.ok(parsed);
        assert.deepStrictEqual(parsed.unknownKeys, ["secrets.ike-hand.id-vps", "secrets.ike-hand.id (missing fqdn:vps.example.net)"]);
        assert.deepStrictEqual(parsed.model.local!.id, { fqdn: "vps.example.net" });
        assert.strictEqual(parsed.model.preSharedKey, "secret");
        assert.strictEqual(parsed.model.children![0].rekeyTime, "3600s");
        assert.strictEqual(parsed.model.children![0].ifIdIn, 7);
    });
});

describe("swanctl --raw output parsing (samples from strongSwan 5.9.8)", () => {
    it("--list-conns: connections by name with ids and children", () => {
        const conns = parseListConnsRaw(fixture("list-conns-vti.raw"));
        assert.deepStrictEqual(Object.keys(conns), ["home"]);
        assert.deepStrictEqual(conns.home.localAddrs, ["203.0.113.7"]);
        assert.deepStrictEqual(conns.home.remoteIds, ["198.51.100.1"]);
        assert.deepStrictEqual(conns.home.localIds, ["vps.example.net"]);
        assert.strictEqual(conns.home.version, "IKEv2");
        assert.deepStrictEqual(conns.home.children.vti, { name: "vti", mode: "TUNNEL", localTs: ["0.0.0.0/0"], remoteTs: ["0.0.0.0/0", "dynamic"] });
        assert.deepStrictEqual(Object.keys(parseListConnsRaw(fixture("list-conns-lan.raw"))), ["lan"]);
        assert.deepStrictEqual(parseListConnsRaw("list-conns reply {}\n"), {});
    });

    it("--list-sas: IKE_SAs with state and CHILD_SAs with counters", () => {
        assert.deepStrictEqual(parseListSasRaw(fixture("list-sas-empty.raw")), []);
        const sas = parseListSasRaw(fixture("list-sas-mixed.raw"));
        assert.deepStrictEqual(sas.map((s) => [s.name, s.state]), [["dead", "CONNECTING"], ["lan", "ESTABLISHED"]]);
        assert.deepStrictEqual(sas[0].children, []);
        const lan = sas[1];
        assert.strictEqual(lan.remoteHost, "198.51.100.7");
        assert.strictEqual(lan.remoteId, "198.51.100.7");
        assert.strictEqual(lan.encryption, "AES_CBC-256");
        assert.strictEqual(lan.dhGroup, "MODP_2048");
        assert.strictEqual(lan.initiator, true);
        assert.deepStrictEqual(lan.children[0], {
            name: "lan",
            uniqueId: 1,
            state: "INSTALLED",
            mode: "TUNNEL",
            protocol: "ESP",
            bytesIn: 168,
            bytesOut: 168,
            packetsIn: 2,
            packetsOut: 2,
            localTs: ["10.4.0.0/24"],
            remoteTs: ["10.2.0.0/24"],
            spiIn: "90132118",
            spiOut: "d6747aaf",
            encryption: "AES_GCM_16-256",
        });
    });

    it("skips noise lines around the messages", () => {
        const text = "plugin 'x': failed to load\n" + fixture("list-sas-established.raw");
        assert.strictEqual(parseListSasRaw(text)[0].state, "ESTABLISHED");
    });
});
