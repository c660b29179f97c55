/**
 * Warnings from check() to the Pulumi CLI. A dynamic provider's check() can only fail, and the
 * SDK's `pulumi.log.warn` needs an engine connection that the dynamic-provider host never sets up:
 * there it prints `warning: [runtime] ...` to stderr, which the CLI shows as plain text under the
 * stack. The host is started with the engine's address as its first argument
 * (`@pulumi/pulumi/cmd/dynamic-provider`), so a warning goes to the engine's Log call with severity
 * WARNING, which the CLI shows under Diagnostics as `warning: ...` at preview and at `up` (tried
 * with the CLI: tests/e2e/key-rotation.test.ts). The host does not pass the resource's URN to
 * check(), so each message names its resource itself.
 *
 * Outside the host (a program that calls the handlers itself), warnings go to stderr.
 */
import * as path from "path";
import type { EngineClient } from "@pulumi/pulumi/proto/engine_grpc_pb";

/** The dynamic-provider host's entry point, whose first argument is the engine's address. */
const HOST_ENTRY = /[\\/]cmd[\\/]dynamic-provider([\\/]index\.js)?$/;
const ADDRESS = /^[\w.-]+:\d+$|^\[[0-9a-fA-F:]+\]:\d+$/;

let engine: EngineClient | undefined | null;

/** The engine's Log client when this process is the dynamic-provider host, else null. */
function engineClient(): EngineClient | null {
    if (engine !== undefined) return engine;
    const [, entry, address] = process.argv;
    if (!entry || !HOST_ENTRY.test(entry) || !address || !ADDRESS.test(address)) return (engine = null);
    // grpc-js as the SDK resolves it (a dependency of @pulumi/pulumi, not of this package).
    const sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- resolved from the SDK's own dependencies at run time
    const grpc: typeof import("@grpc/grpc-js") = require(require.resolve("@grpc/grpc-js", { paths: [sdk] }));
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only inside the host
    const { EngineClient: Engine }: typeof import("@pulumi/pulumi/proto/engine_grpc_pb") = require("@pulumi/pulumi/proto/engine_grpc_pb");
    return (engine = new Engine(address, grpc.credentials.createInsecure()));
}

/** Sends one warning to the CLI (or stderr); never throws: a warning that cannot be shown must not fail a deployment. */
export async function warn(message: string): Promise<void> {
    const client = engineClient();
    if (!client) {
        process.stderr.write(`warning: ${message}\n`);
        return;
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the SDK's generated messages, inside the host only
    const { LogRequest, LogSeverity }: typeof import("@pulumi/pulumi/proto/engine_pb") = require("@pulumi/pulumi/proto/engine_pb");
    const request = new LogRequest();
    request.setSeverity(LogSeverity.WARNING);
    request.setMessage(message);
    request.setUrn("");
    await new Promise<void>((resolve) => client.log(request, (error) => {
        if (error) process.stderr.write(`warning: ${message}\n`);
        resolve();
    }));
}
