/**
 * Tunnels declared once for both ends. Where both ends of a tunnel were read and imported, and the
 * cross-end checks find nothing wrong, the program declares one SiteToSiteTunnel (and, per IOS
 * router, one IosRouter) instead of the objects each end has, but only when the component, given
 * the devices' names, descriptions, identities and LANs, declares exactly the configuration the
 * devices have: each object it would create is rendered with the formulas the component uses
 * (provider/tunnel/site-to-site-inputs.ts) and compared with the device, as every other import is.
 * Otherwise the tunnel's objects stay separate resources and the report says why.
 *
 * What belongs to whom, as the component has it:
 * - the IosRouter: the router's one IKEv2 policy, its proposals and the transform sets (one per proposal);
 * - the tunnel: on each IOS end its keyring peer, IKEv2 profile, IPsec profile and tunnel interface
 *   with its routes; on a strongSwan end its connection file;
 * - a keyring that holds a tunnel's peer is no resource of its own any more (the component manages
 *   peer by peer): its other peers become IkeV2KeyringPeer resources, and the objects that named the
 *   keyring name it through one of them.
 * No I/O.
 */
import { z } from "zod";
import { isIp, maskToPrefixLength } from "../address";
import { DH_GROUPS, DhGroup } from "../algorithms";
import { ConfigNode, parseConfigTree } from "../ios/config-tree";
import { iosObjects, isEncryptedKey } from "../ios/objects";
import { IosKind, IosModels, iosSchemas } from "../schema/ios";
import { strongSwanConnectionSchema } from "../schema/strongswan";
import { parseConnectionFile, renderConnectionFile } from "../strongswan/swanctl-conf";
import { Identity } from "../strongswan/swanctl-ids";
import {
    EndDescriptions,
    EndShape,
    iosEndInputs,
    IosEndShape,
    isIosEnd,
    RouterShape,
    routerInputs,
    strongSwanEndInputs,
    StrongSwanEndShape,
    TunnelAlgorithms,
    tunnelAlgorithms,
    TunnelSettings,
} from "../tunnel/site-to-site-inputs";
import { adoptionProblem } from "./ios";
import { Declaration, FoundEnd, PlainObject, ProgramClass, secretLookup, SiteImport } from "./model";
import { TunnelPair } from "./tunnels";
import { camelIdentifier, Code, Value } from "./typescript";

/** What became of a pair whose ends agree: one SiteToSiteTunnel, or separate resources and why. */
export type TunnelOutcome = { pair: TunnelPair; tunnel: string } | { pair: TunnelPair; separate: string };

export interface TunnelProgram {
    /** Each site's declarations, with what the components now declare taken out and the references rewritten. */
    imports: SiteImport[];
    /** The IosRouter declarations, one per router that has a tunnel declared as a SiteToSiteTunnel. */
    routers: Declaration<ProgramClass>[];
    /** The SiteToSiteTunnel declarations. */
    tunnels: Declaration<ProgramClass>[];
    outcomes: TunnelOutcome[];
}

/** A router as the importer reads it for the components: its tree and its objects' models. */
interface Router {
    site: string;
    tree: ConfigNode[];
    declarations: Declaration[];
}

const plainOf = (v: unknown): PlainObject => JSON.parse(JSON.stringify(v));
const isDhGroup = (g: number): g is DhGroup => (DH_GROUPS as readonly number[]).includes(g);

/** The schema table seen per kind, so that a parse of any K has K's model type. */
const modelSchemas: { [K in IosKind]: z.ZodType<IosModels[K]> } = iosSchemas;

function model<K extends IosKind>(router: Router, kind: K, ref: { name: string } | { number: number }): IosModels[K] | undefined {
    const nodes = iosObjects[kind].extract(router.tree, ref);
    if (!nodes) return undefined;
    const parsed = modelSchemas[kind].safeParse(iosObjects[kind].parse(nodes).model);
    return parsed.success ? parsed.data : undefined;
}

/** Why declaring this object the component's way would send lines; undefined when it is what the router has. */
function differs(router: Router, kind: IosKind, ref: { name: string } | { number: number } | { keyring: string; name: string }, input: object): string | undefined {
    const nodes = iosObjects[kind].extract(router.tree, ref);
    const subject = `${router.site} ${iosObjects[kind].describe(ref)}`;
    if (!nodes) return `${subject} is not on the router`;
    const problem = adoptionProblem(kind, nodes, plainOf(input));
    return problem && `${subject}: ${problem.reason.replace(/, so it was left as it is$/, "")}`;
}

/** The router's imported declaration of an object, if it was imported. */
const declared = (router: Router, kind: IosKind, ref: { name: string } | { number: number }) => router.declarations.find((d) => d.className === kind && d.subject === iosObjects[kind].describe(ref));

/** The names (or numbers) of every object of a kind on the router, from the lines that start them. */
function refsOnRouter(router: Router, header: RegExp): string[] {
    return router.tree.flatMap((n) => {
        const found = header.exec(n.line)?.[1];
        return found === undefined ? [] : [found];
    });
}

/** The router's shared objects as an IosRouter declares them, or why it cannot. */
function routerShape(router: Router, first: { wan: string; tunnelSource: string; keyring: string }, pfs: Map<string, number | undefined>): RouterShape | string {
    const policies = refsOnRouter(router, /^crypto ikev2 policy (\S+)/);
    if (policies.length !== 1) return `${router.site} has ${policies.length} IKEv2 policies, and an IosRouter declares one`;
    const policy = model(router, "IkeV2Policy", { name: policies[0] });
    if (!policy || !declared(router, "IkeV2Policy", { name: policy.name })) return `${router.site}'s crypto ikev2 policy ${policies[0]} was not imported`;
    const proposals = policy.proposals.map((name) => model(router, "IkeV2Proposal", { name }));
    const transformSetNames = refsOnRouter(router, /^crypto ipsec transform-set (\S+)/);
    const transformSets = transformSetNames.map((name) => model(router, "IpsecTransformSet", { name }));
    const imported = [...policy.proposals.map((name) => declared(router, "IkeV2Proposal", { name })), ...transformSetNames.map((name) => declared(router, "IpsecTransformSet", { name }))];
    if (imported.some((d) => d === undefined) || proposals.some((p) => p === undefined) || transformSets.some((t) => t === undefined)) {
        return `${router.site}'s proposals and transform sets were not all imported (see "Not imported")`;
    }
    if (proposals.length !== transformSets.length) {
        return `${router.site} has ${proposals.length} IKEv2 proposal(s) in its policy and ${transformSets.length} transform set(s), and an IosRouter pairs each proposal with one transform set`;
    }
    const algorithms: TunnelAlgorithms[] = proposals.map((p, i) => {
        const t = transformSets[i]!;
        const group = pfs.get(t.name);
        return {
            ike: { encryption: p!.encryption, integrity: p!.integrity, prf: p!.prf, groups: p!.groups.filter(isDhGroup) },
            esp: { encryption: t.encryption, integrity: t.integrity },
            pfsGroup: group !== undefined && isDhGroup(group) ? group : undefined,
        };
    });
    return {
        site: router.site,
        wan: first.wan,
        lans: [],
        tunnelSource: first.tunnelSource,
        keyring: first.keyring,
        algorithms,
        names: { keyring: first.keyring, policy: policy.name, proposals: proposals.map((p) => p!.name), transformSets: transformSets.map((t) => t!.name) },
    };
}

/** An IOS end's objects, read through its tunnel interface. */
interface IosParts {
    router: Router;
    tunnel: IosModels["TunnelInterface"];
    ipsec: IosModels["IpsecProfile"];
    profile: IosModels["IkeV2Profile"];
    peer: { name: string; description?: string; key?: string };
    local: string;
}

function iosParts(router: Router, end: FoundEnd, far: FoundEnd): IosParts | string {
    const source = end.source();
    const number = source.platform === "ios" ? source.tunnel : -1;
    const tunnel = model(router, "TunnelInterface", { number });
    const ipsec = tunnel && model(router, "IpsecProfile", { name: tunnel.protectionProfile });
    const profile = ipsec && model(router, "IkeV2Profile", { name: ipsec.ikev2Profile });
    if (!tunnel || !ipsec || !profile || profile.keyring === undefined) return `${router.site} ${end.subject}'s IPsec profile, IKEv2 profile or keyring is missing`;
    if (ipsec.transformSets.length !== 1) return `${router.site} crypto ipsec profile ${ipsec.name} has ${ipsec.transformSets.length} transform sets, and a SiteToSiteTunnel gives it one`;
    // A profile or IPsec profile that another tunnel uses too cannot belong to this one.
    const protectedBy = refsOnRouter(router, /^interface Tunnel(\d+)$/).filter((n) => model(router, "TunnelInterface", { number: Number(n) })?.protectionProfile === ipsec.name);
    if (protectedBy.length > 1) return `${router.site} crypto ipsec profile ${ipsec.name} protects other tunnels too`;
    const servedBy = refsOnRouter(router, /^crypto ipsec profile (\S+)$/).filter((name) => model(router, "IpsecProfile", { name })?.ikev2Profile === profile.name);
    if (servedBy.length > 1) return `${router.site} crypto ikev2 profile ${profile.name} serves other IPsec profiles too`;
    const keyringNodes = iosObjects.IkeV2Keyring.extract(router.tree, { name: profile.keyring });
    const peers = keyringNodes ? (iosObjects.IkeV2Keyring.parse(keyringNodes).model.peers ?? []) : [];
    const farWan = far.local[0];
    const peer = peers.find((p) => p.address?.address === farWan && (p.address.mask === undefined || p.address.mask === "255.255.255.255"));
    if (!peer || farWan === undefined) return `${router.site} crypto ikev2 keyring ${profile.keyring} has no peer with address ${farWan ?? "(the far end's address)"}`;
    const key = peer.preSharedKey;
    return {
        router,
        tunnel,
        ipsec,
        profile,
        peer: { name: String(peer.name), description: peer.description, key: key === undefined || isEncryptedKey(key) ? undefined : key },
        local: end.local[0],
    };
}

/** A strongSwan end's connection, when a SiteToSiteTunnel can declare it (one child). */
function strongSwanParts(end: FoundEnd) {
    const source = end.source();
    if (source.platform !== "strongswan") return "not a strongSwan end";
    const parsed = parseConnectionFile(source.text, source.connection);
    const checked = parsed && strongSwanConnectionSchema.safeParse(parsed.model);
    if (!checked?.success) return `${end.site} ${end.subject} cannot be read`;
    if (checked.data.children.length !== 1) return `${end.site} ${end.subject} has ${checked.data.children.length} children, and a SiteToSiteTunnel declares one`;
    if (checked.data.localAddrs?.length !== 1) return `${end.site} ${end.subject} has no single local_addrs`;
    return { connection: checked.data, child: checked.data.children[0], text: source.text };
}

const sameIdentity = (id: Identity | undefined, address: string) => id !== undefined && Object.keys(id).length === 1 && id.address === address;

/** `172.16.0.1/30`, as the component takes a tunnel address. */
function tunnelAddress(t: IosModels["TunnelInterface"]): string | undefined {
    const length = t.ipAddress.mask === undefined ? undefined : maskToPrefixLength(t.ipAddress.mask);
    return length === undefined || !isIp(t.ipAddress.address) ? undefined : `${t.ipAddress.address}/${length}`;
}

/** The description option: left out when it is the component's default, false when the object has none. */
const descriptionOf = (text: string | undefined, fallback: string): string | false | undefined => (text === undefined ? false : text === fallback ? undefined : text);

/**
 * Declares a SiteToSiteTunnel for each pair whose ends agree, where the component reproduces the
 * devices' configuration; see the module's comment.
 */
export function declareTunnels(imports: SiteImport[], pairs: TunnelPair[]): TunnelProgram {
    const declarations = imports.flatMap((i) => i.declarations);
    const routers = new Map<string, Router>();
    const routerOf = (end: FoundEnd): Router | undefined => {
        const source = end.source();
        if (source.platform !== "ios") return undefined;
        let r = routers.get(end.site);
        if (!r) {
            r = { site: end.site, tree: parseConfigTree(source.runningConfig), declarations: declarations.filter((d) => d.site === end.site) };
            routers.set(end.site, r);
        }
        return r;
    };
    const outcomes: TunnelOutcome[] = [];
    const shapes = new Map<string, RouterShape | string>();
    const accepted: { name: string; pair: TunnelPair; ends: [EndPlan, EndPlan]; settings: TunnelSettings<string>; algorithmsOf?: { site: string; index: number } }[] = [];
    const names = new Set<string>();

    // The candidates: pairs with both ends imported and agreeing.
    const candidates = pairs.filter((p) => p.disagreements.length === 0 && p.ends.every((e) => e.resourceName !== undefined));
    // Each router's WAN, tunnel source and keyring are its first tunnel's; each transform set's PFS group is the one its tunnels use.
    const firsts = new Map<string, { wan: string; tunnelSource: string; keyring: string }>();
    const pfsByRouter = new Map<string, Map<string, number | undefined>>();
    for (const pair of candidates) {
        for (const [end, far] of [pair.ends, [pair.ends[1], pair.ends[0]]] as const) {
            const router = routerOf(end);
            if (!router) continue;
            const parts = iosParts(router, end, far);
            if (typeof parts === "string") continue;
            const pfs = pfsByRouter.get(router.site) ?? new Map<string, number | undefined>();
            pfs.set(parts.ipsec.transformSets[0], parts.ipsec.pfsGroup);
            pfsByRouter.set(router.site, pfs);
            if (!firsts.has(router.site)) firsts.set(router.site, { wan: parts.local, tunnelSource: parts.tunnel.tunnelSource, keyring: parts.profile.keyring! });
        }
    }
    for (const [site, first] of firsts) shapes.set(site, routerShape(routers.get(site)!, first, pfsByRouter.get(site)!));

    for (const pair of candidates) {
        if (pair.ends.every((e) => e.source().platform === "strongswan")) {
            outcomes.push({ pair, separate: "between two strongSwan hosts the importer declares the connections apart (a SiteToSiteTunnel would need the algorithms spelt out)" });
            continue;
        }
        const result = plan(pair);
        if (typeof result === "string") {
            outcomes.push({ pair, separate: result });
            continue;
        }
        let name = `${pair.ends[0].site}-${pair.ends[1].site}`;
        for (let n = 2; names.has(name); n++) name = `${pair.ends[0].site}-${pair.ends[1].site}-${n}`;
        names.add(name);
        const checked = verify(name, result);
        if (checked) {
            outcomes.push({ pair, separate: checked });
            continue;
        }
        accepted.push({ name, pair, ...result });
        outcomes.push({ pair, tunnel: name });
    }
    return rewrite(imports, accepted, outcomes);

    function plan(pair: TunnelPair): { ends: [EndPlan, EndPlan]; settings: TunnelSettings<string>; algorithmsOf?: { site: string; index: number } } | string {
        const plans: EndPlan[] = [];
        for (const [end, far] of [pair.ends, [pair.ends[1], pair.ends[0]]] as const) {
            const router = routerOf(end);
            if (router) {
                const shape = shapes.get(router.site);
                if (shape === undefined || typeof shape === "string") return shape ?? `${router.site} cannot be declared as an IosRouter`;
                const parts = iosParts(router, end, far);
                if (typeof parts === "string") return parts;
                plans.push({ kind: "ios", end, parts, shape });
            } else {
                const parts = strongSwanParts(end);
                if (typeof parts === "string") return parts;
                plans.push({ kind: "strongswan", end, parts });
            }
        }
        const [a, b] = plans;
        // Each end's LANs are what the far end sends into the tunnel: its routes (IOS) or its remote selectors (strongSwan).
        const farLans = (p: EndPlan) => (p.kind === "ios" ? p.parts.tunnel.routes.map((r) => r.destination) : p.parts.child.remoteTs);
        for (const [self, far] of [[a, b], [b, a]] as const) {
            self.lans = farLans(far);
            if (self.kind === "strongswan" && JSON.stringify(self.parts.child.localTs) !== JSON.stringify(self.lans)) {
                return `${self.end.site} ${self.end.subject}'s local_ts (${self.parts.child.localTs.join(", ")}) are not what ${far.end.site} routes into the tunnel (${self.lans.join(", ")})`;
            }
        }
        const keys = plans.map((p) => (p.kind === "ios" ? p.parts.peer.key : p.parts.connection.preSharedKey));
        if (keys.some((k) => k === undefined)) return "a key is shown only encrypted (type 6), so the two ends' keys cannot be compared";
        if (keys[0] !== keys[1]) return "the two ends hold different keys";
        const ios = plans.find((p): p is IosPlan => p.kind === "ios")!;
        const dpd = ios.parts.profile.dpd;
        if (dpd && dpd.mode !== "periodic") return `${ios.end.site} crypto ikev2 profile ${ios.parts.profile.name} has dpd on-demand, and a SiteToSiteTunnel declares periodic`;
        const index = ios.shape.names.transformSets!.indexOf(ios.parts.ipsec.transformSets[0]);
        const settings: TunnelSettings<string> = {
            preSharedKey: keys[0]!,
            algorithms: index > 0 ? ios.shape.algorithms[index] : undefined,
            dpd: dpd ? { interval: dpd.interval, retry: dpd.retry } : false,
            ikeLifetime: ios.parts.profile.lifetime,
            ipsecLifetime: ios.parts.ipsec.lifetimeSeconds,
        };
        return { ends: [a, b], settings, algorithmsOf: index > 0 ? { site: ios.end.site, index } : undefined };
    }

    /** Why the component would not declare what the devices have; undefined when it declares exactly that. */
    function verify(name: string, p: { ends: [EndPlan, EndPlan]; settings: TunnelSettings<string> }): string | undefined {
        const shapesOf = p.ends.map((e, i) => endShape(name, e, p.ends[1 - i].end.site));
        try {
            const algorithms = tunnelAlgorithms(name, p.settings, shapesOf[0], shapesOf[1]);
            for (const [i, e] of p.ends.entries()) {
                const self = shapesOf[i];
                const far = shapesOf[1 - i];
                if (e.kind === "ios" && isIosEnd(self)) {
                    const inputs = iosEndInputs(name, p.settings, algorithms, self, far);
                    const r = e.parts.router;
                    const problem =
                        routerDiffers(r, e.shape) ??
                        differs(r, "IkeV2KeyringPeer", { keyring: inputs.peer.keyring, name: inputs.peer.name }, inputs.peer) ??
                        differs(r, "IkeV2Profile", { name: inputs.profile.name }, inputs.profile) ??
                        differs(r, "IpsecProfile", { name: inputs.ipsec.name }, inputs.ipsec) ??
                        differs(r, "TunnelInterface", { number: inputs.tunnelInterface.number }, inputs.tunnelInterface);
                    if (problem) return problem;
                } else if (e.kind === "strongswan" && !isIosEnd(self)) {
                    const { connection } = strongSwanEndInputs(p.settings, algorithms, self, far);
                    const parsed = strongSwanConnectionSchema.safeParse(plainOf(connection));
                    if (!parsed.success || renderConnectionFile(parsed.data) !== e.parts.text) return `${e.end.site} ${e.end.subject} would be written otherwise`;
                }
            }
        } catch (error) {
            return (error as Error).message;
        }
        return undefined;
    }
}

/** Why the router's IosRouter would send lines; undefined when its objects are what the router has. */
function routerDiffers(router: Router, shape: RouterShape): string | undefined {
    const own = routerInputs(shape);
    for (const p of own.proposals) {
        const d = differs(router, "IkeV2Proposal", { name: p.name }, p);
        if (d) return d;
    }
    return differs(router, "IkeV2Policy", { name: own.policy.name }, own.policy) ?? own.transformSets.map((t) => differs(router, "IpsecTransformSet", { name: t.name }, t)).find((d) => d);
}

interface IosPlan {
    kind: "ios";
    end: FoundEnd;
    parts: IosParts;
    shape: RouterShape;
    lans?: string[];
}
interface StrongSwanPlan {
    kind: "strongswan";
    end: FoundEnd;
    parts: Exclude<ReturnType<typeof strongSwanParts>, string>;
    lans?: string[];
}
type EndPlan = IosPlan | StrongSwanPlan;

/** The end as the component's formulas take it (and as the program writes it). */
function endShape(name: string, e: EndPlan, farSite: string): EndShape {
    if (e.kind === "ios") {
        const { parts, shape } = e;
        const far = `tunnel ${name}`;
        const descriptions: EndDescriptions = {
            peer: descriptionOf(parts.peer.description, far),
            profile: descriptionOf(parts.profile.description, far),
            tunnel: descriptionOf(parts.tunnel.description, `${far} to ${farSite}`),
        };
        const shown = Object.fromEntries(Object.entries(descriptions).filter(([, v]) => v !== undefined));
        const self: IosEndShape = {
            router: shape,
            tunnel: { number: parts.tunnel.number, address: tunnelAddress(parts.tunnel) ?? "", mtu: parts.tunnel.ipMtu, tcpAdjustMss: parts.tunnel.tcpAdjustMss },
            lans: e.lans,
            id: sameIdentity(parts.profile.identityLocal, shape.wan) ? undefined : parts.profile.identityLocal,
            names: { peer: parts.peer.name, profile: parts.profile.name, ipsecProfile: parts.ipsec.name },
            descriptions: Object.keys(shown).length ? shown : undefined,
        };
        return self;
    }
    const { connection, child } = e.parts;
    const wan = connection.localAddrs![0];
    const self: StrongSwanEndShape = {
        host: { name: e.end.site, wan },
        lans: e.lans,
        id: sameIdentity(connection.local.id, wan) ? undefined : connection.local.id,
        names: { connection: connection.name, child: child.name },
        startAction: child.startAction === "trap" ? undefined : child.startAction,
    };
    return self;
}

const routerVariable = (site: string) => camelIdentifier(site, "router");

type Args = { [key: string]: Value };
const isArgs = (v: Value): v is Args => typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Code);

/** Replaces references to the variables in `map` (a variable alone, as references are written) in a value. */
function replaced(value: Value, map: Map<string, Code>): Value {
    if (value instanceof Code) return map.get(value.text) ?? value;
    if (Array.isArray(value)) return value.map((v) => replaced(v, map));
    if (isArgs(value)) return replacedArgs(value, map);
    return value;
}

const replacedArgs = (args: Args, map: Map<string, Code>): Args => Object.fromEntries(Object.entries(args).map(([k, v]) => [k, replaced(v, map)]));

function rewrite(
    imports: SiteImport[],
    accepted: { name: string; pair: TunnelPair; ends: [EndPlan, EndPlan]; settings: TunnelSettings<string>; algorithmsOf?: { site: string; index: number } }[],
    outcomes: TunnelOutcome[],
): TunnelProgram {
    const owned = new Set<Declaration>();
    const droppedSecrets = new Set<string>();
    const references = new Map<string, Code>();
    const routerDeclarations: Declaration<ProgramClass>[] = [];
    const tunnelDeclarations: Declaration<ProgramClass>[] = [];
    const ownedPeers = new Map<Declaration, Set<string>>();
    const sites = new Set(accepted.flatMap((t) => t.ends.filter((e) => e.kind === "ios").map((e) => e.end.site)));
    for (const site of sites) {
        const { shape, parts } = accepted.flatMap((t) => t.ends).find((e): e is IosPlan => e.kind === "ios" && e.end.site === site)!;
        const router = parts.router;
        const variable = routerVariable(site);
        const own = routerInputs(shape);
        const take = (kind: IosKind, name: string, code: string) => {
            const d = declared(router, kind, { name });
            if (!d) return;
            owned.add(d);
            references.set(d.variable, new Code(code));
        };
        own.proposals.forEach((p, i) => take("IkeV2Proposal", p.name, `${variable}.proposals[${i}]`));
        take("IkeV2Policy", own.policy.name, `${variable}.policy`);
        own.transformSets.forEach((t, i) => take("IpsecTransformSet", t.name, `${variable}.transformSets[${i}]`));
        routerDeclarations.push({
            site,
            className: "IosRouter",
            subject: [`crypto ikev2 policy ${own.policy.name}`, ...own.proposals.map((p) => `crypto ikev2 proposal ${p.name}`), ...own.transformSets.map((t) => `crypto ipsec transform-set ${t.name}`)].join(", "),
            resourceName: site,
            variable,
            args: plainOf({ wan: shape.wan, tunnelSource: shape.tunnelSource, algorithms: shape.algorithms, names: shape.names }),
            notes: ["What the router's tunnels share (an IosRouter declares it once): its IKEv2 policy and proposals, its transform sets and the keyring's name."],
        });
    }
    for (const t of accepted) {
        const args: { [key: string]: Value } = {};
        // Both ends hold the same key: the tunnel reads the first end's secret, and the other end's copy is not asked for.
        let secret: string | undefined;
        const useSecret = (key: string) => {
            if (secret === undefined) secret = key;
            else droppedSecrets.add(key);
        };
        for (const [i, e] of t.ends.entries()) {
            const declarations = imports.flatMap((x) => x.declarations).filter((d) => d.site === e.end.site);
            const shape = endShape(t.name, e, t.ends[1 - i].end.site);
            if (e.kind === "ios" && isIosEnd(shape)) {
                const { parts } = e;
                for (const [kind, subject] of [
                    ["IkeV2Profile", `crypto ikev2 profile ${parts.profile.name}`],
                    ["IpsecProfile", `crypto ipsec profile ${parts.ipsec.name}`],
                    ["TunnelInterface", `interface Tunnel${parts.tunnel.number}`],
                ] as const) {
                    const d = declarations.find((x) => x.className === kind && x.subject === subject);
                    if (d) owned.add(d);
                }
                const keyring = declarations.find((x) => x.className === "IkeV2Keyring" && x.subject === `crypto ikev2 keyring ${shape.router.keyring}`);
                if (keyring) {
                    owned.add(keyring);
                    ownedPeers.set(keyring, (ownedPeers.get(keyring) ?? new Set()).add(parts.peer.name));
                    const key = keyring.secretKeys?.[parts.peer.name];
                    if (key !== undefined) useSecret(key);
                }
                args[i === 0 ? "a" : "b"] = {
                    router: new Code(routerVariable(e.end.site)),
                    tunnel: shape.tunnel,
                    lans: shape.lans,
                    id: shape.id,
                    names: shape.names,
                    descriptions: shape.descriptions && { ...shape.descriptions },
                };
            } else if (e.kind === "strongswan" && !isIosEnd(shape)) {
                const d = declarations.find((x) => x.resourceName === e.end.resourceName);
                if (d) {
                    owned.add(d);
                    const key = d.secretKeys?.[e.parts.connection.name];
                    if (key !== undefined) useSecret(key);
                }
                args[i === 0 ? "a" : "b"] = {
                    host: { name: shape.host.name, device: new Code(camelIdentifier(e.end.site)), wan: shape.host.wan },
                    lans: shape.lans,
                    id: shape.id,
                    names: shape.names,
                    startAction: shape.startAction,
                };
            }
        }
        args.preSharedKey = secretLookup(secret!);
        if (t.algorithmsOf) args.algorithms = new Code(`${routerVariable(t.algorithmsOf.site)}.algorithms[${t.algorithmsOf.index}]`);
        const s = t.settings;
        if (s.dpd === false) args.dpd = false;
        else if (s.dpd && (s.dpd.interval !== 10 || s.dpd.retry !== 3)) args.dpd = plainOf(s.dpd);
        if (s.ikeLifetime !== undefined) args.ikeLifetime = s.ikeLifetime;
        if (s.ipsecLifetime !== undefined) args.ipsecLifetime = s.ipsecLifetime;
        args.prove = false;
        tunnelDeclarations.push({
            site: t.pair.ends[0].site,
            className: "SiteToSiteTunnel",
            subject: `${t.pair.ends[0].site} ${t.pair.ends[0].subject} <-> ${t.pair.ends[1].site} ${t.pair.ends[1].subject}`,
            resourceName: t.name,
            variable: camelIdentifier(t.name, "tunnel"),
            args,
            notes: [
                "Both ends, declared once; the cross-end checks run at every preview. prove: false, because adopting should send nothing and need no traffic: " +
                    "to have each `pulumi up` prove the tunnel from both ends, give each end's router or host its lanAddress and remove prove: false.",
            ],
            takesDevice: false,
        });
    }
    // A keyring that holds a tunnel's peer: its other peers become resources of their own.
    const newImports = imports.map((i) => {
        const declarations: Declaration[] = [];
        for (const d of i.declarations) {
            const peers = ownedPeers.get(d);
            if (!owned.has(d)) declarations.push(d);
            else if (peers) {
                const keyring = String(d.args.name);
                const rest = (Array.isArray(d.args.peers) ? d.args.peers : []).filter(isArgs).filter((p) => !peers.has(String(p.name)));
                let first: string | undefined;
                for (const p of rest) {
                    const variable = camelIdentifier(d.site, "keyring", keyring, "peer", String(p.name));
                    first ??= variable;
                    declarations.push({
                        site: d.site,
                        className: "IkeV2KeyringPeer",
                        subject: `peer ${p.name} of crypto ikev2 keyring ${keyring}`,
                        resourceName: `${d.site}-keyring-peer-${keyring}-${p.name}`,
                        variable,
                        args: { keyring, ...p },
                        notes: d.notes.filter((n) => n.includes(` peer ${p.name} `)),
                    });
                }
                // The objects that named the keyring now name it through one of its peers (and wait for it), or by name.
                references.set(d.variable, first ? new Code(`${first}.keyring`) : new Code(JSON.stringify(keyring)));
            }
        }
        return { ...i, declarations, secrets: i.secrets.filter((s) => !droppedSecrets.has(s.key)) };
    });
    const rewritten = newImports.map((i) => ({ ...i, declarations: i.declarations.map((d) => ({ ...d, args: replacedArgs(d.args, references) })) }));
    return { imports: rewritten, routers: routerDeclarations, tunnels: tunnelDeclarations, outcomes };
}
