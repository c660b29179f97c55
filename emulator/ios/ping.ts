/**
 * `ping` from the router. In the lab the emulator runs inside its site's network namespace, so the
 * echo requests are real: Linux's ping sends them from the chosen source address through the
 * site's routes (into a tunnel when one is routed), and the replies are printed as IOS prints them.
 * Without the lab (no data path) the emulator sends nothing.
 */
import { execFile } from "child_process";

export interface PingRequest {
    destination: string;
    /** The source address (IOS `source IFACE|ADDRESS`), if any. */
    source?: string;
    repeat: number;
    /** The IP datagram size (IOS `size`, default 100). */
    size: number;
    /** Seconds to wait for each reply (IOS `timeout`, default 2). */
    timeout: number;
}

/** One echo: its round-trip time in ms, "unreachable" (an ICMP error came back), or undefined (no reply in time). */
export type Echo = number | "unreachable" | undefined;

/** IOS prints `!` per reply, `.` per timeout, `U` per unreachable, 70 to a line. */
export function formatPing(req: PingRequest, echoes: Echo[]): string {
    const marks = echoes.map((e) => (e === undefined ? "." : e === "unreachable" ? "U" : "!")).join("");
    const rows: string[] = [];
    for (let i = 0; i < marks.length; i += 70) rows.push(marks.slice(i, i + 70));
    const times = echoes.filter((e): e is number => typeof e === "number").map((t) => Math.max(1, Math.round(t)));
    const percent = Math.floor((times.length * 100) / req.repeat);
    const summary =
        `Success rate is ${percent} percent (${times.length}/${req.repeat})` +
        (times.length ? `, round-trip min/avg/max = ${Math.min(...times)}/${Math.round(times.reduce((a, b) => a + b, 0) / times.length)}/${Math.max(...times)} ms` : "");
    return [
        "Type escape sequence to abort.",
        `Sending ${req.repeat}, ${req.size}-byte ICMP Echos to ${req.destination}, timeout is ${req.timeout} seconds:`,
        ...(req.source ? [`Packet sent with a source address of ${req.source} `] : []),
        ...rows,
        summary,
    ].join("\n");
}

/** Reads Linux ping's per-packet lines into one echo per sequence number 1..repeat. */
export function parseLinuxPing(stdout: string, repeat: number): Echo[] {
    const echoes: Echo[] = Array.from({ length: repeat }, () => undefined);
    for (const line of stdout.split("\n")) {
        const reply = /icmp_seq=(\d+) .*time[=<]([\d.]+) ms/.exec(line);
        const error = /From \S+ icmp_seq=(\d+) (Destination (Host|Net|Port) Unreachable|Packet filtered)/.exec(line);
        const m = reply ?? error;
        if (!m) continue;
        const i = Number(m[1]) - 1;
        if (i < 0 || i >= repeat || echoes[i] !== undefined) continue;
        echoes[i] = reply ? Number(reply[2]) : "unreachable";
    }
    return echoes;
}

/** Sends the echoes with Linux's ping (in the emulator's network namespace) and reports each one. */
export function sendPing(req: PingRequest): Promise<Echo[]> {
    const args = ["-n", "-c", String(req.repeat), "-i", "0.2", "-W", String(req.timeout), "-w", String(req.repeat * (req.timeout + 1) + 1), "-s", String(Math.max(0, req.size - 28))];
    if (req.source) args.push("-I", req.source);
    args.push(req.destination);
    return new Promise((done) => {
        execFile("ping", args, { timeout: (req.repeat * (req.timeout + 1) + 5) * 1000 }, (_err, stdout) => done(parseLinuxPing(String(stdout), req.repeat)));
    });
}
