/**
 * A stack's tunnels, from `pulumi stack export --show-secrets`: each tunnel's two ends with what the
 * doctor needs to reach and read them (connection settings and credentials, the tunnel interface or
 * the connection and child). A tunnel proven by checks (SiteToSiteTunnel adds one per end) is taken
 * from its checks; hand-written tunnels are found by pairing an IOS tunnel interface with the
 * strongSwan connection or IOS tunnel at its destination. The export holds the stack's secrets in
 * plain text: they stay in memory and never reach the output. No I/O.
 */
import { isIpv4 } from "../address";
import { registry, ResourceKind } from "../dynamic/registry";
import { modelFromInputs, Props } from "../dynamic/wire";
import { Credentials, credentialsSchema, HostConnection, hostConnectionSchema, IosConnection, iosConnectionSchema } from "../schema/device";
import { deviceLabel } from "../device-label";

/** One end of a tunnel, as the state says where it is. */
export type StackEnd =
    | { platform: "ios"; site: string; connection: IosConnection; credentials: Credentials; tunnel: number; address?: string }
    | { platform: "strongswan"; site: string; connection: HostConnection; credentials: Credentials; connectionName: string; child: string; address?: string };

export interface StackTunnel {
    name: string;
    a: StackEnd;
    /** Undefined when the far end is not in the stack. */
    b?: StackEnd;
}

/** A resource as `pulumi stack export` writes it. */
interface ExportedResource {
    urn: string;
    type: string;
    parent?: string;
    inputs?: Props;
}

const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const TYPE_PREFIX = "pulumi-nodejs:dynamic/ikev2:";

const isRecord = (v: unknown): v is Props => v !== null && typeof v === "object" && !Array.isArray(v);

/** The export's values with secrets (`{ <sig>: ..., plaintext: "<json>" }`) replaced by their values. */
function revealed(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(revealed);
    if (!isRecord(value)) return value;
    if (SECRET_SIG in value) {
        if (typeof value.plaintext !== "string") throw new Error("the export holds encrypted secrets. Fix: export with --show-secrets (the doctor never prints them)");
        return revealed(JSON.parse(value.plaintext));
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revealed(v)]));
}

const nameOfUrn = (urn: string) => urn.split("::").pop() ?? urn;

/** The model of a resource's inputs by its kind's schema, or undefined when it does not validate. */
function modelOf(kind: ResourceKind, inputs: Props): Props | undefined {
    const entry = registry[kind];
    const parsed = entry.schema.safeParse(modelFromInputs(entry.secrets, inputs, entry.outputNames));
    return parsed.success ? (parsed.data as Props) : undefined;
}

function iosEnd(site: string, inputs: Props, tunnel: number, address?: string): StackEnd | undefined {
    const connection = iosConnectionSchema.safeParse(inputs.connection);
    const credentials = credentialsSchema.safeParse(inputs.credentials);
    if (!connection.success || !credentials.success) return undefined;
    return { platform: "ios", site, connection: connection.data, credentials: credentials.data, tunnel, address };
}

function strongSwanEnd(site: string, inputs: Props, connectionName: string, child: string, address?: string): StackEnd | undefined {
    const connection = hostConnectionSchema.safeParse(inputs.connection);
    const credentials = credentialsSchema.safeParse(inputs.credentials);
    if (!connection.success || !credentials.success) return undefined;
    return { platform: "strongswan", site, connection: connection.data, credentials: credentials.data, connectionName, child, address };
}

/** The far end a check names in `peer`, with its credentials. */
function peerEnd(model: Props): StackEnd | undefined {
    const peer = model.peer;
    if (!isRecord(peer)) return undefined;
    const credentials = {
        connection: peer.connection,
        credentials: Object.fromEntries(
            Object.entries({ password: model.peerPassword, privateKey: model.peerPrivateKey, privateKeyPassphrase: model.peerPrivateKeyPassphrase, enableSecret: model.peerEnableSecret }).filter(
                ([, v]) => v !== undefined,
            ),
        ),
    };
    return peer.platform === "ios"
        ? iosEnd(String(peer.site), credentials, Number(peer.tunnel))
        : strongSwanEnd(String(peer.site), credentials, String(peer.connectionName), String(peer.child));
}

const endKey = (e: StackEnd) => `${deviceLabel(e.connection)}/${e.platform === "ios" ? `Tunnel${e.tunnel}` : e.connectionName}`;

/** Every tunnel of the stack. */
export function stackTunnels(exported: unknown): StackTunnel[] {
    const deployment = isRecord(exported) && isRecord(exported.deployment) ? exported.deployment : {};
    // By URN: the state lists resources in the order they were created, which varies from one `up` to the next.
    const resources = (Array.isArray(deployment.resources) ? deployment.resources : [])
        .filter((r): r is ExportedResource => isRecord(r) && typeof r.type === "string" && r.type.startsWith(TYPE_PREFIX) && typeof r.urn === "string")
        .sort((x, y) => (x.urn < y.urn ? -1 : x.urn > y.urn ? 1 : 0));
    const tunnels: StackTunnel[] = [];
    const covered = new Set<string>();
    const add = (name: string, a: StackEnd, b?: StackEnd) => {
        if (covered.has(endKey(a)) || (b && covered.has(endKey(b)))) return;
        tunnels.push({ name, a, b });
        covered.add(endKey(a));
        if (b) covered.add(endKey(b));
    };
    const inputsOf = (r: ExportedResource) => revealed(r.inputs ?? {}) as Props;

    // Tunnels with checks: a SiteToSiteTunnel's (named after it) or hand-written ones.
    for (const r of resources) {
        const kind = r.type.slice(TYPE_PREFIX.length);
        if (kind !== "IosTunnelCheck" && kind !== "StrongSwanTunnelCheck") continue;
        const inputs = inputsOf(r);
        const model = modelOf(kind, inputs);
        if (!model) continue;
        const site = typeof model.site === "string" ? model.site : deviceLabel(inputs.connection as { host: string; port: number; username: string });
        const self = kind === "IosTunnelCheck" ? iosEnd(site, inputs, Number(model.tunnel)) : strongSwanEnd(site, inputs, String(model.connectionName), String(model.child));
        if (!self) continue;
        const name = r.parent && r.parent.includes("ikev2:index:SiteToSiteTunnel") ? nameOfUrn(r.parent) : nameOfUrn(r.urn);
        add(name, self, peerEnd(model));
    }

    // Hand-written tunnels without checks: an IOS tunnel and what sits at its destination.
    const ios = resources.filter((r) => r.type === `${TYPE_PREFIX}TunnelInterface`).map((r) => ({ r, inputs: inputsOf(r) }));
    const swan = resources.filter((r) => r.type === `${TYPE_PREFIX}StrongSwanConnection`).map((r) => ({ r, inputs: inputsOf(r) }));
    const siteOf = (inputs: Props) => (isRecord(inputs.connection) ? String(inputs.connection.host) : "?");
    for (const t of ios) {
        const model = modelOf("TunnelInterface", t.inputs);
        if (!model) continue;
        const source = String(model.tunnelSource);
        const self = iosEnd(siteOf(t.inputs), t.inputs, Number(model.number), isIpv4(source) ? source : undefined);
        if (!self) continue;
        const destination = String(model.tunnelDestination);
        const conn = swan.find((s) => Array.isArray(s.inputs.localAddrs) && s.inputs.localAddrs.includes(destination));
        const connModel = conn && modelOf("StrongSwanConnection", conn.inputs);
        const children = connModel && Array.isArray(connModel.children) ? (connModel.children as Props[]) : [];
        const far = conn && connModel && children[0] ? strongSwanEnd(siteOf(conn.inputs), conn.inputs, String(connModel.name), String(children[0].name), destination) : undefined;
        const farIos = far ? undefined : ios.find((o) => o !== t && isRecord(o.inputs.connection) && o.inputs.connection.host === destination);
        const farIosModel = farIos && modelOf("TunnelInterface", farIos.inputs);
        add(nameOfUrn(t.r.urn), self, far ?? (farIos && farIosModel ? iosEnd(siteOf(farIos.inputs), farIos.inputs, Number(farIosModel.number)) : undefined));
    }
    return tunnels;
}
