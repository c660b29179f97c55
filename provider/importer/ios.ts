/**
 * An IOS router's running-config as the importer sees it: every IKEv2/IPsec object the provider
 * models, found with the provider's own handlers (provider/ios/objects.ts) and checked with the
 * resource's schema, becomes a declaration, but only when adopting it sends nothing (the object,
 * rendered from the model the declaration gives, is the same configuration the router shows);
 * everything else IKE/IPsec is a finding that says why it was not imported. No I/O.
 */
import { z } from "zod";
import { isIp, maskToPrefixLength } from "../address";
import { ConfigNode, parseConfigTree, renderConfigTree } from "../ios/config-tree";
import { IosDeviceModels, IosObjectHandler, iosObjects, isEncryptedKey, ObjectRef } from "../ios/objects";
import { planTransition } from "../ios/plan";
import { maskLine } from "../masking";
import { IosKind, IosModels, iosSchemas } from "../schema/ios";
import { Declaration, Finding, FoundEnd, inSchemaOrder, Plain, PlainObject, schemaProblems, secretLookup, SiteImport, StackSecret, withoutDefaults } from "./model";
import { Code, identifierAllocator, Value } from "./typescript";

/** One object the provider models, as the router shows it. */
interface FoundObject {
    kind: IosKind;
    ref: ObjectRef;
    /** `crypto ikev2 keyring KR`, `interface Tunnel1`. */
    subject: string;
    nodes: ConfigNode[];
}

/** What the importer reads from one router. */
export interface RouterConfig {
    site: string;
    objects: FoundObject[];
    /** IKE/IPsec configuration that is not imported, found while reading. */
    findings: Finding[];
    /** `interface NAME` -> its IPv4 address (`ip address A M`), to resolve a tunnel source. */
    interfaceAddresses: Map<string, string>;
    /** The running-config as read. */
    text: string;
}

const words = (line: string) => line.split(/\s+/);

/** The kind and reference of a top-level line that starts an object the provider models. */
function objectOf(n: ConfigNode): { kind: IosKind; ref: ObjectRef } | undefined {
    const w = words(n.line);
    if (w[0] === "crypto" && w.length === 4 && w[1] === "ikev2") {
        const kinds: Record<string, IosKind> = { proposal: "IkeV2Proposal", policy: "IkeV2Policy", keyring: "IkeV2Keyring", profile: "IkeV2Profile" };
        if (kinds[w[2]]) return { kind: kinds[w[2]], ref: { name: w[3] } };
    }
    if (w[0] === "crypto" && w[1] === "ipsec" && w[2] === "transform-set" && w.length >= 4) return { kind: "IpsecTransformSet", ref: { name: w[3] } };
    if (w[0] === "crypto" && w[1] === "ipsec" && w[2] === "profile" && w.length === 4) return { kind: "IpsecProfile", ref: { name: w[3] } };
    const tunnel = /^interface Tunnel(\d+)$/.exec(n.line);
    if (tunnel && isIpsecTunnel(n)) return { kind: "TunnelInterface", ref: { number: Number(tunnel[1]) } };
    return undefined;
}

/** A tunnel interface IPsec protects, or that runs in an IPsec mode (a GRE tunnel without protection is no IPsec object). */
const isIpsecTunnel = (n: ConfigNode) => n.children.some((c) => /^tunnel (protection ipsec |mode ipsec )/.test(c.line));

/** GRE (IOS's default tunnel mode, not printed) protected by IPsec: not a VTI, which is all the provider models. */
const isGreOverIpsec = (n: ConfigNode) => isIpsecTunnel(n) && !n.children.some((c) => c.line.startsWith("tunnel mode ipsec "));

const flatten = (n: ConfigNode) => renderConfigTree([n]).map(maskLine);

/** Reads a router's running-config: the objects to import and the IKE/IPsec configuration that is not modelled. */
export function readRunningConfig(site: string, text: string): RouterConfig {
    const tree = parseConfigTree(text);
    const objects: FoundObject[] = [];
    const findings: Finding[] = [];
    const interfaceAddresses = new Map<string, string>();
    const cryptoMaps = new Map<string, Finding>();
    const cryptoMap = (name: string) => {
        let f = cryptoMaps.get(name);
        if (!f) {
            f = {
                site,
                category: "crypto-map",
                subject: `crypto map ${name}`,
                reason:
                    "crypto maps (policy-based IPsec, usually with IKEv1) are not modelled: the provider builds route-based tunnels. " +
                    "Fix: rebuild the tunnel as a TunnelInterface with an IpsecProfile (and IKEv2), then remove the crypto map and its `crypto map` line on the interface",
                lines: [],
            };
            cryptoMaps.set(name, f);
            findings.push(f);
        }
        return f;
    };
    for (const n of tree) {
        const w = words(n.line);
        if (w[0] === "interface") {
            const address = n.children.find((c) => /^ip address \S+ \S+$/.test(c.line));
            if (address) interfaceAddresses.set(w[1], words(address.line)[2]);
            for (const c of n.children.filter((c) => /^crypto map \S+$/.test(c.line))) cryptoMap(words(c.line)[2]).lines.push(n.line, ` ${c.line}`);
            if (w[1].startsWith("Tunnel") && isGreOverIpsec(n)) {
                findings.push({
                    site,
                    category: "not-modelled",
                    subject: n.line,
                    reason:
                        "a GRE tunnel protected by IPsec (no `tunnel mode ipsec ...`) is not modelled: the provider manages route-based VTIs. " +
                        "Fix: to manage it, move the tunnel to `tunnel mode ipsec ipv4` (both ends) and import again",
                    lines: flatten(n),
                });
                continue;
            }
            if (!w[1].startsWith("Tunnel") && isIpsecTunnel(n)) {
                findings.push({ site, category: "not-modelled", subject: n.line, reason: "IPsec on an interface other than `interface TunnelN` (e.g. a virtual template) is not modelled", lines: flatten(n) });
                continue;
            }
        }
        const found = objectOf(n);
        if (found) {
            const nodes = iosObjects[found.kind].extract(tree, found.ref);
            if (nodes) objects.push({ ...found, subject: iosObjects[found.kind].describe(found.ref), nodes });
            continue;
        }
        if (w[0] !== "crypto") continue;
        if (w[1] === "isakmp" || w[1] === "keyring") {
            findings.push({
                site,
                category: "ikev1",
                subject: maskLine(n.line),
                reason:
                    "IKEv1 is not modelled: the provider configures IKEv2 only. " +
                    "Fix: move the tunnel to IKEv2 (an IkeV2Keyring peer and an IkeV2Profile for the peer, on both ends), then remove the IKEv1 lines",
                lines: flatten(n),
            });
        } else if ((w[1] === "map" || w[1] === "dynamic-map") && w.length >= 3) {
            cryptoMap(w[2]).lines.push(...flatten(n));
        } else if (w[1] !== "pki" && w[1] !== "key") {
            // crypto pki and crypto key serve SSH and HTTPS too: not IKE/IPsec configuration of their own.
            findings.push({ site, category: "not-modelled", subject: n.line.split(" ").slice(0, 4).join(" "), reason: "this IKE/IPsec setting is not modelled by the provider", lines: flatten(n) });
        }
    }
    return { site, objects, findings, interfaceAddresses, text };
}

// ---------------------------------------------------------------------------------------------
// Declarations

/** The schema table seen per kind, so that a check of any kind K knows its model type. */
const iosModelSchemas: { [K in IosKind]: z.ZodType<IosModels[K]> } = iosSchemas;

/** Stands in for a key the router shows only encrypted while the declaration is checked; never written anywhere. */
const ENCRYPTED_KEY_STAND_IN = "imported-type-6-key";

/** What the program calls each kind: resource names `home-keyring-KR`, variables `homeKeyringKr`. */
const SLUG: Record<IosKind, string> = {
    IkeV2Proposal: "proposal",
    IkeV2Policy: "policy",
    IkeV2Keyring: "keyring",
    IkeV2KeyringPeer: "keyring-peer",
    IkeV2Profile: "profile",
    IpsecTransformSet: "transform-set",
    IpsecProfile: "ipsec-profile",
    TunnelInterface: "tunnel",
};

/** The kinds in the order they are declared: each refers only to kinds before it. */
const ORDER: IosKind[] = ["IkeV2Proposal", "IkeV2Policy", "IkeV2Keyring", "IkeV2Profile", "IpsecTransformSet", "IpsecProfile", "TunnelInterface"];

/** The properties that name other objects. */
const REFERENCES: Partial<Record<IosKind, { property: string; kind: IosKind }[]>> = {
    IkeV2Policy: [{ property: "proposals", kind: "IkeV2Proposal" }],
    IkeV2Profile: [{ property: "keyring", kind: "IkeV2Keyring" }],
    IpsecProfile: [
        { property: "transformSets", kind: "IpsecTransformSet" },
        { property: "ikev2Profile", kind: "IkeV2Profile" },
    ],
    TunnelInterface: [{ property: "protectionProfile", kind: "IpsecProfile" }],
};

const KEY_FIELDS = [
    ["preSharedKey", "psk"],
    ["localPreSharedKey", "localPsk"],
    ["remotePreSharedKey", "remotePsk"],
] as const;

const nameOfRef = (ref: ObjectRef) => ("name" in ref ? ref.name : String(ref.number));

/** The model as plain data (the device models are JSON-shaped: strings, numbers, lists, objects). */
const plain = (model: IosDeviceModels[IosKind]): PlainObject => JSON.parse(JSON.stringify(model));

/**
 * An address with a mask the way people write it: `"172.16.0.1/30"`, `"198.51.100.0/24"`, or the
 * address alone for a single host; the dotted form when the mask is no prefix (the schemas take both).
 */
function shortAddress(address: string, mask: string | undefined): Plain {
    if (mask === undefined) return address;
    const length = maskToPrefixLength(mask);
    return length === undefined ? { address, mask } : `${address}/${length}`;
}

const isPlainObject = (v: Plain | undefined): v is PlainObject => typeof v === "object" && !Array.isArray(v);

/** A key of a keyring peer as the program reads it. */
interface PeerKey {
    peer: number;
    field: (typeof KEY_FIELDS)[number][0];
    secret: StackSecret;
}

/** The keyring's input with each key replaced: encrypted ones by a stand-in (for checking), and the stack secrets it needs. */
function keyringInput(site: string, model: IosDeviceModels["IkeV2Keyring"], identifier: (...words: string[]) => string): { input: PlainObject; keys: PeerKey[] } {
    const keys: PeerKey[] = [];
    const peers = (model.peers ?? []).map((p, i) => {
        const peer: PlainObject = JSON.parse(JSON.stringify(p));
        for (const [field] of KEY_FIELDS) delete peer[field];
        // `address A` without a mask is written the short way, as people write it.
        if (p.address?.address !== undefined) peer.address = shortAddress(p.address.address, p.address.mask);
        if (p.address?.ipv6Prefix !== undefined) peer.address = p.address.ipv6Prefix;
        for (const [field, suffix] of KEY_FIELDS) {
            const key = p[field];
            if (key === undefined) continue;
            const encrypted = isEncryptedKey(key);
            peer[field] = encrypted ? ENCRYPTED_KEY_STAND_IN : key;
            keys.push({
                peer: i,
                field,
                secret: {
                    key: identifier(site, model.name ?? "", String(p.name ?? i), suffix),
                    purpose: `${site}: crypto ikev2 keyring ${model.name} peer ${p.name} ${field === "preSharedKey" ? "pre-shared-key" : `pre-shared-key ${field === "localPreSharedKey" ? "local" : "remote"}`}`,
                    value: encrypted ? undefined : key,
                },
            });
        }
        return peer;
    });
    return { input: { ...plain(model), peers }, keys };
}

/**
 * The declarations for a router's objects. Each is checked the way the provider will treat it: its
 * schema must accept it, and the object the provider renders from it must be the configuration
 * the router shows (then adopting sends nothing); otherwise it becomes a finding.
 */
export function importRouter(config: RouterConfig): SiteImport {
    const { site } = config;
    const declarations: Declaration[] = [];
    const secrets: StackSecret[] = [];
    const findings: Finding[] = [...config.findings];
    /** Each found object by kind and name: its variable when it was imported, or null when it was not. */
    const outcome = new Map<string, string | null>();
    const keyOf = (kind: IosKind, name: string) => `${kind} ${name}`;
    const byKind = (kind: IosKind) => config.objects.filter((o) => o.kind === kind);
    const ends: FoundEnd[] = [];
    // Variables and configuration keys, unique on the site (the site's name makes them unique in the program).
    const identifier = identifierAllocator();
    for (const kind of ORDER) {
        for (const object of byKind(kind)) {
            const declaration = declare(object);
            outcome.set(keyOf(kind, nameOfRef(object.ref)), declaration ? declaration.variable : null);
            if (declaration) declarations.push(declaration);
            if (kind === "TunnelInterface") ends.push(tunnelEnd(config, object, declaration?.resourceName));
        }
    }
    return { declarations, secrets, findings, ends };

    function declare(object: FoundObject): Declaration | undefined {
        const { kind, nodes, subject } = object;
        const handler = iosObjects[kind];
        const lines = renderConfigTree(nodes).map(maskLine);
        const notImported = (category: Finding["category"], reason: string) => {
            findings.push({ site, category, subject, reason, lines });
            return undefined;
        };
        const parsed = handler.parse(nodes);
        if (parsed.unknownLines.length > 0) {
            return notImported(
                "not-modelled",
                `it has lines the provider does not model (${parsed.unknownLines.map((l) => `\`${l}\``).join(", ")}); adopting it would remove them. ` +
                    "Fix: if they are not needed, remove them on the router and import again; otherwise keep managing this object by hand",
            );
        }
        const keyring = kind === "IkeV2Keyring" ? keyringInput(site, iosObjects.IkeV2Keyring.parse(nodes).model, identifier) : undefined;
        const input = keyring ? keyring.input : plain(parsed.model);
        const tunnelAddress = input.ipAddress;
        if (kind === "TunnelInterface" && isPlainObject(tunnelAddress) && typeof tunnelAddress.address === "string" && typeof tunnelAddress.mask === "string") {
            input.ipAddress = shortAddress(tunnelAddress.address, tunnelAddress.mask);
        }
        // Names of objects the router does not have: a declaration would refer to nothing.
        const missing = (REFERENCES[kind] ?? []).flatMap(({ property, kind: target }) =>
            referenced(input[property]).filter((name) => !outcome.has(keyOf(target, name))).map((name) => `${property}: ${iosObjects[target].describe({ name })}`),
        );
        if (missing.length > 0) {
            return notImported("missing-reference", `it refers to what the router does not have (${missing.join("; ")}). Fix: create it or correct the reference on the router, then import again`);
        }
        const problem = adoptionProblem(kind, nodes, input);
        if (problem) return notImported(problem.category, problem.reason);
        const schema = iosSchemas[kind];
        const args: { [key: string]: Value } = inSchemaOrder(schema, withoutDefaults(schema, input));
        const notes: string[] = [];
        for (const { property, kind: target } of REFERENCES[kind] ?? []) {
            const refer = (name: string): Value => {
                const variable = outcome.get(keyOf(target, name));
                if (variable) return new Code(variable);
                notes.push(`${property}: ${iosObjects[target].describe({ name })} was not imported (see IMPORT-REPORT.md), so it is named, not referenced.`);
                return name;
            };
            const value = args[property];
            if (typeof value === "string") args[property] = refer(value);
            else if (Array.isArray(value)) args[property] = value.map((v) => (typeof v === "string" ? refer(v) : v));
        }
        const secretKeys: Record<string, string> = {};
        for (const key of keyring?.keys ?? []) {
            secrets.push(key.secret);
            const peerName = (keyring?.input.peers as PlainObject[] | undefined)?.[key.peer]?.name;
            if (key.field === "preSharedKey" && peerName !== undefined) secretKeys[String(peerName)] = key.secret.key;
            const peers = args.peers;
            const peer = Array.isArray(peers) ? peers[key.peer] : undefined;
            if (peer && typeof peer === "object" && !Array.isArray(peer) && !(peer instanceof Code)) peer[key.field] = secretLookup(key.secret.key);
            if (key.secret.value === undefined) {
                notes.push(
                    `TODO: ${key.secret.purpose.replace(`${site}: `, "")}: the router shows this key only encrypted (type 6), so it could not be read. ` +
                        `Set it before the first \`pulumi up\`: \`pulumi config set --secret ${key.secret.key}\` (typed at the prompt or piped in, never as an argument).`,
                );
            }
        }
        return {
            site,
            className: kind,
            subject,
            resourceName: `${site}-${SLUG[kind]}-${nameOfRef(object.ref)}`,
            variable: identifier(site, SLUG[kind], nameOfRef(object.ref)),
            args,
            notes,
            ...(keyring ? { secretKeys } : {}),
        };
    }
}

/** A tunnel interface as an end of a tunnel: its source (an interface's address, or an address) and destination. */
function tunnelEnd(config: RouterConfig, object: FoundObject, resourceName: string | undefined): FoundEnd {
    const { model } = iosObjects.TunnelInterface.parse(object.nodes);
    const source = model.tunnelSource;
    const local = source === undefined ? undefined : isIp(source) ? source : config.interfaceAddresses.get(source);
    return {
        site: config.site,
        subject: object.subject,
        local: local === undefined ? [] : [local],
        remote: model.tunnelDestination === undefined ? [] : [model.tunnelDestination],
        resourceName,
        source: () => ({ platform: "ios", runningConfig: config.text, tunnel: Number(model.number) }),
    };
}

/**
 * Why declaring the object with this input would not adopt it unchanged: the schema refuses the
 * input, or the object rendered from it is not the configuration the router shows (the driver
 * would send lines). Undefined when adopting it sends nothing.
 */
export function adoptionProblem<K extends IosKind>(kind: K, nodes: ConfigNode[], input: PlainObject): { category: Finding["category"]; reason: string } | undefined {
    const handler: IosObjectHandler<IosModels[K], IosDeviceModels[K]> = iosObjects[kind];
    const checked = iosModelSchemas[kind].safeParse(input);
    if (!checked.success) return { category: "invalid", reason: `the provider refuses it as it is: ${schemaProblems(checked.error).join("; ")}` };
    const rendered = handler.render(checked.data);
    if (handler.sameConfig(nodes, rendered)) return undefined;
    const plan = planTransition(kind, nodes, rendered).map(maskLine);
    return { category: "would-change", reason: `adopting it would change it (the provider would send ${plan.map((l) => `\`${l}\``).join(", ") || "other lines"}), so it was left as it is` };
}

/** The names a reference property holds (one name or a list). */
function referenced(value: unknown): string[] {
    if (typeof value === "string") return [value];
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

