/**
 * Parsers for `swanctl --list-conns --raw` and `swanctl --list-sas --raw`: one line per VICI
 * message, e.g. `list-conn event {home {local_addrs=[203.0.113.7] ... children {vti {...}}}}`.
 * Samples from strongSwan 5.9.8 are in tests/fixtures/strongswan/. No I/O.
 *
 * The raw format prints values unquoted, so a value may contain spaces (`class=pre-shared key`):
 * a word without `=` that does not open a section continues the previous value. Values that
 * themselves contain ` x=` (distinguished names) cannot be told apart; we only use PSK identities.
 */

/** A VICI message tree: values are strings, lists are string arrays, sections are nested. */
export type ViciValue = string | string[] | ViciTree;
export interface ViciTree {
    [key: string]: ViciValue;
}

/** One raw line: its message label (e.g. `list-conn event`) and tree. */
export interface ViciMessage {
    label: string;
    tree: ViciTree;
}

/** Sets a property whatever its name (`__proto__` included) without touching prototypes. */
function put<T>(tree: Record<string, T>, key: string, value: T): void {
    Object.defineProperty(tree, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Parses the output of a `--raw` listing; lines that are not VICI messages (warnings) are skipped. */
function parseViciRaw(text: string): ViciMessage[] {
    const messages: ViciMessage[] = [];
    for (const line of text.split("\n")) {
        const m = /^([a-z][a-z-]* (?:event|reply)) \{(.*)\}\s*$/.exec(line.trim());
        if (!m) continue;
        messages.push({ label: m[1], tree: parseBody(m[2]) });
    }
    return messages;
}

function parseBody(body: string): ViciTree {
    // Tokens: "{", "}", "[...]" lists, and words (split on spaces outside brackets).
    const tokens: string[] = [];
    let i = 0;
    while (i < body.length) {
        const ch = body[i];
        if (ch === " ") {
            i++;
        } else if (ch === "{" || ch === "}") {
            tokens.push(ch);
            i++;
        } else {
            let j = i;
            let depth = 0;
            while (j < body.length) {
                const c = body[j];
                if (c === "[") depth++;
                else if (c === "]") depth--;
                else if (depth === 0 && (c === " " || c === "{" || c === "}")) break;
                j++;
            }
            tokens.push(body.slice(i, j));
            i = j;
        }
    }
    const root: ViciTree = {};
    const stack: ViciTree[] = [root];
    let lastKey: string | undefined;
    for (let t = 0; t < tokens.length; t++) {
        const token = tokens[t];
        const current = stack[stack.length - 1];
        if (token === "}") {
            if (stack.length > 1) stack.pop();
            lastKey = undefined;
        } else if (token === "{") {
            continue; // consumed with its section name
        } else if (tokens[t + 1] === "{") {
            const section: ViciTree = {};
            put(current, token, section);
            stack.push(section);
            lastKey = undefined;
            t++;
        } else if (token.includes("=")) {
            const eq = token.indexOf("=");
            const key = token.slice(0, eq);
            const value = token.slice(eq + 1);
            put(current, key, value.startsWith("[") && value.endsWith("]") ? value.slice(1, -1).split(" ").filter((v) => v !== "") : value);
            lastKey = key;
        } else if (lastKey !== undefined && typeof current[lastKey] === "string") {
            current[lastKey] = `${current[lastKey]} ${token}`;
        }
    }
    return root;
}

const str = (v: ViciValue | undefined): string | undefined => (typeof v === "string" ? v : undefined);
const strs = (v: ViciValue | undefined): string[] => (Array.isArray(v) ? v : typeof v === "string" ? [v] : []);
const tree = (v: ViciValue | undefined): ViciTree => (v && typeof v === "object" && !Array.isArray(v) ? v : {});
const num = (v: ViciValue | undefined): number => (typeof v === "string" && /^\d+$/.test(v) ? Number(v) : 0);

/** Authentication rounds are sections named local / local-1 ... and remote / remote-1 ... */
function roundIds(conn: ViciTree, side: "local" | "remote"): string[] {
    return Object.entries(conn)
        .filter(([k]) => k === side || k.startsWith(`${side}-`))
        .map(([, v]) => str(tree(v).id))
        .filter((v): v is string => v !== undefined);
}

export interface LoadedChild {
    name: string;
    mode: string;
    localTs: string[];
    remoteTs: string[];
}

export interface LoadedConnection {
    name: string;
    /** e.g. IKEv2, IKEv1/2 (any) */
    version: string;
    localAddrs: string[];
    remoteAddrs: string[];
    localIds: string[];
    remoteIds: string[];
    children: Record<string, LoadedChild>;
}

/** `swanctl --list-conns --raw` -> loaded connections by name. */
export function parseListConnsRaw(text: string): Record<string, LoadedConnection> {
    const result: Record<string, LoadedConnection> = {};
    for (const message of parseViciRaw(text)) {
        if (message.label !== "list-conn event") continue;
        for (const [name, value] of Object.entries(message.tree)) {
            const conn = tree(value);
            const children: Record<string, LoadedChild> = {};
            for (const [childName, childValue] of Object.entries(tree(conn.children))) {
                const c = tree(childValue);
                put(children, childName, { name: childName, mode: str(c.mode) ?? "", localTs: strs(c["local-ts"]), remoteTs: strs(c["remote-ts"]) });
            }
            put(result, name, {
                name,
                version: str(conn.version) ?? "",
                localAddrs: strs(conn.local_addrs),
                remoteAddrs: strs(conn.remote_addrs),
                localIds: roundIds(conn, "local"),
                remoteIds: roundIds(conn, "remote"),
                children,
            });
        }
    }
    return result;
}

export interface ChildSaSummary {
    /** The child config's name (the section key is `<name>-<uniqueid>`). */
    name: string;
    uniqueId: number;
    /** INSTALLED, REKEYING, ROUTED, DELETING, ... */
    state: string;
    mode: string;
    protocol: string;
    spiIn?: string;
    spiOut?: string;
    encryption?: string;
    bytesIn: number;
    bytesOut: number;
    packetsIn: number;
    packetsOut: number;
    localTs: string[];
    remoteTs: string[];
}

export interface IkeSaSummary {
    /** The connection's name. */
    name: string;
    uniqueId: number;
    version: number;
    /** ESTABLISHED, CONNECTING, REKEYING, DELETING, ... */
    state: string;
    localHost: string;
    remoteHost: string;
    localId: string;
    remoteId: string;
    initiator: boolean;
    encryption?: string;
    integrity?: string;
    prf?: string;
    dhGroup?: string;
    /** Seconds since establishment, when established. */
    established?: number;
    children: ChildSaSummary[];
}

/** `swanctl --list-sas --raw` -> IKE_SAs in output order (a connection may have several). */
export function parseListSasRaw(text: string): IkeSaSummary[] {
    const sas: IkeSaSummary[] = [];
    for (const message of parseViciRaw(text)) {
        if (message.label !== "list-sa event") continue;
        for (const [name, value] of Object.entries(message.tree)) {
            const sa = tree(value);
            const children: ChildSaSummary[] = Object.values(tree(sa["child-sas"])).map((v) => {
                const c = tree(v);
                const child: ChildSaSummary = {
                    name: str(c.name) ?? "",
                    uniqueId: num(c.uniqueid),
                    state: str(c.state) ?? "",
                    mode: str(c.mode) ?? "",
                    protocol: str(c.protocol) ?? "",
                    bytesIn: num(c["bytes-in"]),
                    bytesOut: num(c["bytes-out"]),
                    packetsIn: num(c["packets-in"]),
                    packetsOut: num(c["packets-out"]),
                    localTs: strs(c["local-ts"]),
                    remoteTs: strs(c["remote-ts"]),
                };
                if (c["spi-in"] !== undefined) child.spiIn = str(c["spi-in"]);
                if (c["spi-out"] !== undefined) child.spiOut = str(c["spi-out"]);
                if (c["encr-alg"] !== undefined) child.encryption = withKeySize(str(c["encr-alg"]), str(c["encr-keysize"]));
                return child;
            });
            const summary: IkeSaSummary = {
                name,
                uniqueId: num(sa.uniqueid),
                version: num(sa.version),
                state: str(sa.state) ?? "",
                localHost: str(sa["local-host"]) ?? "",
                remoteHost: str(sa["remote-host"]) ?? "",
                localId: str(sa["local-id"]) ?? "",
                remoteId: str(sa["remote-id"]) ?? "",
                initiator: sa.initiator === "yes",
                children,
            };
            if (sa["encr-alg"] !== undefined) summary.encryption = withKeySize(str(sa["encr-alg"]), str(sa["encr-keysize"]));
            if (sa["integ-alg"] !== undefined) summary.integrity = str(sa["integ-alg"]);
            if (sa["prf-alg"] !== undefined) summary.prf = str(sa["prf-alg"]);
            if (sa["dh-group"] !== undefined) summary.dhGroup = str(sa["dh-group"]);
            if (sa.established !== undefined) summary.established = num(sa.established);
            sas.push(summary);
        }
    }
    return sas;
}

function withKeySize(alg: string | undefined, size: string | undefined): string | undefined {
    return alg === undefined ? undefined : size ? `${alg}-${size}` : alg;
}
