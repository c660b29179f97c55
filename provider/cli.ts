#!/usr/bin/env node
/**
 * The package's command, `pulumi-ikev2` (package.json `bin`): one entry with subcommands.
 *   pulumi-ikev2 import ...   writes a Pulumi project that adopts what IOS routers and strongSwan hosts already run
 */
import { IMPORT_USAGE, runImport } from "./importer/command";

const USAGE = `usage: pulumi-ikev2 <command> [arguments]
commands:
  import   write a Pulumi project that adopts the IKEv2/IPsec configuration devices already run

${IMPORT_USAGE}`;

function readStdin(): Promise<string> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        process.stdin.on("data", (c: Buffer) => chunks.push(c));
        process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
        process.stdin.on("error", reject);
    });
}

async function main([command, ...rest]: string[]): Promise<number> {
    const io = { env: process.env, readStdin, out: (l: string) => console.log(l), err: (l: string) => console.error(l) };
    if (command === "import") return runImport(rest, io);
    if (command === "--help" || command === "-h" || command === "help") {
        console.log(USAGE);
        return 0;
    }
    console.error(USAGE);
    return 2;
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: Error) => {
        console.error(`pulumi-ikev2: ${e.message}`);
        process.exit(2);
    },
);
