// The real Pulumi CLI for end-to-end tests: the toolchain that scripts/pulumi-cli.sh provides (the CLI,
// our pulumi-language-nodejs and the dynamic-provider plugin) with a local backend and a private
// PULUMI_HOME under a temporary folder, so that a test touches no state but its own.
import { strict as assert } from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { labHost } from "../../scripts/lab-sites";
import { pulumiEnv } from "../helpers/pulumi-env";

export const repoRoot = path.resolve(__dirname, "../../..");

let binDir: string | undefined;

/** The folder to put on PATH. The first call runs scripts/pulumi-cli.sh (which builds what is missing). */
export function pulumiBinDir(): string {
  if (binDir === undefined) {
    const cli = spawnSync("bash", [path.join(repoRoot, "scripts/pulumi-cli.sh")], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    });
    assert.equal(cli.status, 0, "scripts/pulumi-cli.sh failed (its messages are above)");
    binDir = cli.stdout.trim().split("\n").pop() ?? "";
  }
  return binDir;
}

export interface PulumiRun {
  code: number | null;
  /** stdout then stderr. */
  output: string;
  /** Wall time of the command, start to exit. */
  seconds: number;
  /** When the command exited (Date.now()). */
  endedAt: number;
}

/** A local backend, PULUMI_HOME and work folder of their own, removed by remove(). */
/**
 * A JavaScript Pulumi project `name` in the sandbox (`typescript: false`, main bin/index.js holding
 * `program`) that uses the repository's node_modules; returns its folder.
 */
export function javascriptProject(sandbox: PulumiSandbox, name: string, program: string): string {
  const project = path.join(sandbox.work, "project");
  fs.mkdirSync(path.join(project, "bin"), { recursive: true });
  fs.writeFileSync(path.join(project, "Pulumi.yaml"), `name: ${name}\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: bin/index.js\n`);
  fs.writeFileSync(path.join(project, "package.json"), `{ "name": "${name}", "private": true }\n`);
  fs.writeFileSync(path.join(project, "bin/index.js"), program);
  fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(project, "node_modules"), "dir");
  return project;
}

export class PulumiSandbox {
  readonly work: string;
  readonly env: NodeJS.ProcessEnv;

  constructor(prefix: string) {
    const bin = pulumiBinDir();
    this.work = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    fs.mkdirSync(path.join(this.work, "state"));
    this.env = pulumiEnv({
      PATH: `${bin}:${process.env.PATH ?? ""}`,
      PULUMI_HOME: path.join(this.work, "home"),
      PULUMI_BACKEND_URL: `file://${path.join(this.work, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: "e2e-test-passphrase",
      PULUMI_SKIP_UPDATE_CHECK: "1",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "1",
      NO_COLOR: "1",
    });
  }

  /** Runs `pulumi <args> --non-interactive` in cwd; `input` goes to its stdin (secrets for `config set --secret`). */
  run(cwd: string, args: string[], timeoutMs = 240_000, input?: string): PulumiRun {
    const started = process.hrtime.bigint();
    const r = spawnSync("pulumi", [...args, "--non-interactive"], { cwd, env: this.env, encoding: "utf8", timeout: timeoutMs, input });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const endedAt = Date.now();
    if (r.error) throw r.error;
    return { code: r.status, output: `${r.stdout}${r.stderr}`, seconds, endedAt };
  }

  /**
   * Like run, without blocking this process: for tests whose devices (an emulator) run in this
   * process and must answer while pulumi runs.
   */
  runAsync(cwd: string, args: string[], timeoutMs = 240_000): Promise<PulumiRun> {
    const started = process.hrtime.bigint();
    return new Promise((resolve, reject) => {
      const child = spawn("pulumi", [...args, "--non-interactive"], { cwd, env: this.env, stdio: ["ignore", "pipe", "pipe"] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on("data", (d: Buffer) => out.push(d));
      child.stderr.on("data", (d: Buffer) => err.push(d));
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        resolve({ code, output: `${Buffer.concat(out).toString("utf8")}${Buffer.concat(err).toString("utf8")}`, seconds, endedAt: Date.now() });
      });
    });
  }

  /** Like run, and fails the test unless pulumi exits 0; returns the output. */
  ok(cwd: string, args: string[]): string {
    const r = this.run(cwd, args);
    assert.equal(r.code, 0, `pulumi ${args.join(" ")} exited ${r.code}:\n${r.output}`);
    return r.output;
  }

  /**
   * Points the stack in cwd at lab sites: `SITEHost`, `SITEUser`, `SITEHostKey`, and as secrets (through
   * stdin) `SITEPassword` and `SITEEnableSecret` of a router or `SITEPrivateKey` of a strongSwan host.
   */
  configureLabSites(cwd: string, sites: string[]): void {
    const set = (key: string, value: string, secret = false) => {
      const r = this.run(cwd, ["config", "set", ...(secret ? ["--secret"] : []), key, ...(secret ? [] : [value])], 60_000, secret ? value : undefined);
      assert.equal(r.code, 0, `pulumi config set ${key} exited ${r.code}:\n${r.output}`);
    };
    for (const site of sites) {
      const { ssh } = labHost(site);
      set(`${site}Host`, ssh.host);
      set(`${site}User`, ssh.username);
      set(`${site}HostKey`, ssh.hostKey);
      if (ssh.passwordFile) set(`${site}Password`, fs.readFileSync(ssh.passwordFile, "utf8").trim(), true);
      if (ssh.enableSecretFile) set(`${site}EnableSecret`, fs.readFileSync(ssh.enableSecretFile, "utf8").trim(), true);
      if (ssh.privateKeyFile) set(`${site}PrivateKey`, fs.readFileSync(ssh.privateKeyFile, "utf8"), true);
    }
  }

  remove(): void {
    fs.rmSync(this.work, { recursive: true, force: true });
  }
}
