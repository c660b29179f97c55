/**
 * The benchmark's smoke run (bench/README.md, "Smoke run"): `node dist/bench/main.js` on a hub of 2
 * tunnels with the cost model on, with each tool (this provider through the real Pulumi CLI, Debian's
 * Ansible ios_config, the null provider), as bench/run.sh runs it. Every step must report what it
 * should, every check of the router must pass, the counters must come from the emulator, and the
 * report must be written, so that the benchmark cannot rot between its full runs. Times are not
 * asserted: performance claims come from the full benchmark only.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Results } from "../../bench/report";
import { pulumiBinDir, repoRoot } from "./pulumi-cli";

describe("bench: a smoke run of the benchmark (hub-2, cost model on, every tool)", function () {
    this.timeout(20 * 60 * 1000);
    let work: string;
    let results: Results;
    let report: string;

    before(() => {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "bench-smoke-"));
        const out = path.join(work, "report.md");
        const run = spawnSync(
            process.execPath,
            [path.join(repoRoot, "dist", "bench", "main.js"), "--scenarios", "hub-2", "--cost", "on", "--step-limit-min", "10", "--out", out],
            { cwd: repoRoot, env: { ...process.env, PULUMI_BIN: pulumiBinDir() }, encoding: "utf8", timeout: 19 * 60 * 1000 },
        );
        assert.equal(run.status, 0, `bench/main.js exited ${run.status}:\n${run.stdout}\n${run.stderr}`);
        results = JSON.parse(fs.readFileSync(out.replace(/\.md$/, ".json"), "utf8"));
        report = fs.readFileSync(out, "utf8");
    });
    after(() => fs.rmSync(work, { recursive: true, force: true }));

    it("runs hub-2 with each tool, the cost model on for the router's tools", () => {
        assert.deepEqual(results.runs.map((r) => `${r.scenario} ${r.tool} ${r.cost}`).sort(), ["hub-2 ansible on", "hub-2 null n/a", "hub-2 provider on"]);
        assert.match(results.options["cost model (on)"] ?? "", /the emulator's defaults: nvgenMsPerLine/);
        for (const run of results.runs) assert.equal(run.resources, 3 * 2 + 4, run.tool);
    });

    it("every step reports what it must and every check of the router passes", () => {
        const outcomes = (tool: string) => Object.fromEntries(results.runs.find((r) => r.tool === tool)!.steps.map((s) => [s.step, s.failed ?? s.outcome ?? s.notApplicable]));
        assert.deepEqual(outcomes("provider"), {
            preview: "11 create",
            create: "11 created",
            "no-op up": "11 unchanged",
            change: "1 updated, 10 unchanged",
            refresh: "11 unchanged",
            destroy: "11 deleted",
        });
        assert.deepEqual(outcomes("null"), outcomes("provider"));
        const ansible = outcomes("ansible");
        assert.deepEqual(
            { ...ansible, refresh: undefined },
            { preview: "changed=1", create: "changed=1", "no-op up": "changed=0", change: "changed=1", refresh: undefined, destroy: "changed=1" },
        );
        for (const tool of ["provider", "ansible"]) {
            const run = results.runs.find((r) => r.tool === tool)!;
            assert.equal(run.counters, "emulator counters", tool);
            assert.ok(run.checks.some((c) => /holds all 10 objects as rendered/.test(c)), `${tool}: ${run.checks.join("; ")}`);
            assert.ok(run.checks.some((c) => /after destroy: hub's running-config is as before the run/.test(c)), `${tool}: ${run.checks.join("; ")}`);
            assert.ok(!run.checks.some((c) => /CHECK FAILED/.test(c)), `${tool}: ${run.checks.join("; ")}`);
        }
    });

    it("counts the router's work per step: one login for a create, nothing for a no-op up", () => {
        const provider = results.runs.find((r) => r.tool === "provider")!;
        const work = (step: string) => provider.steps.find((s) => s.step === step)!.work!.hub;
        assert.equal(work("create").logins, 1);
        assert.ok(work("create").wholeConfigGenerations > 0 && work("create").saves > 0 && (work("create").bytesSent ?? 0) > 0, JSON.stringify(work("create")));
        assert.deepEqual([work("no-op up").logins, work("no-op up").wholeConfigGenerations, work("no-op up").saves], [0, 0, 0]);
    });

    it("runs the no-op up three times for the Pulumi tools and reports the median", () => {
        for (const tool of ["provider", "null"]) {
            const noOp = results.runs.find((r) => r.tool === tool)!.steps.find((s) => s.step === "no-op up")!;
            assert.equal(noOp.runs?.length, 3, tool);
            assert.equal(noOp.seconds, [...noOp.runs!].sort((a, b) => a - b)[1], tool);
        }
        assert.match(report, /no-op up: 11 unchanged \(3 runs: [\d.]+ s, [\d.]+ s, [\d.]+ s; the table has their median\)/);
    });

    it("writes the report with the scenario's table", () => {
        assert.match(report, /^# Benchmark \d{4}-\d{2}-\d{2}$/m);
        assert.match(report, /^## Results$/m);
        assert.match(report, /^### hub-2 \(N = 2\), 10 resources, cost model on$/m);
        assert.match(report, /^\| create \| [\d.]+ s<br>1 login · \d+ sh · \d+ gen · \d+ sav · [\d.]+ (B|KiB|MiB) \| /m);
    });
});
