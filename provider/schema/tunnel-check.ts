/**
 * The tunnel checks: deployments that prove their tunnel came up, one per end. StrongSwanTunnelCheck
 * on a strongSwan host, IosTunnelCheck on an IOS router. Each one's desired state is "this tunnel's
 * SAs are up (and carry traffic)"; refresh reads the live SAs, so a tunnel that went down is drift
 * that the next `pulumi up` repairs. When a tunnel does not come up, the check's error names the
 * cause and the fix from both ends' evidence: `peer` (with its credentials, each a secret input of
 * its own) lets the check read the far end too.
 */
import { z } from "zod";
import { isIpv4 } from "../address";
import { withFix } from "../fix";
import { cliWord, int, ipv4Address, lineText, str, strict } from "./common";
import { hostConnectionSchema, iosConnectionSchema, privateKeyText, secretText } from "./device";
import { swanctlName } from "./strongswan";

const timeoutSeconds = int("timeoutSeconds", 1, 600, 30)
    .default(30)
    .describe("How long the IKE_SA and CHILD_SA may take to establish.");

const triggers = z
    .array(z.unknown(), { error: withFix("triggers must be a list", "write a list of values, e.g. [vpsEnd.config, hubEnd.config]") })
    .optional()
    .describe("Values whose change makes the check run again, e.g. the `config` outputs of both ends. Without them the check runs on create and whenever a refresh found the tunnel down.");

/** A site's name in messages ("home", "vps"): it goes into no configuration. */
const siteName = (what: string) => str(what, `"vps"`).pipe(lineText(what, 64));

const iosPeer = strict("peer", {
    platform: z.literal("ios"),
    site: siteName("peer.site").describe("The far end's name in messages."),
    connection: iosConnectionSchema.describe("How to reach the far router (its `device` without credentials)."),
    tunnel: int("peer.tunnel", 0, 2147483647, 1).describe("The far router's tunnel interface number."),
});

const strongSwanPeer = strict("peer", {
    platform: z.literal("strongswan"),
    site: siteName("peer.site").describe("The far end's name in messages."),
    connection: hostConnectionSchema.describe("How to reach the far host (its `device` without credentials)."),
    connectionName: swanctlName("peer.connectionName", "home").describe("The far host's swanctl connection."),
    child: swanctlName("peer.child", "home-lan").describe("The far host's CHILD_SA."),
});

const peer = z
    .discriminatedUnion("platform", [iosPeer, strongSwanPeer], {
        error: withFix("peer is not a far end this check can read", 'set peer.platform to "ios" or "strongswan" with its connection'),
    })
    .optional()
    .describe(
        "The tunnel's far end, read only when the tunnel does not come up: its log and configuration make the diagnosis name the cause from both ends. The resource classes fill it from `peer: { ios: device, tunnel }` or `{ strongSwan: device, connection, child }`.",
    );

/** The far end's credentials: each a secret input of its own, for the diagnosis. */
const peerCredentials = {
    peerPassword: secretText("peerPassword", 256).optional().describe("The far end's SSH password (secret), for the diagnosis."),
    peerPrivateKey: privateKeyText("peerPrivateKey").optional().describe("The far end's OpenSSH private key (secret), for the diagnosis."),
    peerPrivateKeyPassphrase: secretText("peerPrivateKeyPassphrase", 1024).optional().describe("The far end's private key passphrase (secret), for the diagnosis."),
    peerEnableSecret: secretText("peerEnableSecret", 256).optional().describe("The far end's IOS enable secret (secret), for the diagnosis."),
};

export const strongSwanTunnelCheckSchema = strict("StrongSwanTunnelCheck", {
    connectionName: swanctlName("connectionName", "home").describe(
        "Name of the swanctl connection (a StrongSwanConnection's `name`) whose tunnel must be up.",
    ),
    child: swanctlName("child", "home-lan").describe(
        "The CHILD_SA that must be INSTALLED; when it is not, it is started with `swanctl --initiate --child`.",
    ),
    site: siteName("site").optional().describe("This end's name in messages."),
    timeoutSeconds,
    ping: strict("ping", {
        source: str("ping.source", `"10.1.0.1"`).pipe(ipv4Address("ping.source")).describe("Local address to ping from (inside the CHILD_SA's local traffic selector)."),
        destination: str("ping.destination", `"10.2.0.1"`).pipe(ipv4Address("ping.destination")).describe("Address behind the peer (inside the remote traffic selector)."),
        count: int("ping.count", 1, 20, 3).default(3).describe("Echo requests to send; every one must be answered."),
    })
        .optional()
        .describe("Prove traffic flows: ping through the tunnel and require the CHILD_SA's packet counters to grow in both directions."),
    triggers,
    peer,
    ...peerCredentials,
}).describe(
    "Proves a tunnel came up: create and update initiate the CHILD_SA when needed, wait until it is installed and optionally ping through it, failing the deployment with the cause and the fix, from both ends' evidence when `peer` is set. Refresh reads the live SAs (`established` output), so a tunnel that went down is drift that the next `pulumi up` repairs. It configures nothing. The resource class takes the StrongSwanConnection resource (or its name) as `connection`.",
);

/** `GigabitEthernet2`, `Loopback0` or an address: what `ping ... source` takes. */
const pingSource = cliWord("ping.source", 64).refine((v) => isIpv4(v) || /^[A-Za-z][A-Za-z-]*[0-9]+(\/[0-9]+)*(\.[0-9]+)?$/.test(v), {
    message: withFix("ping.source is not an interface name or an IPv4 address", 'write e.g. "GigabitEthernet2" or "10.1.0.1"'),
});

export const iosTunnelCheckSchema = strict("IosTunnelCheck", {
    tunnel: int("tunnel", 0, 2147483647, 1).describe("The tunnel interface number (`interface TunnelN`) whose SAs must be up."),
    site: siteName("site").optional().describe("This end's name in messages."),
    timeoutSeconds,
    ping: strict("ping", {
        destination: str("ping.destination", `"10.2.0.1"`).pipe(ipv4Address("ping.destination")).describe("Address behind the peer, routed into the tunnel."),
        source: str("ping.source", `"GigabitEthernet2"`).pipe(pingSource).describe("The interface or address to ping from (IOS `ping DEST source X`), e.g. the LAN interface."),
        count: int("ping.count", 1, 20, 5).default(5).describe("Echo requests (IOS `repeat`); every one must be answered."),
    })
        .optional()
        .describe("Prove traffic flows: `ping DEST source X repeat N` from the router, and require the tunnel's `#pkts encaps` and `#pkts decaps` to grow by N."),
    triggers,
    peer,
    ...peerCredentials,
}).describe(
    "Proves an IOS tunnel came up, from the router: create and update wait until `show crypto ikev2 sa` shows the IKE SA to the tunnel's destination READY and `show crypto ipsec sa` the tunnel's ESP SAs, then optionally ping through it (`ping DEST source X`) and require the tunnel's packet counters to grow both ways. When it does not come up, the error names the cause and the fix from the router's `debug crypto ikev2` lines (and the far end's log when `peer` is set). Refresh reads the live SAs (`established` output). It configures nothing.",
);

export type StrongSwanTunnelCheckModel = z.output<typeof strongSwanTunnelCheckSchema>;
export type IosTunnelCheckModel = z.output<typeof iosTunnelCheckSchema>;
/** The far end of a checked tunnel, as a check's `peer` holds it. */
export type TunnelCheckPeer = NonNullable<IosTunnelCheckModel["peer"]>;
