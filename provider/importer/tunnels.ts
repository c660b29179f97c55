/**
 * Tunnels between the devices the importer read: each IOS `interface TunnelN` and each strongSwan
 * connection is one end (imported or not), and two ends on two of the devices pair up when each
 * leads to the other's outside address. A pair is the unit a SiteToSiteTunnel declares; an end
 * whose far end is on a device that was read but is missing or was not imported is migration work
 * the report names. The two ends of a pair are compared by the cross-end checks (provider/tunnel/),
 * read from the devices' text as the diagnosis reads them. No I/O.
 */
import { crossEndFindings } from "../tunnel/cross-check";
import { DeviceEnd, iosEndFromRunningConfig, strongSwanEndFromFile } from "../tunnel/device-ends";
import { Finding, FoundEnd, SiteDevice, SiteImport } from "./model";

/** Two ends on two devices that lead to each other. */
export interface TunnelPair {
    ends: [FoundEnd, FoundEnd];
    /** What the cross-end checks find wrong between them (each message names both ends and the fix); empty when they agree. */
    disagreements: string[];
}

/** An end as the cross-end checks see it, with the key it holds for its peer (for comparing, never shown). */
function deviceEnd(e: FoundEnd): DeviceEnd {
    const s = e.source();
    return s.platform === "ios"
        ? iosEndFromRunningConfig(s.runningConfig, { site: e.site, tunnel: s.tunnel })
        : strongSwanEndFromFile(s.text, { site: e.site, connection: s.connection, file: s.file });
}

/** The cross-end checks' messages for two ends; the keys are compared when both devices show them in clear. */
function disagreements(a: FoundEnd, b: FoundEnd): string[] {
    const [x, y] = [deviceEnd(a), deviceEnd(b)];
    const keyX = x.keyFor(y.end.address, y.end.localId);
    const keyY = y.keyFor(x.end.address, x.end.localId);
    const readable = (k: string | undefined): k is string => k !== undefined && k !== "opaque";
    const keysAgree = readable(keyX) && readable(keyY) ? keyX === keyY : undefined;
    return crossEndFindings(x.end, y.end, { keysAgree }).map((f) => f.message);
}

/** An address as both platforms may print it (IOS prints IPv6 in capitals). */
const same = (a: string) => a.toLowerCase();

/** Each site's outside addresses: what its ends use and the address it was reached at. */
function siteAddresses(devices: SiteDevice[], ends: FoundEnd[]): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    for (const d of devices) out.set(d.site, new Set(typeof d.settings.host === "string" ? [same(d.settings.host)] : []));
    for (const e of ends) for (const a of e.local) out.get(e.site)?.add(same(a));
    return out;
}

/** Whether `end` leads to an address of `addresses` and uses (or leaves open) `towards`. */
function leadsTo(end: FoundEnd, addresses: Set<string>, from: string): boolean {
    return end.remote.some((r) => addresses.has(same(r))) && (end.local.length === 0 || end.local.some((l) => same(l) === same(from)));
}

/**
 * The pairs of ends among the devices, and findings for ends whose far end is on one of the devices
 * but is not there or was not imported.
 */
export function pairTunnels(devices: SiteDevice[], imports: SiteImport[]): { pairs: TunnelPair[]; findings: Finding[] } {
    const ends = imports.flatMap((i) => i.ends);
    const addresses = siteAddresses(devices, ends);
    const siteOf = (address: string) => [...addresses].find(([, set]) => set.has(same(address)))?.[0];
    const pairs: TunnelPair[] = [];
    const findings: Finding[] = [];
    const paired = new Set<FoundEnd>();
    for (const end of ends) {
        for (const remote of end.remote) {
            const far = siteOf(remote);
            if (far === undefined || far === end.site) continue;
            const mine = addresses.get(end.site)!;
            const matches = ends.filter((e) => e.site === far && leadsTo(e, mine, remote));
            if (matches.length === 0) {
                if (end.resourceName !== undefined) {
                    findings.push({
                        site: end.site,
                        category: "tunnel",
                        subject: end.subject,
                        reason: `it leads to ${remote}, which is ${far}, but ${far} has no tunnel or connection back to ${end.site}. Fix: add ${far}'s end (a SiteToSiteTunnel declares both), or remove this one`,
                        lines: [],
                    });
                }
                continue;
            }
            for (const match of matches) {
                if (paired.has(match) && paired.has(end)) continue;
                paired.add(end).add(match);
                pairs.push({ ends: [end, match], disagreements: disagreements(end, match) });
                const missing = [end, match].filter((e) => e.resourceName === undefined);
                if (missing.length === 1) {
                    const [gone] = missing;
                    const other = gone === end ? match : end;
                    findings.push({
                        site: other.site,
                        category: "tunnel",
                        subject: other.subject,
                        reason:
                            `its far end, ${gone.site} ${gone.subject}, was not imported (see "Not imported"), so the program manages one end of the tunnel only. ` +
                            `Fix: resolve what the report says about ${gone.site} ${gone.subject}, then import again`,
                        lines: [],
                    });
                }
            }
        }
    }
    return { pairs, findings };
}
