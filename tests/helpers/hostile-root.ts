/**
 * A private mount namespace in which the machine's shell start-up files are hostile, as on a machine
 * where a shell-init tool slows every SSH command (issue 9): root's ~/.bashrc, ~/.profile,
 * ~/.bash_profile, /etc/bash.bashrc, /etc/profile, a file in /etc/profile.d and the start-up files
 * of the given users' homes under /home each write MARKER to stderr and sleep 5 s. Lab hosts and the
 * test sshd started in it must not notice.
 *
 * Nothing of the machine changes: /root and /home are overlays whose writable layer is a temporary
 * folder, the /etc files are bind mounts, all in a mount namespace of its own that ends with its
 * keeper process (which ends when this process does: it waits on a pipe from us).
 */
import { ChildProcess, spawn } from "child_process";
import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

export const MARKER = "machine-start-up-file-ran";

export interface Run {
    code: number | null;
    stdout: string;
    stderr: string;
}

export interface HostileRoot {
    /** The keeper: a process in the namespace (and in `netns`, if one was asked for). */
    pid: number;
    /** Runs a command inside the namespace (`nsenter -t pid -m [-n]`). */
    run(args: string[], opts?: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv }): Promise<Run>;
    /** Ends the namespace (deleting `netns` first) and removes the temporary folder. */
    close(): Promise<void>;
}

const KEEPER = `
set -euo pipefail
work="$1" marker="$2" netns="$3"
shift 3
hostile="echo \\"$marker: \\$0\\" >&2; sleep 5"
printf '%s\\n' "$hostile" >"$work/start-up"
mkdir -p "$work/profile.d"
printf '%s\\n' "$hostile" >"$work/profile.d/zz-machine.sh"
for top in root home; do
    mkdir -p "$work/$top-upper" "$work/$top-work"
    mount -t overlay overlay -o "lowerdir=/$top,upperdir=$work/$top-upper,workdir=$work/$top-work" "/$top"
done
for f in /root/.bashrc /root/.profile /root/.bash_profile; do printf '%s\\n' "$hostile" >"$f"; done
for user in "$@"; do
    mkdir -p "/home/$user"
    for f in .bashrc .profile .bash_profile; do printf '%s\\n' "$hostile" >"/home/$user/$f"; done
done
for f in /etc/bash.bashrc /etc/profile; do mount --bind "$work/start-up" "$f"; done
mount --bind "$work/profile.d" /etc/profile.d
enter=()
if [ -n "$netns" ]; then
    ip netns add "$netns"
    ip -n "$netns" link set lo up
    enter=(nsenter --net="/run/netns/$netns" --)
fi
exec \${enter[@]+"\${enter[@]}"} bash --norc -c 'echo ready; read -r _ || true'
`;

function collect(child: ChildProcess, input: string | undefined, timeoutMs: number): Promise<Run> {
    return new Promise((done, fail) => {
        let stdout = "";
        let stderr = "";
        const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
        child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("error", fail);
        child.on("close", (code) => {
            clearTimeout(timer);
            done({ code, stdout, stderr });
        });
        if (child.stdin) {
            // A command that does not read its input may end before we finish writing it.
            child.stdin.on("error", () => undefined);
            child.stdin.end(input);
        }
    });
}

/** Starts the namespace; `netns` (optional) is a network namespace made and entered in it. */
export async function hostileRoot(opts: { netns?: string; users?: string[] } = {}): Promise<HostileRoot> {
    const work = mkdtempSync(join(tmpdir(), "hostile-root-"));
    // --norc: stdin is a socket (Node's pipes are), which would make a top-level `bash -c` read ~/.bashrc.
    const keeper = spawn("unshare", ["-m", "--propagation", "private", "bash", "--norc", "-c", KEEPER, "keeper", work, MARKER, opts.netns ?? "", ...(opts.users ?? [])], {
        stdio: ["pipe", "pipe", "pipe"],
    });
    let stderr = "";
    keeper.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((ready, fail) => {
        keeper.stdout!.once("data", () => ready());
        keeper.once("exit", (code) => fail(new Error(`the hostile-root namespace did not start (exit ${code}): ${stderr}`)));
    });
    const pid = keeper.pid!;
    const enter = ["-t", String(pid), "-m", ...(opts.netns ? ["-n"] : []), "--"];
    // Without input, stdin is /dev/null: Node's pipes are sockets, and a `bash -c` whose stdin is a
    // socket (and whose SHLVL says it is a top-level shell) takes itself for a command run by sshd
    // and sources ~/.bashrc, here the hostile one.
    const run: HostileRoot["run"] = (args, o = {}) =>
        collect(
            spawn("nsenter", [...enter, ...args], { stdio: [o.input === undefined ? "ignore" : "pipe", "pipe", "pipe"], env: o.env ?? process.env }),
            o.input,
            o.timeoutMs ?? 60000,
        );
    return {
        pid,
        run,
        close: async () => {
            if (keeper.exitCode === null) {
                if (opts.netns) await run(["ip", "netns", "del", opts.netns]);
                const gone = new Promise((r) => keeper.once("exit", r));
                keeper.stdin!.end();
                await gone;
            }
            rmSync(work, { recursive: true, force: true });
        },
    };
}
