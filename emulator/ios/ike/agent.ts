/**
 * The emulator's link to a real charon (in the same mount namespace): after each change of
 * running-config it writes one swanctl file, runs `swanctl --load-all`, terminates the SAs of
 * tunnels that disappeared, and keeps one main-table route into ipsec0 per `ip route ... TunnelN`
 * (lab/README.md: table 220 sits behind main on IOS sites). It also keeps the `debug crypto
 * ikev2` buffer that `show logging` prints. Off unless the emulator's options have `ike`.
 */
import { execFile, spawn, ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { RunningConfig } from "../config";
import { IosDebugTranslator } from "./debug";
import { asText, listedSas, RawSection, readRaw } from "./swanctl-raw";
import { translate, Translation, TunnelPlan } from "./translate";

export interface IkeOptions {
    enabled: boolean;
    /** The router's LAN address: the source of routed packets into the tunnel. */
    lanAddress: string;
    /** Default /etc/swanctl/conf.d/ios-emulator.conf. */
    confFile?: string;
    /** Default ipsec0 (kernel-libipsec's TUN device). */
    tunnelDevice?: string;
}

interface Run {
    code: number;
    stdout: string;
    stderr: string;
}

function run(cmd: string, args: string[], timeoutMs = 20000): Promise<Run> {
    return new Promise((done) => {
        execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
            const code = err ? (typeof (err as { code?: unknown }).code === "number" ? ((err as { code: number }).code) : 1) : 0;
            done({ code, stdout: String(stdout), stderr: String(stderr) });
        });
    });
}

export class IkeAgent {
    debugOn = false;
    private readonly installedRoutes = new Set<string>();
    private readonly installedAnchors = new Set<string>();
    private chain: Promise<void> = Promise.resolve();
    private logRelay?: ChildProcess;
    tunnels: TunnelPlan[] = [];
    /** Configured IKE lifetime per tunnel (seconds), for `show crypto ikev2 sa`. */
    readonly lifetimes = new Map<string, number>();

    constructor(
        private readonly opts: IkeOptions,
        /** The router's logging buffer (`show logging`), where debug lines go. */
        private readonly syslog: (message: string) => void,
        private readonly log?: (line: string) => void,
    ) {}

    get confFile(): string {
        return this.opts.confFile ?? "/etc/swanctl/conf.d/ios-emulator.conf";
    }

    /** Records a debug line when `debug crypto ikev2` is on (IOS drops debug output otherwise). */
    debug(line: string): void {
        if (this.debugOn) this.syslog(line);
    }

    setDebug(on: boolean): void {
        this.debugOn = on;
        if (on && !this.logRelay) this.startLogRelay();
        if (!on && this.logRelay) {
            this.logRelay.kill();
            this.logRelay = undefined;
        }
    }

    /** Per tunnel, the routes and anchors its current SA was negotiated with. */
    private selectors = new Map<string, string>();

    /** Applies a running-config; calls are serialized, each sees the config as it was when called. */
    apply(config: RunningConfig): Promise<void> {
        const t = translate(config);
        for (const p of t.tunnels) {
            const prof = p.ikev2Profile ? config.profiles.get(p.ikev2Profile) : undefined;
            this.lifetimes.set(p.name, Number(prof?.lifetime ?? 86400));
        }
        const next = this.chain.then(async () => {
            for (const l of t.debug) this.debug(l);
            const before = new Set(this.tunnels.map((x) => x.name));
            this.tunnels = t.tunnels;
            // Before charon loads (start_action = start initiates at once): its transit CHILD_SAs need them.
            await this.syncAnchors(t.anchors.filter((a) => a !== this.opts.lanAddress));
            await this.writeConf(t.conf);
            const loaded = await run("swanctl", ["--load-all", "--noprompt"]);
            if (loaded.code !== 0) this.log?.(`ike: swanctl --load-all failed: ${loaded.stderr.trim() || loaded.stdout.trim()}`);
            // IOS tears a tunnel's SAs down with its tunnel protection; strongSwan keeps them.
            for (const name of before) if (!t.tunnels.some((x) => x.name === name)) await this.terminate(name);
            // The lab derives selectors from the routes (see README): when a tunnel's routes or the
            // hub's anchors change, its SA was negotiated (or failed to install) for other
            // selectors, so it is brought up again. Real IOS negotiates 0/0 and needs no such step.
            const selectors = new Map(t.tunnels.map((x) => [x.name, selectorSignature(t, x.name)]));
            for (const [name, signature] of selectors) {
                const previous = this.selectors.get(name);
                if (previous !== undefined && previous !== signature) await this.terminate(name);
            }
            this.selectors = selectors;
            await this.syncRoutes(t.routes.map((r) => r.prefix));
            await this.initiateIdle();
        });
        this.chain = next.catch((e: Error) => this.log?.(`ike: apply failed: ${e.message}`));
        return this.chain;
    }

    /**
     * IOS keeps trying to bring a VTI's SA up; charon runs start_action only when a connection is
     * first loaded. So every tunnel with a key and no IKE_SA at all is initiated (not awaited).
     */
    private async initiateIdle(): Promise<void> {
        const r = await run("swanctl", ["--list-sas", "--raw"]);
        const present = new Set(listedSas(r.stdout).map((x) => x.name));
        for (const t of this.tunnels) {
            if (!t.hasKey || present.has(t.name)) continue;
            void run("swanctl", ["--initiate", "--child", t.name, "--timeout", "10"]);
        }
    }

    private async writeConf(text: string): Promise<void> {
        const file = this.confFile;
        fs.mkdirSync(path.dirname(file), { recursive: true });
        // The temporary name does not end in .conf, so `include conf.d/*.conf` never sees it.
        const tmp = `${file}.tmp`;
        fs.writeFileSync(tmp, text, { mode: 0o600 });
        fs.chmodSync(tmp, 0o600);
        fs.renameSync(tmp, file);
    }

    private async syncRoutes(wanted: string[]): Promise<void> {
        const dev = this.opts.tunnelDevice ?? "ipsec0";
        for (const prefix of wanted) {
            const r = await run("ip", ["route", "replace", prefix, "dev", dev, "src", this.opts.lanAddress]);
            if (r.code === 0) this.installedRoutes.add(prefix);
            else this.log?.(`ike: ip route replace ${prefix} dev ${dev} failed: ${r.stderr.trim()}`);
        }
        for (const prefix of [...this.installedRoutes]) {
            if (wanted.includes(prefix)) continue;
            await run("ip", ["route", "del", prefix, "dev", dev]);
            this.installedRoutes.delete(prefix);
        }
    }

    /** The hub's anchor addresses on `lo` (translate.ts): added and removed with the routes that need them. */
    private async syncAnchors(wanted: string[]): Promise<void> {
        for (const a of wanted) {
            const r = await run("ip", ["addr", "replace", `${a}/32`, "dev", "lo"]);
            if (r.code === 0) this.installedAnchors.add(a);
            else this.log?.(`ike: ip addr replace ${a}/32 dev lo failed: ${r.stderr.trim()}`);
        }
        for (const a of [...this.installedAnchors]) {
            if (wanted.includes(a)) continue;
            await run("ip", ["addr", "del", `${a}/32`, "dev", "lo"]);
            this.installedAnchors.delete(a);
        }
    }

    async terminate(name: string): Promise<void> {
        await run("swanctl", ["--terminate", "--ike", name, "--timeout", "5"]);
    }

    /** `clear crypto session` / `clear crypto ikev2 sa`: drop the SAs; start_action brings them back. */
    /** `clear crypto session [remote IP]`: every tunnel's SAs, or only those with that peer. */
    async clear(remote?: string): Promise<void> {
        await this.chain;
        const cleared = this.tunnels.filter((t) => remote === undefined || t.remote === remote);
        for (const t of cleared) {
            this.debug(`IKEv2:(${t.name}):Sending DELETE INFO message for IKEv2 SA with peer ${t.remote}`);
            await this.terminate(t.name);
        }
        // IOS re-initiates a VTI's SA at once; charon does not after a manual terminate.
        for (const t of cleared) void run("swanctl", ["--initiate", "--child", t.name, "--timeout", "10"]);
    }

    /** charon's IKE_SAs (`swanctl --list-sas --raw`), by connection name. */
    async listSas(): Promise<{ name: string; sa: RawSection }[]> {
        await this.chain;
        const r = await run("swanctl", ["--list-sas", "--raw"]);
        return listedSas(r.stdout);
    }

    stop(): void {
        this.setDebug(false);
    }

    /** charon's own log (over VICI) while debugging: what the negotiation did, in IOS's words. */
    private startLogRelay(): void {
        // swanctl writes through stdio: into a pipe it would buffer whole blocks, and debug lines
        // would reach the logging buffer late and in bursts. stdbuf makes it flush every line.
        const child = spawn("stdbuf", ["-oL", "swanctl", "--log", "--raw"], { stdio: ["ignore", "pipe", "ignore"] });
        this.logRelay = child;
        const translator = new IosDebugTranslator();
        let buf = "";
        child.on("error", () => undefined);
        child.stdout.on("data", (d: Buffer) => {
            buf += d.toString();
            let i: number;
            while ((i = buf.indexOf("\n")) >= 0) {
                const line = buf.slice(0, i);
                buf = buf.slice(i + 1);
                for (const m of readRaw(line)) {
                    const log = { msg: asText(m.body.msg), ikeSaId: asText(m.body["ikesa-uniqueid"]) || undefined };
                    for (const ios of translator.translate(log)) this.debug(ios);
                }
            }
        });
    }
}

/** What a tunnel's negotiated selectors depend on in the lab: its routes and the hub's anchors. */
function selectorSignature(t: Translation, tunnel: string): string {
    return JSON.stringify({
        routes: t.routes.filter((r) => r.tunnel === tunnel).map((r) => r.prefix).sort(),
        anchors: [...t.anchors].sort(),
    });
}
