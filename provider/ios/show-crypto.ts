/**
 * What IOS prints when a tunnel is proven or diagnosed: `show crypto ikev2 sa`, `show crypto ipsec
 * sa`, `ping ... source ...` and the `IKEv2` lines of `show logging` (with `debug crypto ikev2`).
 * Layouts as IOS-XE 16/17 print them (the emulator copies them: emulator/ios/ike/README.md); the
 * parsers read the fields by their labels, not by column, so spacing does not matter. No I/O.
 */

/** One row of `show crypto ikev2 sa`. */
export interface IkeV2SaRow {
    tunnelId: number;
    local: string;
    remote: string;
    /** READY (established), IN-NEG (negotiating), DELETE ... */
    status: string;
    /** The `Encr: ..., DH Grp:N, ...` detail line, when printed. */
    detail?: string;
}

/** `1         198.51.100.1/500      203.0.113.7/4500      none/none            READY` */
const IKE_SA_ROW = /^\s*(\d+)\s+([0-9a-fA-F.:]+)\/\d+\s+([0-9a-fA-F.:]+)\/\d+\s+\S+\/\S+\s+(\S+)\s*$/;

export function parseShowCryptoIkev2Sa(text: string): IkeV2SaRow[] {
    const rows: IkeV2SaRow[] = [];
    for (const line of text.split(/\r?\n/)) {
        const m = IKE_SA_ROW.exec(line);
        if (m) {
            rows.push({ tunnelId: Number(m[1]), local: m[2], remote: m[3], status: m[4] });
        } else if (/^\s+Encr:/.test(line) && rows.length > 0 && rows[rows.length - 1].detail === undefined) {
            rows[rows.length - 1].detail = line.trim();
        }
    }
    return rows;
}

/** One `interface: TunnelN` block of `show crypto ipsec sa`. */
export interface IpsecSaBlock {
    interface: string;
    peer?: string;
    encaps: number;
    decaps: number;
    sendErrors: number;
    receiveErrors: number;
    /** SPIs of the inbound and outbound ESP SAs (none while the CHILD_SA is not installed). */
    inboundSpis: string[];
    outboundSpis: string[];
    /** `PFS (Y/N): Y, DH group: group14` -> "group14"; undefined without PFS. */
    pfsGroup?: string;
    localIdents: string[];
    remoteIdents: string[];
}

export function parseShowCryptoIpsecSa(text: string): IpsecSaBlock[] {
    const blocks: IpsecSaBlock[] = [];
    let block: IpsecSaBlock | undefined;
    let direction: "in" | "out" | undefined;
    for (const raw of text.split(/\r?\n/)) {
        const line = raw.trim();
        let m: RegExpExecArray | null;
        if ((m = /^interface: (\S+)/.exec(line))) {
            block = { interface: m[1], encaps: 0, decaps: 0, sendErrors: 0, receiveErrors: 0, inboundSpis: [], outboundSpis: [], localIdents: [], remoteIdents: [] };
            blocks.push(block);
            direction = undefined;
            continue;
        }
        if (!block) continue;
        if ((m = /^current_peer (\S+)/.exec(line))) block.peer = m[1];
        else if ((m = /#pkts encaps: (\d+)/.exec(line))) block.encaps = Number(m[1]);
        else if ((m = /#pkts decaps: (\d+)/.exec(line))) block.decaps = Number(m[1]);
        else if ((m = /#send errors (\d+), #recv errors (\d+)/.exec(line))) {
            block.sendErrors = Number(m[1]);
            block.receiveErrors = Number(m[2]);
        } else if ((m = /^local\s+ident \(addr\/mask\/prot\/port\): \((.*)\)$/.exec(line))) block.localIdents.push(m[1]);
        else if ((m = /^remote ident \(addr\/mask\/prot\/port\): \((.*)\)$/.exec(line))) block.remoteIdents.push(m[1]);
        else if ((m = /^PFS \(Y\/N\): Y, DH group: (\S+)/.exec(line))) block.pfsGroup = m[1];
        else if (/^inbound esp sas:/.test(line)) direction = "in";
        else if (/^(inbound|outbound) (ah|pcp) sas:/.test(line)) direction = undefined;
        else if (/^outbound esp sas:/.test(line)) direction = "out";
        else if ((m = /^spi: (0x[0-9A-Fa-f]+)/.exec(line)) && direction) {
            (direction === "in" ? block.inboundSpis : block.outboundSpis).push(m[1]);
        }
    }
    return blocks;
}

/** What `ping DEST source X [repeat N]` printed. */
export interface PingResult {
    sent: number;
    received: number;
    /** The `!`, `.` and `U` characters, one per echo. */
    marks: string;
    successRate: number;
}

/** The summary of an IOS ping, or undefined when the output has none (the command was refused). */
export function parseIosPing(text: string): PingResult | undefined {
    const rate = /Success rate is (\d+) percent \((\d+)\/(\d+)\)/.exec(text);
    if (!rate) return undefined;
    const marks = text
        .split(/\r?\n/)
        .filter((l) => /^[!.UQM?&]+$/.test(l.trim()))
        .join("")
        .trim();
    return { successRate: Number(rate[1]), received: Number(rate[2]), sent: Number(rate[3]), marks };
}

/** The IKEv2 lines of `show logging` (`debug crypto ikev2` output, IKEv2 syslog messages), in order. */
export function ikev2LogLines(text: string): string[] {
    return text
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => /IKEv2|%CRYPTO|%IKEV2/i.test(l));
}

/** `show logging`'s lines, without trailing white space. */
const logLines = (text: string) => text.split("\n").map((l) => l.trimEnd());

/**
 * The lines logged after `mark`, the last line `show logging` printed when the mark was taken (a
 * time-stamped entry, or the empty line after the header while the buffer is empty). The buffer
 * is a ring (4096 bytes by default on IOS), so a line count would not do: once it is full, old
 * entries leave as new ones come. When the mark itself has left, every entry is new.
 */
export function loggedAfter(text: string, mark: string): string[] {
    const lines = logLines(text);
    const at = lines.lastIndexOf(mark);
    const after = at >= 0 ? at : lines.findIndex((l) => /^Log Buffer \(/.test(l));
    return lines.slice(after + 1).filter((l) => l !== "");
}

/** The mark for loggedAfter: the last line `show logging` printed. */
export function lastLogLine(text: string): string {
    return logLines(text).pop() ?? "";
}
