/**
 * The benchmark's Ansible files against the emulator: the create file's lines, sent as Ansible's
 * ios_config sends a `src:` file (line by line, without indentation), leave the router with every
 * hub object exactly as the provider renders it, which the benchmark's own check confirms (and
 * refuses when an object is wrong); the destroy file's lines bring the router back to where it was.
 */
import { strict as assert } from "assert";
import { hubObjects, syntheticSpokes, withKeys } from "../../bench/hub";
import { ansibleCreateText, ansibleDestroyText } from "../../bench/hub-lines";
import { RouterAccess, runningConfig, withRouterSession } from "../../bench/device";
import { checkHub } from "../../bench/runs";
import { EmulatedRouter, ENABLE_SECRET, PASSWORD, startRouter } from "../helpers/ios-lab";

const linesOf = (text: string) => text.split("\n").map((l) => l.trim()).filter(Boolean);

describe("bench: Ansible's files on the emulator", function () {
    this.timeout(60000);
    let router: EmulatedRouter;
    let access: RouterAccess;

    before(async () => {
        router = await startRouter({ hostname: "hub" });
        access = { host: "127.0.0.1", port: router.emulator.port, username: "admin", password: PASSWORD, enableSecret: ENABLE_SECRET, hostKey: router.hostKey, hostPublicKey: "" };
    });
    after(() => router.emulator.close());

    it("create leaves every object as rendered, the check notices a wrong one, destroy restores the router", async () => {
        const objects = withKeys(hubObjects({ hubWan: "198.51.100.1", tunnelSource: "GigabitEthernet1", spokes: syntheticSpokes(3) }), "seed");
        const pristine = await runningConfig(access, "hub");

        const created = await withRouterSession(access, "hub", (s) => s.configure(linesOf(ansibleCreateText(objects))));
        assert.ok(created.ok, JSON.stringify(created));
        assert.equal(await checkHub(access, objects), "the router holds all 13 objects as rendered");

        const broken = await withRouterSession(access, "hub", (s) => s.configure(["interface Tunnel2", "no ip mtu", "exit"]));
        assert.ok(broken.ok);
        await assert.rejects(checkHub(access, objects), /1 of 13 objects are wrong: interface Tunnel2 differs from the intent/);

        const destroyed = await withRouterSession(access, "hub", (s) => s.configure(linesOf(ansibleDestroyText(objects))));
        assert.ok(destroyed.ok, JSON.stringify(destroyed));
        assert.equal(await runningConfig(access, "hub"), pristine);
    });
});
