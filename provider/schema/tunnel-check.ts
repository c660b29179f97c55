/**
 * StrongSwanTunnelCheck: a deployment that proves its tunnel came up. Its desired state is "this
 * CHILD_SA is installed (and carries traffic)"; refresh reads the live SAs, so a tunnel that went
 * down is drift that the next `pulumi up` repairs by initiating it again.
 */
import { z } from "zod";
import { withFix } from "../fix";
import { int, ipv4Address, str, strict } from "./common";
import { swanctlName } from "./strongswan";

export const strongSwanTunnelCheckSchema = strict("StrongSwanTunnelCheck", {
    connectionName: swanctlName("connectionName", "home").describe(
        "Name of the swanctl connection (a StrongSwanConnection's `name`) whose tunnel must be up.",
    ),
    child: swanctlName("child", "home-lan").describe(
        "The CHILD_SA that must be INSTALLED; when it is not, it is started with `swanctl --initiate --child`.",
    ),
    timeoutSeconds: int("timeoutSeconds", 1, 600, 30)
        .default(30)
        .describe("How long the IKE_SA and CHILD_SA may take to establish."),
    ping: strict("ping", {
        source: str("ping.source", `"10.1.0.1"`).pipe(ipv4Address("ping.source")).describe("Local address to ping from (inside the CHILD_SA's local traffic selector)."),
        destination: str("ping.destination", `"10.2.0.1"`).pipe(ipv4Address("ping.destination")).describe("Address behind the peer (inside the remote traffic selector)."),
        count: int("ping.count", 1, 20, 3).default(3).describe("Echo requests to send; every one must be answered."),
    })
        .optional()
        .describe("Prove traffic flows: ping through the tunnel and require the CHILD_SA's packet counters to grow in both directions."),
    triggers: z
        .array(z.unknown(), { error: withFix("triggers must be a list", "write a list of values, e.g. [vpsEnd.config, hubEnd.config]") })
        .optional()
        .describe("Values whose change makes the check run again, e.g. the `config` outputs of both ends. Without them the check runs on create and whenever a refresh found the tunnel down."),
}).describe(
    "Proves a tunnel came up: create and update initiate the CHILD_SA when needed, wait until it is installed and optionally ping through it, failing the deployment with the reason and the likely fix. Refresh reads the live SAs (`established` output), so a tunnel that went down is drift that the next `pulumi up` repairs. It configures nothing. The resource class takes the StrongSwanConnection resource (or its name) as `connection`.",
);

export type StrongSwanTunnelCheckModel = z.output<typeof strongSwanTunnelCheckSchema>;
