/**
 * swanctl.conf text for one connection, both ways: the model renders to one conf.d file holding
 * exactly that connection and its pre-shared key, and a file (ours or edited by hand) parses back
 * to a model plus the keys the model does not cover (drift). No I/O.
 */
import { StrongSwanChildModel, StrongSwanConnectionModel } from "../schema/strongswan";
import { Unvalidated } from "../schema/unvalidated";
import { identityFromSwanctl, identityToSwanctl, pskOwners } from "./swanctl-ids";

// ---------------------------------------------------------------------------------------------
// File names

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/**
 * The conf.d file that holds exactly this connection. The `pulumi-` prefix keeps our files apart
 * from hand-written ones in the same folder (an admin's `home.conf` is never overwritten or
 * deleted by us) and shows on the host which files the provider owns. swanctl includes
 * `conf.d/*.conf`, so the prefix does not change what charon loads.
 */
export function connectionFileName(name: string): string {
    if (!NAME.test(name)) throw new Error(`connection name ${JSON.stringify(name)} is not a valid swanctl section name`);
    return `pulumi-${name}.conf`;
}

// ---------------------------------------------------------------------------------------------
// Rendering

/** A swanctl.conf value in double quotes; swanctl's parser takes backslash escapes inside them. */
function quoteValue(value: string): string {
    if (/[\u0000-\u001f\u007f]/.test(value)) throw new Error("a swanctl.conf value cannot hold line breaks or control characters");
    return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/**
 * The `secret` value. swanctl reads a secret that starts with 0x as hex and 0s as base64 even when
 * quoted; such a key is written hex-encoded so that charon uses the same bytes IOS does.
 */
function secretValue(psk: string): string {
    if (/^0[xs]/i.test(psk)) return `0x${Buffer.from(psk, "ascii").toString("hex")}`;
    return quoteValue(psk);
}

const yesNo = (b: boolean) => (b ? "yes" : "no");

type Line = [key: string, value: string | number | boolean | string[] | undefined];

function emit(out: string[], depth: number, lines: Line[]): void {
    const pad = "    ".repeat(depth);
    for (const [key, value] of lines) {
        if (value === undefined) continue;
        const text = Array.isArray(value) ? value.join(", ") : typeof value === "boolean" ? yesNo(value) : String(value);
        out.push(`${pad}${key} = ${text}`);
    }
}

function renderChild(out: string[], c: StrongSwanChildModel): void {
    out.push(`            ${c.name} {`);
    emit(out, 4, [
        ["local_ts", c.localTs],
        ["remote_ts", c.remoteTs],
        ["esp_proposals", c.espProposals],
        ["mode", c.mode],
        ["start_action", c.startAction],
        ["close_action", c.closeAction],
        ["dpd_action", c.dpdAction],
        ["if_id_in", c.ifIdIn],
        ["if_id_out", c.ifIdOut],
        ["updown", c.updown],
        ["rekey_time", c.rekeyTime],
        ["life_time", c.lifeTime],
    ]);
    out.push("            }");
}

/** The whole conf.d file of one connection. Deterministic: the same model gives the same bytes. */
export function renderConnectionFile(m: StrongSwanConnectionModel): string {
    connectionFileName(m.name);
    const out: string[] = [
        `# Managed by pulumi-ikev2: connection ${m.name}.`,
        "# Every update overwrites this file and a destroy deletes it: change the Pulumi program, not this file.",
        "# It holds the connection's pre-shared key: keep it mode 0600.",
        "connections {",
        `    ${m.name} {`,
    ];
    emit(out, 2, [
        ["version", m.version],
        ["local_addrs", m.localAddrs],
        ["remote_addrs", m.remoteAddrs],
        ["proposals", m.proposals],
        ["dpd_delay", m.dpdDelay],
        ["dpd_timeout", m.dpdTimeout],
        ["rekey_time", m.rekeyTime],
        ["reauth_time", m.reauthTime],
        ["mobike", m.mobike],
        ["encap", m.encap],
        ["keyingtries", m.keyingTries],
        ["unique", m.unique],
    ]);
    for (const side of ["local", "remote"] as const) {
        out.push(`        ${side} {`);
        emit(out, 3, [
            ["auth", m[side].auth],
            ["id", m[side].id && identityToSwanctl(m[side].id)],
        ]);
        out.push("        }");
    }
    out.push("        children {");
    for (const c of m.children) renderChild(out, c);
    out.push("        }", "    }", "}");
    if (m.preSharedKey !== undefined) {
        const owners = pskOwners(m);
        out.push("secrets {", `    ike-${m.name} {`);
        emit(out, 2, [...new Set([...owners.remote, ...owners.local])].map((id, i): Line => [`id-${i + 1}`, id]));
        out.push(`        secret = ${secretValue(m.preSharedKey)}`, "    }", "}");
    }
    return out.join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------
// Generic parsing

/** A parsed swanctl.conf section: its key = value pairs and its subsections, in file order. */
export interface SwanctlSection {
    values: Record<string, string>;
    sections: Record<string, SwanctlSection>;
}

const newSection = (): SwanctlSection => ({ values: {}, sections: {} });

/** Sets a property whatever its name (`__proto__` included) without touching prototypes. */
function put<T>(record: Record<string, T>, key: string, value: T): void {
    Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

const has = (record: object, key: string) => Object.prototype.hasOwnProperty.call(record, key);

/**
 * Parses swanctl.conf / strongswan.conf syntax: `key = value` lines, `name { ... }` sections
 * (repeated sections merge, later values win, as in strongSwan), `#` comments, double-quoted values
 * with backslash escapes, `name : refs {` (references are dropped). `include` statements are
 * ignored: one file is read on its own. Throws on malformed text, naming the line.
 */
export function parseSwanctlConf(text: string): SwanctlSection {
    const root = newSection();
    const stack: SwanctlSection[] = [root];
    let i = 0;
    let line = 1;
    const fail = (why: string): never => {
        throw new Error(`swanctl.conf line ${line}: ${why}`);
    };
    const peek = () => text[i];
    const advance = () => {
        if (text[i] === "\n") line++;
        return text[i++];
    };
    const skipBlank = (newlines: boolean) => {
        while (i < text.length) {
            const ch = peek();
            if (ch === "#") while (i < text.length && peek() !== "\n") advance();
            else if (ch === " " || ch === "\t" || ch === "\r" || (newlines && ch === "\n")) advance();
            else break;
        }
    };
    const readName = () => {
        const start = i;
        while (i < text.length && !/[\s{}=#":,]/.test(peek())) advance();
        return text.slice(start, i);
    };
    const readQuoted = () => {
        advance(); // opening quote
        let value = "";
        for (;;) {
            if (i >= text.length) fail("unterminated quoted value");
            const ch = advance();
            if (ch === '"') break;
            if (ch !== "\\") {
                value += ch;
                continue;
            }
            if (i >= text.length) fail("unterminated quoted value");
            const esc = advance();
            if (esc === "n") value += "\n";
            else if (esc === "r") value += "\r";
            else if (esc === "t") value += "\t";
            else if (esc === "\n") continue; // line continuation
            else value += esc;
        }
        skipBlank(false);
        if (i < text.length && peek() !== "\n" && peek() !== "}") fail("text after a quoted value");
        return value;
    };
    const readPlain = () => {
        const start = i;
        // An unquoted value ends at the line's end, a comment, or a '}' closing the section (as in strongSwan).
        while (i < text.length && peek() !== "\n" && peek() !== "#" && peek() !== "}") advance();
        const value = text.slice(start, i).trim();
        skipBlank(false);
        return value;
    };

    for (;;) {
        skipBlank(true);
        if (i >= text.length) break;
        if (peek() === "}") {
            advance();
            if (stack.length === 1) fail("'}' without a matching section");
            stack.pop();
            continue;
        }
        const name = readName();
        if (name === "") fail(`unexpected character ${JSON.stringify(peek())}`);
        skipBlank(false);
        if (name === "include" && peek() !== "=" && peek() !== "{") {
            readPlain();
            continue;
        }
        skipBlank(true);
        const ch = peek();
        const current = stack[stack.length - 1];
        if (ch === "=") {
            advance();
            skipBlank(false);
            put(current.values, name, peek() === '"' ? readQuoted() : readPlain());
        } else if (ch === "{" || ch === ":") {
            if (ch === ":") {
                while (i < text.length && peek() !== "{") advance();
                if (i >= text.length) fail(`section ${name} has no '{'`);
            }
            advance();
            if (!has(current.sections, name)) put(current.sections, name, newSection());
            stack.push(current.sections[name]);
        } else {
            fail(`expected '=' or '{' after ${name}`);
        }
    }
    if (stack.length > 1) fail("a section is not closed with '}'");
    return root;
}

// ---------------------------------------------------------------------------------------------
// Connection file -> model

const list = (v: string | undefined) => (v === undefined || v.trim() === "" ? [] : v.split(",").map((s) => s.trim()).filter((s) => s !== ""));
const time = (v: string) => (/^\d+$/.test(v) ? `${v}s` : v);
const bool = (v: string) => /^(yes|true|1)$/i.test(v);
const ifId = (v: string): number | string => (/^\d+$/.test(v) ? Number(v) : v);

function decodeSecret(raw: string): string {
    if (/^0x[0-9a-f]*$/i.test(raw)) return Buffer.from(raw.slice(2), "hex").toString("latin1");
    if (/^0s/i.test(raw)) return Buffer.from(raw.slice(2), "base64").toString("latin1");
    return raw;
}

/** Reads `keys` from `values` with `read`, collecting the others as unknown under `prefix`. */
function take(
    values: Record<string, string>,
    prefix: string,
    known: Record<string, (v: string) => void>,
    unknown: string[],
): void {
    for (const [key, value] of Object.entries(values)) {
        if (has(known, key)) known[key](value);
        else unknown.push(`${prefix}.${key}`);
    }
}

/**
 * The connection `name` in a conf.d file, as a model, or undefined when the file does not define
 * it. unknownKeys lists (as dotted paths) every key and section the model does not hold: other
 * connections, other secrets, settings we do not manage, and PSK identities that differ from the
 * ones we would write.
 */
/** A connection as its file holds it: the schema decides afterwards whether it is acceptable. */
export type ConnectionFileModel = Unvalidated<StrongSwanConnectionModel>;
type ChildFileModel = Unvalidated<StrongSwanChildModel>;

export function parseConnectionFile(text: string, name: string): { model: ConnectionFileModel; unknownKeys: string[] } | undefined {
    const root = parseSwanctlConf(text);
    const conns = root.sections.connections;
    if (!conns || !has(conns.sections, name)) return undefined;
    const unknown: string[] = [];
    const conn = conns.sections[name];
    const prefix = `connections.${name}`;
    const m: ConnectionFileModel = { name, version: 2 };

    for (const key of Object.keys(root.values)) unknown.push(key);
    for (const key of Object.keys(root.sections)) if (key !== "connections" && key !== "secrets") unknown.push(key);
    for (const key of Object.keys(conns.values)) unknown.push(`connections.${key}`);
    for (const key of Object.keys(conns.sections)) if (key !== name) unknown.push(`connections.${key}`);

    take(conn.values, prefix, {
        version: (v) => (m.version = Number(v)),
        local_addrs: (v) => (m.localAddrs = list(v)),
        remote_addrs: (v) => (m.remoteAddrs = list(v)),
        proposals: (v) => (m.proposals = list(v)),
        dpd_delay: (v) => (m.dpdDelay = time(v)),
        dpd_timeout: (v) => (m.dpdTimeout = time(v)),
        rekey_time: (v) => (m.rekeyTime = time(v)),
        reauth_time: (v) => (m.reauthTime = time(v)),
        mobike: (v) => (m.mobike = bool(v)),
        encap: (v) => (m.encap = bool(v)),
        keyingtries: (v) => (m.keyingTries = Number(v)),
        unique: (v) => (m.unique = v),
    }, unknown);
    if (m.proposals === undefined) m.proposals = [];

    for (const side of ["local", "remote"] as const) {
        const section = conn.sections[side];
        const round: ConnectionFileModel["local"] = { auth: "psk" };
        if (section) {
            take(section.values, `${prefix}.${side}`, {
                auth: (v) => (round.auth = v),
                id: (v) => (round.id = identityFromSwanctl(v)),
            }, unknown);
            for (const key of Object.keys(section.sections)) unknown.push(`${prefix}.${side}.${key}`);
        }
        m[side] = round;
    }

    const children: ChildFileModel[] = [];
    for (const [sectionName, section] of Object.entries(conn.sections)) {
        if (sectionName === "local" || sectionName === "remote") continue;
        if (sectionName !== "children") {
            unknown.push(`${prefix}.${sectionName}`);
            continue;
        }
        for (const key of Object.keys(section.values)) unknown.push(`${prefix}.children.${key}`);
        for (const [childName, childSection] of Object.entries(section.sections)) {
            const c: ChildFileModel = { name: childName, localTs: [], remoteTs: [], espProposals: [], mode: "tunnel" };
            take(childSection.values, `${prefix}.children.${childName}`, {
                local_ts: (v) => (c.localTs = list(v)),
                remote_ts: (v) => (c.remoteTs = list(v)),
                esp_proposals: (v) => (c.espProposals = list(v)),
                mode: (v) => (c.mode = v),
                start_action: (v) => (c.startAction = v),
                close_action: (v) => (c.closeAction = v),
                dpd_action: (v) => (c.dpdAction = v),
                if_id_in: (v) => (c.ifIdIn = ifId(v)),
                if_id_out: (v) => (c.ifIdOut = ifId(v)),
                updown: (v) => (c.updown = v),
                rekey_time: (v) => (c.rekeyTime = time(v)),
                life_time: (v) => (c.lifeTime = time(v)),
            }, unknown);
            for (const key of Object.keys(childSection.sections)) unknown.push(`${prefix}.children.${childName}.${key}`);
            children.push(c);
        }
    }
    m.children = children;

    const secrets = root.sections.secrets;
    if (secrets) {
        for (const key of Object.keys(secrets.values)) unknown.push(`secrets.${key}`);
        for (const [secretName, section] of Object.entries(secrets.sections)) {
            if (secretName !== `ike-${name}`) {
                unknown.push(`secrets.${secretName}`);
                continue;
            }
            const ids: [string, string][] = [];
            for (const [key, value] of Object.entries(section.values)) {
                if (key === "secret") m.preSharedKey = decodeSecret(value);
                else if (/^id/.test(key)) ids.push([key, value]);
                else unknown.push(`secrets.${secretName}.${key}`);
            }
            for (const key of Object.keys(section.sections)) unknown.push(`secrets.${secretName}.${key}`);
            // The identities are derived from the model: any difference is drift the next apply repairs.
            const owners = pskOwners(m);
            const expected = new Set([...owners.remote, ...owners.local]);
            const found = new Set(ids.map(([, v]) => v));
            for (const [key, value] of ids) if (!expected.has(value)) unknown.push(`secrets.${secretName}.${key}`);
            for (const id of expected) if (!found.has(id)) unknown.push(`secrets.${secretName}.id (missing ${id})`);
        }
    }
    return { model: m, unknownKeys: unknown };
}
