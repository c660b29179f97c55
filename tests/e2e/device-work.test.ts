// Device work with the real Pulumi CLI and engine (issue 11, item 2): a hub of N tunnels on one
// emulated router (started by this test), deployed, refreshed and destroyed by the CLI. The engine
// sends each dependency wave at once, and the router serves a wave as one batch, so the emulator's
// counters (logins, CLI shells, whole-configuration generations, saves) are those of the 4 waves,
// the same for N = 2 and N = 6, and a refresh reads the router once. Counters only: nothing here
// measures time. The engine lets only --parallel operations run at once (Pulumi's default: 4 x cores,
// 8 here), so the hubs stay below that; a wider program is told so (provider/resources/parallelism.ts).
import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as path from "path";
import { EmulatedRouter, routerWork, startRouter } from "../helpers/ios-lab";
import { javascriptProject, PulumiSandbox, repoRoot } from "./pulumi-cli";

/** Proposal, keyring and transform set; policy and profiles; IPsec profiles; tunnels: 4 waves. */
const program = `"use strict";
const pulumi = require("@pulumi/pulumi");
const ikev2 = require(${JSON.stringify(path.join(repoRoot, "dist/provider/index.js"))});

const config = new pulumi.Config();
const device = {
  host: "127.0.0.1",
  port: config.requireNumber("port"),
  username: "admin",
  password: config.requireSecret("password"),
  enableSecret: config.requireSecret("enableSecret"),
  hostKey: config.require("hostKey"),
};
const spokes = Array.from({ length: config.requireNumber("spokes") }, (_, i) => i + 1);
const proposal = new ikev2.IkeV2Proposal("proposal", { device, name: "PROP", encryption: ["aes-cbc-256"], integrity: ["sha256"], groups: [14] });
const keyring = new ikev2.IkeV2Keyring("keyring", {
  device,
  name: "KR",
  peers: spokes.map((i) => ({ name: "spoke" + i, address: "192.0.2." + i, preSharedKey: pulumi.secret("Spoke-Key-" + i + "!") })),
});
const transformSet = new ikev2.IpsecTransformSet("ts", { device, name: "TS", encryption: "esp-aes-256", integrity: "esp-sha256-hmac" });
new ikev2.IkeV2Policy("policy", { device, name: "POL", proposals: [proposal.name] });
for (const i of spokes) {
  const profile = new ikev2.IkeV2Profile("profile" + i, {
    device, name: "PROF-" + i, matchIdentityRemote: [{ address: "192.0.2." + i }], identityLocal: { address: "198.51.100.1" }, keyring: keyring.name,
  });
  const ipsec = new ikev2.IpsecProfile("ipsec" + i, { device, name: "IPSEC-" + i, transformSets: [transformSet.name], ikev2Profile: profile.name });
  new ikev2.TunnelInterface("tunnel" + i, {
    device, number: i, ipAddress: { address: "172.16." + i + ".1", mask: "255.255.255.252" }, tunnelSource: "GigabitEthernet1",
    tunnelDestination: "192.0.2." + i, protectionProfile: ipsec.name, routes: [{ destination: "10." + i + ".0.0/24" }],
  });
}
`;

describe("e2e: device work grows with dependency waves, not objects, with the real Pulumi CLI", function () {
    this.timeout(900_000);
    let sandbox: PulumiSandbox;
    let router: EmulatedRouter;
    let project = "";

    /** Runs the CLI without blocking this process, which serves the emulated router. */
    function pulumi(...args: string[]): Promise<string> {
        return new Promise((resolve, reject) => {
            const child = spawn("pulumi", [...args, "--non-interactive"], { cwd: project, env: sandbox.env });
            let output = "";
            child.stdout.on("data", (d) => (output += d));
            child.stderr.on("data", (d) => (output += d));
            child.on("error", reject);
            child.on("close", (code) => (code === 0 ? resolve(output) : reject(new Error(`pulumi ${args.join(" ")} exited ${code}:\n${output}`))));
        });
    }

    /** The output of the last command counted. */
    let output = "";

    async function counted(args: string[]) {
        const before = router.emulator.stats();
        output = await pulumi(...args);
        return routerWork(router.emulator.stats(), before);
    }

    before(async function () {
        this.timeout(60 * 60_000); // the first run may build the CLI
        router = await startRouter();
        sandbox = new PulumiSandbox("device-work-");
        project = javascriptProject(sandbox, "device-work", program);
        await pulumi("stack", "init", "dev");
        await pulumi("config", "set", "port", String(router.emulator.port));
        await pulumi("config", "set", "hostKey", router.hostKey);
        await pulumi("config", "set", "--secret", "password", String(router.credentials.password));
        await pulumi("config", "set", "--secret", "enableSecret", String(router.credentials.enableSecret));
    });

    after(async function () {
        this.timeout(240_000);
        if (sandbox) {
            await pulumi("destroy", "--yes").catch(() => undefined);
            sandbox.remove();
        }
        await router?.emulator.close();
    });

    for (const spokes of [2, 6]) {
        it(`a hub of ${spokes} tunnels (${3 + 4 * spokes} objects): up, refresh and destroy cost what its 4 waves cost`, async () => {
            await pulumi("config", "set", "spokes", String(spokes));
            const up = await counted(["up", "--yes"]);
            // What the router lacks is said once per provider process, under the CLI's Diagnostics.
            const diagnostics = output.slice(output.indexOf("Diagnostics:"));
            assert.equal(diagnostics.match(/^\s*warning: admin@127\.0\.0\.1:\d+: this router has no configuration archive/gm)?.length, 1, output);
            assert.match(router.emulator.runningConfig(), new RegExp(`interface Tunnel${spokes}\\n`));
            // --skip-preview: a refresh's preview reads every object too, in a provider process of its own.
            const refresh = await counted(["refresh", "--yes", "--skip-preview", "--expect-no-changes"]);
            const destroy = await counted(["destroy", "--yes"]);
            assert.doesNotMatch(router.emulator.runningConfig(), /crypto ikev2|interface Tunnel/);
            console.log(`      ${spokes} tunnels: up ${JSON.stringify(up)}, refresh ${JSON.stringify(refresh)}, destroy ${JSON.stringify(destroy)}`);
            // Per wave, on a router without an archive: the read before the lines, the read-back, the save.
            const waves = { logins: 1, shellSessions: 1, wholeConfigGenerations: 4 * 3, saves: 4 };
            assert.deepEqual(up, waves, "pulumi up");
            assert.deepEqual(refresh, { logins: 1, shellSessions: 1, wholeConfigGenerations: 1, saves: 0 }, "pulumi refresh");
            assert.deepEqual(destroy, waves, "pulumi destroy");
        });
    }

    it("a program whose waves are wider than the engine's --parallel is told so, once per router, with the fix", async () => {
        await pulumi("config", "set", "spokes", "6");
        const wide = await pulumi("preview", "--parallel", "4");
        // The CLI prints a warning where it happens and again under Diagnostics: count the latter.
        const advice = wide.slice(wide.indexOf("Diagnostics:")).match(/admin@127\.0\.0\.1:\d+ has more (IkeV2Profile|IpsecProfile|TunnelInterface) objects than pulumi runs at once \(--parallel 4\)/g) ?? [];
        assert.equal(advice.length, 1, wide);
        assert.match(wide, /--parallel at least the number of objects per kind on this router/);
        assert.doesNotMatch(await pulumi("preview", "--parallel", "6"), /pulumi runs at once/);
    });
});
