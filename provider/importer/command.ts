/**
 * `pulumi-ikev2 import`: reads IOS routers' running-config and strongSwan hosts' swanctl files over
 * SSH (the provider's own pool and sessions: host keys verified, secrets never in arguments) and
 * writes a Pulumi project that adopts what they hold. The I/O edge of the importer: everything
 * between the texts read and the files written is pure (readRunningConfig, importRouter,
 * importHost, generateProject).
 */
import * as fs from "fs";
import * as path from "path";
import { redact } from "../masking";
import { parseListConnsRaw } from "../strongswan/swanctl-output";
import { DeviceError } from "../ssh/errors";
import { HostSession } from "../ssh/host-session";
import { IosCliSession } from "../ssh/ios-session";
import { SshPool } from "../ssh/pool";
import { DeviceAccess, devicesRequest } from "./devices";
import { importRouter, readRunningConfig } from "./ios";
import { SiteImport } from "./model";
import { GeneratedFile, generateProject } from "./project";
import { HostConfig, importHost } from "./strongswan";

export const IMPORT_USAGE = `usage: pulumi-ikev2 import --devices FILE --out DIR [--project NAME] [--stack NAME] [--package SPEC] [--secrets-stdin] [--force]
  Reads the IKEv2/IPsec configuration of the devices in FILE (IOS running-config, strongSwan swanctl
  files) over SSH and writes to DIR a Pulumi TypeScript project that adopts it (adopt: true), with
  IMPORT-REPORT.md (what was not imported and why) and set-secrets.sh (puts the secrets into the
  stack's configuration through stdin).

  FILE: a JSON object of sites, each the resources' \`device\` without secrets plus its platform:
    { "home": { "platform": "ios", "host": "198.51.100.1", "username": "admin", "hostKey": "SHA256:..." },
      "vps":  { "platform": "strongswan", "host": "203.0.113.7", "username": "root", "hostKey": "SHA256:..." } }
  Credentials, never as arguments: PULUMI_IKEV2_<SITE>_PASSWORD, _ENABLE_SECRET, _PRIVATE_KEY,
  _PRIVATE_KEY_PASSPHRASE in the environment (site in upper case, '-' as '_'), or with --secrets-stdin
  a JSON object on stdin: { "home": { "password": "...", "enableSecret": "..." }, "vps": { "privateKey": "..." } }.

  --project NAME  the Pulumi project's name (default: DIR's name)
  --stack NAME    the stack set-secrets.sh selects, creating it if needed (default: the current one)
  --package SPEC  how package.json requires pulumi-ikev2 (default: ^VERSION of this package)
  --force         write into DIR although it is not empty (the generated files are replaced)
Exit status: 0 when the project was written, 2 when it could not be.`;

/** What the command needs from its process, so that tests can run it in theirs. */
export interface CommandIo {
    env: Record<string, string | undefined>;
    readStdin(): Promise<string>;
    out(line: string): void;
    err(line: string): void;
}

interface Options {
    devices: string;
    out: string;
    project?: string;
    stack?: string;
    packageSpec?: string;
    secretsStdin: boolean;
    force: boolean;
}

const VALUED: Record<string, keyof Options> = { "--devices": "devices", "--out": "out", "--project": "project", "--stack": "stack", "--package": "packageSpec" };

function parseArguments(argv: string[]): Options | string {
    const o: Partial<Options> = { secretsStdin: false, force: false };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--secrets-stdin") o.secretsStdin = true;
        else if (a === "--force") o.force = true;
        else if (VALUED[a] && i + 1 < argv.length) Object.assign(o, { [VALUED[a]]: argv[++i] });
        // A word that is not an option is not repeated: it may be a secret typed where it does not belong.
        else return a.startsWith("--") ? `unknown or incomplete option ${JSON.stringify(a)}` : `argument ${i + 1} is not an option (secrets are read from the environment or stdin, never from arguments)`;
    }
    if (!o.devices || !o.out) return "--devices and --out are required";
    if (o.project !== undefined && !/^[A-Za-z0-9_.-]{1,100}$/.test(o.project)) return "--project must be letters, digits, '_', '.' or '-'";
    if (o.stack !== undefined && !/^[A-Za-z0-9_.-]{1,100}$/.test(o.stack)) return "--stack must be letters, digits, '_', '.' or '-'";
    return { devices: o.devices, out: o.out, project: o.project, stack: o.stack, packageSpec: o.packageSpec, secretsStdin: o.secretsStdin ?? false, force: o.force ?? false };
}

/** This package's manifest: its version and the versions the generated project pins. */
function manifest(): { version: string; devDependencies: Record<string, string> } {
    return JSON.parse(fs.readFileSync(path.resolve(__dirname, "..", "..", "..", "package.json"), "utf8"));
}

/** Every secret the devices were given, for redacting what they answer. */
const secretsOf = (devices: DeviceAccess[]) => devices.flatMap((d) => Object.values(d.credentials).filter((v): v is string => typeof v === "string"));

async function readRouter(d: DeviceAccess & { target: { platform: "ios" } }, secrets: string[]): Promise<string> {
    const { connection } = d.target;
    return SshPool.shared.withDevice(connection, d.credentials, async (client) => {
        const session = await IosCliSession.open(client, {
            device: d.device.label,
            enableSecret: d.credentials.enableSecret,
            commandTimeoutMs: connection.commandTimeoutMs,
            secrets,
        });
        try {
            return await session.exec("show running-config");
        } finally {
            await session.close().catch(() => undefined);
        }
    });
}

/** Lists swanctl.conf and conf.d/*.conf, NUL-separated (a file name may hold any character but NUL). */
const LIST_SCRIPT = 'for f in "$1/swanctl.conf" "$1"/conf.d/*.conf; do [ -f "$f" ] && printf "%s\\0" "$f"; done; true';

async function readHost(d: DeviceAccess & { target: { platform: "strongswan" } }, secrets: string[]): Promise<Omit<HostConfig, "site">> {
    const { connection } = d.target;
    return SshPool.shared.withDevice(connection, d.credentials, async (client) => {
        const host = new HostSession(client, { device: d.device.label, sudo: connection.sudo, commandTimeoutMs: connection.commandTimeoutMs, secrets });
        const listed = await host.run(["sh", "-c", LIST_SCRIPT, "sh", connection.swanctlDir]);
        if (listed.code !== 0) throw new DeviceError(d.device.label, `cannot list ${connection.swanctlDir} on ${d.device.label}: ${redact(listed.stderr.trim(), secrets)}`);
        const files: HostConfig["files"] = [];
        for (const file of listed.stdout.split("\0").filter((f) => f !== "")) {
            const text = await host.readFile(file);
            if (text !== undefined) files.push({ path: file, text });
        }
        const conns = await host.run(["swanctl", "--list-conns", "--raw"]);
        if (conns.code !== 0) {
            throw new DeviceError(
                d.device.label,
                `swanctl --list-conns failed on ${d.device.label} (exit ${conns.code}): ${redact((conns.stderr || conns.stdout).trim(), secrets)}. Fix: check that charon runs and that ${connection.username} may use swanctl${connection.sudo ? " through sudo -n" : " (or set sudo: true)"}`,
            );
        }
        return { swanctlDir: connection.swanctlDir, files, loaded: Object.keys(parseListConnsRaw(conns.stdout)) };
    });
}

async function importDevice(d: DeviceAccess, secrets: string[]): Promise<SiteImport> {
    const { site } = d.device;
    if (d.target.platform === "ios") return importRouter(readRunningConfig(site, await readRouter({ ...d, target: d.target }, secrets)));
    return importHost({ site, ...(await readHost({ ...d, target: d.target }, secrets)) });
}

/** Runs `pulumi-ikev2 import ARGS`; returns the exit status. */
export async function runImport(argv: string[], io: CommandIo): Promise<number> {
    const options = parseArguments(argv);
    if (typeof options === "string") {
        io.err(`pulumi-ikev2 import: ${options}\n${IMPORT_USAGE}`);
        return 2;
    }
    let devicesText: string;
    try {
        devicesText = fs.readFileSync(options.devices, "utf8");
    } catch (e) {
        io.err(`pulumi-ikev2 import: cannot read the devices file: ${(e as Error).message}`);
        return 2;
    }
    const request = devicesRequest(devicesText, io.env, options.secretsStdin ? await io.readStdin() : undefined);
    if (!request.ok) {
        io.err(`pulumi-ikev2 import: the devices cannot be read as given:\n${request.problems.map((p) => `  - ${p}`).join("\n")}`);
        return 2;
    }
    const out = path.resolve(options.out);
    if (fs.existsSync(out) && fs.readdirSync(out).length > 0 && !options.force) {
        io.err(`pulumi-ikev2 import: ${out} is not empty. Fix: name a new folder, or add --force to replace the generated files in it`);
        return 2;
    }
    const devices = request.devices;
    const secrets = secretsOf(devices);
    let imports: SiteImport[];
    try {
        imports = await Promise.all(devices.map((d) => importDevice(d, secrets)));
    } catch (e) {
        io.err(`pulumi-ikev2 import: ${redact((e as Error).message, secrets)}; nothing was written`);
        return 2;
    } finally {
        await SshPool.shared.closeAll();
    }
    const own = manifest();
    const pinned = (name: string) => own.devDependencies[name];
    let files: GeneratedFile[];
    try {
        files = generateProject(
            devices.map((d) => d.device),
            imports,
            {
                name: options.project ?? path.basename(out).replace(/[^A-Za-z0-9_.-]/g, "-"),
                stack: options.stack,
                dependencies: { "@pulumi/pulumi": pinned("@pulumi/pulumi"), "pulumi-ikev2": options.packageSpec ?? `^${own.version}` },
                devDependencies: { "@types/node": pinned("@types/node"), typescript: pinned("typescript") },
            },
        );
    } catch (e) {
        io.err(`pulumi-ikev2 import: ${(e as Error).message}; nothing was written`);
        return 2;
    }
    fs.mkdirSync(out, { recursive: true });
    for (const file of files) {
        const target = path.join(out, file.path);
        // The secrets script is created private: it must never exist with wider permissions, not even for a moment.
        fs.rmSync(target, { force: true });
        fs.writeFileSync(target, file.content, { mode: file.mode });
        fs.chmodSync(target, file.mode);
    }
    for (const [n, d] of devices.entries()) {
        const i = imports[n];
        const missed = i.findings.filter((f) => f.category !== "note").length;
        io.out(`${d.device.site} (${d.device.label}): ${i.declarations.length} imported, ${missed} not imported`);
    }
    const todo = imports.flatMap((i) => i.secrets).filter((s) => s.value === undefined).length;
    io.out(`wrote ${out}: index.ts, IMPORT-REPORT.md (what was not imported, and why), set-secrets.sh${todo ? ` (${todo} type-6 key${todo === 1 ? "" : "s"} to set by hand: see IMPORT-REPORT.md)` : ""}`);
    return 0;
}
