/**
 * A strongSwan host's swanctl files as the importer sees them. The provider keeps each connection
 * in a file of its own, `conf.d/pulumi-<name>.conf`, and never touches other files: a connection in
 * such a file is imported when the provider, from the declaration, would write exactly that file
 * (then adopting it sends nothing); a connection in any other file is reported, with the way to
 * move it under Pulumi. Parsing is the provider's own (provider/strongswan/swanctl-conf.ts). No I/O.
 */
import * as path from "path";
import { isIp } from "../address";
import { maskLine } from "../masking";
import { strongSwanConnectionSchema } from "../schema/strongswan";
import { connectionFileName, parseConnectionFile, parseSwanctlConf, renderConnectionFile, SwanctlSection } from "../strongswan/swanctl-conf";
import { Declaration, Finding, FoundEnd, inSchemaOrder, PlainObject, schemaProblems, secretLookup, SiteImport, StackSecret, withoutDefaults } from "./model";
import { identifierAllocator, Value } from "./typescript";

/** What the importer reads from one strongSwan host. */
export interface HostConfig {
    site: string;
    swanctlDir: string;
    /** `swanctl.conf` and every `conf.d/*.conf`, with their text. */
    files: { path: string; text: string }[];
    /** The connections charon has loaded (`swanctl --list-conns`). */
    loaded: string[];
}

const masked = (text: string) =>
    text
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map(maskLine);

/** The first lines where two texts differ, for a message (secrets masked). */
function firstDifference(have: string, want: string): string {
    const a = have.split("\n");
    const b = want.split("\n");
    const i = a.findIndex((l, n) => l !== b[n]);
    const at = i === -1 ? a.length : i;
    return `line ${at + 1} is \`${maskLine(a[at] ?? "(end of file)")}\` where the provider writes \`${maskLine(b[at] ?? "(end of file)")}\``;
}

/** The IP addresses of a swanctl address list (`local_addrs`, `remote_addrs`); names and ranges are left out. */
const addresses = (list: string | undefined) => (list ?? "").split(",").map((a) => a.trim()).filter(isIp);

/** The declarations for the connections in a host's files, and findings for the rest. */
export function importHost(host: HostConfig): SiteImport {
    const { site, swanctlDir } = host;
    const declarations: Declaration[] = [];
    const secrets: StackSecret[] = [];
    const findings: Finding[] = [];
    const ends: FoundEnd[] = [];
    // Variables and configuration keys, unique on the site (the site's name makes them unique in the program).
    const identifier = identifierAllocator();
    for (const file of host.files) {
        const shown = path.posix.relative(swanctlDir, file.path) || file.path;
        let connections: Record<string, SwanctlSection>;
        try {
            connections = parseSwanctlConf(file.text).sections.connections?.sections ?? {};
        } catch (e) {
            findings.push({ site, category: "invalid", subject: shown, reason: `swanctl cannot read it: ${(e as Error).message}`, lines: [] });
            continue;
        }
        for (const [name, section] of Object.entries(connections)) {
            const subject = `${shown}: connection ${name}`;
            const end: FoundEnd = {
                site,
                subject,
                local: addresses(section.values.local_addrs),
                remote: addresses(section.values.remote_addrs),
                source: () => ({ platform: "strongswan", text: file.text, connection: name, file: shown }),
            };
            ends.push(end);
            const ours = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(name) && file.path === path.posix.join(swanctlDir, "conf.d", connectionFileName(name));
            const notImported = (category: Finding["category"], reason: string, lines = masked(file.text)) => findings.push({ site, category, subject, reason, lines });
            if (!ours) {
                notImported(
                    "hand-written",
                    `the provider keeps each connection in a file of its own (conf.d/pulumi-${name}.conf) and never changes other files, so adopting this one ` +
                        `would write a second definition of ${name} (swanctl merges both). Fix: to move it under Pulumi, declare a StrongSwanConnection ` +
                        `named ${name} with adopt: true, remove the connection (and its secret) from ${shown} without reloading, then run pulumi up`,
                    [],
                );
                continue;
            }
            const parsed = parseConnectionFile(file.text, name)!;
            if (parsed.unknownKeys.length > 0) {
                notImported(
                    "not-modelled",
                    `the file holds settings the provider does not model (${parsed.unknownKeys.join(", ")}); adopting it would rewrite the file without them. ` +
                        "Fix: if they are not needed, remove them and import again",
                );
                continue;
            }
            const input: PlainObject = JSON.parse(JSON.stringify(parsed.model));
            const checked = strongSwanConnectionSchema.safeParse(input);
            if (!checked.success) {
                notImported("invalid", `the provider refuses it as it is: ${schemaProblems(checked.error).join("; ")}`);
                continue;
            }
            const rendered = renderConnectionFile(checked.data);
            if (rendered !== file.text) {
                notImported("would-change", `adopting it would rewrite the file (${firstDifference(file.text, rendered)}), so it was left as it is`);
                continue;
            }
            const args: { [key: string]: Value } = inSchemaOrder(strongSwanConnectionSchema, withoutDefaults(strongSwanConnectionSchema, input));
            const notes: string[] = [];
            const secretKeys: Record<string, string> = {};
            if (checked.data.preSharedKey !== undefined) {
                const secret: StackSecret = { key: identifier(site, name, "psk"), purpose: `${site}: ${shown} secret`, value: checked.data.preSharedKey };
                secrets.push(secret);
                args.preSharedKey = secretLookup(secret.key);
                secretKeys[name] = secret.key;
            }
            if (!host.loaded.includes(name)) {
                findings.push({
                    site,
                    category: "note",
                    subject,
                    reason: "charon does not have this connection loaded: the first pulumi up loads it (swanctl --load-all); the file stays as it is",
                    lines: [],
                });
            }
            end.resourceName = `${site}-connection-${name}`;
            declarations.push({
                site,
                className: "StrongSwanConnection",
                subject: shown,
                resourceName: end.resourceName,
                variable: identifier(site, "connection", name),
                args,
                notes,
                secretKeys,
            });
        }
    }
    return { declarations, secrets, findings, ends };
}
