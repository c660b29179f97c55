/**
 * One declaration, both ends: SiteToSiteTunnel creates every object both ends of an IKEv2 tunnel
 * need (IOS <-> IOS, IOS <-> strongSwan, strongSwan <-> strongSwan) from one set of algorithms, one
 * pre-shared key, the identities and the LANs behind each end; runs the cross-end checks on it at
 * preview; and proves it came up from both ends.
 *
 * Sharing on a hub: what IOS shares between tunnels belongs to the router, declared once with
 * IosRouter (the IKEv2 proposals and policy, the transform sets, the keyring's name). Each tunnel
 * owns only its own objects: its keyring peer (IkeV2KeyringPeer, so adding or removing a tunnel never
 * rewrites the keyring), its IKEv2 profile, IPsec profile and tunnel interface with its routes.
 */
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { Identity } from "../strongswan/swanctl-ids";
import {
    EndDescriptions,
    iosEndInputs,
    isIosEnd,
    lansOfEnd,
    RouterNames,
    routerInputs,
    siteOfEnd,
    strongSwanEndInputs,
    strongSwanNames,
    suiteOf,
    TunnelAlgorithms,
    tunnelAlgorithms,
} from "../tunnel/site-to-site-inputs";
import { IosDevice, StrongSwanHost } from "./types";
import { crossEndCheck, EndDeclaration, IosEndDeclaration, StrongSwanEndDeclaration } from "./cross-end";
import { IkeV2KeyringPeer, IkeV2Policy, IkeV2Profile, IkeV2Proposal, IosTunnelCheck, IpsecProfile, IpsecTransformSet, TunnelInterface } from "./ios";
import { StrongSwanConnection, StrongSwanTunnelCheck } from "./strongswan";

export type { EndDescriptions, TunnelAlgorithms };

export interface IosRouterArgs {
    device: IosDevice;
    /** The router's public address: IKE leaves from it, and it is the default identity. */
    wan: string;
    /** The LANs behind the router, carried by its tunnels unless a tunnel end says otherwise. */
    lans?: string[];
    /** An address of the router inside a LAN: the far ends ping it to prove a tunnel. */
    lanAddress?: string;
    /** What `ping ... source` uses on this router (an interface such as "GigabitEthernet2", or an address); default lanAddress. */
    pingSource?: string;
    /** `tunnel source` of the tunnels: an interface or address (default: wan). */
    tunnelSource?: string;
    /** The algorithm sets the router's tunnels use: one IKEv2 proposal and one transform set each, all in one policy. */
    algorithms: TunnelAlgorithms | TunnelAlgorithms[];
    /** Names on the router (defaults: keyring "KR", policy "POL-IKEV2", proposals and transform sets named after their algorithms). */
    names?: RouterNames;
    /**
     * Take over proposals, policy and transform sets that already exist on the router under these
     * names (each resource's `adopt`), e.g. in a program written by `pulumi-ikev2 import`.
     */
    adopt?: boolean;
}

/** An IOS end of a tunnel, as the router's other tunnels see it (for the clash checks). */
interface RouterEnd {
    declaration: IosEndDeclaration;
}

/**
 * A Cisco IOS / IOS-XE router as the end of SiteToSiteTunnels: its device, public address, LANs,
 * and what IOS shares between tunnels (the IKEv2 proposals and policy, the transform sets, the
 * keyring each tunnel adds its peer to), declared once. Adding a tunnel with algorithms the router
 * already has touches none of these.
 */
export class IosRouter extends pulumi.ComponentResource {
    readonly device: IosDevice;
    readonly site: string;
    readonly wan: string;
    readonly lans: string[];
    readonly lanAddress?: string;
    readonly pingSource?: string;
    readonly tunnelSource: string;
    readonly keyring: string;
    readonly algorithms: TunnelAlgorithms[];
    readonly names: RouterNames;
    readonly proposals: IkeV2Proposal[];
    readonly policy: IkeV2Policy;
    readonly transformSets: IpsecTransformSet[];
    /** The tunnel ends declared on this router so far (the cross-end checks compare each new one with them). */
    readonly ends: RouterEnd[] = [];

    constructor(name: string, args: IosRouterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ikev2:index:IosRouter", name, {}, opts);
        this.device = args.device;
        this.site = name;
        this.wan = args.wan;
        this.lans = args.lans ?? [];
        this.lanAddress = args.lanAddress;
        this.pingSource = args.pingSource ?? args.lanAddress;
        this.tunnelSource = args.tunnelSource ?? args.wan;
        this.keyring = args.names?.keyring ?? "KR";
        this.algorithms = Array.isArray(args.algorithms) ? args.algorithms : [args.algorithms];
        this.names = args.names ?? {};
        const own = routerInputs(this);
        const parent = { parent: this };
        const adopt = args.adopt;
        this.proposals = own.proposals.map((p, i) => new IkeV2Proposal(`${name}-proposal${i ? `-${i + 1}` : ""}`, { device: args.device, adopt, ...p }, parent));
        this.policy = new IkeV2Policy(`${name}-policy`, { device: args.device, adopt, ...own.policy, proposals: this.proposals }, parent);
        this.transformSets = own.transformSets.map((t, i) => new IpsecTransformSet(`${name}-ts${i ? `-${i + 1}` : ""}`, { device: args.device, adopt, ...t }, parent));
        this.registerOutputs({});
    }

    /** The index of a tunnel's algorithms among the router's, or an error that says how to fix it. */
    suiteOf(tunnel: string, algorithms: TunnelAlgorithms | undefined): number {
        return suiteOf(this, tunnel, algorithms);
    }
}

/** A strongSwan host as the end of SiteToSiteTunnels. Nothing is shared between its tunnels: each is a connection file of its own. */
export interface StrongSwanSite {
    /** The site's name: connections and children on the far ends are named after it. */
    name: string;
    device: StrongSwanHost;
    /** The host's public address (IKE's local address and default identity). */
    wan: string;
    lans?: string[];
    /** An address of the host inside its LAN: pings prove the tunnel from and to it. */
    lanAddress?: string;
}

/** An IOS end: the router, its tunnel interface, and what this tunnel carries. */
export interface IosTunnelEnd {
    router: IosRouter;
    /** `interface TunnelN` and its address with prefix length, e.g. `{ number: 1, address: "172.16.0.1/30" }`. */
    tunnel: { number: number; address: string; mtu?: number; tcpAdjustMss?: number };
    /** The LANs behind this end that the tunnel carries (default: the router's LANs). The far end routes them into the tunnel. */
    lans?: string[];
    /** The identity this end sends (default: its address). */
    id?: Identity;
    /** Names on the router (defaults: keyring peer = the far site's name, profile `PROF-<FAR>`, IPsec profile `IPSEC-<FAR>`). */
    names?: { peer?: string; profile?: string; ipsecProfile?: string };
    /** The `description` of the keyring peer, IKEv2 profile and tunnel interface: text, or false for none (defaults: `tunnel NAME`, `tunnel NAME to FAR`). */
    descriptions?: EndDescriptions;
}

/** A strongSwan end. */
export interface StrongSwanTunnelEnd {
    host: StrongSwanSite;
    lans?: string[];
    id?: Identity;
    /** Names on the host (defaults: connection = the far site's name, child `<far>-lan`). */
    names?: { connection?: string; child?: string };
    /** What charon does after loading (default "trap": it initiates on the first packet). */
    startAction?: "none" | "trap" | "start";
}

export type TunnelEndArgs = IosTunnelEnd | StrongSwanTunnelEnd;

export interface SiteToSiteTunnelArgs {
    a: TunnelEndArgs;
    b: TunnelEndArgs;
    /** The one pre-shared key of both ends (a Pulumi secret). */
    preSharedKey: pulumi.Input<string>;
    /**
     * Change it (any other whole number) to send the key to the IOS ends again although it was not
     * changed in the program: a router that shows keys only encrypted cannot show a key changed by hand.
     */
    keysVersion?: number;
    /** The algorithms; default: the first set of the IOS end's router (required between two strongSwan hosts). */
    algorithms?: TunnelAlgorithms;
    /** Dead peer detection (default every 10 s, retry 3 s; IOS `dpd 10 3 periodic`, strongSwan `dpd_delay = 10s`); false for none. */
    dpd?: { interval: number; retry?: number } | false;
    /** IKE SA lifetime in seconds (IOS profile `lifetime`, strongSwan `rekey_time`); unset: each side's default. */
    ikeLifetime?: number;
    /** IPsec SA lifetime in seconds (IOS `set security-association lifetime seconds`, strongSwan child `rekey_time`). */
    ipsecLifetime?: number;
    /**
     * Prove the tunnel from both ends at `pulumi up` (default true): an IosTunnelCheck on each IOS end,
     * a StrongSwanTunnelCheck on each strongSwan end, each pinging the far end's lanAddress when both
     * ends have one, and each diagnosing from both ends when the tunnel does not come up.
     */
    prove?: boolean | { timeoutSeconds?: number };
    /**
     * Take over the ends' objects where they already exist on the devices under the names the tunnel
     * gives them (each resource's `adopt`), e.g. in a program written by `pulumi-ikev2 import`.
     */
    adopt?: boolean;
}

const isIos = (e: TunnelEndArgs): e is IosTunnelEnd => isIosEnd(e);
const lanAddressOf = (e: TunnelEndArgs) => (isIos(e) ? e.router.lanAddress : e.host.lanAddress);

/** What one end of a tunnel will create: its declaration (for the cross-end checks), then the resources. */
interface EndPlan {
    declaration: EndDeclaration;
    /** Creates the end's resources, after `before` (the cross-end check). */
    create(before: pulumi.Resource): CreatedEnd;
}

interface CreatedEnd {
    resources: pulumi.Resource[];
    /** The `config` outputs of the end's objects: a change in any of them runs the proofs again. */
    configs: pulumi.Output<string[]>[];
    /** The check on this end that the tunnel came up, after every resource of both ends. */
    prove(far: TunnelEndArgs, after: pulumi.Resource[], triggers: pulumi.Output<string>[], timeoutSeconds: number): IosTunnelCheck | StrongSwanTunnelCheck;
}

/** The far end, as a check reads it for the diagnosis. */
function peerOf(far: TunnelEndArgs, names: { tunnel?: number; connection?: string; child?: string }) {
    return isIos(far)
        ? { site: siteOfEnd(far), ios: far.router.device, tunnel: names.tunnel ?? far.tunnel.number }
        : { site: siteOfEnd(far), strongSwan: far.host.device, connectionName: names.connection!, child: names.child! };
}

/**
 * An IKEv2 site-to-site tunnel declared once for both ends. Creates, with names derived from the
 * sites (each overridable): on an IOS end its keyring peer (`address` = the far end's address), IKEv2
 * profile, IPsec profile and tunnel interface with routes to the far LANs; on a strongSwan end its
 * connection; a CrossEndCheck that fails `pulumi preview` when the ends disagree (and that every
 * other resource of the tunnel waits for); and, unless `prove: false`, a check on each end that the
 * tunnel came up and carries traffic, which diagnoses from both ends when it does not.
 *
 * ```ts
 * const home = new IosRouter("home", { device, wan: "198.51.100.1", lans: ["10.1.0.0/24"], lanAddress: "10.1.0.1", algorithms });
 * const vps = { name: "vps", device: vpsHost, wan: "203.0.113.7", lans: ["10.2.0.0/24"], lanAddress: "10.2.0.1" };
 * new SiteToSiteTunnel("home-vps", { a: { router: home, tunnel: { number: 1, address: "172.16.0.1/30" } }, b: { host: vps }, preSharedKey });
 * ```
 */
export class SiteToSiteTunnel extends pulumi.ComponentResource {
    /** The cross-end check. */
    readonly crossEndCheck: pulumi.Resource;
    /** Every resource of the tunnel on each end, in the order a, b. */
    readonly ends: [pulumi.Resource[], pulumi.Resource[]];
    /** The proof on each end, in the order a, b (empty with `prove: false`). */
    readonly checks: (IosTunnelCheck | StrongSwanTunnelCheck)[];
    /** Whether both ends proved the tunnel up at the last `up` or `refresh` (undefined with `prove: false`). */
    readonly established: pulumi.Output<boolean | undefined>;

    constructor(name: string, args: SiteToSiteTunnelArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ikev2:index:SiteToSiteTunnel", name, {}, opts);
        const { a, b } = args;
        const algorithms = tunnelAlgorithms(name, args, a, b);
        const plan = (self: TunnelEndArgs, far: TunnelEndArgs) => (isIos(self) ? this.iosEnd(name, args, algorithms, self, far) : this.strongSwanEnd(name, args, algorithms, self, far));
        const [planA, planB] = [plan(a, b), plan(b, a)];
        const neighbours = (e: TunnelEndArgs) => (isIos(e) ? e.router.ends.map((x) => x.declaration) : []);
        this.crossEndCheck = crossEndCheck(`${name}-cross-end`, name, planA.declaration, planB.declaration, { a: neighbours(a), b: neighbours(b) }, { parent: this });
        for (const [end, p] of [[a, planA], [b, planB]] as const) if (isIos(end) && p.declaration.platform === "ios") end.router.ends.push({ declaration: p.declaration });
        const [createdA, createdB] = [planA.create(this.crossEndCheck), planB.create(this.crossEndCheck)];
        this.ends = [createdA.resources, createdB.resources];
        const prove = args.prove ?? true;
        const timeoutSeconds = typeof prove === "object" ? (prove.timeoutSeconds ?? 60) : 60;
        const all = [...createdA.resources, ...createdB.resources];
        // One digest of both ends' configuration: a change anywhere runs the proofs again, and a preview shows one line for it.
        const triggers = [pulumi.all([...createdA.configs, ...createdB.configs]).apply((configs) => createHash("sha256").update(JSON.stringify(configs)).digest("hex").slice(0, 16))];
        this.checks = prove === false ? [] : [createdA.prove(b, all, triggers, timeoutSeconds), createdB.prove(a, all, triggers, timeoutSeconds)];
        this.established = this.checks.length ? pulumi.all(this.checks.map((c) => c.established)).apply((up) => up.every(Boolean)) : pulumi.output(undefined);
        this.registerOutputs({ established: this.established });
    }

    private iosEnd(tunnel: string, args: SiteToSiteTunnelArgs, algorithms: TunnelAlgorithms, self: IosTunnelEnd, far: TunnelEndArgs): EndPlan {
        const router = self.router;
        const device = router.device;
        const site = router.site;
        const prefix = `${tunnel}-${site}`;
        const inputs = iosEndInputs(tunnel, args, algorithms, self, far);
        const { suite, transformSet } = inputs;
        const peer = { device, ...inputs.peer };
        const profile = { device, ...inputs.profile };
        const ipsec = { device, ...inputs.ipsec };
        const tunnelInterface = { device, ...inputs.tunnelInterface };
        const adopt = args.adopt;
        const label = (kind: string, role: string) => `${kind} "${prefix}-${role}"`;
        const declaration: IosEndDeclaration = {
            platform: "ios",
            site,
            device,
            address: router.wan,
            lans: lansOfEnd(self),
            resources: {
                ike: `IkeV2Policy "${router.site}-policy"`,
                esp: label("IpsecProfile", "ipsec"),
                keys: label("IkeV2KeyringPeer", "peer"),
                identity: label("IkeV2Profile", "profile"),
                tunnel: label("TunnelInterface", "tunnel"),
            },
            proposals: routerInputs(router).proposals,
            keyringPeers: [peer],
            profile,
            ipsecProfile: ipsec,
            transformSets: [transformSet],
            tunnel: tunnelInterface,
        };
        return {
            declaration,
            create: (before) => {
                const opts = { parent: this, dependsOn: [before] };
                const peerResource = new IkeV2KeyringPeer(`${prefix}-peer`, { ...peer, adopt }, opts);
                const profileResource = new IkeV2Profile(`${prefix}-profile`, { ...profile, adopt }, { parent: this, dependsOn: [before, peerResource, router.policy] });
                const ipsecResource = new IpsecProfile(`${prefix}-ipsec`, { ...ipsec, adopt, transformSets: [router.transformSets[suite]], ikev2Profile: profileResource }, opts);
                const tunnelResource = new TunnelInterface(`${prefix}-tunnel`, { ...tunnelInterface, adopt, protectionProfile: ipsecResource }, opts);
                const resources = [peerResource, profileResource, ipsecResource, tunnelResource];
                return {
                    resources,
                    configs: [peerResource.config, profileResource.config, ipsecResource.config, tunnelResource.config],
                    prove: (farEnd, after, triggers, timeoutSeconds) => {
                        const destination = lanAddressOf(farEnd);
                        return new IosTunnelCheck(
                            `${prefix}-check`,
                            {
                                device,
                                tunnel: tunnelResource,
                                site,
                                timeoutSeconds,
                                ping: destination && router.pingSource ? { destination, source: router.pingSource } : undefined,
                                triggers,
                                peer: peerOf(farEnd, isIos(farEnd) ? {} : strongSwanNames(farEnd, self)),
                            },
                            { parent: this, dependsOn: after },
                        );
                    },
                };
            },
        };
    }

    private strongSwanEnd(tunnel: string, args: SiteToSiteTunnelArgs, algorithms: TunnelAlgorithms, self: StrongSwanTunnelEnd, far: TunnelEndArgs): EndPlan {
        const host = self.host;
        const site = host.name;
        const prefix = `${tunnel}-${site}`;
        const inputs = strongSwanEndInputs(args, algorithms, self, far);
        const names = inputs.names;
        const connection = { device: host.device, ...inputs.connection };
        const label = `StrongSwanConnection "${prefix}-connection"`;
        const declaration: StrongSwanEndDeclaration = {
            platform: "strongswan",
            site,
            device: host.device,
            lans: lansOfEnd(self),
            resources: { ike: label, esp: label, keys: label, identity: label, selectors: label },
            connection,
            child: names.child,
        };
        return {
            declaration,
            create: (before) => {
                const resource = new StrongSwanConnection(`${prefix}-connection`, { ...connection, adopt: args.adopt }, { parent: this, dependsOn: [before] });
                return {
                    resources: [resource],
                    configs: [resource.config],
                    prove: (farEnd, after, triggers, timeoutSeconds) => {
                        const destination = lanAddressOf(farEnd);
                        return new StrongSwanTunnelCheck(
                            `${prefix}-check`,
                            {
                                device: host.device,
                                connection: resource,
                                child: names.child,
                                site,
                                timeoutSeconds,
                                ping: destination && host.lanAddress ? { source: host.lanAddress, destination } : undefined,
                                triggers,
                                peer: peerOf(farEnd, isIos(farEnd) ? {} : strongSwanNames(farEnd, self)),
                            },
                            { parent: this, dependsOn: after },
                        );
                    },
                };
            },
        };
    }
}
