/**
 * The processes a test started, found through /proc: a command the test spawned and everything
 * below it (the Pulumi CLI starts its language host and its provider plugins in process groups of
 * their own, so killing the CLI's group alone leaves them running).
 */
import * as fs from "fs";

interface ProcessEntry {
    pid: number;
    ppid: number;
    pgid: number;
    command: string;
}

function processes(): ProcessEntry[] {
    const out: ProcessEntry[] = [];
    for (const name of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(name)) continue;
        try {
            const stat = fs.readFileSync(`/proc/${name}/stat`, "utf8");
            const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
            const command = fs.readFileSync(`/proc/${name}/cmdline`, "utf8").replace(/\0/g, " ").trim();
            out.push({ pid: Number(name), ppid: Number(fields[1]), pgid: Number(fields[2]), command });
        } catch {
            // the process ended while we looked
        }
    }
    return out;
}

/** The process and all its descendants that are alive now. */
export function processTree(root: number): ProcessEntry[] {
    const all = processes();
    const tree = all.filter((p) => p.pid === root);
    for (let i = 0; i < tree.length; i++) tree.push(...all.filter((p) => p.ppid === tree[i].pid));
    return tree;
}

/** True while the process exists (and is not a zombie). */
export function isAlive(pid: number): boolean {
    try {
        return !/^\S+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
    } catch {
        return false;
    }
}

/** kill -9 of each process group in the tree (never the test's own group). */
export function killGroups(tree: ProcessEntry[]): void {
    const own = processes().find((p) => p.pid === process.pid)!.pgid;
    for (const pgid of new Set(tree.map((p) => p.pgid))) {
        if (pgid === own) continue;
        try {
            process.kill(-pgid, "SIGKILL");
        } catch {
            // already gone
        }
    }
}
