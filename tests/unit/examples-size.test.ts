/**
 * Issue 10's measure of "one declaration, both ends": the story (a hub with two tunnels, one of them
 * IOS <-> IOS) in at most 60 lines of code, the one-tunnel example in fewer. Comments and blank
 * lines do not count.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";

const REPO = path.resolve(__dirname, "..", "..", "..");

/** Lines of TypeScript that are neither blank nor comment. */
function linesOfCode(file: string): number {
    const text = fs.readFileSync(path.join(REPO, file), "utf8").replace(/\/\*[\s\S]*?\*\//g, "");
    return text.split("\n").filter((l) => l.trim() !== "" && !l.trim().startsWith("//")).length;
}

describe("examples' size", () => {
    it("examples/story is at most 60 lines of code", () => {
        const n = linesOfCode("examples/story/index.ts");
        assert.ok(n <= 60, `examples/story/index.ts has ${n} lines of code`);
    });

    it("examples/minimal is at most 40 lines of code", () => {
        const n = linesOfCode("examples/minimal/index.ts");
        assert.ok(n <= 40, `examples/minimal/index.ts has ${n} lines of code`);
    });
});
