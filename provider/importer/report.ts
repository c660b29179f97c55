/**
 * IMPORT-REPORT.md: what was imported, what was not and why (the migration work left), and what to
 * do before the first `pulumi up`. Lines from the devices are shown with their secrets masked. No I/O.
 */
import { Declaration, Finding, FindingCategory, FoundEnd, ProgramClass, SiteDevice } from "./model";
import { TunnelOutcome, TunnelProgram } from "./site-to-site";
import { TunnelPair } from "./tunnels";

/** The report's sections for what was not imported, in this order. */
const SECTIONS: [FindingCategory, string][] = [
    ["ikev1", "IKEv1 (`crypto isakmp`, `crypto keyring`)"],
    ["crypto-map", "Crypto maps"],
    ["not-modelled", "Configuration the provider does not model"],
    ["invalid", "Objects the provider refuses as they are"],
    ["missing-reference", "Objects that refer to missing ones"],
    ["would-change", "Objects that adopting would change"],
    ["hand-written", "strongSwan connections in files the provider does not own"],
];

const fence = (lines: string[]) => (lines.length ? ["", "```", ...lines, "```"] : []);

function entry(f: Finding): string[] {
    return [`- **${f.site}: ${f.subject}**: ${f.reason}`, ...fence(f.lines).map((l) => (l === "" ? "" : `  ${l}`)), ""];
}

const endCell = (e: FoundEnd) => `${e.site}: \`${e.subject}\`${e.resourceName ? ` (\`${e.resourceName}\`)` : " (not imported)"}`;

const pairTitle = ({ ends }: TunnelPair) => `${ends[0].site} ${ends[0].subject} <-> ${ends[1].site} ${ends[1].subject}`;

/** What the program has of a tunnel. */
function programCell(pair: TunnelPair, outcome: TunnelOutcome | undefined): string {
    if (outcome && "tunnel" in outcome) return `SiteToSiteTunnel \`${outcome.tunnel}\``;
    const imported = pair.ends.filter((e) => e.resourceName !== undefined).length;
    if (imported < 2) return imported === 1 ? "one end (see below)" : "neither end";
    return pair.disagreements.length ? "both ends, as separate resources: the ends disagree (see below)" : "both ends, as separate resources (see below)";
}

/**
 * The tunnels whose two ends are both on the devices read: whether the program declares them as one
 * SiteToSiteTunnel, has both ends or one; what the cross-end checks find wrong between two ends; why
 * a tunnel whose ends agree stays separate resources; and ends whose far end is missing or was not imported.
 */
function tunnelSection(pairs: TunnelPair[], outcomes: TunnelOutcome[], findings: Finding[]): string[] {
    if (pairs.length === 0 && findings.length === 0) return [];
    const out = ["## Tunnels between the devices", ""];
    const outcomeOf = (p: TunnelPair) => outcomes.find((o) => o.pair === p);
    if (pairs.length) {
        out.push(
            "Where both ends were imported and agree, one SiteToSiteTunnel declares both (with an IosRouter for what each router's tunnels share),",
            "as long as it declares exactly what the devices have; otherwise each end's objects are resources of their own.",
            "",
            "| End | End | In the program |",
            "|---|---|---|",
        );
    }
    for (const pair of pairs) out.push(`| ${endCell(pair.ends[0])} | ${endCell(pair.ends[1])} | ${programCell(pair, outcomeOf(pair))} |`);
    if (pairs.length) out.push("");
    const disagree = pairs.filter((p) => p.disagreements.length);
    if (disagree.length) {
        out.push("### Tunnels whose ends disagree", "", "What the cross-end checks find (the same checks a SiteToSiteTunnel runs at every preview); the objects of each end are adopted as separate resources, as the devices have them.", "");
        for (const p of disagree) out.push(`- **${pairTitle(p)}**:`, ...p.disagreements.map((m) => `  - ${m}`), "");
    }
    const separate = outcomes.flatMap((o) => ("separate" in o ? [o] : []));
    if (separate.length) {
        out.push("### Tunnels whose ends agree but stay separate resources", "");
        for (const o of separate) out.push(`- **${pairTitle(o.pair)}**: a SiteToSiteTunnel would not declare what the devices have: ${o.separate}.`, "");
    }
    if (findings.length) out.push("Ends the program has whose far end it does not:", "", ...findings.flatMap(entry));
    return out;
}

export function importReport(devices: SiteDevice[], program: TunnelProgram, findings: Finding[], pairs: TunnelPair[], stack: string | undefined): string {
    const { imports } = program;
    const declarations: Declaration<ProgramClass>[] = [...program.routers, ...imports.flatMap((i) => i.declarations), ...program.tunnels];
    const todo = imports.flatMap((i) => i.secrets).filter((s) => s.value === undefined);
    const missed = findings.filter((f) => f.category !== "note" && f.category !== "tunnel");
    const out = [
        "# What `pulumi-ikev2 import` found",
        "",
        `Devices: ${devices.map((d) => `${d.site} (${d.platform === "ios" ? "IOS" : "strongSwan"}, ${d.label})`).join(", ")}.`,
        "",
        `## Imported: ${declarations.length} resource${declarations.length === 1 ? "" : "s"}`,
        "",
        "Each is declared in index.ts with `adopt: true`. Each was checked the way the provider will treat it: its schema",
        "accepts it, and the configuration the provider makes of it is what the device has, so `pulumi up` sends nothing.",
        "",
    ];
    if (declarations.length) {
        out.push("| Device | Object | Resource |", "|---|---|---|");
        for (const d of declarations) out.push(`| ${d.site} | \`${d.subject}\` | ${d.className} \`${d.resourceName}\` |`);
        out.push("");
    }
    out.push(...tunnelSection(pairs, program.outcomes, findings.filter((f) => f.category === "tunnel")));
    out.push(`## Not imported: ${missed.length}`, "");
    if (missed.length === 0) out.push("Nothing: every IKEv2/IPsec object on the devices is in the program.", "");
    else out.push("What stays as it is on the devices, outside the program, and why: the migration work left.", "");
    for (const [category, title] of SECTIONS) {
        const these = missed.filter((f) => f.category === category);
        if (these.length) out.push(`### ${title}`, "", ...these.flatMap(entry));
    }
    out.push(
        "## Before the first `pulumi up`",
        "",
        "1. `npm install`",
        stack
            ? `2. Set the backend and \`PULUMI_CONFIG_PASSPHRASE\` (set-secrets.sh selects the stack ${stack}, creating it if needed).`
            : "2. `pulumi stack init NAME` (or `pulumi stack select NAME`), with the backend and `PULUMI_CONFIG_PASSPHRASE` set.",
        "3. `bash set-secrets.sh`: sets the devices' credentials and the pre-shared keys as secret stack configuration, through stdin, then deletes itself.",
    );
    if (todo.length) {
        out.push(
            "4. Set the keys the routers show only encrypted (type 6), typing each at the prompt (or piping it in; never as an argument).",
            "   `pulumi up` sends each declared key to its router, since it cannot compare an encrypted one: set the key the peer uses.",
            "",
            ...todo.map((s) => `   - \`pulumi config set --secret ${s.key}\`: ${s.purpose}`),
            "",
        );
    }
    out.push(`${todo.length ? 5 : 4}. \`pulumi preview\`, then \`pulumi up\`: every resource is created by adopting its object; a second \`pulumi up\` changes nothing.`, "");
    const notes = findings.filter((f) => f.category === "note");
    if (notes.length) out.push("## Notes", "", ...notes.flatMap(entry));
    return out.join("\n").replace(/\n+$/, "\n");
}
