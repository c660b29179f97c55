/**
 * A warning, in the program, when the engine's parallelism would split a router's work into many
 * batches. A router serves the objects that reach it together as one batch (drivers/ios-router.ts:
 * one configuration session, two whole-configuration reads, one save), and the objects of a kind on
 * one router are independent of each other, so they form one dependency wave. But the engine runs
 * at most `--parallel` resource operations at once (Pulumi's default: 4 x cores, 8 on a 2-core
 * machine): a wave of 50 tunnel interfaces then reaches the router 8 at a time, in 7 batches, each
 * with its reads and its save (NVGEN and an NVRAM write on a real router). Nothing in the provider
 * process can see the limit; the program can (the Node SDK passes it in PULUMI_NODEJS_PARALLEL).
 */
import * as pulumi from "@pulumi/pulumi";
import { deviceLabel } from "../device-label";
import { IosDevice } from "./types";

/** Counts the objects of each kind per router and says, once per router, when a kind outnumbers --parallel. */
export class WaveWidthAdvisor {
    private readonly counts = new Map<string, number>();
    private readonly warned = new Set<string>();

    /** @param parallel the engine's --parallel; undefined when unknown (nothing to advise). */
    constructor(private readonly parallel: number | undefined) {}

    /**
     * Counts one object of `kind` on `device`; returns the warning the first time the router's
     * objects of one kind are more than the engine runs at once, undefined otherwise.
     * Example: `note("admin@hub", "TunnelInterface")` the 9th time with parallel 8 returns
     * "admin@hub has more TunnelInterface objects than pulumi runs at once (--parallel 8): ...".
     */
    note(device: string, kind: string): string | undefined {
        const key = `${device} ${kind}`;
        const count = (this.counts.get(key) ?? 0) + 1;
        this.counts.set(key, count);
        if (this.parallel === undefined || count <= this.parallel || this.warned.has(device)) return undefined;
        this.warned.add(device);
        return (
            `${device} has more ${kind} objects than pulumi runs at once (--parallel ${this.parallel}), so each ` +
            `dependency wave reaches the router in batches of ${this.parallel}, each with its own configuration ` +
            `reads and save (slow on a large configuration). To apply each wave as one batch, run pulumi with ` +
            `--parallel at least the number of objects per kind on this router (for example --parallel 256, ` +
            `or PULUMI_PARALLEL=256 in the environment).`
        );
    }
}

/** The engine's --parallel as the Node SDK passes it to the program; undefined when absent or unbounded. */
export function engineParallelism(env: NodeJS.ProcessEnv): number | undefined {
    const value = Number(env.PULUMI_NODEJS_PARALLEL);
    // The CLI passes 2147483647 for an explicit "no limit"; nothing to advise then.
    return Number.isInteger(value) && value > 0 && value < 2 ** 31 - 1 ? value : undefined;
}

const advisor = new WaveWidthAdvisor(engineParallelism(process.env));

/** Counts an IOS object of the program; warns (once per router) when its waves would be split. */
export function adviseOnWaveWidth(kind: string, device: Pick<IosDevice, "host" | "port" | "username">): void {
    const note = (host: string, port: number | undefined, username: string) => {
        const warning = advisor.note(deviceLabel({ host, port: port ?? 22, username }), kind);
        if (warning) void pulumi.log.warn(warning);
    };
    const { host, port, username } = device;
    // Settings written as plain values (the usual case) are counted at once: no Outputs to make and resolve per object.
    if (typeof host === "string" && typeof username === "string" && (port === undefined || typeof port === "number")) note(host, port, username);
    else pulumi.all([host, port, username]).apply(([h, p, u]) => note(h, p, u));
}
