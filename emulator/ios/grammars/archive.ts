/**
 * The configuration archive: `archive` and its mode `(config-archive)` (`path`, `maximum`,
 * `write-memory`, `time-period`), and the EXEC commands `archive config`, `show archive`,
 * `show archive config rollback timer`. The behaviour is in safety.ts.
 */
import type { ArchiveSettings } from "../config";
import type { Ctx } from "../context";
import { def, finalize, newRoot, Node } from "../grammar";
import { addCommon, cfg, enter } from "./common";

export function addArchiveConfig(r: Node<Ctx>): void {
    def<Ctx>(r, "archive", (ctx, _a, neg) => {
        if (neg) {
            cfg(ctx).archive = undefined;
            ctx.core.safety.settingsChanged();
            return;
        }
        cfg(ctx).archive ??= { writeMemory: false };
        enter(ctx, { mode: "archive" });
    }, { help: { archive: "Archive the configuration" } });
}

export function buildArchiveMode(): Node<Ctx> {
    const r = newRoot<Ctx>();
    addCommon(r, true);
    const set = <K extends keyof ArchiveSettings>(key: K, value: (a: string[]) => ArchiveSettings[K], cleared: ArchiveSettings[K]) =>
        (ctx: Ctx, a: string[], neg: boolean) => {
            const archive = cfg(ctx).archive;
            if (!archive) return;
            archive[key] = neg ? cleared : value(a);
            ctx.core.safety.settingsChanged();
        };
    const help = {
        path: "path for backups",
        maximum: "maximum number of backup copies",
        "write-memory": "Enable automatic backup generation during write memory",
        "time-period": "Period of time in minutes to automatically archive the running-config",
    };
    def<Ctx>(r, "path <word>", set("path", (a) => a[1], undefined), { help, noMin: 1 });
    def<Ctx>(r, "maximum <int:1-14>", set("maximum", (a) => a[1], undefined), { help, noMin: 1 });
    def<Ctx>(r, "write-memory", set("writeMemory", () => true, false), { help });
    def<Ctx>(r, "time-period <int:1-525600>", set("timePeriod", (a) => a[1], undefined), { help, noMin: 1 });
    finalize(r);
    return r;
}

export function addArchiveExec(r: Node<Ctx>): void {
    const help = { archive: "Archive functions", config: "Archive the running configuration", rollback: "Rollback parameters", timer: "Rollback Confirmed Change timer" };
    def<Ctx>(r, "archive config", async (ctx) => {
        const file = await ctx.core.safety.archiveNow();
        return file === undefined ? " Archive feature not enabled\n% Error caught by command handler" : undefined;
    }, { help, minPriv: 15 });
    def<Ctx>(r, "show archive", (ctx) => ctx.core.safety.showArchive(), { help: { archive: "Archive functions" }, minPriv: 15 });
    def<Ctx>(r, "show archive config rollback timer", (ctx) => ctx.core.safety.showRollbackTimer(), { help, minPriv: 15 });
}
