/** Reads a lab device over SSH with the provider's own session code and prints its VPN config, secrets masked. */
import { IosCliSession } from "../provider/ssh/ios-session";
import { HostSession } from "../provider/ssh/host-session";
import { SshPool } from "../provider/ssh/pool";
import { maskSecrets } from "../provider/ios/plan";
import { labDevice, labHost } from "../tests/helpers/lab";

async function main(site: string): Promise<void> {
    const host = labHost(site);
    const { connection, credentials } = labDevice(site);
    const conn = { ...connection, connectTimeoutMs: 10000, connectRetries: 1, keepaliveIntervalMs: 0, commandTimeoutMs: 20000, sudo: false, swanctlDir: "/etc/swanctl" };
    await SshPool.shared.withDevice(conn as never, credentials as never, async (client) => {
        if (host.kind === "ios") {
            const s = await IosCliSession.open(client, { device: site, enableSecret: credentials.enableSecret as string, commandTimeoutMs: 20000, secrets: [] });
            const out = await s.exec("show running-config | section ^crypto|^interface Tunnel|^ip route");
            console.log(out.split("\n").map(maskSecrets).join("\n").trimEnd());
            await s.close();
        } else {
            const h = new HostSession(client, { device: site, sudo: false, commandTimeoutMs: 20000, secrets: [] });
            const files = await h.run(["sh", "-c", "for f in /etc/swanctl/conf.d/pulumi-*.conf; do [ -e \"$f\" ] && { echo \"# $f\"; sed -E 's/^(\\s*secret\\s*=).*/\\1 *****/' \"$f\"; }; done; swanctl --list-conns 2>/dev/null"]);
            console.log(files.stdout.trimEnd());
        }
    });
    await SshPool.shared.closeAll();
}

main(process.argv[2]).catch((e) => {
    console.error(`show-device: ${(e as Error).message}`);
    process.exit(1);
});
