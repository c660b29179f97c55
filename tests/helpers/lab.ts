/** The repository and commands inside lab sites; the sites themselves are in scripts/lab-sites.ts. */
import * as path from "path";
import { execFileSync } from "child_process";

export const REPO = path.resolve(__dirname, "..", "..", "..");

/** Runs a command inside a lab site's namespaces (lab/lab-exec.sh). */
export function labExec(site: string, args: string[], timeoutMs = 30000): string {
    return execFileSync("bash", [path.join(REPO, "lab", "lab-exec.sh"), site, ...args], { encoding: "utf8", timeout: timeoutMs, stdio: ["ignore", "pipe", "pipe"] });
}
