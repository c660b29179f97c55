/**
 * Runs one emulated IOS-XE router: `node dist/emulator/ios/main.js --config FILE.json`.
 * The JSON holds the startIosEmulator options, with `hostKeyFile` (a path) instead of `hostKey`
 * and `rejectCommands` as regular-expression strings. Prints `listening on HOST:PORT`.
 */
import * as fs from "fs";
import { IosEmulatorOptions, startIosEmulator } from "./server";

type FileOptions = Omit<IosEmulatorOptions, "hostKey" | "rejectCommands" | "log"> & {
    hostKeyFile: string;
    rejectCommands?: string[];
};

async function main(): Promise<void> {
    const i = process.argv.indexOf("--config");
    const file = i >= 0 ? process.argv[i + 1] : undefined;
    if (!file) {
        process.stderr.write("usage: main.js --config FILE.json\n");
        process.exit(2);
    }
    const cfg = JSON.parse(fs.readFileSync(file, "utf8")) as FileOptions;
    if (!cfg.hostKeyFile) throw new Error(`${file}: hostKeyFile is missing`);
    const { hostKeyFile, rejectCommands, ...rest } = cfg;
    const emu = await startIosEmulator({
        ...rest,
        hostKey: fs.readFileSync(hostKeyFile),
        rejectCommands: rejectCommands?.map((r) => new RegExp(r)),
        log: (l) => process.stderr.write(`${new Date().toISOString()} ${cfg.hostname} ${l}\n`),
    });
    process.stdout.write(`listening on ${cfg.listenHost ?? "127.0.0.1"}:${emu.port}\n`);
    let stopping = false;
    const stop = () => {
        if (stopping) return;
        stopping = true;
        void emu.close().then(() => process.exit(0));
        setTimeout(() => process.exit(0), 2000).unref();
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
}

main().catch((e: Error) => {
    process.stderr.write(`ios emulator: ${e.message}\n`);
    process.exit(1);
});
