#!/usr/bin/env node
/**
 * The package's command, `pulumi-ikev2` (package.json `bin`): one entry, one subcommand per entry
 * of COMMANDS, each a function of its arguments and the process's I/O that returns the exit status.
 */
import { DOCTOR_USAGE, runDoctor } from "./doctor/command";
import { CommandIo, IMPORT_USAGE, runImport } from "./importer/command";

const COMMANDS: Record<string, { summary: string; usage: string; run: (argv: string[], io: CommandIo) => Promise<number> }> = {
    import: { summary: "write a Pulumi project that adopts the IKEv2/IPsec configuration devices already run", usage: IMPORT_USAGE, run: runImport },
    doctor: { summary: "say for every tunnel of a stack whether it is up on both ends, and if not why and how to fix it", usage: DOCTOR_USAGE, run: runDoctor },
};

const USAGE = [
    "usage: pulumi-ikev2 <command> [arguments]",
    "commands:",
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`),
    "",
    ...Object.values(COMMANDS).map((c) => c.usage),
].join("\n");

function readStdin(): Promise<string> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        process.stdin.on("data", (c: Buffer) => chunks.push(c));
        process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
        process.stdin.on("error", reject);
    });
}

async function main([command, ...rest]: string[]): Promise<number> {
    const io: CommandIo = { env: process.env, readStdin, out: (l) => console.log(l), err: (l) => console.error(l) };
    const chosen = command === undefined ? undefined : COMMANDS[command];
    if (chosen) return chosen.run(rest, io);
    if (command === "--help" || command === "-h" || command === "help") {
        io.out(USAGE);
        return 0;
    }
    io.err(USAGE);
    return 2;
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: Error) => {
        console.error(`pulumi-ikev2: ${e.message}`);
        process.exit(2);
    },
);
