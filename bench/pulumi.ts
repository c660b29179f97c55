/**
 * A Pulumi stack of the benchmark, driven with the real CLI (scripts/pulumi-cli.sh) and the local
 * file backend in a folder of its own. The project is a folder of its own (so the stack's
 * configuration file stays out of the repository) with the repository's node_modules: either a
 * Pulumi.yaml and a one-line program that loads a compiled program of this repository, or a copy of
 * an example project (examples/story: TypeScript run by Pulumi as its users run it, importing
 * pulumi-ikev2 by name, which the workspace links to this repository).
 */
import * as fs from "fs";
import * as path from "path";
import { randomBytes } from "crypto";
import { REPO } from "./device";
import { CommandRun, runCommand } from "./process";

export interface PulumiRun extends CommandRun {
    /** The CLI's summary of what changed: `{ created: 35 }`, `{ unchanged: 35 }`, ... */
    summary: Record<string, number>;
}

export class PulumiStack {
    private readonly env: NodeJS.ProcessEnv;
    private readonly project: string;

    /**
     * @param dir a fresh folder (0700) for the project, state and Pulumi's home
     * @param program the compiled program, e.g. dist/bench/programs/hub.js, or an example's folder, e.g. examples/story
     * @param bin the folder scripts/pulumi-cli.sh printed (CLI, language host, dynamic-provider plugin)
     */
    constructor(
        readonly dir: string,
        program: string,
        bin: string,
        readonly stack = "bench",
    ) {
        this.project = path.join(dir, "project");
        fs.mkdirSync(this.project, { recursive: true, mode: 0o700 });
        fs.mkdirSync(path.join(dir, "state"), { mode: 0o700 });
        if (fs.statSync(program).isDirectory()) {
            // The example's own files; not its stacks' configuration files or its node_modules.
            for (const file of fs.readdirSync(program)) {
                if (file === "node_modules" || /^Pulumi\..+\.yaml$/.test(file)) continue;
                fs.cpSync(path.join(program, file), path.join(this.project, file), { recursive: true });
            }
        } else {
            fs.writeFileSync(
                path.join(this.project, "Pulumi.yaml"),
                `name: ikev2-bench\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n`,
            );
            fs.writeFileSync(path.join(this.project, "package.json"), '{ "name": "ikev2-bench", "private": true }\n');
            fs.writeFileSync(path.join(this.project, "index.js"), `module.exports = require(${JSON.stringify(program)});\n`);
        }
        fs.symlinkSync(path.join(REPO, "node_modules"), path.join(this.project, "node_modules"), "dir");
        this.env = {
            ...process.env,
            PATH: `${bin}:${process.env.PATH ?? ""}`,
            PULUMI_HOME: path.join(dir, "home"),
            PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
            PULUMI_CONFIG_PASSPHRASE: randomBytes(18).toString("base64url"),
            PULUMI_SKIP_UPDATE_CHECK: "1",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "1",
            NO_COLOR: "1",
        };
    }

    /** A CLI command that is not measured (stack init, config); throws when it fails. */
    async cli(args: string[], input?: string): Promise<string> {
        const run = await runCommand("pulumi", [...args, "--stack", this.stack, "--non-interactive"], {
            cwd: this.project,
            env: this.env,
            limitMs: 300000,
            log: path.join(this.dir, "cli.log"),
            input,
        });
        if (run.status !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${run.status ?? "(stopped)"}:\n${run.output}`);
        return run.output;
    }

    async init(config: Record<string, string | number | boolean>, secrets: Record<string, string>): Promise<void> {
        await runCommand("pulumi", ["stack", "init", this.stack, "--non-interactive"], { cwd: this.project, env: this.env, limitMs: 120000, log: path.join(this.dir, "init.log") }).then(
            (r) => {
                if (r.status !== 0) throw new Error(`pulumi stack init failed:\n${r.output}`);
            },
        );
        await this.setConfig(config);
        // Secrets go through stdin, never through a process argument.
        for (const [key, value] of Object.entries(secrets)) await this.cli(["config", "set", "--secret", key], value);
    }

    async setConfig(config: Record<string, string | number | boolean>): Promise<void> {
        for (const [key, value] of Object.entries(config)) await this.cli(["config", "set", key, String(value)]);
    }

    /** Runs a bash script in the project with this stack selected (e.g. scripts/lab-stack.sh); throws when it fails. */
    async script(file: string, env: Record<string, string>): Promise<void> {
        const run = await runCommand("bash", [file], { cwd: this.project, env: { ...this.env, ...env }, limitMs: 300000, log: path.join(this.dir, "script.log") });
        if (run.status !== 0) throw new Error(`${file} exited ${run.status ?? "(stopped)"}:\n${run.output}`);
    }

    /** One measured step: `preview`, `up`, `refresh` or `destroy` (with --yes where it asks). */
    async step(command: "preview" | "up" | "refresh" | "destroy", opts: { limitMs: number; log: string; expectNoChanges?: boolean }): Promise<PulumiRun> {
        const args = [command, "--stack", this.stack, "--non-interactive"];
        // One pass per step: `up`, `refresh` and `destroy` would first run a preview pass of their
        // own (a refresh's preview reads every object from the devices too); preview is a step of its own.
        if (command !== "preview") args.push("--yes", "--skip-preview");
        if (opts.expectNoChanges) args.push("--expect-no-changes");
        const run = await runCommand("pulumi", args, { cwd: this.project, env: this.env, limitMs: opts.limitMs, log: opts.log });
        return { ...run, summary: summaryOf(run.output) };
    }

    /** `pulumi stack export` as JSON (secrets stay encrypted). */
    async exportState(): Promise<unknown> {
        return JSON.parse(await this.cli(["stack", "export"]));
    }
}

/** The counts of the CLI's `Resources:` block (`+ 35 created`, `35 unchanged`, `~ 1 to update`). */
export function summaryOf(output: string): Record<string, number> {
    const block = output.slice(output.lastIndexOf("Resources:"));
    const summary: Record<string, number> = {};
    for (const m of block.matchAll(/^\s+[-+~]?\s*(\d+) (to create|to update|to delete|to replace|created|updated|deleted|replaced|unchanged)$/gm)) {
        summary[m[2].replace(/^to /, "")] = Number(m[1]);
    }
    return summary;
}
