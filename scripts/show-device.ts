/** Reads a lab device over SSH with the provider's own session code and prints its VPN config, secrets masked. */
import { maskText } from "../provider/masking";
import { SshPool } from "../provider/ssh/pool";
import { labHost, withLabHostSession, withLabIosSession } from "./lab-sites";

async function main(site: string): Promise<void> {
    if (labHost(site).kind === "ios") {
        const out = await withLabIosSession(site, (s) => s.exec("show running-config | section ^crypto|^interface Tunnel|^ip route"));
        console.log(maskText(out).trimEnd());
    } else {
        const files = await withLabHostSession(site, (h) =>
            h.run(["sh", "-c", "for f in /etc/swanctl/conf.d/pulumi-*.conf; do [ -e \"$f\" ] && { echo \"# $f\"; cat \"$f\"; }; done; swanctl --list-conns 2>/dev/null"]),
        );
        console.log(maskText(files.stdout).trimEnd());
    }
    await SshPool.shared.closeAll();
}

main(process.argv[2]).catch((e) => {
    console.error(`show-device: ${(e as Error).message}`);
    process.exit(1);
});
