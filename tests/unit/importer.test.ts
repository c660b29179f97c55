/**
 * The importer's pure part: running-config and swanctl files to declarations and findings, the
 * devices file, and the generated project (program, secrets script, report). Each imported object
 * is checked here again, independently of the importer's own check: its declaration, through the
 * resource's schema and the provider's renderer, is the configuration the device shows.
 */
import { strict as assert } from "assert";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { parseConfigTree } from "../../provider/ios/config-tree";
import { iosObjects } from "../../provider/ios/objects";
import { runImport } from "../../provider/importer/command";
import { credentialVariable, devicesRequest } from "../../provider/importer/devices";
import { importRouter, readRunningConfig } from "../../provider/importer/ios";
import { Finding, SiteDevice, SiteImport } from "../../provider/importer/model";
import { generateProject } from "../../provider/importer/project";
import { importHost } from "../../provider/importer/strongswan";
import { pairTunnels } from "../../provider/importer/tunnels";
import { camelIdentifier, Code, identifierAllocator, printValue } from "../../provider/importer/typescript";
import { iosSchemas } from "../../provider/schema/ios";
import { strongSwanConnectionSchema } from "../../provider/schema/strongswan";
import { renderConnectionFile } from "../../provider/strongswan/swanctl-conf";
import { lanToLan, vpsHome } from "../fixtures/strongswan/story-vps";
import { declarationInput } from "../helpers/importer";

const FIXTURES = join(__dirname, "../../../tests/fixtures");
const fixture = (file: string) => readFileSync(join(FIXTURES, file), "utf8");

const HUB = fixture("ios/running-config-hub.txt");
const MIXED = fixture("importer/mixed-keyring.running-config.txt");

const names = (i: SiteImport) => i.declarations.map((d) => d.resourceName);
const finding = (i: SiteImport, subject: string): Finding => {
    const f = i.findings.find((x) => x.subject === subject);
    assert.ok(f, `no finding for ${subject}; findings: ${i.findings.map((x) => x.subject).join(", ")}`);
    return f;
};

/** Each declaration, read back as the provider would (schema, render), is the device's configuration of that object. */
function assertAdoptsUnchanged(running: string, i: SiteImport): void {
    const tree = parseConfigTree(running);
    const byVariable = new Map(i.declarations.map((d) => [d.variable, d]));
    const secrets = new Map(i.secrets.map((s) => [s.key, s.value ?? "any-key-type-6-matches"]));
    for (const d of i.declarations) {
        if (d.className === "StrongSwanConnection") continue;
        const kind = d.className;
        const model = iosSchemas[kind].parse(declarationInput(d, byVariable, (k) => secrets.get(k)!));
        const handler = iosObjects[kind];
        const rendered = handler.render(model as never);
        const ref = "number" in model ? { number: model.number } : { name: model.name };
        const onDevice = handler.extract(tree, ref);
        assert.ok(onDevice, `${d.subject} is not on the device`);
        assert.ok(handler.sameConfig(onDevice, rendered), `${d.subject}: the declaration renders another configuration`);
    }
}

describe("importer: IOS running-config", () => {
    const hub = importRouter(readRunningConfig("home", HUB));

    it("declares every IKEv2/IPsec object the provider models and can adopt unchanged, in dependency order", () => {
        assert.deepStrictEqual(names(hub), [
            "home-proposal-PROP-AES256",
            "home-proposal-PROP-OTHER",
            "home-policy-POL-1",
            "home-policy-POL-OTHER",
            "home-keyring-KR",
            "home-keyring-KR-OTHER",
            "home-profile-PROF-VPS",
            "home-transform-set-TS-AES256",
            "home-transform-set-TS-LEGACY",
            "home-ipsec-profile-IPSEC-VPS",
            "home-ipsec-profile-IPSEC-PARENTS",
            "home-tunnel-1",
        ]);
        assertAdoptsUnchanged(HUB, hub);
    });

    it("refers to imported objects by their resource, and to objects left out by name with a note", () => {
        const ipsecVps = hub.declarations.find((d) => d.resourceName === "home-ipsec-profile-IPSEC-VPS")!;
        assert.deepStrictEqual(ipsecVps.args.transformSets, [new Code("homeTransformSetTsAes256")]);
        assert.deepStrictEqual(ipsecVps.args.ikev2Profile, new Code("homeProfileProfVps"));
        const ipsecParents = hub.declarations.find((d) => d.resourceName === "home-ipsec-profile-IPSEC-PARENTS")!;
        assert.equal(ipsecParents.args.ikev2Profile, "PROF-PARENTS");
        assert.match(ipsecParents.notes.join("\n"), /crypto ikev2 profile PROF-PARENTS was not imported \(see IMPORT-REPORT\.md\), so it is named/);
    });

    it("reports IKEv1 and crypto maps with the migration to do, keys masked", () => {
        const policy = finding(hub, "crypto isakmp policy 10");
        assert.equal(policy.category, "ikev1");
        assert.match(policy.reason, /IKEv1 is not modelled.*Fix: move the tunnel to IKEv2/);
        assert.deepStrictEqual(policy.lines, ["crypto isakmp policy 10", " encryption aes 256", " hash sha256", " authentication pre-share", " group 14"]);
        const key = finding(hub, "crypto isakmp key ***** address 198.51.100.99");
        assert.equal(key.category, "ikev1");
        const map = finding(hub, "crypto map LEGACY-MAP");
        assert.equal(map.category, "crypto-map");
        assert.deepStrictEqual(map.lines, [
            "crypto map LEGACY-MAP 10 ipsec-isakmp",
            " set peer 198.51.100.99",
            " set transform-set TS-LEGACY",
            " match address LEGACY-ACL",
            "interface GigabitEthernet1",
            " crypto map LEGACY-MAP",
        ]);
        assert.ok(!JSON.stringify(hub.findings).includes("legacy-Secret1"));
    });

    it("reports objects with lines the provider does not model, naming the lines adopting would remove", () => {
        const profile = finding(hub, "crypto ikev2 profile PROF-PARENTS");
        assert.equal(profile.category, "not-modelled");
        assert.match(profile.reason, /`nat force-encap`.*adopting it would remove them/);
        const tunnel = finding(hub, "interface Tunnel2");
        assert.match(tunnel.reason, /`keepalive 10 3`/);
        assert.ok(tunnel.lines.includes("ip route 10.3.0.0 255.255.255.0 Tunnel2 5 name parents-lan"), "the tunnel's routes are part of it");
    });

    it("leaves out what is not IPsec: a GRE tunnel without protection, crypto pki, banner text", () => {
        const all = [...names(hub), ...hub.findings.map((f) => f.subject)].join("\n");
        assert.doesNotMatch(all, /Tunnel10|pki|banner/);
        assert.equal(hub.findings.length, 5, hub.findings.map((f) => f.subject).join(", "));
    });

    it("reads plain keys as secrets and marks type-6 keys as placeholders with a TODO", () => {
        assert.deepStrictEqual(
            hub.secrets.map((s) => [s.key, s.value]),
            [
                ["homeKrVpsPsk", "vps-Key-2024!x"],
                ["homeKrParentsPsk", undefined],
                ["homeKrOtherSomebodyPsk", undefined],
            ],
        );
        const keyring = hub.declarations.find((d) => d.resourceName === "home-keyring-KR")!;
        assert.match(keyring.notes.join("\n"), /TODO: crypto ikev2 keyring KR peer parents pre-shared-key: the router shows this key only encrypted \(type 6\).*pulumi config set --secret homeKrParentsPsk/);
        assert.doesNotMatch(keyring.notes.join("\n"), /peer vps/);
    });

    it("a router with a mixed IPv4/IPv6 keyring, type-6 keys and unrelated configuration around the crypto blocks", () => {
        const edge = importRouter(readRunningConfig("edge", MIXED));
        assert.deepStrictEqual(names(edge), [
            "edge-proposal-PROP-GCM",
            "edge-policy-POL-GCM",
            "edge-keyring-KR-MIXED",
            "edge-profile-PROF-BRANCH",
            "edge-transform-set-TS-GCM",
            "edge-ipsec-profile-IPSEC-BRANCH",
            "edge-tunnel-9",
        ]);
        assert.deepStrictEqual(edge.findings, [], "nothing else on this router is IKE/IPsec (the banner's text is not configuration)");
        assertAdoptsUnchanged(MIXED, edge);
        const keyring = edge.declarations.find((d) => d.className === "IkeV2Keyring")!;
        assert.equal(
            printValue(keyring.args.peers),
            [
                "[",
                "    {",
                '        name: "branch-v4",',
                '        description: "branch office, IPv4",',
                '        address: "203.0.113.9",',
                '        preSharedKey: cfg.requireSecret("edgeKrMixedBranchV4Psk"),',
                "    },",
                "    {",
                '        name: "branch-v6",',
                '        description: "branch office, IPv6",',
                '        address: "2001:DB8:9::9/128",',
                '        preSharedKey: cfg.requireSecret("edgeKrMixedBranchV6Psk"),',
                "    },",
                "    {",
                '        name: "lab-range",',
                '        address: "198.51.100.0/24",',
                '        localPreSharedKey: cfg.requireSecret("edgeKrMixedLabRangeLocalPsk"),',
                '        remotePreSharedKey: cfg.requireSecret("edgeKrMixedLabRangeRemotePsk"),',
                "    },",
                "    {",
                '        name: "partner",',
                '        identity: { fqdn: "vpn.partner.example" },',
                '        preSharedKey: cfg.requireSecret("edgeKrMixedPartnerPsk"),',
                "    },",
                "]",
            ].join("\n"),
        );
        assert.deepStrictEqual(
            edge.secrets.map((s) => [s.key, s.value]),
            [
                ["edgeKrMixedBranchV4Psk", undefined],
                ["edgeKrMixedBranchV6Psk", undefined],
                ["edgeKrMixedLabRangeLocalPsk", undefined],
                ["edgeKrMixedLabRangeRemotePsk", "Remote-Lab-Key-31"],
                ["edgeKrMixedPartnerPsk", "Partner-Key-2026"],
            ],
        );
        assert.equal(keyring.notes.filter((n) => n.startsWith("TODO:")).length, 3);
    });

    it("reports an object that refers to one the router does not have, and the story's mistake with the schema's fix", () => {
        const text = [
            "crypto ikev2 keyring KR",
            " peer 203.0.113.7",
            "  pre-shared-key home-vps-Key-1",
            "crypto ikev2 profile PROF-VPS",
            " match identity remote address 203.0.113.7 255.255.255.255",
            " authentication remote pre-share",
            " authentication local pre-share",
            " keyring local KR-GONE",
            "crypto ikev2 policy POL",
            " proposal PROP-NOWHERE",
            "end",
        ].join("\n");
        const r = importRouter(readRunningConfig("home", text));
        assert.deepStrictEqual(r.declarations, []);
        const keyring = finding(r, "crypto ikev2 keyring KR");
        assert.equal(keyring.category, "invalid");
        assert.match(keyring.reason, /peers\.0\.address: keyring peer "203\.0\.113\.7" has no address, identity or hostname.*Fix: add address: "203\.0\.113\.7"/);
        assert.deepStrictEqual(keyring.lines, ["crypto ikev2 keyring KR", " peer 203.0.113.7", "  pre-shared-key *****"]);
        assert.equal(finding(r, "crypto ikev2 profile PROF-VPS").category, "missing-reference");
        assert.match(finding(r, "crypto ikev2 profile PROF-VPS").reason, /keyring: crypto ikev2 keyring KR-GONE/);
        assert.match(finding(r, "crypto ikev2 policy POL").reason, /proposals: crypto ikev2 proposal PROP-NOWHERE/);
        assert.deepStrictEqual(r.secrets, [], "nothing imported, no secret kept");
    });

    it("reports GRE over IPsec and other crypto settings as not modelled", () => {
        const text = [
            "crypto ikev2 dpd 10 2 on-demand",
            "crypto ipsec security-association replay window-size 1024",
            "interface Tunnel5",
            " ip address 172.16.5.1 255.255.255.252",
            " tunnel source GigabitEthernet1",
            " tunnel destination 203.0.113.50",
            " tunnel protection ipsec profile IPSEC-X",
            "interface Virtual-Template1 type tunnel",
            " ip unnumbered Loopback0",
            " tunnel protection ipsec profile IPSEC-X",
            "end",
        ].join("\n");
        const r = importRouter(readRunningConfig("home", text));
        assert.deepStrictEqual(
            r.findings.map((f) => [f.category, f.subject]),
            [
                ["not-modelled", "crypto ikev2 dpd 10"],
                ["not-modelled", "crypto ipsec security-association replay"],
                ["not-modelled", "interface Tunnel5"],
                ["not-modelled", "interface Virtual-Template1 type tunnel"],
            ],
        );
        assert.match(finding(r, "interface Tunnel5").reason, /GRE tunnel protected by IPsec/);
    });
});

describe("importer: strongSwan files", () => {
    const dir = "/etc/swanctl";
    const home = renderConnectionFile(strongSwanConnectionSchema.parse(vpsHome));
    const lan = renderConnectionFile(strongSwanConnectionSchema.parse(lanToLan));
    const handWritten = [
        "connections {",
        "    branch {",
        "        remote_addrs = 203.0.113.9",
        "        local { auth = psk }",
        "        remote { auth = psk }",
        "        children { net { local_ts = 10.2.0.0/24",
        "                         remote_ts = 10.4.0.0/24 } }",
        "    }",
        "}",
        'secrets { ike-branch { secret = "Hand-Written-Secret-9" } }',
        "",
    ].join("\n");
    const host = importHost({
        site: "vps",
        swanctlDir: dir,
        files: [
            { path: `${dir}/swanctl.conf`, text: "# the default file\n" },
            { path: `${dir}/conf.d/branch.conf`, text: handWritten },
            { path: `${dir}/conf.d/pulumi-home.conf`, text: home },
            { path: `${dir}/conf.d/pulumi-lan-branch4.conf`, text: lan },
        ],
        loaded: ["branch", "home"],
    });

    it("a host with a hand-written file and pulumi-*.conf files: the provider's files are adopted, the hand-written one reported", () => {
        assert.deepStrictEqual(names(host), ["vps-connection-home", "vps-connection-lan-branch4"]);
        for (const d of host.declarations) {
            const input = declarationInput(d, new Map(), (k) => host.secrets.find((s) => s.key === k)!.value!);
            const text = d.resourceName.endsWith("home") ? home : lan;
            assert.equal(renderConnectionFile(strongSwanConnectionSchema.parse(input)), text, `${d.subject} renders to the same bytes`);
        }
        const hand = finding(host, "conf.d/branch.conf: connection branch");
        assert.equal(hand.category, "hand-written");
        assert.match(hand.reason, /conf\.d\/pulumi-branch\.conf.*would write a second definition of branch.*Fix: to move it under Pulumi/);
        assert.ok(!JSON.stringify(host).includes("Hand-Written-Secret-9"), "the hand-written file's secret is not kept");
        assert.deepStrictEqual(
            host.secrets.map((s) => s.key),
            ["vpsHomePsk", "vpsLanBranch4Psk"],
        );
    });

    it("notes a provider file whose connection charon has not loaded", () => {
        assert.match(finding(host, "conf.d/pulumi-lan-branch4.conf: connection lan-branch4").reason, /charon does not have this connection loaded/);
    });

    it("leaves a provider file alone when adopting it would rewrite it, or drop what it holds beyond the model", () => {
        const r = importHost({
            site: "vps",
            swanctlDir: dir,
            files: [
                { path: `${dir}/conf.d/pulumi-home.conf`, text: home.replace("        mobike = no\n", "        mobike = no\n        fragmentation = yes\n") },
                { path: `${dir}/conf.d/pulumi-lan-branch4.conf`, text: lan.replace("# Managed by pulumi-ikev2", "# Edited by hand") },
                { path: `${dir}/conf.d/pulumi-broken.conf`, text: "connections { broken {\n" },
            ],
            loaded: ["home", "lan-branch4"],
        });
        assert.deepStrictEqual(r.declarations, []);
        assert.match(finding(r, "conf.d/pulumi-home.conf: connection home").reason, /settings the provider does not model \(connections\.home\.fragmentation\)/);
        assert.match(finding(r, "conf.d/pulumi-lan-branch4.conf: connection lan-branch4").reason, /would rewrite the file \(line 1 is `# Edited by hand/);
        assert.match(finding(r, "conf.d/pulumi-broken.conf").reason, /swanctl cannot read it/);
        assert.ok(!JSON.stringify(r).includes('vps-home \\"key'), "the keys are masked in the lines shown");
    });
});

describe("importer: tunnels between the devices", () => {
    const dir = "/etc/swanctl";
    const home = renderConnectionFile(strongSwanConnectionSchema.parse(vpsHome));
    /** A strongSwan site with the provider's file for a connection to home, from `address`. */
    const hostTowardsHome = (site: string, address: string) =>
        importHost({ site, swanctlDir: dir, files: [{ path: `${dir}/conf.d/pulumi-home.conf`, text: home.replaceAll("203.0.113.7", address) }], loaded: ["home"] });
    const device = (site: string, platform: SiteDevice["platform"], host: string): SiteDevice => ({ site, platform, settings: { host, username: "admin" }, credentials: {}, label: `admin@${host}` });
    const hub = importRouter(readRunningConfig("home", HUB));
    const vps = hostTowardsHome("vps", "203.0.113.7");
    const parents = hostTowardsHome("parents", "192.0.2.50");
    const branch = hostTowardsHome("branch", "203.0.113.9");
    const devices = [device("home", "ios", "198.51.100.1"), device("vps", "strongswan", "203.0.113.7"), device("parents", "strongswan", "192.0.2.50"), device("branch", "strongswan", "203.0.113.9")];
    const { pairs, findings } = pairTunnels(devices, [hub, vps, parents, branch]);

    it("pairs two ends that lead to each other's outside address: the tunnel source's interface address, local_addrs, or the address the device was read at", () => {
        assert.deepStrictEqual(
            pairs.map((p) => p.ends.map((e) => `${e.site} ${e.subject} ${e.resourceName ?? "-"}`)),
            [
                ["home interface Tunnel1 home-tunnel-1", "vps conf.d/pulumi-home.conf: connection home vps-connection-home"],
                ["home interface Tunnel2 -", "parents conf.d/pulumi-home.conf: connection home parents-connection-home"],
            ],
        );
    });

    it("reports an imported end whose far end was not imported, or is not on the device its address leads to", () => {
        assert.deepStrictEqual(
            findings.map((f) => [f.category, f.site, f.subject]),
            [
                ["tunnel", "parents", "conf.d/pulumi-home.conf: connection home"],
                ["tunnel", "branch", "conf.d/pulumi-home.conf: connection home"],
            ],
        );
        assert.match(findings[0].reason, /its far end, home interface Tunnel2, was not imported .*Fix: resolve what the report says about home interface Tunnel2/);
        assert.match(findings[1].reason, /it leads to 198\.51\.100\.1, which is home, but home has no tunnel or connection back to branch\. Fix:/);
    });

    it("the report lists the tunnels and which ends the program has", () => {
        const report = generateProject(devices, [hub, vps, parents, branch], { name: "t", dependencies: {}, devDependencies: {} }).find((f) => f.path === "IMPORT-REPORT.md")!.content;
        assert.match(report, /^\| home: `interface Tunnel1` \(`home-tunnel-1`\) \| vps: `conf\.d\/pulumi-home\.conf: connection home` \(`vps-connection-home`\) \| both ends, as separate resources: the ends disagree \(see below\) \|$/m);
        // Each pair's ends, compared by the cross-end checks: the fixture's hub and VPS hold different keys, and the parents' end has PFS where home has none.
        assert.match(report, /^- \*\*home interface Tunnel1 <-> vps conf\.d\/pulumi-home\.conf: connection home\*\*:\n {2}- the pre-shared keys differ: .*neither is shown.*Fix: /m);
        assert.match(report, /^- \*\*home interface Tunnel2 <-> parents conf\.d\/pulumi-home\.conf: connection home\*\*:\n {2}- the PFS groups differ: .*Fix: /m);
        assert.match(report, /^\| home: `interface Tunnel2` \(not imported\) \| parents: .* \| one end \(see below\) \|$/m);
        assert.match(report, /^- \*\*branch: conf\.d\/pulumi-home\.conf: connection home\*\*: it leads to 198\.51\.100\.1/m);
    });
});

describe("importer: the devices file and credentials", () => {
    const file = JSON.stringify({
        home: { platform: "ios", host: "198.51.100.1", username: "admin", hostKey: "SHA256:tlp6KLEA3XjV0ytdZJ3uYBRXLyhFt6z2VwsmGk9dWPw" },
        vps: { platform: "strongswan", host: "203.0.113.7", username: "root", knownHostsFile: "/root/.ssh/known_hosts", sudo: false },
    });

    it("takes credentials from PULUMI_IKEV2_<SITE>_<FIELD>, or from stdin, which wins", () => {
        assert.equal(credentialVariable("home-2", "enableSecret"), "PULUMI_IKEV2_HOME_2_ENABLE_SECRET");
        const env = { PULUMI_IKEV2_HOME_PASSWORD: "pw-env", PULUMI_IKEV2_HOME_ENABLE_SECRET: "en-env", PULUMI_IKEV2_VPS_PRIVATE_KEY: "KEY-TEXT" };
        const r = devicesRequest(file, env, JSON.stringify({ home: { password: "pw-stdin" } }));
        assert.ok(r.ok);
        const [home, vps] = r.devices;
        assert.deepStrictEqual(home.credentials, { password: "pw-stdin", enableSecret: "en-env" });
        assert.deepStrictEqual(vps.credentials, { privateKey: "KEY-TEXT" });
        assert.equal(home.target.platform, "ios");
        assert.deepStrictEqual(home.device.settings, { host: "198.51.100.1", username: "admin", hostKey: "SHA256:tlp6KLEA3XjV0ytdZJ3uYBRXLyhFt6z2VwsmGk9dWPw" });
        assert.equal(home.device.label, "admin@198.51.100.1");
    });

    it("refuses a device whose host key would not be verified, a missing login, a bad site name, naming the fix and no secret", () => {
        const r = devicesRequest(
            JSON.stringify({
                home: { platform: "ios", host: "198.51.100.1", username: "admin" },
                vps: { platform: "strongswan", host: "203.0.113.7", username: "root", insecureSkipHostKeyVerification: true },
                default: { platform: "ios", host: "192.0.2.50", username: "admin", insecureSkipHostKeyVerification: true },
                parents: { platform: "junos", host: "192.0.2.50", username: "admin" },
            }),
            { PULUMI_IKEV2_HOME_PASSWORD: "Secret-Pw-123" },
        );
        assert.ok(!r.ok);
        const text = r.problems.join("\n");
        assert.match(text, /home: home\.hostKey is not set, so the device's SSH host key would not be verified\. Fix: set hostKey/);
        assert.match(text, /vps has no password or private key, so there is no way to log in\. Fix: set PULUMI_IKEV2_VPS_PASSWORD or PULUMI_IKEV2_VPS_PRIVATE_KEY/);
        assert.match(text, /site "default" is not a usable name/);
        assert.match(text, /parents\.platform is "junos"\. Fix: set "platform": "ios"/);
        assert.doesNotMatch(text, /Secret-Pw-123/);
    });

    it("never repeats the text of malformed secrets on stdin", () => {
        const r = devicesRequest(file, {}, '{"home": {"password": "Leaky-Pw-77"');
        assert.ok(!r.ok);
        assert.doesNotMatch(r.problems.join("\n"), /Leaky-Pw-77/);
    });
});

describe("importer: the command's arguments (nothing is read from a device when they are wrong)", () => {
    async function run(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; text: string }> {
        const lines: string[] = [];
        const code = await runImport(argv, { env, readStdin: () => Promise.resolve("{}"), out: (l) => lines.push(l), err: (l) => lines.push(l) });
        return { code, text: lines.join("\n") };
    }
    const work = mkdtempSync(join(tmpdir(), "import-args-"));
    after(() => rmSync(work, { recursive: true, force: true }));

    it("refuses a word that is not an option without repeating it, and an unknown option by name", async () => {
        const word = await run(["--devices", "d.json", "Typed-Password-1", "--out", "x"]);
        assert.equal(word.code, 2);
        assert.match(word.text, /argument 3 is not an option \(secrets are read from the environment or stdin, never from arguments\)/);
        assert.doesNotMatch(word.text, /Typed-Password-1/);
        const option = await run(["--password", "Typed-Password-2"]);
        assert.match(option.text, /unknown or incomplete option "--password"/);
        assert.doesNotMatch(option.text, /Typed-Password-2/);
        assert.match((await run(["--out", "x"])).text, /--devices and --out are required/);
    });

    it("refuses a folder that is not empty without --force, and a devices file with problems, writing nothing", async () => {
        const devices = join(work, "devices.json");
        writeFileSync(devices, JSON.stringify({ home: { platform: "ios", host: "198.51.100.1", username: "admin" } }));
        const full = join(work, "full");
        mkdirSync(full);
        writeFileSync(join(full, "index.ts"), "// mine\n");
        const notEmpty = await run(["--devices", devices, "--out", full], { PULUMI_IKEV2_HOME_PASSWORD: "Pw-1" });
        assert.equal(notEmpty.code, 2);
        assert.match(notEmpty.text, /home: home\.hostKey is not set/, "the devices are checked first");
        writeFileSync(devices, JSON.stringify({ home: { platform: "ios", host: "198.51.100.1", username: "admin", insecureSkipHostKeyVerification: true } }));
        const refused = await run(["--devices", devices, "--out", full], { PULUMI_IKEV2_HOME_PASSWORD: "Pw-1" });
        assert.equal(refused.code, 2);
        assert.match(refused.text, /is not empty\. Fix: name a new folder, or add --force/);
        assert.deepStrictEqual(readdirSync(full), ["index.ts"]);
    });
});

describe("importer: the generated project", () => {
    const devices: SiteDevice[] = [
        { site: "home", platform: "ios", settings: { host: "198.51.100.1", username: "admin", hostKey: "SHA256:abc" }, credentials: { password: "Pw-Home-1", enableSecret: "En-Home-1" }, label: "admin@198.51.100.1" },
    ];
    const hub = importRouter(readRunningConfig("home", HUB));
    const files = generateProject(devices, [hub], { name: "imported", stack: "lab", dependencies: { "@pulumi/pulumi": "3.248.0", "pulumi-ikev2": "^0.1.0" }, devDependencies: { typescript: "5.9.3" } });
    const file = (p: string) => files.find((f) => f.path === p)!;

    it("is a standalone Pulumi TypeScript project depending on the package by name", () => {
        assert.deepStrictEqual(files.map((f) => f.path).sort(), [".gitignore", "IMPORT-REPORT.md", "Pulumi.yaml", "index.ts", "package.json", "set-secrets.sh", "tsconfig.json"]);
        assert.match(file("Pulumi.yaml").content, /^name: imported\ndescription: .*\nruntime: nodejs\n$/);
        assert.deepStrictEqual(JSON.parse(file("package.json").content).dependencies, { "@pulumi/pulumi": "3.248.0", "pulumi-ikev2": "^0.1.0" });
        assert.match(file("index.ts").content, /^import \{ IkeV2Keyring, IkeV2Policy, IkeV2Profile, IkeV2Proposal, IosDevice, IpsecProfile, IpsecTransformSet, TunnelInterface \} from "pulumi-ikev2";$/m);
    });

    it("declares every object with adopt: true, and a variable only for what is referred to", () => {
        const index = file("index.ts").content;
        assert.equal((index.match(/^ {4}adopt: true,$/gm) ?? []).length + (index.match(/device: home, adopt: true,/g) ?? []).length, hub.declarations.length);
        assert.match(index, /^const homeKeyringKr = new IkeV2Keyring\("home-keyring-KR", \{$/m);
        assert.match(index, /^new IkeV2Keyring\("home-keyring-KR-OTHER", \{$/m);
        assert.match(index, /^const home: IosDevice = \{\n {4}host: "198\.51\.100\.1",\n {4}username: "admin",\n {4}hostKey: "SHA256:abc",\n {4}password: cfg\.requireSecret\("homePassword"\),\n {4}enableSecret: cfg\.requireSecret\("homeEnableSecret"\),\n\};$/m);
        assert.match(index, /^\/\/ TODO: crypto ikev2 keyring KR peer parents pre-shared-key: the router shows this key only encrypted/m);
        assert.match(index, /^ {4}ipAddress: "172\.16\.0\.1\/30",$/m, "an address and mask as people write them");
    });

    it("keeps every secret out of the program and the report; the script sets them through stdin and is its owner's only", () => {
        for (const secret of ["Pw-Home-1", "En-Home-1", "vps-Key-2024!x", "legacy-Secret1"]) {
            for (const f of files.filter((x) => x.path !== "set-secrets.sh")) assert.ok(!f.content.includes(secret), `${f.path} holds a secret`);
        }
        const script = file("set-secrets.sh");
        assert.equal(script.mode, 0o700);
        assert.match(script.content, /^pulumi stack select --create 'lab' --non-interactive$/m);
        assert.match(script.content, /^set_secret homeKrVpsPsk 'vps-Key-2024!x'$/m);
        assert.match(script.content, /^set_secret homePassword 'Pw-Home-1'$/m);
        assert.match(script.content, /^#   pulumi config set --secret homeKrParentsPsk {4}# home: crypto ikev2 keyring KR peer parents pre-shared-key$/m);
        assert.match(script.content, /printf "%s" "\$2" \| pulumi config set --secret "\$1"/);
        assert.match(file(".gitignore").content, /^\/set-secrets\.sh$/m);
    });

    it("the report lists what was imported, what was not and why, and the keys to set by hand", () => {
        const report = file("IMPORT-REPORT.md").content;
        assert.match(report, /^## Imported: 12 resources$/m);
        assert.match(report, /^\| home \| `crypto ikev2 keyring KR` \| IkeV2Keyring `home-keyring-KR` \|$/m);
        assert.match(report, /^## Not imported: 5$/m);
        for (const title of ["IKEv1 (`crypto isakmp`, `crypto keyring`)", "Crypto maps", "Configuration the provider does not model"]) assert.match(report, new RegExp(`^### ${title.replace(/[()`]/g, "\\$&")}$`, "m"));
        assert.match(report, /^ {3}- `pulumi config set --secret homeKrParentsPsk`: home: crypto ikev2 keyring KR peer parents pre-shared-key$/m);
    });
});

describe("importer: TypeScript source", () => {
    it("prints values as a person writes them, breaking long ones", () => {
        assert.equal(printValue({ name: "KR", n: 1, on: true, list: ["a", "b"], "odd-key": new Code("x") }), '{ name: "KR", n: 1, on: true, list: ["a", "b"], "odd-key": x }');
        const long = printValue({ peers: Array.from({ length: 4 }, (_, i) => ({ name: `peer-number-${i}`, address: `203.0.113.${i}` })) });
        assert.equal(long.split("\n")[0], "{");
        assert.match(long, /^ {4}peers: \[$/m);
    });

    it("names variables in camel case from the objects' names", () => {
        assert.equal(camelIdentifier("home", "keyring", "KR-OTHER"), "homeKeyringKrOther");
        assert.equal(camelIdentifier("home", "enableSecret"), "homeEnableSecret");
        assert.equal(camelIdentifier("home", "tunnel", "1"), "homeTunnel1");
        assert.equal(camelIdentifier("1st"), "_1st");
    });

    it("never gives two objects of a site one name: keyring KR peer A-B and keyring KR-A peer B get two keys", () => {
        const text = ["crypto ikev2 keyring KR", " peer A-B", "  address 203.0.113.1", "  pre-shared-key Key-One-111", "crypto ikev2 keyring KR-A", " peer B", "  address 203.0.113.2", "  pre-shared-key Key-Two-222", "end"].join("\n");
        const r = importRouter(readRunningConfig("home", text));
        assert.deepStrictEqual(
            r.secrets.map((x) => [x.key, x.value]),
            [
                ["homeKrABPsk", "Key-One-111"],
                ["homeKrABPsk2", "Key-Two-222"],
            ],
        );
        const allocate = identifierAllocator();
        assert.deepStrictEqual([allocate("a", "b"), allocate("a-b"), allocate("A", "B")], ["aB", "aB2", "aB3"]);
    });

    it("refuses two sites whose objects would share a name, rather than mix their keys", () => {
        const device = (site: string): SiteDevice => ({ site, platform: "strongswan", settings: { host: "203.0.113.7" }, credentials: {}, label: site });
        const secret = (key: string) => ({ declarations: [], findings: [], ends: [], secrets: [{ key, purpose: key, value: "x" }] });
        assert.throws(
            () => generateProject([device("home"), device("home-kr")], [secret("homeKrAPsk"), secret("homeKrAPsk")], { name: "t", dependencies: {}, devDependencies: {} }),
            /two sites' objects would share the program's name homeKrAPsk\. Fix: rename a site in the devices file/,
        );
    });
});
