/**
 * The template (templates/ikev2-tunnel) with the real CLI: `pulumi new` makes a project from the
 * local folder (no network), the package goes in from the packed tarball, the stack is filled with
 * `pulumi config set` from the lab, and the one tunnel previews, comes up (the project's own tunnel
 * check proves it with pings) and is destroyed.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { labHost } from "../../scripts/lab-sites";
import { installPackage } from "../../scripts/release-check";
import { releaseTarball } from "../helpers/release-tarball";
import { PulumiSandbox, repoRoot } from "./pulumi-cli";

const TEMPLATE = path.join(repoRoot, "templates", "ikev2-tunnel");

describe("template: pulumi new ./templates/ikev2-tunnel makes a one-tunnel project", function () {
    this.timeout(10 * 60_000);
    let sandbox: PulumiSandbox;
    let project = "";
    let deployed = false;

    /** `pulumi config set` as a user does it; a secret goes through stdin. */
    function configSet(key: string, value: string, secret = false): void {
        const args = ["config", "set", key, ...(secret ? ["--secret"] : [value]), "--non-interactive"];
        const r = spawnSync("pulumi", args, { cwd: project, env: sandbox.env, input: secret ? value : undefined, encoding: "utf8" });
        assert.equal(r.status, 0, `pulumi config set ${key}: ${r.stdout}${r.stderr}`);
    }

    before(() => {
        sandbox = new PulumiSandbox("template-");
    });

    after(function () {
        this.timeout(5 * 60_000);
        if (deployed) sandbox.run(project, ["destroy", "--yes"]);
        sandbox?.remove();
    });

    it("pulumi new makes the project from the local template, offline", () => {
        project = path.join(sandbox.work, "my-tunnel");
        // --generate-only: pulumi new would then run `npm install`, which needs pulumi-ikev2 from the
        // npm registry; here (no network, the package not published) the next test installs the
        // packed tarball instead, as `npm install` would install the published one.
        const out = sandbox.ok(sandbox.work, ["new", TEMPLATE, "--dir", project, "--name", "my-tunnel", "--description", "A tunnel to the VPS", "--yes", "--generate-only"]);
        assert.match(out, /Your new project is ready to go/);
        assert.deepStrictEqual(fs.readdirSync(project).sort(), [".gitignore", "Pulumi.yaml", "index.ts", "package.json", "tsconfig.json"]);
        assert.match(fs.readFileSync(path.join(project, "Pulumi.yaml"), "utf8"), /^name: my-tunnel\ndescription: A tunnel to the VPS\nruntime: nodejs\n/);
        const pkg = JSON.parse(fs.readFileSync(path.join(project, "package.json"), "utf8"));
        assert.equal(pkg.name, "my-tunnel");
        const version = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")).version;
        assert.equal(pkg.dependencies["pulumi-ikev2"], `^${version}`, "the template depends on the package's current version");
    });

    it("the package installs into it and the program type-checks", () => {
        installPackage(project, releaseTarball());
        const tsc = path.join(project, "node_modules", "typescript", "bin", "tsc");
        const r = spawnSync(process.execPath, [tsc, "--noEmit", "-p", project], { encoding: "utf8" });
        assert.equal(r.status, 0, r.stdout + r.stderr);
    });

    it("without configuration, preview names the first key to set", () => {
        sandbox.ok(project, ["stack", "init", "lab"]);
        const r = sandbox.run(project, ["preview"]);
        assert.notEqual(r.code, 0);
        assert.match(r.output, /Missing required configuration variable 'my-tunnel:routerHost'/);
    });

    it("filled with pulumi config set from the lab, the tunnel previews, comes up carrying pings, and is destroyed", () => {
        const router = labHost("home");
        const host = labHost("vps");
        const read = (f?: string) => fs.readFileSync(f!, "utf8");
        configSet("routerHost", router.ssh.host);
        configSet("routerUser", router.ssh.username);
        configSet("routerHostKey", router.ssh.hostKey);
        configSet("routerPassword", read(router.ssh.passwordFile).trim(), true);
        configSet("routerEnableSecret", read(router.ssh.enableSecretFile).trim(), true);
        configSet("routerWan", router.wan);
        configSet("routerLan", router.lan);
        configSet("routerLanAddress", router.lanAddress);
        configSet("strongswanHost", host.ssh.host);
        configSet("strongswanUser", host.ssh.username);
        configSet("strongswanHostKey", host.ssh.hostKey);
        configSet("strongswanPrivateKey", read(host.ssh.privateKeyFile), true);
        configSet("strongswanWan", host.wan);
        configSet("strongswanLan", host.lan);
        configSet("strongswanLanAddress", host.lanAddress);
        configSet("preSharedKey", "template-test-psk-0123456789", true);

        const preview = sandbox.ok(project, ["preview"]);
        assert.match(preview, /\+ 10 to create/);
        deployed = true;
        assert.match(sandbox.ok(project, ["up", "--yes"]), /\+ 10 created/);
        assert.equal(sandbox.ok(project, ["stack", "output", "established"]).trim(), "true");
        assert.equal(sandbox.ok(project, ["stack", "output", "tunnelInterface"]).trim(), "Tunnel1");
        assert.match(sandbox.ok(project, ["destroy", "--yes"]), /- 10 deleted/);
        deployed = false;
    });
});
