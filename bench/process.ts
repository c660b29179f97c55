/**
 * Runs one measured command (a `pulumi` or `ansible-playbook` run) in a process group of its own,
 * so that a run over its time limit is stopped with everything it started (language host,
 * dynamic-provider host, Ansible's connection daemon). Output goes to a log file and is returned.
 */
import { spawn } from "child_process";
import * as fs from "fs";

export interface CommandRun {
    /** Wall time from start to exit, in seconds. */
    seconds: number;
    /** Exit code; undefined when the run was stopped. */
    status?: number;
    /** The run took longer than its limit and was stopped. */
    stopped: boolean;
    /** stdout and stderr. */
    output: string;
}

export function runCommand(
    command: string,
    args: string[],
    opts: { cwd: string; env: NodeJS.ProcessEnv; limitMs: number; log: string; input?: string },
): Promise<CommandRun> {
    return new Promise((resolve, reject) => {
        const started = process.hrtime.bigint();
        const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, detached: true, stdio: ["pipe", "pipe", "pipe"] });
        const chunks: Buffer[] = [];
        child.stdout.on("data", (d: Buffer) => chunks.push(d));
        child.stderr.on("data", (d: Buffer) => chunks.push(d));
        child.stdin.end(opts.input ?? "");
        let stopped = false;
        const timer = setTimeout(() => {
            stopped = true;
            try {
                process.kill(-child.pid!, "SIGKILL");
            } catch {
                /* the group is already gone */
            }
        }, opts.limitMs);
        child.on("error", (e) => {
            clearTimeout(timer);
            reject(e);
        });
        child.on("exit", (code) => {
            clearTimeout(timer);
            const seconds = Number(process.hrtime.bigint() - started) / 1e9;
            // A daemon the command left behind (Ansible's connection process) may hold the pipes
            // open: take what arrived shortly after the exit, then stop listening.
            const finish = () => {
                child.stdout.destroy();
                child.stderr.destroy();
                const output = Buffer.concat(chunks).toString("utf8");
                fs.writeFileSync(opts.log, `$ ${command} ${args.join(" ")}\n${output}\n[exit ${code ?? "killed"} after ${seconds.toFixed(1)} s]\n`, { mode: 0o600 });
                resolve({ seconds, status: stopped ? undefined : (code ?? undefined), stopped, output });
            };
            const grace = setTimeout(finish, 2000);
            child.once("close", () => {
                clearTimeout(grace);
                finish();
            });
        });
    });
}
