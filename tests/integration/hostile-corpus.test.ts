/**
 * The hostile-input corpus (tests/fixtures/hostile-values.ts) put into every string, number and
 * boolean property of every resource and of `device`. For each value and property, one of:
 * - refused, with every message naming the fix and one naming the property (never raw zod text);
 * - accepted: an IOS object is rendered, applied to the emulator over SSH and read back with the
 *   same lines (every accepted object on one emulator, one configuration session each, one
 *   `show running-config` at the end; a keyring peer whose keyring name is the value on a second
 *   emulator); a strongSwan connection's file is rendered, read back and rendered again to the same
 *   text; device settings and the tunnel checks configure nothing.
 */
import * as assert from "assert";
import { CheckFailure, validate } from "../../provider/dynamic/engine";
import { registry, ResourceKind } from "../../provider/dynamic/registry";
import { ConfigNode, parseConfigTree, renderConfigTree } from "../../provider/ios/config-tree";
import { iosObjects } from "../../provider/ios/objects";
import { planTransition } from "../../provider/ios/plan";
import { credentialsSchema, hostConnectionSchema, iosConnectionSchema } from "../../provider/schema/device";
import { IosKind, IosModels, iosSchemas } from "../../provider/schema/ios";
import { strongSwanConnectionSchema } from "../../provider/schema/strongswan";
import { IosCliSession } from "../../provider/ssh/ios-session";
import { SshPool } from "../../provider/ssh/pool";
import { parseConnectionFile, renderConnectionFile } from "../../provider/strongswan/swanctl-conf";
import { HOSTILE_VALUES } from "../fixtures/hostile-values";
import { lanToLan, vpsHome } from "../fixtures/strongswan/story-vps";
import { EmulatedRouter, startRouter } from "../helpers/ios-lab";

type Json = Record<string, unknown>;
type Path = (string | number)[];

/** Inputs that set every property at least once (several bases where properties exclude each other). */
const BASES: Record<ResourceKind, Json[]> = {
    IkeV2Proposal: [
        { name: "P", encryption: ["aes-cbc-256", "aes-cbc-128"], integrity: ["sha256"], prf: ["sha256"], groups: [14, 19] },
        { name: "P", encryption: ["aes-gcm-256"], prf: ["sha384"], groups: [20] },
    ],
    IkeV2Policy: [{ name: "POL", proposals: ["P1", "P2"], matchAddressLocal: "198.51.100.1", matchFvrf: "INTERNET" }],
    IkeV2Keyring: [
        {
            name: "KR",
            keysVersion: 1,
            peers: [
                { name: "a", description: "peer a", address: { address: "203.0.113.0", mask: "255.255.255.0" }, hostname: "a.example.net", identity: { fqdn: "a.example.net" }, preSharedKey: "a-Key-2024!x" },
                { name: "b", address: { ipv6Prefix: "2001:db8::7/128" }, identity: { address: "203.0.113.9" }, localPreSharedKey: "b-Local-2024!x", remotePreSharedKey: "b-Remote-2024!x" },
            ],
        },
        { name: "KR", peers: [{ name: "c", address: "203.0.113.7", identity: { email: "vpn@example.net" }, preSharedKey: "c-Key-2024!x" }] },
        { name: "KR", peers: [{ name: "d", identity: { keyId: "site-d" }, preSharedKey: "d-Key-2024!x" }] },
    ],
    IkeV2KeyringPeer: [
        { keyring: "KR", keysVersion: 1, name: "a", description: "peer a", address: { address: "203.0.113.0", mask: "255.255.255.0" }, hostname: "a.example.net", identity: { fqdn: "a.example.net" }, preSharedKey: "a-Key-2024!x" },
        { keyring: "KR", name: "b", address: { ipv6Prefix: "2001:db8::7/128" }, identity: { address: "203.0.113.9" }, localPreSharedKey: "b-Local-2024!x", remotePreSharedKey: "b-Remote-2024!x" },
        { keyring: "KR", name: "c", address: "203.0.113.7", identity: { email: "vpn@example.net" }, preSharedKey: "c-Key-2024!x" },
        { keyring: "KR", name: "d", identity: { keyId: "site-d" }, preSharedKey: "d-Key-2024!x" },
    ],
    IkeV2Profile: [
        {
            name: "PROF",
            description: "to the peers",
            matchIdentityRemote: [{ address: "203.0.113.7", mask: "255.255.255.255" }, { ipv6Prefix: "2001:db8::7/128" }, { fqdn: "vps.example.net" }, { email: "vpn@example.net" }, { keyId: "site-b" }],
            identityLocal: { address: "198.51.100.1" },
            authentication: { local: "pre-share", remote: "pre-share" },
            keyring: "KR",
            lifetime: 28800,
            dpd: { interval: 10, retry: 2, mode: "on-demand" },
            matchAddressLocal: "198.51.100.1",
            ivrf: "INSIDE",
            matchFvrf: "INTERNET",
        },
        { name: "PROF", matchIdentityRemote: [{ fqdn: "x.example.net" }], identityLocal: { fqdn: "hub.example.net" }, keyring: "KR" },
        { name: "PROF", matchIdentityRemote: [{ fqdn: "x.example.net" }], identityLocal: { email: "hub@example.net" }, keyring: "KR" },
        { name: "PROF", matchIdentityRemote: [{ fqdn: "x.example.net" }], identityLocal: { keyId: "hub" }, keyring: "KR" },
    ],
    IpsecTransformSet: [{ name: "TS", encryption: "esp-aes-256", integrity: "esp-sha256-hmac", mode: "tunnel" }],
    IpsecProfile: [{ name: "IPSEC", transformSets: ["TS1", "TS2"], ikev2Profile: "PROF", pfsGroup: 14, lifetimeSeconds: 1800, lifetimeKilobytes: 102400000 }],
    TunnelInterface: [
        {
            number: 1,
            description: "to the VPS",
            ipAddress: { address: "172.16.0.1", mask: "255.255.255.252" },
            tunnelSource: "GigabitEthernet1",
            tunnelDestination: "203.0.113.7",
            mode: "ipsec-ipv4",
            protectionProfile: "IPSEC",
            ipMtu: 1400,
            tcpAdjustMss: 1360,
            routes: [{ destination: "10.2.0.0/24", distance: 5, name: "vps-lan" }],
        },
    ],
    StrongSwanConnection: [structuredClone(vpsHome) as Json, structuredClone(lanToLan) as Json],
    StrongSwanTunnelCheck: [
        {
            connectionName: "home",
            child: "home-vti",
            site: "branch",
            timeoutSeconds: 30,
            ping: { source: "10.4.0.1", destination: "10.2.0.1", count: 3 },
            triggers: ["x"],
            peer: { platform: "strongswan", site: "vps", connection: { host: "203.0.113.7", username: "root", hostKey: "SHA256:" + "A".repeat(43) }, connectionName: "branch", child: "branch-vti" },
            peerPrivateKey: "-----BEGIN OPENSSH PRIVATE KEY-----",
            peerPrivateKeyPassphrase: "pass-1",
        },
    ],
    IosTunnelCheck: [
        {
            tunnel: 1,
            site: "home",
            timeoutSeconds: 30,
            ping: { destination: "10.2.0.1", source: "GigabitEthernet2", count: 5 },
            triggers: ["x"],
            peer: { platform: "ios", site: "parents", connection: { host: "192.0.2.50", username: "admin", hostKey: "SHA256:" + "A".repeat(43) }, tunnel: 2 },
            peerPassword: "pw-1",
            peerEnableSecret: "en-1",
        },
    ],
};

const IOS_DEVICE: Json = {
    host: "198.51.100.1",
    port: 22,
    username: "admin",
    hostKey: "SHA256:" + "A".repeat(43),
    knownHostsFile: "/home/me/.ssh/known_hosts",
    insecureSkipHostKeyVerification: false,
    connectTimeoutMs: 15000,
    connectRetries: 2,
    keepaliveIntervalMs: 10000,
    commandTimeoutMs: 30000,
    saveConfig: true,
};
const HOST_DEVICE: Json = { ...IOS_DEVICE, saveConfig: undefined, sudo: false, swanctlDir: "/etc/swanctl" };
const CREDENTIALS: Json = { password: "pw-1", privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----", privateKeyPassphrase: "pass-1", enableSecret: "en-1" };

/** Every leaf (string, number, boolean) of a value, as a path; lists by their first entry. */
function leaves(value: unknown, path: Path = []): Path[] {
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return [path];
    if (Array.isArray(value)) return value.length ? leaves(value[0], [...path, 0]) : [];
    if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => (v === undefined ? [] : leaves(v, [...path, k])));
    return [];
}

function withValue(base: Json, path: Path, value: unknown): Json {
    const copy = structuredClone(base);
    let node: Json = copy;
    for (const p of path.slice(0, -1)) node = node[p] as Json;
    node[path[path.length - 1]] = value;
    return copy;
}

const propertyOf = (path: Path) => path.map((p, i) => (typeof p === "number" ? `[${p}]` : (i ? "." : "") + p)).join("");
const letters = (s: string) => s.toLowerCase().replace(/[^a-z]/g, "");

/** The property's own name (a list entry: the list's), in the forms a message may use ("transformSets" as "transform set"). */
function mentions(reason: string, path: Path): boolean {
    const name = String([...path].reverse().find((p) => typeof p === "string"));
    const text = letters(reason);
    return text.includes(letters(name)) || text.includes(letters(name).replace(/s$/, ""));
}

/** A failure list is acceptable: every message names the fix, and one names the property, at or around its path. */
function checkRefusal(what: string, failures: CheckFailure[], path: Path, prefix = ""): string | undefined {
    if (failures.length === 0) return `${what}: refused without a message`;
    const raw = failures.find((f) => !/\. Fix: \S/.test(f.reason));
    if (raw) return `${what}: message without a fix at ${raw.property}: ${raw.reason}`;
    const property = prefix + propertyOf(path);
    // At the property, above it (an object-level rule), or beside it in the same object or list.
    const around = prefix + propertyOf(path.slice(0, -1));
    const related = failures.filter((f) => property.startsWith(f.property) || f.property.startsWith(around));
    if (!related.some((f) => mentions(f.reason, path))) return `${what}: no message names ${property}: ${JSON.stringify(failures)}`;
    return undefined;
}

interface Accepted<K extends IosKind> {
    what: string;
    kind: K;
    model: IosModels[K];
    nodes: ConfigNode[];
}

describe("hostile-input corpus on every property of every resource and of device", function () {
    this.timeout(600000);
    const problems: string[] = [];
    const accepted: Accepted<IosKind>[] = [];
    const counts = { values: HOSTILE_VALUES.length, properties: 0, checks: 0, refused: 0, accepted: 0, iosApplied: 0, strongSwanRoundTrips: 0 };
    let router: EmulatedRouter;
    // Keyring peers whose keyring name is the value under test go to a router of their own: on the
    // first one, a keyring of that name may exist already (an IkeV2Keyring whose name is the value).
    let scopeRouter: EmulatedRouter;
    const scopeAccepted: Accepted<IosKind>[] = [];

    before(async () => {
        router = await startRouter();
        scopeRouter = await startRouter();
    });
    after(async () => {
        await SshPool.shared.closeAll();
        await router.emulator.close();
        await scopeRouter.emulator.close();
        console.log(`      corpus: ${JSON.stringify(counts)}`);
    });

    it(`has at least 300 values (${HOSTILE_VALUES.length})`, () => {
        assert.ok(HOSTILE_VALUES.length >= 300);
    });

    it("every value in every resource property: refused with the property and the fix, or accepted", () => {
        let serial = 0;
        for (const [kind, bases] of Object.entries(BASES) as [ResourceKind, Json[]][]) {
            const schema = registry[kind].schema;
            const paths = new Map<string, { base: Json; path: Path }>();
            for (const base of bases) {
                assert.deepStrictEqual(validate(schema, base).ok ? [] : (validate(schema, base) as { failures: CheckFailure[] }).failures, [], `${kind} base`);
                for (const path of leaves(base)) if (!paths.has(propertyOf(path))) paths.set(propertyOf(path), { base, path });
            }
            counts.properties += paths.size;
            for (const { base, path } of paths.values()) {
                for (const { label, value } of HOSTILE_VALUES) {
                    counts.checks++;
                    const what = `${kind}.${propertyOf(path)} = ${label}`;
                    const result = validate(schema, withValue(base, path, value));
                    if (!result.ok) {
                        counts.refused++;
                        const problem = checkRefusal(what, result.failures, path);
                        if (problem) problems.push(problem);
                        continue;
                    }
                    counts.accepted++;
                    if (kind === "StrongSwanConnection") {
                        const text = renderConnectionFile(strongSwanConnectionSchema.parse(result.value));
                        const read = parseConnectionFile(text, String((result.value as Json).name));
                        const again = read && validate(strongSwanConnectionSchema, read.model);
                        if (!read || read.unknownKeys.length || !again?.ok || renderConnectionFile(again.value) !== text) problems.push(`${what}: the file does not read back as written`);
                        else counts.strongSwanRoundTrips++;
                    } else if (kind !== "StrongSwanTunnelCheck" && kind !== "IosTunnelCheck") {
                        const iosKind: IosKind = kind;
                        // Each accepted object gets a name (or number) of its own, unless the value is its name; a keyring peer a keyring of its own.
                        const { identity, scope } = iosObjects[iosKind];
                        serial++;
                        const valueIsScope = scope !== undefined && path.length === 1 && path[0] === scope;
                        const ownScope = scope && !valueIsScope ? { [scope]: `K${serial}` } : {};
                        const own = path.length === 1 && path[0] === identity ? { ...(result.value as Json), ...ownScope } : { ...(result.value as Json), ...ownScope, [identity]: identity === "number" ? 800000 + serial : `C${serial}` };
                        const model = iosSchemas[iosKind].parse(own) as IosModels[IosKind];
                        (valueIsScope ? scopeAccepted : accepted).push({ what, kind: iosKind, model, nodes: iosObjects[iosKind].render(model as never) });
                    }
                }
            }
        }
        for (const [schema, base, prefix] of [
            [iosConnectionSchema, IOS_DEVICE, "device."],
            [hostConnectionSchema, HOST_DEVICE, "device."],
            [credentialsSchema, CREDENTIALS, "device."],
        ] as const) {
            const paths = leaves(base);
            counts.properties += paths.length;
            for (const path of paths) {
                for (const { label, value } of HOSTILE_VALUES) {
                    counts.checks++;
                    const result = validate(schema, withValue(base, path, value));
                    if (result.ok) counts.accepted++;
                    else {
                        counts.refused++;
                        const failures = result.failures.map((f) => ({ ...f, property: prefix + f.property }));
                        const problem = checkRefusal(`device.${propertyOf(path)} = ${label}`, failures, path, prefix);
                        if (problem) problems.push(problem);
                    }
                }
            }
        }
        assert.deepStrictEqual(problems.slice(0, 40), [], `${problems.length} problems`);
    });

    /** Applies the objects to the router, many per configuration session, and reads each back. */
    async function applyAndReadBack(on: EmulatedRouter, objects: Accepted<IosKind>[]): Promise<void> {
        const { connection, credentials } = on;
        await SshPool.shared.withDevice(iosConnectionSchema.parse(connection), credentialsSchema.parse(credentials), async (client) => {
            const session = await IosCliSession.open(client, { device: "corpus", enableSecret: String(credentials.enableSecret), commandTimeoutMs: 30000, secrets: [] });
            try {
                await session.exec("terminal length 0");
                // Many objects per configuration session; after a refused line, on with the next object.
                const plans = objects.map((a) => planTransition(a.kind, undefined, a.nodes));
                for (let next = 0; next < objects.length; ) {
                    const batch = plans.slice(next, next + 200);
                    const result = await session.configure(batch.flat());
                    if (result.ok) {
                        next += batch.length;
                        continue;
                    }
                    let line = result.index;
                    let failed = next;
                    while (line >= plans[failed].length) line -= plans[failed++].length;
                    problems.push(`${objects[failed].what}: IOS refused \`${result.command}\`: ${result.error}`);
                    // The object is half there: its block stays, and no later object shares its name.
                    next = failed + 1;
                }
                const tree = parseConfigTree(await session.exec("show running-config"));
                for (const a of objects) {
                    const h = iosObjects[a.kind];
                    const device = h.extract(tree, a.model as never);
                    if (!device) {
                        problems.push(`${a.what}: not in running-config`);
                        continue;
                    }
                    const lines = (nodes: ConfigNode[]) => renderConfigTree(nodes).map((l) => l.trimEnd()).sort();
                    const parsed = h.parse(device);
                    if (parsed.unknownLines.length || !h.sameConfig(device, a.nodes) || JSON.stringify(lines(device)) !== JSON.stringify(lines(a.nodes))) {
                        problems.push(`${a.what}: reads back as ${JSON.stringify(renderConfigTree(device))}, rendered ${JSON.stringify(renderConfigTree(a.nodes))}`);
                    } else counts.iosApplied++;
                }
            } finally {
                await session.close();
            }
        });
    }

    it("every accepted IOS object is applied to the emulator and reads back with the same lines", async () => {
        await applyAndReadBack(router, accepted);
        await applyAndReadBack(scopeRouter, scopeAccepted);
        assert.deepStrictEqual(problems.slice(0, 40), [], `${problems.length} problems`);
        assert.ok(counts.iosApplied > 100, `only ${counts.iosApplied} objects applied`);
    });
});
