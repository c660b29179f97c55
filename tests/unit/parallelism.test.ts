// The program's advice when the engine's --parallel would split a router's dependency waves into
// several batches (provider/resources/parallelism.ts).
import { strict as assert } from "assert";
import { engineParallelism, WaveWidthAdvisor } from "../../provider/resources/parallelism";

describe("wave width advice", () => {
    it("reads the engine's --parallel from the Node SDK's environment", () => {
        assert.equal(engineParallelism({ PULUMI_NODEJS_PARALLEL: "8" }), 8);
        assert.equal(engineParallelism({}), undefined);
        assert.equal(engineParallelism({ PULUMI_NODEJS_PARALLEL: "2147483647" }), undefined, "no limit: nothing to advise");
        assert.equal(engineParallelism({ PULUMI_NODEJS_PARALLEL: "-1" }), undefined);
    });

    it("warns once per router, when one kind outnumbers --parallel", () => {
        const advisor = new WaveWidthAdvisor(2);
        assert.equal(advisor.note("admin@hub", "TunnelInterface"), undefined);
        assert.equal(advisor.note("admin@hub", "IpsecProfile"), undefined);
        assert.equal(advisor.note("admin@hub", "TunnelInterface"), undefined);
        assert.equal(advisor.note("admin@branch", "TunnelInterface"), undefined);
        const warning = advisor.note("admin@hub", "TunnelInterface");
        assert.match(warning ?? "", /^admin@hub has more TunnelInterface objects than pulumi runs at once \(--parallel 2\)/);
        assert.match(warning ?? "", /PULUMI_PARALLEL=256/);
        assert.equal(advisor.note("admin@hub", "IpsecProfile"), undefined, "once per router");
        assert.equal(advisor.note("admin@branch", "TunnelInterface"), undefined);
        assert.match(advisor.note("admin@branch", "TunnelInterface") ?? "", /^admin@branch has more/);
    });

    it("says nothing when the limit is unknown", () => {
        const advisor = new WaveWidthAdvisor(undefined);
        for (let i = 0; i < 100; i++) assert.equal(advisor.note("admin@hub", "TunnelInterface"), undefined);
    });
});
