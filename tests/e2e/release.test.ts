/**
 * The release check: the package as `npm publish` would ship it (packed from a copy of the working
 * tree with a clean build), installed offline into a new TypeScript project outside the repository,
 * used as users use it (an editor's hover, `tsc`, the emulator subpath) and previewed against the lab
 * with the real Pulumi CLI: the story's mistake is refused with the fix, a correct tunnel previews
 * and deploys, and the project still destroys it after it moved (the provider finds the package in
 * the project's node_modules). A file in the package that is not runtime code, a declaration or
 * documentation (tests, lab, build files) fails the check, so CI fails.
 */
import { strict as assert } from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import ts from "typescript";
import { installUserProject, listingProblems, packedFiles } from "../../scripts/release-check";
import { releaseTarball } from "../helpers/release-tarball";
import { PulumiSandbox, repoRoot } from "./pulumi-cli";

/** One IOS router and one strongSwan host joined by one tunnel; config `mistake: true` makes the story's keyring mistake. */
const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import {
    IkeV2Keyring, IkeV2Policy, IkeV2Profile, IkeV2Proposal, IosDevice, IpsecProfile, IpsecTransformSet,
    StrongSwanConnection, StrongSwanHost, TunnelInterface,
} from "pulumi-ikev2";

const cfg = new pulumi.Config();
const router: IosDevice = {
    host: cfg.require("homeHost"),
    username: cfg.require("homeUser"),
    password: cfg.requireSecret("homePassword"),
    enableSecret: cfg.getSecret("homeEnableSecret"),
    hostKey: cfg.require("homeHostKey"),
};
const vps: StrongSwanHost = {
    host: cfg.require("vpsHost"),
    username: cfg.require("vpsUser"),
    privateKey: cfg.requireSecret("vpsPrivateKey"),
    hostKey: cfg.require("vpsHostKey"),
};
const psk = cfg.requireSecret("vpsPsk");
const [routerWan, vpsWan] = [cfg.require("homeWan"), cfg.require("vpsWan")];
const [routerLan, vpsLan] = [cfg.require("homeLan"), cfg.require("vpsLan")];

const ike = { encryption: ["aes-cbc-256" as const], integrity: ["sha256" as const], groups: [14 as const] };
const esp = { encryption: "esp-aes-256" as const, integrity: "esp-sha256-hmac" as const };

const proposal = new IkeV2Proposal("proposal", { device: router, name: "PROP-RC", ...ike });
const policy = new IkeV2Policy("policy", { device: router, name: "POL-RC", proposals: [proposal] });
const keyring = new IkeV2Keyring("keyring", {
    device: router,
    name: "KR-RC",
    peers: [
        cfg.getBoolean("mistake")
            ? { name: vpsWan, preSharedKey: psk } // the story's mistake: named after the VPS's address, without an address line
            : { name: "vps", /*hover*/address: vpsWan, preSharedKey: psk },
    ],
});
const profile = new IkeV2Profile("profile", {
    device: router,
    name: "PROF-RC",
    matchIdentityRemote: [{ address: vpsWan }],
    identityLocal: { address: routerWan },
    keyring,
}, { dependsOn: [policy] });
const transformSet = new IpsecTransformSet("ts", { device: router, name: "TS-RC", ...esp });
const ipsecProfile = new IpsecProfile("ipsec", { device: router, name: "IPSEC-RC", transformSets: [transformSet], ikev2Profile: profile, pfsGroup: 14 });
const tunnel = new TunnelInterface("tunnel", {
    device: router,
    number: 20,
    ipAddress: { address: "172.16.20.1", mask: "255.255.255.252" },
    tunnelSource: "GigabitEthernet1",
    tunnelDestination: vpsWan,
    protectionProfile: ipsecProfile,
    routes: [{ destination: vpsLan }],
});
const connection = new StrongSwanConnection("vps", {
    device: vps,
    name: "rc",
    localAddrs: [vpsWan],
    remoteAddrs: [routerWan],
    proposals: [ike],
    local: { auth: "psk", id: { address: vpsWan } },
    remote: { auth: "psk", id: { address: routerWan } },
    preSharedKey: psk,
    children: [{ name: "lan", localTs: [vpsLan], remoteTs: [routerLan], espProposals: [{ ...esp, pfsGroup: 14 }], startAction: "trap" }],
});

export const tunnelNumber = tunnel.number;
export const vpsFile = connection.file;
`;

/** Uses the emulator subpath as a user's tests would. */
const EMULATOR_CHECK = `import { generateKeyPairSync } from "crypto";
import { IosEmulator, startIosEmulator } from "pulumi-ikev2/emulator";

async function main(): Promise<void> {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
    const emulator: IosEmulator = await startIosEmulator({ hostname: "rc", hostKey: privateKey, users: [{ username: "admin", password: "pw", privilege: 15 }] });
    console.log(JSON.stringify({ port: emulator.port, hostname: /^hostname rc$/m.test(emulator.runningConfig()) }));
    await emulator.close();
}
main();
`;

describe("release check: the packed package in a new TypeScript project outside the repository", function () {
    this.timeout(10 * 60_000);
    let sandbox: PulumiSandbox;
    let tarball = "";
    let files: string[] = [];
    let project = "";
    let deployed = false;

    before(function () {
        this.timeout(5 * 60_000);
        sandbox = new PulumiSandbox("release-check-");
        tarball = releaseTarball();
        files = packedFiles(tarball);
        project = path.join(sandbox.work, "ikev2-user-project");
        installUserProject(project, tarball, PROGRAM);
        fs.writeFileSync(path.join(project, "emulator-check.ts"), EMULATOR_CHECK);
    });

    after(function () {
        this.timeout(5 * 60_000);
        if (deployed) sandbox.run(project, ["destroy", "--yes", "--stack", "release"]);
        sandbox?.remove();
    });

    it("the package holds only runtime code, its declarations and docs, each file compiled from an existing source", () => {
        const size = fs.statSync(tarball).size;
        console.log(`      ${path.basename(tarball)}: ${files.length} files, ${size} bytes`);
        assert.deepStrictEqual(listingProblems(files), []);
        assert.ok(!files.some((f) => f.startsWith("dist/tests/") || f.startsWith("tests/") || f.startsWith("lab/")));
        const pkg = JSON.parse(execFileSync("tar", ["-xOzf", tarball, "package/package.json"], { encoding: "utf8" }));
        assert.equal(pkg.private, undefined, "the package can be published");
        assert.match(pkg.version, /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
        const changelog = execFileSync("tar", ["-xOzf", tarball, "package/CHANGELOG.md"], { encoding: "utf8" });
        assert.ok(changelog.includes(`## [${pkg.version}]`), `CHANGELOG.md has a section for ${pkg.version}`);
    });

    it("the listing check refuses test, lab and build files and stale builds", () => {
        const bad = ["dist/tests/unit/x.test.js", "tests/e2e/x.ts", "lab/lab.sh", "dist/provider/index.js.map", "tsconfig.json", "tools/pulumi-language-nodejs/main.go", "dist/provider/gone.js"];
        const problems = listingProblems([...files, ...bad]);
        for (const f of bad) assert.ok(problems.some((p) => p.startsWith(`${f}:`)), `${f} is refused`);
    });

    it("installs from the tarball (npm, offline) with one @pulumi/pulumi, and exposes only its entry points", () => {
        const installed = JSON.parse(fs.readFileSync(path.join(project, "node_modules", "pulumi-ikev2", "package.json"), "utf8"));
        assert.equal(installed.name, "pulumi-ikev2");
        const sdks = execFileSync("find", [path.join(project, "node_modules"), "-path", "*/@pulumi/pulumi/package.json"], { encoding: "utf8" }).trim().split("\n");
        assert.deepStrictEqual(sdks, [path.join(project, "node_modules", "@pulumi", "pulumi", "package.json")]);
        const probe = spawnSync(
            process.execPath,
            [
                "-e",
                `const p = require("pulumi-ikev2");
                 let internal = "";
                 try { require("pulumi-ikev2/dist/provider/ssh/pool"); } catch (e) { internal = e.code; }
                 console.log(JSON.stringify({ keyring: typeof p.IkeV2Keyring, pool: typeof p.SshPool, internal, emulator: typeof require("pulumi-ikev2/emulator").startIosEmulator }));`,
            ],
            { cwd: project, encoding: "utf8" },
        );
        assert.equal(probe.status, 0, probe.stderr);
        assert.deepStrictEqual(JSON.parse(probe.stdout), { keyring: "function", pool: "undefined", internal: "ERR_PACKAGE_PATH_NOT_EXPORTED", emulator: "function" });
    });

    it("type-checks with tsc under the project's strict tsconfig, the emulator subpath included", () => {
        const tsc = path.join(project, "node_modules", "typescript", "bin", "tsc");
        const program = spawnSync(process.execPath, [tsc, "--noEmit", "-p", project], { cwd: project, encoding: "utf8" });
        assert.equal(program.status, 0, program.stdout + program.stderr);
        const emulator = spawnSync(
            process.execPath,
            [tsc, "--strict", "--target", "es2020", "--module", "commonjs", "--moduleResolution", "node", "--outDir", "bin", "emulator-check.ts"],
            { cwd: project, encoding: "utf8" },
        );
        assert.equal(emulator.status, 0, emulator.stdout + emulator.stderr);
        const run = spawnSync(process.execPath, [path.join(project, "bin", "emulator-check.js")], { cwd: project, encoding: "utf8", timeout: 60_000 });
        assert.equal(run.status, 0, run.stderr);
        const started = JSON.parse(run.stdout);
        assert.ok(started.port > 0 && started.hostname, run.stdout);
    });

    it("an editor shows the schema's description on hover, from the installed declarations", () => {
        const index = path.join(project, "index.ts");
        const text = fs.readFileSync(index, "utf8");
        const options = ts.parseJsonConfigFileContent(JSON.parse(fs.readFileSync(path.join(project, "tsconfig.json"), "utf8")), ts.sys, project).options;
        const service = ts.createLanguageService(
            {
                getCompilationSettings: () => options,
                getScriptFileNames: () => [index],
                getScriptVersion: () => "1",
                getScriptSnapshot: (f) => (fs.existsSync(f) ? ts.ScriptSnapshot.fromString(fs.readFileSync(f, "utf8")) : undefined),
                getCurrentDirectory: () => project,
                getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
                fileExists: ts.sys.fileExists,
                readFile: ts.sys.readFile,
                readDirectory: ts.sys.readDirectory,
                directoryExists: ts.sys.directoryExists,
                getDirectories: ts.sys.getDirectories,
                realpath: ts.sys.realpath,
            },
            ts.createDocumentRegistry(),
        );
        const info = service.getQuickInfoAtPosition(index, text.indexOf("/*hover*/") + "/*hover*/".length);
        const definition = service.getDefinitionAtPosition(index, text.indexOf("/*hover*/") + "/*hover*/".length)?.[0]?.fileName ?? "";
        assert.match(ts.displayPartsToString(info?.documentation), /Address IOS matches the peer on \(IOS `address A\.B\.C\.D/);
        assert.ok(definition.startsWith(path.join(project, "node_modules", "pulumi-ikev2", "dist")), definition);
    });

    it("preview refuses the story's mistake (a keyring peer without address) and names the fix", () => {
        sandbox.ok(project, ["stack", "init", "release"]);
        const filled = spawnSync("bash", [path.join(repoRoot, "scripts", "lab-stack.sh")], { cwd: project, env: sandbox.env, encoding: "utf8" });
        assert.equal(filled.status, 0, filled.stderr);
        sandbox.ok(project, ["config", "set", "mistake", "true"]);
        const r = sandbox.run(project, ["preview"]);
        assert.notEqual(r.code, 0, r.output);
        assert.match(r.output, /IkeV2Keyring resource 'keyring'[\s\S]*peers\[0\]\.address[\s\S]*Fix: add address: "203\.0\.113\.7"/);
    });

    it("a correct tunnel previews, deploys, and is destroyed from the project after it moved", () => {
        sandbox.ok(project, ["config", "rm", "mistake"]);
        const preview = sandbox.ok(project, ["preview"]);
        for (const type of ["IkeV2Proposal", "IkeV2Policy", "IkeV2Keyring", "IkeV2Profile", "IpsecTransformSet", "IpsecProfile", "TunnelInterface", "StrongSwanConnection"]) {
            assert.match(preview, new RegExp(`\\+\\s+pulumi-nodejs:dynamic/ikev2:${type}\\s`), type);
        }
        assert.match(preview, /\+ 9 to create/);
        deployed = true;
        assert.match(sandbox.ok(project, ["up", "--yes"]), /\+ 9 created/);
        // The state records the implementation's path in this project's node_modules; after a move
        // that path is gone, and delete runs with the state's provider.
        const moved = `${project}-moved`;
        fs.renameSync(project, moved);
        project = moved;
        assert.match(sandbox.ok(project, ["destroy", "--yes", "--stack", "release"]), /- 9 deleted/);
        deployed = false;
    });
});
