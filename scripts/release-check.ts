/**
 * The release check's steps: pack the package as `npm publish` would (from a copy of the working
 * tree, with its own clean build), read what the tarball holds, and install it into a new
 * TypeScript project outside the repository the way a user does. tests/e2e/release.test.ts runs
 * them and previews that project against the lab.
 *
 * The tests run in a network namespace without network, so the install there is `npm install
 * --offline`, from npm's cache. `node dist/scripts/release-check.js prepare-cache` (scripts/test.sh
 * runs it before entering the namespace) puts into the cache what such an install needs: it
 * installs the user project's dependencies and the package's own into a throwaway project.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const REPO = path.resolve(__dirname, "..", "..");

/** The package's own package.json. */
function manifest(): { name: string; version: string; dependencies: Record<string, string>; peerDependencies: Record<string, string> } {
    return JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8"));
}

/** What a new Pulumi TypeScript project depends on before it adds this package (pinned as this repository pins them). */
const USER_DEPENDENCIES = { "@pulumi/pulumi": "3.248.0" };
const USER_DEV_DEPENDENCIES = { "@types/node": "20.19.43", typescript: "5.9.3" };

/**
 * Packs the package from a copy of the working tree (tracked and new files, not what .gitignore
 * names), so that the tarball holds what a fresh clone would publish, whatever `dist/` holds here.
 * `npm pack` runs the package's prepack script (a clean build) in the copy. Returns the tarball's path.
 */
export function packRelease(destination: string): string {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), "ikev2-pack-"));
    try {
        const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: REPO, encoding: "utf8" })
            .split("\0")
            .filter((f) => f && fs.existsSync(path.join(REPO, f)));
        for (const f of files) {
            fs.mkdirSync(path.dirname(path.join(copy, f)), { recursive: true });
            fs.copyFileSync(path.join(REPO, f), path.join(copy, f));
        }
        fs.symlinkSync(path.join(REPO, "node_modules"), path.join(copy, "node_modules"), "dir");
        execFileSync("npm", ["pack", "--pack-destination", destination], { cwd: copy, stdio: ["ignore", "pipe", "pipe"] });
        const { name, version } = manifest();
        const tarball = path.join(destination, `${name}-${version}.tgz`);
        if (!fs.existsSync(tarball)) throw new Error(`release-check: npm pack made no ${tarball}`);
        return tarball;
    } finally {
        fs.rmSync(copy, { recursive: true, force: true });
    }
}

/** The files in a tarball, relative to the package root. */
export function packedFiles(tarball: string): string[] {
    return execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" })
        .split("\n")
        .filter((f) => f && !f.endsWith("/"))
        .map((f) => f.replace(/^package\//, ""));
}

/** Documentation the package ships besides README.md and LICENSE. */
const SHIPPED_DOCS = ["CHANGELOG.md", "docs/resources.md", "emulator/ios/README.md", "emulator/ios/ike/README.md"];
const ALWAYS = ["package.json", "README.md", "LICENSE"];
/** Files without which the package does not work or says nothing. */
const REQUIRED = [
    ...ALWAYS,
    ...SHIPPED_DOCS,
    "dist/provider/index.js",
    "dist/provider/index.d.ts",
    "dist/provider/resources/types.d.ts",
    "dist/provider/dynamic/handlers.js",
    "dist/emulator/ios/server.js",
    "dist/emulator/ios/server.d.ts",
];

/**
 * Why each file should not be in the package (tests, lab, build and tool files, source maps,
 * sources, anything else), or why one is missing. Runtime code is dist/provider (without the docs
 * generator) and dist/emulator, each .js and .d.ts compiled from a source file that exists.
 */
export function listingProblems(files: string[]): string[] {
    const problems: string[] = [];
    for (const f of files) {
        if (ALWAYS.includes(f) || SHIPPED_DOCS.includes(f)) continue;
        const compiled = /^dist\/((provider|emulator)\/.*)\.(js|d\.ts)$/.exec(f);
        if (compiled && !compiled[1].startsWith("provider/docs/")) {
            if (!fs.existsSync(path.join(REPO, `${compiled[1]}.ts`))) problems.push(`${f}: compiled from ${compiled[1]}.ts, which does not exist (a stale build)`);
            continue;
        }
        const kind = /(^|\/)tests?\//.test(f)
            ? "a test file"
            : /(^|\/)lab\//.test(f)
              ? "a lab file"
              : /\.map$|tsconfig|eslint|\.mocharc|^\.ci\/|^tools\/|^scripts\/|(^|\/)scripts\/|package-lock|\.ts$|^examples\/|^templates\//.test(f)
                ? "a build, tool or source file"
                : "not runtime code, a declaration or documentation";
        problems.push(`${f}: ${kind}`);
    }
    for (const f of REQUIRED) if (!files.includes(f)) problems.push(`${f}: missing`);
    return problems;
}

/** The dependencies of a new user project that then installs the package. */
function userPackageJson(name: string, extra: Record<string, string> = {}): string {
    return JSON.stringify({ name, version: "1.0.0", private: true, dependencies: { ...USER_DEPENDENCIES, ...extra }, devDependencies: USER_DEV_DEPENDENCIES }, null, 2) + "\n";
}

/**
 * A new Pulumi TypeScript project in `dir` as a user starts one (package.json with @pulumi/pulumi,
 * typescript and @types/node; the tsconfig.json of `pulumi new typescript`: strict, no
 * skipLibCheck, no esModuleInterop), with the package installed from the tarball by npm, offline.
 */
export function installUserProject(dir: string, tarball: string, program: string): void {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "package.json"), userPackageJson(path.basename(dir)));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: ${path.basename(dir)}\ndescription: a user's project (release check)\nruntime: nodejs\n`);
    fs.writeFileSync(
        path.join(dir, "tsconfig.json"),
        JSON.stringify(
            {
                compilerOptions: {
                    strict: true,
                    outDir: "bin",
                    target: "es2020",
                    module: "commonjs",
                    moduleResolution: "node",
                    sourceMap: true,
                    experimentalDecorators: true,
                    pretty: true,
                    noFallthroughCasesInSwitch: true,
                    noImplicitReturns: true,
                    forceConsistentCasingInFileNames: true,
                },
                files: ["index.ts"],
            },
            null,
            4,
        ) + "\n",
    );
    fs.writeFileSync(path.join(dir, "index.ts"), program);
    installPackage(dir, tarball);
}

/** `npm install --offline TARBALL` in a project: its own dependencies and the package, from npm's cache. */
export function installPackage(dir: string, tarball: string): void {
    execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", tarball], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
}

/** Installs what installUserProject needs into a throwaway project, so that npm's cache holds it. */
function prepareCache(): void {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ikev2-npm-cache-"));
    try {
        const { dependencies, peerDependencies } = manifest();
        fs.writeFileSync(path.join(dir, "package.json"), userPackageJson("ikev2-npm-cache", { ...peerDependencies, ...dependencies, ...USER_DEPENDENCIES }));
        execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: dir, stdio: ["ignore", "ignore", "inherit"] });
        console.log(`release-check: npm's cache holds what a new project installing ${manifest().name} needs`);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

if (require.main === module) {
    if (process.argv[2] !== "prepare-cache") {
        console.error("usage: node dist/scripts/release-check.js prepare-cache");
        process.exit(2);
    }
    prepareCache();
}
