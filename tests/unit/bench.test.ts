/**
 * The benchmark's harness (bench/): the hub generator makes 3N + 4 objects that the provider
 * accepts, in dependency order; Ansible's files are exactly those objects as the provider renders
 * them; the null stack has the same graph; the router counters read from a session log and
 * Pulumi's summary are parsed right; the report's ratios are computed from the right cells.
 * No timings are asserted: the benchmark measures, tests only check that it measures the right thing.
 */
import { strict as assert } from "assert";
import { parseConfigTree } from "../../provider/ios/config-tree";
import { iosObjects } from "../../provider/ios/objects";
import { handlersFor } from "../../provider/dynamic/handlers";
import { registry } from "../../provider/dynamic/registry";
import { inputsFromModel } from "../../provider/dynamic/wire";
import { workFromLog } from "../../bench/device";
import { HubObject, hubObjects, syntheticSpokes, withKeys } from "../../bench/hub";
import { ansibleCreateText, ansibleDestroyText, renderObject } from "../../bench/hub-lines";
import { graphOfHub, graphOfState, wireOf } from "../../bench/null-graph";
import { summaryOf } from "../../bench/pulumi";
import { formatCell, goals, Results, RunResult } from "../../bench/report";

const HUB = { hubWan: "198.51.100.1", tunnelSource: "GigabitEthernet1" };
const hub = (n: number, changed = false) => hubObjects({ ...HUB, spokes: syntheticSpokes(n), changed });
const refOf = (o: HubObject) => (o.kind === "TunnelInterface" ? { number: o.input.number } : { name: o.input.name });

describe("bench: the hub generator", () => {
    for (const n of [1, 10, 50, 200]) {
        it(`N = ${n}: 3N + 4 objects with unique names, every dependency before its dependent`, () => {
            const objects = hub(n);
            assert.equal(objects.length, 3 * n + 4);
            const count = (kind: string) => objects.filter((o) => o.kind === kind).length;
            assert.deepEqual(
                ["IkeV2Proposal", "IkeV2Policy", "IpsecTransformSet", "IkeV2Keyring", "IkeV2Profile", "IpsecProfile", "TunnelInterface"].map(count),
                [1, 1, 1, 1, n, n, n],
            );
            assert.equal(new Set(objects.map((o) => o.resourceName)).size, objects.length);
            const keyring = objects.find((o) => o.kind === "IkeV2Keyring")!;
            assert.equal(keyring.kind === "IkeV2Keyring" && keyring.input.peers.length, n);
            const seen = new Set<string>();
            for (const o of objects) {
                for (const d of o.dependsOn) assert.ok(seen.has(d), `${o.resourceName} depends on ${d}, which is not before it`);
                seen.add(o.resourceName);
            }
            // Tunnel addresses, peer addresses and LANs are all different.
            for (const kind of ["TunnelInterface"] as const) {
                const tunnels = objects.flatMap((o) => (o.kind === kind ? [o.input] : []));
                assert.equal(new Set(tunnels.map((t) => JSON.stringify(t.ipAddress))).size, n);
                assert.equal(new Set(tunnels.map((t) => t.tunnelDestination)).size, n);
                assert.equal(new Set(tunnels.map((t) => JSON.stringify(t.routes))).size, n);
            }
        });
    }

    it("every object passes the provider's own check, keys included", async () => {
        for (const o of withKeys(hub(3), "a-seed")) {
            const inputs = {
                ...inputsFromModel(registry[o.kind].secrets, { ...o.input }),
                connection: { host: "198.51.100.1", username: "admin", hostKey: `SHA256:${"A".repeat(43)}` },
                credentials: { password: "pw" },
            };
            assert.deepEqual((await handlersFor(o.kind).check({}, inputs)).failures, [], o.resourceName);
        }
    });

    it("the change step changes exactly one property of one object", () => {
        const before = hub(10);
        const after = hub(10, true);
        const differing = before.filter((o, i) => JSON.stringify(o) !== JSON.stringify(after[i]));
        assert.deepEqual(differing.map((o) => o.resourceName), ["spoke1-tunnel"]);
        const [a, b] = [before, after].map((list) => list.find((o) => o.resourceName === "spoke1-tunnel")!.input as Record<string, unknown>);
        assert.deepEqual(Object.keys(a).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])), ["description"]);
    });

    it("keys differ per peer and per seed, and are valid IOS keys", () => {
        const peersOf = (seed: string) => {
            const k = withKeys(hub(5), seed).find((o) => o.kind === "IkeV2Keyring")!;
            return k.kind === "IkeV2Keyring" ? k.input.peers.map((p) => p.preSharedKey) : [];
        };
        const keys = peersOf("seed-1");
        assert.equal(new Set(keys).size, 5);
        assert.notDeepEqual(peersOf("seed-2"), keys);
        assert.deepEqual(peersOf("seed-1"), keys);
    });
});

describe("bench: Ansible's files are what the provider renders", () => {
    it("the create file parses back into exactly the hub's objects, as the provider renders them", () => {
        const objects = withKeys(hub(10), "seed");
        const tree = parseConfigTree(ansibleCreateText(objects));
        let nodes = 0;
        for (const o of objects) {
            const handler = iosObjects[o.kind];
            const found = handler.extract(tree, refOf(o));
            assert.ok(found, `${o.resourceName} is missing from the file`);
            assert.ok(handler.sameConfig(found, renderObject(o)), `${o.resourceName} differs from the provider's rendering`);
            nodes += found.length;
        }
        assert.equal(tree.length, nodes, "the file has top-level lines that belong to no object");
        assert.match(ansibleCreateText(objects), /^  pre-shared-key \S{32}$/m);
    });

    it("the destroy file removes every object, dependents first, with the provider's removal lines", () => {
        const objects = withKeys(hub(3), "seed");
        const lines = ansibleDestroyText(objects).trim().split("\n");
        const at = (line: string) => {
            const i = lines.indexOf(line);
            assert.ok(i >= 0, `missing: ${line}`);
            return i;
        };
        assert.ok(at("no ip route 10.64.0.0 255.255.255.0 Tunnel1") < at("no interface Tunnel1"));
        assert.ok(at("no interface Tunnel1") < at("no crypto ipsec profile IPSEC-SPOKE1"));
        assert.ok(at("no crypto ipsec profile IPSEC-SPOKE1") < at("no crypto ikev2 profile PROF-SPOKE1"));
        assert.ok(at("no crypto ikev2 profile PROF-SPOKE1") < at("no crypto ikev2 keyring KR"));
        assert.ok(at("no crypto ikev2 profile PROF-SPOKE1") < at("no crypto ikev2 policy POL-1"));
        assert.ok(at("no crypto ikev2 policy POL-1") < at("no crypto ikev2 proposal PROP-AES256"));
        assert.ok(at("no crypto ipsec profile IPSEC-SPOKE3") < at("no crypto ipsec transform-set TS-AES256"));
        // One `no` per object, and one per tunnel's route.
        assert.equal(lines.length, 3 * 3 + 4 + 3);
        assert.ok(lines.every((l) => l.startsWith("no ")));
    });
});

describe("bench: the null stack's graph", () => {
    it("has the hub's resources, types and dependencies, and no keys", () => {
        const objects = hub(50);
        const graph = graphOfHub(objects, { host: "h" });
        assert.equal(graph.nodes.length, 154);
        assert.deepEqual(
            graph.nodes.map((n) => [n.name, n.type, n.dependsOn]),
            objects.map((o) => [o.resourceName, o.kind, o.dependsOn]),
        );
        assert.doesNotMatch(JSON.stringify(graph.nodes.map((n) => n.inputs)), /preSharedKey/);
    });

    it("each null resource carries what the real one does besides its model: connection, secrets by name, computed outputs", () => {
        const graph = graphOfHub(hub(2), { host: "h", port: 22 });
        const wire = (type: string) => graph.nodes.find((n) => n.type === type)!.wire;
        assert.deepEqual(wire("TunnelInterface"), { connection: { host: "h", port: 22 }, secrets: registry.TunnelInterface.secretInputs, outputs: ["device", "config", "unmanaged"] });
        assert.ok(wire("TunnelInterface")!.secrets.includes("credentials"));
        assert.ok(wire("IkeV2Keyring")!.secrets.length > 1, "a keyring's keys travel as a secret input of their own");
    });

    it("from a stack export: dynamic resources with their dependencies, without transport inputs or secrets", () => {
        const urn = (type: string, name: string) => `urn:pulumi:s::p::${type}::${name}`;
        const secret = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:abc" };
        const graph = graphOfState({
            deployment: {
                resources: [
                    { urn: urn("pulumi:pulumi:Stack", "p-s"), type: "pulumi:pulumi:Stack", custom: false },
                    { urn: urn("pulumi:providers:pulumi-nodejs", "default"), type: "pulumi:providers:pulumi-nodejs", custom: true },
                    {
                        urn: urn("pulumi-nodejs:dynamic/ikev2:IkeV2Keyring", "home-keyring"),
                        type: "pulumi-nodejs:dynamic/ikev2:IkeV2Keyring",
                        custom: true,
                        inputs: { __provider: "code", __kind: "IkeV2Keyring", connection: { host: "h" }, credentials: secret, preSharedKeys: secret, name: "KR", peers: [{ name: "vps" }] },
                    },
                    {
                        urn: urn("pulumi-nodejs:dynamic/ikev2:IkeV2Profile", "home-vps-profile"),
                        type: "pulumi-nodejs:dynamic/ikev2:IkeV2Profile",
                        custom: true,
                        inputs: { name: "PROF-VPS", keyring: "KR" },
                        dependencies: [urn("pulumi-nodejs:dynamic/ikev2:IkeV2Keyring", "home-keyring"), urn("pulumi:pulumi:Stack", "p-s")],
                    },
                ],
            },
        });
        assert.deepEqual(graph.nodes, [
            { name: "home-keyring", type: "IkeV2Keyring", inputs: { name: "KR", peers: [{ name: "vps" }] }, dependsOn: [], wire: wireOf("IkeV2Keyring", { host: "h" }) },
            { name: "home-vps-profile", type: "IkeV2Profile", inputs: { name: "PROF-VPS", keyring: "KR" }, dependsOn: ["home-keyring"], wire: wireOf("IkeV2Profile", {}) },
        ]);
    });
});

describe("bench: reading what happened", () => {
    it("counts logins, whole-configuration generations and saves from the emulator's session log", () => {
        const log = [
            "2026-11-28T19:37:50.915Z hub [1] admin logged in at privilege 1",
            "2026-11-28T19:37:50.916Z hub [1] admin@hub> enable",
            "2026-11-28T19:37:50.917Z hub [1] admin@hub# show running-config",
            "2026-11-28T19:37:50.918Z hub [1] admin@hub# sh run | section crypto",
            "2026-11-28T19:37:50.919Z hub [1] admin@hub# show running-config interface Tunnel1",
            "2026-11-28T19:37:50.920Z hub [1] admin@hub# show startup-config",
            "2026-11-28T19:37:50.921Z hub [1] admin@hub(config)# do show run",
            "2026-11-28T19:37:50.922Z hub [1] admin@hub(config-if)# description show running-config",
            "2026-11-28T19:37:50.923Z hub [1] admin@hub# write memory",
            "2026-11-28T19:37:50.924Z hub [1] admin@hub# wr",
            "2026-11-28T19:37:50.925Z hub [1] admin@hub# copy running-config startup-config",
            "2026-11-28T19:37:50.926Z hub [2] authentication failed for admin (password)",
            "2026-11-28T19:37:50.927Z hub [3] admin logged in at privilege 1",
        ].join("\n");
        assert.deepEqual(workFromLog(log), { logins: 2, wholeConfigGenerations: 6, saves: 3 });
    });

    it("reads the CLI's resource summary", () => {
        const out = "Previewing update (bench):\n...\nResources:\n    + 35 to create\n\nUpdating (bench):\n\nResources:\n    + 34 created\n    ~ 1 updated\n    2 unchanged\n    - 3 deleted\n\nDuration: 8s\n";
        assert.deepEqual(summaryOf(out), { created: 34, updated: 1, unchanged: 2, deleted: 3 });
        assert.deepEqual(summaryOf("Resources:\n    + 35 to create\n"), { create: 35 });
    });

    it("formats a cell with the counters the source could tell", () => {
        const work = { logins: 1, wholeConfigGenerations: 465, saves: 154 };
        assert.equal(formatCell({ step: "create", seconds: 25.24, work: { hub: work } }), "25.2 s<br>1 login · 465 gen · 154 sav");
        assert.equal(
            formatCell({ step: "create", seconds: 3.5, work: { home: { ...work, shellSessions: 2, bytesSent: 2048 }, parents: { ...work, logins: 0 } } }),
            "3.50 s<br>home: 1 login · 2 sh · 465 gen · 154 sav · 2.0 KiB<br>parents: 0 logins · 465 gen · 154 sav",
        );
        assert.equal(formatCell({ step: "refresh", notApplicable: "no state" }), "n/a (no state)");
    });

    it("computes the goals' ratios from the N = 50 cost-on runs", () => {
        const run = (tool: RunResult["tool"], n: number, cost: RunResult["cost"], seconds: Record<string, number>, refreshReads = 0): RunResult => ({
            scenario: `hub-${n}`,
            n,
            resources: 3 * n + 4,
            tool,
            cost,
            checks: [],
            load: [0, 0],
            steps: Object.entries(seconds).map(([step, s]) => ({
                step: step as RunResult["steps"][number]["step"],
                seconds: s,
                work: step === "refresh" ? { hub: { logins: 1, wholeConfigGenerations: refreshReads, saves: 0 } } : undefined,
            })),
        });
        const results: Results = {
            machine: { date: "2026-11-28", cores: 2, memoryGiB: 24, cpu: "x", kernel: "y", commit: "z", versions: {} },
            seconds: 1,
            options: {},
            notes: [],
            runs: [
                run("provider", 10, "on", { create: 10 }),
                run("provider", 50, "on", { create: 40, "no-op up": 12, refresh: 9 }, 154),
                run("provider", 50, "off", { create: 20, "no-op up": 11 }),
                run("ansible", 50, "on", { create: 100 }),
                run("null", 50, "n/a", { "no-op up": 10 }),
                run("provider", 200, "on", { create: 300 }),
            ],
        };
        const g = goals(results);
        assert.equal(g[0].measured, "0.40");
        assert.equal(g[1].measured, "1.20");
        assert.equal(g[2].measured, "154");
        assert.equal(g[3].measured, "30.0x time for 20x N (1.50 of linear)");
        const off = goals(results, "off");
        assert.deepEqual(off.map((x) => x.measured), ["-", "1.10", "-", "-"]);
    });
});
