/**
 * The provider process's life inside Pulumi's dynamic-provider host (`pulumi-resource-pulumi-nodejs`,
 * started by the Pulumi engine in a process group of its own).
 *
 * - The normal end: the engine sends SIGINT to the provider's process group and kills it 5 s later
 *   (pulumi sdk/go/common/resource/plugin/plugin.go, `InterruptChildren`, then `KillChildren`). By
 *   then it has recorded every finished step, so the provider saves what it changed, drops the
 *   journal entries the engine has recorded, closes its SSH connections and exits.
 * - The engine gone: after `kill -9` of the CLI, nothing tells the provider, which would otherwise
 *   live on holding SSH sessions, and with them a router's configuration lock or a half-open
 *   configuration session. A watchdog notices within about a second (the parent process changed, or
 *   the engine's gRPC address refuses connections), closes every SSH connection at once (the router
 *   then releases the lock; a pending revert timer reverts the session when it runs out, or at once
 *   in the next deployment, which knows it from the journal) and exits.
 */
import * as net from "net";
import { IntentJournal } from "../drivers/journal";
import { SshPool } from "../ssh/pool";

/** How often the watchdog looks for the engine. */
const WATCH_MS = 500;
/** The engine's SIGKILL comes 5 s after its SIGINT: finish well before. */
const FINISH_WITHIN_MS = 4000;

/** The dynamic-provider host's entry point (`@pulumi/pulumi/cmd/dynamic-provider`), whose first argument is the engine's address. */
const HOST_ENTRY = /[\\/]cmd[\\/]dynamic-provider([\\/]index\.js)?$/;
const ADDRESS = /^[\w.-]+:\d+$|^\[[0-9a-fA-F:]+\]:\d+$/;

/** The engine's address when this process is Pulumi's dynamic-provider host, else undefined (a test, a program). */
export function engineAddress(): string | undefined {
    const [, entry, address] = process.argv;
    return entry && HOST_ENTRY.test(entry) && address && ADDRESS.test(address) ? address : undefined;
}

/** Resolves false when the engine's address refuses a connection, true when it accepts one or cannot tell. */
function engineAnswers(address: string): Promise<boolean> {
    const at = address.lastIndexOf(":");
    return new Promise((resolve) => {
        const socket = net.connect({ host: address.slice(0, at).replace(/^\[|\]$/g, ""), port: Number(address.slice(at + 1)) });
        socket.setTimeout(1000);
        socket.once("connect", () => {
            socket.destroy();
            resolve(true);
        });
        socket.once("timeout", () => {
            socket.destroy();
            resolve(true);
        });
        socket.once("error", (e: NodeJS.ErrnoException) => resolve(e.code !== "ECONNREFUSED"));
    });
}

let supervised = false;

/** Installs the SIGINT handling and the watchdog, once, when running inside the dynamic-provider host. */
export function superviseProviderProcess(): void {
    const engine = engineAddress();
    if (supervised || !engine) return;
    supervised = true;
    const parent = process.ppid;
    let ending = false;

    const end = (code: number, work: () => Promise<void>) => {
        if (ending) return;
        ending = true;
        const deadline = setTimeout(() => process.exit(code), FINISH_WITHIN_MS);
        deadline.unref();
        void work()
            .catch((e: Error) => process.stderr.write(`pulumi-ikev2: while finishing: ${e.message}\n`))
            .finally(() => process.exit(code));
    };

    const finish = () =>
        end(0, async () => {
            IntentJournal.shared.finishProcess();
            await SshPool.shared.closeAll();
        });
    process.on("SIGINT", finish);
    process.on("SIGTERM", finish);

    let probing = false;
    const watchdog = setInterval(() => {
        if (process.ppid !== parent) return engineGone();
        if (probing) return;
        probing = true;
        void engineAnswers(engine).then((answers) => {
            probing = false;
            if (!answers) engineGone();
        });
    }, WATCH_MS);
    watchdog.unref();

    function engineGone(): void {
        clearInterval(watchdog);
        // No one is left to report to: drop every SSH connection now, so the routers release their locks.
        end(1, async () => SshPool.shared.destroyAll());
    }
}
