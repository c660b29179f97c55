/** The package packed as it would be published (scripts/release-check.ts), once per test run. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { packRelease } from "../../scripts/release-check";

let tarball: string | undefined;

/** The tarball's path; it is removed when the test process exits. */
export function releaseTarball(): string {
    if (tarball === undefined) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ikev2-release-"));
        process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
        tarball = packRelease(dir);
    }
    return tarball;
}
