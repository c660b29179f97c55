import assert from "node:assert/strict";
import { validate } from "../../provider/dynamic/engine";
import { iosSchemas, IosKind, unmatchablePeerMessage } from "../../provider/schema/ios";
import { IOS_KINDS, storyInputs, variantInputs } from "../fixtures/ios/story-hub";

type Json = Record<string, unknown>;
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

function failures(kind: IosKind, input: unknown) {
    const r = validate(iosSchemas[kind], input);
    return r.ok ? [] : r.failures;
}

function expectFailure(kind: IosKind, input: unknown, property: string, includes: string | RegExp) {
    const f = failures(kind, input);
    const hit = f.find((x) => x.property === property);
    assert.ok(hit, `expected a failure on ${property}, got ${JSON.stringify(f)}`);
    if (typeof includes === "string") assert.ok(hit.reason.includes(includes), hit.reason);
    else assert.match(hit.reason, includes);
    assert.match(hit.reason, /\. Fix: /, "every message names the fix");
}

function set(obj: Json, path: (string | number)[], value: unknown): Json {
    const copy = clone(obj);
    let node: Json = copy;
    for (const p of path.slice(0, -1)) node = node[p] as Json;
    node[path[path.length - 1]] = value;
    return copy;
}

/** Every string leaf of a valid input, as a path. */
function stringPaths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
    if (typeof value === "string") return [path];
    if (Array.isArray(value)) return value.flatMap((v, i) => stringPaths(v, [...path, i]));
    if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => stringPaths(v, [...path, k]));
    return [];
}

const propertyOf = (path: (string | number)[]) => path.map((p, i) => (typeof p === "number" ? `[${p}]` : (i ? "." : "") + p)).join("");

describe("IOS schemas", () => {
    it("accept the story's hub and every variant", () => {
        for (const kind of IOS_KINDS) {
            for (const input of [...storyInputs[kind], ...variantInputs[kind]]) {
                assert.deepEqual(failures(kind, input), [], `${kind} ${JSON.stringify(input)}`);
            }
        }
    });

    it("every property is documented with its IOS command", () => {
        const walk = (schema: unknown, where: string) => {
            const shape = (schema as { shape?: Record<string, { description?: string }> }).shape;
            assert.ok(shape, `${where} has a shape`);
            for (const [k, v] of Object.entries(shape)) assert.ok(v.description && v.description.length > 5, `${where}.${k} has a description`);
        };
        for (const kind of IOS_KINDS) walk(iosSchemas[kind], kind);
    });

    describe("injection corpus on every string property", () => {
        /** Refused everywhere: they end a CLI line, ask IOS for help, or are not plain ASCII text. */
        const alwaysBad: [string, string][] = [
            ["newline", "a\nshutdown"],
            ["carriage return", "a\rb"],
            ["NUL", "a\u0000b"],
            ["tab", "a\tb"],
            ["question mark", "a?"],
            ["non-ASCII", "café"],
            ["leading space", " abc"],
            ["500 characters", "x".repeat(500)],
            ["empty", ""],
        ];
        /** Refused in single words (names, addresses, algorithms); free text (descriptions) may hold them. */
        const wordBad: [string, string][] = [
            ["hash", "a#b"],
            ["double quote", 'a"b'],
            ["braces", "a{b}"],
            ["space", "a b"],
        ];
        const freeText = (path: (string | number)[]) => path[path.length - 1] === "description";
        const isKey = (path: (string | number)[]) => /PreSharedKey$|^preSharedKey$/.test(String(path[path.length - 1]));

        for (const kind of IOS_KINDS) {
            it(kind, () => {
                let checked = 0;
                for (const input of [...storyInputs[kind], ...variantInputs[kind]] as Json[]) {
                    for (const path of stringPaths(input)) {
                        const corpus = [...alwaysBad, ...(freeText(path) ? [] : wordBad)];
                        for (const [label, bad] of corpus) {
                            if (isKey(path) && (label === "hash" || label === "braces")) continue; // keys may hold them
                            const f = failures(kind, set(input, path, bad));
                            const prop = propertyOf(path);
                            assert.ok(
                                f.some((x) => x.property === prop || x.property.startsWith(prop + ".") || x.property.startsWith(prop + "[")),
                                `${kind}.${prop} accepted ${label}: ${JSON.stringify(f)}`,
                            );
                            for (const x of f) assert.ok(!x.reason.includes(bad) || bad.length < 3, `message repeats the value: ${x.reason}`);
                            checked++;
                        }
                    }
                }
                assert.ok(checked > 20);
            });
        }
    });

    describe("IkeV2Keyring", () => {
        const kr = () => clone(storyInputs.IkeV2Keyring[0]) as unknown as Json & { peers: Json[] };

        it("THE STORY's mistake: a peer named by an IP address with no address line", () => {
            const input = { name: "KR", peers: [{ name: "203.0.113.7", preSharedKey: "vps-Key-2024" }] };
            const f = failures("IkeV2Keyring", input);
            assert.equal(f.length, 1);
            assert.equal(f[0].property, "peers[0].address");
            assert.equal(
                f[0].reason,
                'keyring peer "203.0.113.7" has no address, identity or hostname. The peer name is only a label that IOS never matches on: ' +
                    "IOS picks the key by the peer's address, identity or hostname, so this peer is never used and IKE_AUTH ends in AUTHENTICATION_FAILED. " +
                    'Fix: add address: "203.0.113.7" to this peer (IOS: `address 203.0.113.7`)',
            );
            // The suggested fix is accepted as written.
            assert.deepEqual(failures("IkeV2Keyring", { name: "KR", peers: [{ name: "203.0.113.7", address: "203.0.113.7", preSharedKey: "vps-Key-2024" }] }), []);
        });

        it("the story's mistake on the second of two peers, with a label that is not an address", () => {
            const input = kr();
            delete input.peers[1].address;
            expectFailure("IkeV2Keyring", input, "peers[1].address", 'keyring peer "parents" has no address, identity or hostname');
            expectFailure("IkeV2Keyring", input, "peers[1].address", "or its identity or hostname");
            assert.match(unmatchablePeerMessage("2001:db8::7"), /address: "2001:db8::7\/128"/);
        });

        it("identity or hostname alone are enough to match", () => {
            assert.deepEqual(failures("IkeV2Keyring", { name: "KR", peers: [{ name: "p", identity: { fqdn: "vps.example.net" }, preSharedKey: "k-1" }] }), []);
            assert.deepEqual(failures("IkeV2Keyring", { name: "KR", peers: [{ name: "p", hostname: "vps.example.net", preSharedKey: "k-1" }] }), []);
        });

        it("refuses duplicate peer names and identical addresses", () => {
            const same = kr();
            same.peers[1].name = "VPS";
            expectFailure("IkeV2Keyring", same, "peers[1].name", "used by peers[0] too");
            const overlap = kr();
            overlap.peers[1].address = { address: "203.0.113.7", mask: "255.255.255.255" };
            expectFailure("IkeV2Keyring", overlap, "peers[1].address", "same address as peers[0]");
        });

        it("keys: either one key or local and remote; IOS's rules", () => {
            const both = kr();
            both.peers[0].localPreSharedKey = "abc-1";
            expectFailure("IkeV2Keyring", both, "peers[0].preSharedKey", "either preSharedKey or both");
            const half = kr();
            delete half.peers[0].preSharedKey;
            half.peers[0].localPreSharedKey = "abc-1";
            expectFailure("IkeV2Keyring", half, "peers[0].remotePreSharedKey", "no complete pre-shared key");
            const none = kr();
            delete none.peers[0].preSharedKey;
            expectFailure("IkeV2Keyring", none, "peers[0].preSharedKey", "no complete pre-shared key");
            for (const word of ["0", "6", "7", "local", "remote"]) {
                expectFailure("IkeV2Keyring", set(kr(), ["peers", 0, "preSharedKey"], word), "peers[0].preSharedKey", "keyword");
            }
            expectFailure("IkeV2Keyring", set(kr(), ["peers", 0, "preSharedKey"], "x".repeat(129)), "peers[0].preSharedKey", "128");
            expectFailure("IkeV2Keyring", set(kr(), ["peers", 0, "preSharedKey"], "a\\b"), "peers[0].preSharedKey", "swanctl");
            expectFailure("IkeV2Keyring", set(kr(), ["peers", 0, "preSharedKey"], "a b"), "peers[0].preSharedKey", "white space");
            for (const ok of ["12345678", "x".repeat(128), "a#b{c}'!$%&*()", "00", "local1"]) {
                assert.deepEqual(failures("IkeV2Keyring", set(kr(), ["peers", 0, "preSharedKey"], ok)), [], ok);
            }
        });

        it("address forms", () => {
            assert.deepEqual(failures("IkeV2Keyring", set(kr(), ["peers", 0, "address"], { ipv6Prefix: "2001:db8::7/128" })), []);
            expectFailure("IkeV2Keyring", set(kr(), ["peers", 0, "address"], { address: "203.0.113.7", ipv6Prefix: "2001:db8::7/128" }), "peers[0].address.ipv6Prefix", "exactly one");
            expectFailure("IkeV2Keyring", set(kr(), ["peers", 0, "address"], { mask: "255.0.0.0" }), "peers[0].address", "none of");
            expectFailure("IkeV2Keyring", set(kr(), ["peers", 0, "address"], { address: "203.0.113.7", mask: "0.0.0.255" }), "peers[0].address.mask", "contiguous");
            expectFailure("IkeV2Keyring", set(kr(), ["peers", 0, "address"], "203.0.113.256"), "peers[0].address.address", "not an IPv4 address");
            expectFailure("IkeV2Keyring", set(kr(), ["peers"], []), "peers", "at least 1");
            expectFailure("IkeV2Keyring", set(kr(), ["peers", 0, "identity"], { fqdn: "a.example", email: "a@b.example" }), "peers[0].identity.email", "exactly one");
            expectFailure("IkeV2Keyring", set(kr(), ["peers", 0, "colour"], "red"), "peers[0]", "unknown property 'colour'");
        });
    });

    describe("IkeV2Proposal", () => {
        const base = () => clone(storyInputs.IkeV2Proposal[0]) as Json;
        it("GCM with integrity, GCM without prf, CBC without integrity, mixed", () => {
            const gcm = { name: "P", encryption: ["aes-gcm-256"], prf: ["sha384"], groups: [20] };
            assert.deepEqual(failures("IkeV2Proposal", gcm), []);
            assert.deepEqual(failures("IkeV2Proposal", { ...gcm, integrity: [] }), []);
            expectFailure("IkeV2Proposal", { ...gcm, integrity: ["sha256"] }, "integrity", "remove integrity and set prf");
            expectFailure("IkeV2Proposal", { ...gcm, prf: undefined }, "prf", "has no prf");
            expectFailure("IkeV2Proposal", set(base(), ["integrity"], []), "integrity", "no integrity");
            expectFailure("IkeV2Proposal", set(base(), ["encryption"], ["aes-cbc-256", "aes-gcm-256"]), "encryption", "use two proposals");
            assert.deepEqual(failures("IkeV2Proposal", set(base(), ["prf"], ["sha512"])), []);
        });
        it("weak and unknown groups, duplicates, empties", () => {
            expectFailure("IkeV2Proposal", set(base(), ["groups"], [14, 2]), "groups[1]", "weak");
            expectFailure("IkeV2Proposal", set(base(), ["groups"], [5]), "groups[0]", "use group 14");
            expectFailure("IkeV2Proposal", set(base(), ["groups"], [1]), "groups[0]", "weak");
            expectFailure("IkeV2Proposal", set(base(), ["groups"], [22]), "groups[0]", "use one of 14, 15, 16, 19, 20, 21, 24");
            expectFailure("IkeV2Proposal", set(base(), ["groups"], []), "groups", "at least 1");
            expectFailure("IkeV2Proposal", set(base(), ["groups"], ["14"]), "groups[0]", "must be a number");
            expectFailure("IkeV2Proposal", set(base(), ["encryption"], []), "encryption", "at least 1");
            expectFailure("IkeV2Proposal", set(base(), ["encryption"], ["3des"]), "encryption[0]", "one of");
            expectFailure("IkeV2Proposal", set(base(), ["encryption"], ["aes-cbc-256", "aes-cbc-256"]), "encryption[1]", "twice");
            expectFailure("IkeV2Proposal", set(base(), ["integrity"], ["md5"]), "integrity[0]", "one of");
            expectFailure("IkeV2Proposal", { encryption: ["aes-cbc-256"], integrity: ["sha256"], groups: [14] }, "name", "name is required");
            expectFailure("IkeV2Proposal", set(base(), ["name"], "default"), "name", "built-in");
        });
    });

    describe("IkeV2Policy", () => {
        it("proposals, match address, fvrf", () => {
            const base = storyInputs.IkeV2Policy[0] as Json;
            expectFailure("IkeV2Policy", set(base, ["proposals"], []), "proposals", "at least 1");
            expectFailure("IkeV2Policy", set(base, ["matchAddressLocal"], "198.51.100"), "matchAddressLocal", "IPv4");
            expectFailure("IkeV2Policy", set(base, ["matchFvrf"], "bad vrf"), "matchFvrf", "white space");
            assert.deepEqual(failures("IkeV2Policy", set(base, ["matchFvrf"], "INTERNET")), []);
        });
    });

    describe("IkeV2Profile", () => {
        const base = () => clone(storyInputs.IkeV2Profile[0]) as Json;
        it("ranges, keyring, identities", () => {
            expectFailure("IkeV2Profile", set(base(), ["lifetime"], 119), "lifetime", "120 to 86400");
            expectFailure("IkeV2Profile", set(base(), ["lifetime"], 86401), "lifetime", "120 to 86400");
            expectFailure("IkeV2Profile", set(base(), ["dpd"], { interval: 9, retry: 2, mode: "on-demand" }), "dpd.interval", "10 to 3600");
            expectFailure("IkeV2Profile", set(base(), ["dpd"], { interval: 10, retry: 61, mode: "on-demand" }), "dpd.retry", "2 to 60");
            expectFailure("IkeV2Profile", set(base(), ["dpd"], { interval: 10, retry: 2, mode: "always" }), "dpd.mode", '"on-demand", "periodic"');
            const noKeyring = base();
            delete noKeyring.keyring;
            expectFailure("IkeV2Profile", noKeyring, "keyring", "names no keyring");
            expectFailure("IkeV2Profile", set(base(), ["authentication"], { local: "rsa-sig", remote: "pre-share" }), "authentication.local", "pre-share");
            expectFailure("IkeV2Profile", set(base(), ["matchIdentityRemote"], []), "matchIdentityRemote", "at least 1");
            expectFailure("IkeV2Profile", set(base(), ["matchIdentityRemote"], [{}]), "matchIdentityRemote[0]", "none of");
            expectFailure("IkeV2Profile", set(base(), ["matchIdentityRemote"], [{ fqdn: "a.example", mask: "255.255.255.0" }]), "matchIdentityRemote[0].mask", "without address");
            expectFailure("IkeV2Profile", set(base(), ["identityLocal"], { email: "not-an-email" }), "identityLocal.email", "e-mail");
            const parsed = iosSchemas.IkeV2Profile.parse(base());
            assert.deepEqual(parsed.matchIdentityRemote, [{ address: "203.0.113.7", mask: "255.255.255.255" }]);
            assert.deepEqual(parsed.authentication, { local: "pre-share", remote: "pre-share" });
        });
    });

    describe("IpsecTransformSet and IpsecProfile", () => {
        it("integrity with and without GCM; mode default", () => {
            expectFailure("IpsecTransformSet", { name: "T", encryption: "esp-gcm-256", integrity: "esp-sha256-hmac" }, "integrity", "remove integrity");
            expectFailure("IpsecTransformSet", { name: "T", encryption: "esp-aes-256" }, "integrity", "has no integrity");
            expectFailure("IpsecTransformSet", { name: "T", encryption: "esp-3des", integrity: "esp-sha-hmac" }, "encryption", "one of");
            assert.equal(iosSchemas.IpsecTransformSet.parse({ name: "T", encryption: "esp-gcm-128" }).mode, "tunnel");
        });
        it("profile limits", () => {
            const base = storyInputs.IpsecProfile[0] as Json;
            expectFailure("IpsecProfile", set(base, ["transformSets"], ["A", "B", "C", "D", "E", "F", "G"]), "transformSets", "more than 6");
            expectFailure("IpsecProfile", set(base, ["transformSets"], []), "transformSets", "at least 1");
            expectFailure("IpsecProfile", set(base, ["pfsGroup"], 2), "pfsGroup", "weak");
            expectFailure("IpsecProfile", set(base, ["lifetimeSeconds"], 60), "lifetimeSeconds", "120 to 86400");
            expectFailure("IpsecProfile", set(base, ["lifetimeKilobytes"], 2559), "lifetimeKilobytes", "2560 to 4294967295");
            assert.deepEqual(failures("IpsecProfile", set(base, ["lifetimeKilobytes"], 4294967295)), []);
        });
    });

    describe("TunnelInterface", () => {
        const base = () => clone(storyInputs.TunnelInterface[0]) as Json;
        it("numbers, addresses, routes", () => {
            expectFailure("TunnelInterface", set(base(), ["number"], -1), "number", "0 to 2147483647");
            expectFailure("TunnelInterface", set(base(), ["number"], 1.5), "number", "whole number");
            expectFailure("TunnelInterface", set(base(), ["ipMtu"], 575), "ipMtu", "576 to 9976");
            expectFailure("TunnelInterface", set(base(), ["tcpAdjustMss"], 1461), "tcpAdjustMss", "500 to 1460");
            expectFailure("TunnelInterface", set(base(), ["tunnelSource"], "Gig 1"), "tunnelSource", "white space");
            expectFailure("TunnelInterface", set(base(), ["tunnelSource"], "not-an-interface"), "tunnelSource", "interface name");
            expectFailure("TunnelInterface", set(base(), ["tunnelDestination"], "2001:db8::7"), "tunnelDestination", "IPv4");
            expectFailure("TunnelInterface", set(base(), ["mode"], "gre"), "mode", "ipsec-ipv4");
            expectFailure("TunnelInterface", set(base(), ["routes"], [{ destination: "10.2.0.1/24" }]), "routes[0].destination", "host bits");
            expectFailure("TunnelInterface", set(base(), ["routes"], [{ destination: "10.2.0.0/24" }, { destination: "10.2.0.0/24", distance: 5 }]), "routes[1]", "twice");
            expectFailure("TunnelInterface", set(base(), ["routes"], [{ destination: "10.2.0.0/24", distance: 256 }]), "routes[0].distance", "1 to 255");
            expectFailure("TunnelInterface", set(base(), ["ipAddress"], { address: "172.16.0.1" }), "ipAddress.mask", "required");
            const parsed = iosSchemas.TunnelInterface.parse({ ...base(), routes: undefined });
            assert.deepEqual(parsed.routes, []);
            assert.equal(parsed.mode, "ipsec-ipv4");
        });
    });
});
