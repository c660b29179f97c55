/**
 * `npx pulumi-ikev2 doctor` (a command of provider/cli.ts): for every tunnel of the current Pulumi stack, whether it is up on both
 * ends, and for one that is not, the cause and the fix from both ends' evidence (the same diagnosis
 * as the tunnel checks). It reads the stack with `pulumi stack export --show-secrets` (run in the
 * current folder, with the caller's Pulumi environment) to log into the devices; the export stays in
 * memory and no secret is ever printed. Exit status: 0 when every tunnel is up, 1 when one is not,
 * 2 when the doctor could not run.
 */
import { spawnSync } from "child_process";
import type { CommandIo } from "../importer/command";
import { diagnoseTunnel, EndAccess } from "../drivers/tunnel-evidence";
import { IosTunnelProber } from "../drivers/ios-tunnel-check-driver";
import { StrongSwanTunnelProber } from "../drivers/tunnel-check-driver";
import { redact } from "../masking";
import { iosTunnelCheckSchema, strongSwanTunnelCheckSchema } from "../schema/tunnel-check";
import { SshPool } from "../ssh/pool";
import { StackEnd, StackTunnel, stackTunnels } from "./stack";

export const DOCTOR_USAGE = `usage: pulumi-ikev2 doctor [--stack NAME]
  For every IKEv2 tunnel of the Pulumi stack (the current one, or NAME): is it up on both ends, and
  if not, why (from both ends' logs and configuration) and how to fix it. Run it in the Pulumi
  project's folder, with what \`pulumi stack export\` needs (backend, PULUMI_CONFIG_PASSPHRASE).`;

/** Every credential of the stack's ends, masked wherever a device's answer or a message might repeat it. */
function secretsOf(tunnels: StackTunnel[]): string[] {
    return tunnels.flatMap((t) => [t.a, t.b]).flatMap((e) => (e ? Object.values(e.credentials).filter((v): v is string => typeof v === "string") : []));
}

function access(end: StackEnd, secrets: string[]): EndAccess {
    const target = { credentials: end.credentials, secrets };
    return end.platform === "ios"
        ? { platform: "ios", site: end.site, target: { ...target, connection: end.connection }, tunnel: end.tunnel }
        : { platform: "strongswan", site: end.site, target: { ...target, connection: end.connection }, connectionName: end.connectionName, child: end.child };
}

/** Whether the end has the tunnel up, and what it shows. */
async function status(end: EndAccess): Promise<{ up: boolean; shows: string }> {
    const state =
        end.platform === "ios"
            ? await new IosTunnelProber(end.target).read(iosTunnelCheckSchema.parse({ tunnel: end.tunnel }))
            : await new StrongSwanTunnelProber(end.target).read(strongSwanTunnelCheckSchema.parse({ connectionName: end.connectionName, child: end.child }));
    return { up: state.established, shows: state.config.join("; ") };
}

const describeEnd = (e: EndAccess) => (e.platform === "ios" ? `${e.site} (IOS Tunnel${e.tunnel})` : `${e.site} (strongSwan ${e.connectionName}/${e.child})`);

async function examine(tunnel: StackTunnel, secrets: string[], out: (line: string) => void): Promise<boolean> {
    const a = access(tunnel.a, secrets);
    const b = tunnel.b && access(tunnel.b, secrets);
    out(`${tunnel.name}: ${describeEnd(a)} <-> ${b ? describeEnd(b) : "a far end outside the stack"}`);
    const states = await Promise.all([a, ...(b ? [b] : [])].map((e) => status(e).catch((err: Error) => ({ up: false, shows: `cannot read: ${err.message}` }))));
    [a, b].forEach((e, i) => e && out(`  ${e.site}: ${redact(states[i].shows, secrets)}`));
    if (states.every((s) => s.up)) {
        out("  UP on both ends");
        return true;
    }
    const diagnosis = await diagnoseTunnel(a, b).catch((err: Error) => ({ cause: "unknown", message: `the diagnosis could not run: ${err.message}` }));
    out(`  DOWN: ${redact(diagnosis.message, secrets)}`);
    return false;
}

/** Runs the doctor with the arguments after `doctor`; the exit status. */
export async function runDoctor(rest: string[], io: CommandIo): Promise<number> {
    if (rest.some((a, i) => a !== "--stack" && rest[i - 1] !== "--stack")) {
        io.err(DOCTOR_USAGE);
        return 2;
    }
    const stack = rest[rest.indexOf("--stack") + 1];
    const exported = spawnSync("pulumi", ["stack", "export", "--show-secrets", ...(rest.includes("--stack") ? ["--stack", stack] : [])], {
        encoding: "utf8",
        env: io.env,
        maxBuffer: 256 << 20,
        stdio: ["ignore", "pipe", "pipe"],
    });
    if (exported.error || exported.status !== 0) {
        // pulumi's own message names what is missing (no stack selected, no passphrase); it holds no secret.
        io.err(`pulumi-ikev2 doctor: \`pulumi stack export\` failed: ${exported.error?.message ?? exported.stderr.trim()}`);
        return 2;
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(exported.stdout);
    } catch {
        // JSON.parse quotes the text around an error, and this text holds the stack's secrets.
        io.err("pulumi-ikev2 doctor: `pulumi stack export` did not print JSON");
        return 2;
    }
    const tunnels = stackTunnels(parsed);
    const secrets = secretsOf(tunnels);
    io.out(`pulumi-ikev2 doctor: ${tunnels.length} tunnel${tunnels.length === 1 ? "" : "s"} in the stack`);
    let allUp = true;
    for (const t of tunnels) allUp = (await examine(t, secrets, io.out)) && allUp;
    await SshPool.shared.closeAll();
    return allUp ? 0 : 1;
}
