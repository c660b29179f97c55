/**
 * The importer and SiteToSiteTunnel: where both ends of a tunnel were read and agree, the program
 * declares one SiteToSiteTunnel (and an IosRouter per router) instead of each end's objects, with the
 * devices' own names; a keyring shared with a tunnel the program does not declare that way is split
 * into IkeV2KeyringPeers. Where the ends disagree, the report carries the cross-end check's message
 * and each end's objects stay separate resources. Pure: device text in, TypeScript and report out.
 */
import { strict as assert } from "assert";
import { importRouter, readRunningConfig } from "../../provider/importer/ios";
import { SiteDevice, SiteImport } from "../../provider/importer/model";
import { generateProject } from "../../provider/importer/project";
import { importHost } from "../../provider/importer/strongswan";
import { strongSwanConnectionSchema } from "../../provider/schema/strongswan";
import { renderConnectionFile } from "../../provider/strongswan/swanctl-conf";
import { iosEndInputs, routerInputs, strongSwanEndInputs } from "../../provider/tunnel/site-to-site-inputs";
import { branchPulumiHome } from "../fixtures/strongswan/story-branch";

const KEYS = { parents: "Parents-Key-2026", branch: "Branch-Key-0077", vps: "Vps-Key-0011" };

/** The crypto part of a router's running-config, the way IOS prints what the story's user typed by hand. */
function tunnel(o: { peer: string; remote: string; local: string; number: number; address: string; lans: string[] }): string {
    const upper = o.peer.toUpperCase();
    return [
        `crypto ikev2 profile PROF-${upper}`,
        ` description IKEv2 to ${o.peer}`,
        ` match identity remote address ${o.remote} 255.255.255.255 `,
        ` identity local address ${o.local}`,
        " authentication remote pre-share",
        " authentication local pre-share",
        " keyring local KR",
        " dpd 10 3 periodic",
        `crypto ipsec profile IPSEC-${upper}`,
        " set transform-set TS-AES256 ",
        " set pfs group14",
        ` set ikev2-profile PROF-${upper}`,
        `interface Tunnel${o.number}`,
        ` description to ${o.peer}`,
        ` ip address ${o.address} 255.255.255.252`,
        " ip mtu 1400",
        " ip tcp adjust-mss 1360",
        " tunnel source GigabitEthernet1",
        " tunnel mode ipsec ipv4",
        ` tunnel destination ${o.remote}`,
        ` tunnel protection ipsec profile IPSEC-${upper}`,
        ...o.lans.map((lan) => `ip route ${lan} 255.255.255.0 Tunnel${o.number}`),
    ].join("\n");
}

const BASE = [
    "crypto ikev2 proposal PROP-AES256 ",
    " encryption aes-cbc-256",
    " integrity sha256",
    " group 14",
    "crypto ikev2 policy POL-1 ",
    " proposal PROP-AES256",
    "crypto ipsec transform-set TS-AES256 esp-aes 256 esp-sha256-hmac ",
    " mode tunnel",
].join("\n");

const wan = (address: string) => `interface GigabitEthernet1\n ip address ${address} 255.255.255.0\n negotiation auto`;

function homeConfig(parentsKey: string): string {
    return [
        "hostname home",
        wan("198.51.100.1"),
        BASE,
        "crypto ikev2 keyring KR",
        " peer vps",
        "  description strongSwan VPS",
        "  address 203.0.113.7",
        `  pre-shared-key ${KEYS.vps}`,
        " !",
        " peer parents",
        "  description parents' router",
        "  address 192.0.2.50",
        `  pre-shared-key ${parentsKey}`,
        " !",
        " peer branch",
        "  address 203.0.113.9",
        `  pre-shared-key ${KEYS.branch}`,
        " !",
        tunnel({ peer: "vps", remote: "203.0.113.7", local: "198.51.100.1", number: 1, address: "172.16.0.1", lans: ["10.2.0.0"] }),
        tunnel({ peer: "parents", remote: "192.0.2.50", local: "198.51.100.1", number: 2, address: "172.16.0.5", lans: ["10.3.0.0"] }),
        tunnel({ peer: "branch", remote: "203.0.113.9", local: "198.51.100.1", number: 3, address: "172.16.0.9", lans: ["10.4.0.0"] }),
        "end",
    ].join("\n");
}

const PARENTS = [
    "hostname parents",
    wan("192.0.2.50"),
    BASE,
    "crypto ikev2 keyring KR",
    " peer home",
    "  address 198.51.100.1",
    `  pre-shared-key ${KEYS.parents}`,
    " !",
    tunnel({ peer: "home", remote: "198.51.100.1", local: "192.0.2.50", number: 1, address: "172.16.0.6", lans: ["10.1.0.0", "10.2.0.0"] }),
    "end",
].join("\n");


const device = (site: string, platform: SiteDevice["platform"], host: string): SiteDevice => ({ site, platform, settings: { host, username: "admin" }, credentials: {}, label: `admin@${host}` });
const DEVICES = [device("home", "ios", "198.51.100.1"), device("parents", "ios", "192.0.2.50"), device("branch", "strongswan", "203.0.113.9")];

function project(home: string, branch: string, parents = PARENTS) {
    const dir = "/etc/swanctl";
    const imports: SiteImport[] = [
        importRouter(readRunningConfig("home", home)),
        importRouter(readRunningConfig("parents", parents)),
        importHost({ site: "branch", swanctlDir: dir, files: [{ path: `${dir}/conf.d/pulumi-home.conf`, text: branch }], loaded: ["home"] }),
    ];
    const files = generateProject(DEVICES, imports, { name: "t", dependencies: {}, devDependencies: {} });
    const file = (path: string) => files.find((f) => f.path === path)!.content;
    return { index: file("index.ts"), report: file("IMPORT-REPORT.md"), secrets: file("set-secrets.sh") };
}

/** The `new Class("name", {...});` statement of the program, from its head to the closing `});`. */
function statement(index: string, head: string): string {
    const start = index.indexOf(head);
    assert.ok(start >= 0, `no ${head} in\n${index}`);
    return index.slice(start, index.indexOf("\n});", start) + 4);
}

describe("importer: tunnels whose ends agree become one SiteToSiteTunnel", () => {
    const { index, report, secrets } = project(homeConfig(KEYS.parents), branchPulumiHome(KEYS.branch));

    it("declares one IosRouter per router for its policy, proposals and transform sets, adopted, with the router's names", () => {
        const home = statement(index, 'const homeRouter = new IosRouter("home", {');
        assert.match(home, /device: home,\n\s+adopt: true,\n\s+wan: "198\.51\.100\.1",\n\s+tunnelSource: "GigabitEthernet1",/);
        assert.match(home, /ike: \{ encryption: \["aes-cbc-256"\], integrity: \["sha256"\], groups: \[14\] \}/);
        assert.match(home, /esp: \{ encryption: "esp-aes-256", integrity: "esp-sha256-hmac" \}/);
        assert.match(home, /pfsGroup: 14/);
        assert.match(home, /names: \{ keyring: "KR", policy: "POL-1", proposals: \["PROP-AES256"\], transformSets: \["TS-AES256"\] \}/);
        assert.match(index, /const parentsRouter = new IosRouter\("parents", \{/);
        assert.doesNotMatch(index, /new IkeV2Proposal\(|new IkeV2Policy\(|new IpsecTransformSet\(/);
    });

    it("declares the IOS-IOS and the IOS-strongSwan tunnel once each, with each end's names, descriptions, LANs and one secret", () => {
        const parents = statement(index, 'new SiteToSiteTunnel("home-parents", {');
        assert.match(parents, /a: \{\n\s+router: homeRouter,\n\s+tunnel: \{ number: 2, address: "172\.16\.0\.5\/30", mtu: 1400, tcpAdjustMss: 1360 \},\n\s+lans: \["10\.1\.0\.0\/24", "10\.2\.0\.0\/24"\],/);
        assert.match(parents, /names: \{ peer: "parents", profile: "PROF-PARENTS", ipsecProfile: "IPSEC-PARENTS" \}/);
        assert.match(parents, /descriptions: \{ peer: "parents' router", profile: "IKEv2 to parents", tunnel: "to parents" \}/);
        assert.match(parents, /b: \{\n\s+router: parentsRouter,\n\s+tunnel: \{ number: 1, address: "172\.16\.0\.6\/30", mtu: 1400, tcpAdjustMss: 1360 \},\n\s+lans: \["10\.3\.0\.0\/24"\],/);
        assert.match(parents, /descriptions: \{ peer: false, profile: "IKEv2 to home", tunnel: "to home" \}/);
        assert.match(parents, /preSharedKey: cfg\.requireSecret\("homeKrParentsPsk"\),\n\s+prove: false,/);
        assert.match(parents, /^new SiteToSiteTunnel\("home-parents", \{\n    adopt: true,/);
        const branch = statement(index, 'new SiteToSiteTunnel("home-branch", {');
        assert.match(branch, /b: \{\n\s+host: \{ name: "branch", device: branch, wan: "203\.0\.113\.9" \},\n\s+lans: \["10\.4\.0\.0\/24"\],\n\s+names: \{ connection: "home", child: "home-lan" \},\n\s+\},/);
        assert.match(branch, /preSharedKey: cfg\.requireSecret\("homeKrBranchPsk"\)/);
        assert.doesNotMatch(index, /new StrongSwanConnection\(|new TunnelInterface\("home-tunnel-[23]"|new TunnelInterface\("parents-/);
        // One secret per tunnel: the far ends' copies of the same key are not asked for.
        assert.doesNotMatch(secrets, /parentsKrHomePsk|branchHomePsk/);
        assert.match(secrets, /set_secret homeKrParentsPsk /);
    });

    it("keeps the tunnel to a device it did not read as separate resources, its keyring peer apart from the tunnels' peers", () => {
        assert.doesNotMatch(index, /new IkeV2Keyring\(/);
        const peer = statement(index, 'const homeKeyringKrPeerVps = new IkeV2KeyringPeer("home-keyring-peer-KR-vps", {');
        assert.match(peer, /keyring: "KR",\n\s+name: "vps",\n\s+description: "strongSwan VPS",\n\s+address: "203\.0\.113\.7",\n\s+preSharedKey: cfg\.requireSecret\("homeKrVpsPsk"\),/);
        assert.match(statement(index, 'new IkeV2Profile("home-profile-PROF-VPS", {'), /keyring: homeKeyringKrPeerVps\.keyring,/);
        assert.match(statement(index, 'new IpsecProfile("home-ipsec-profile-IPSEC-VPS", {'), /transformSets: \[homeRouter\.transformSets\[0\]\],/);
        assert.match(index, /new TunnelInterface\("home-tunnel-1", \{/);
    });

    it("the report says which tunnels are one SiteToSiteTunnel", () => {
        assert.match(report, /^\| home: `interface Tunnel2` \(`home-tunnel-2`\) \| parents: `interface Tunnel1` \(`parents-tunnel-1`\) \| SiteToSiteTunnel `home-parents` \|$/m);
        assert.match(report, /^\| home: `interface Tunnel3` \(`home-tunnel-3`\) \| branch: `conf\.d\/pulumi-home\.conf: connection home` \(`branch-connection-home`\) \| SiteToSiteTunnel `home-branch` \|$/m);
        assert.match(report, /^\| home \| `crypto ikev2 policy POL-1, crypto ikev2 proposal PROP-AES256, crypto ipsec transform-set TS-AES256` \| IosRouter `home` \|$/m);
        assert.doesNotMatch(report, /Tunnels whose ends disagree/);
    });

    it("the component's own formulas, given the declared ends, make what the devices have (the importer's check, seen from the component)", () => {
        // The branch end exactly as the program declares it: its file is the one on the host.
        const router = { site: "home", wan: "198.51.100.1", lans: [], tunnelSource: "GigabitEthernet1", keyring: "KR", names: { keyring: "KR", policy: "POL-1", proposals: ["PROP-AES256"], transformSets: ["TS-AES256"] }, algorithms: [{ ike: { encryption: ["aes-cbc-256" as const], integrity: ["sha256" as const], groups: [14 as const] }, esp: { encryption: "esp-aes-256" as const, integrity: "esp-sha256-hmac" as const }, pfsGroup: 14 as const }] };
        const a = { router, tunnel: { number: 3, address: "172.16.0.9/30", mtu: 1400, tcpAdjustMss: 1360 }, lans: ["10.1.0.0/24"], names: { peer: "branch", profile: "PROF-BRANCH", ipsecProfile: "IPSEC-BRANCH" }, descriptions: { peer: false as const, profile: "IKEv2 to branch", tunnel: "to branch" } };
        const b = { host: { name: "branch", wan: "203.0.113.9" }, lans: ["10.4.0.0/24"], names: { connection: "home", child: "home-lan" } };
        const settings = { preSharedKey: KEYS.branch };
        const { connection } = strongSwanEndInputs(settings, router.algorithms[0], b, a);
        assert.equal(renderConnectionFile(strongSwanConnectionSchema.parse(connection)), branchPulumiHome(KEYS.branch));
        const ios = iosEndInputs("home-branch", settings, router.algorithms[0], a, b);
        assert.equal(ios.peer.description, undefined);
        assert.deepStrictEqual(ios.tunnelInterface.routes, [{ destination: "10.4.0.0/24" }]);
        assert.deepStrictEqual(routerInputs(router).policy, { name: "POL-1", proposals: ["PROP-AES256"] });
    });
});

describe("importer: tunnels whose ends disagree stay separate, with the cross-end check's message", () => {
    const { index, report } = project(homeConfig("Not-The-Parents-Key"), branchPulumiHome(KEYS.branch).replace("esp_proposals = aes256-sha256-modp2048", "esp_proposals = aes128-sha1-modp2048"));

    it("reports each disagreement under the tunnels whose ends disagree, naming both ends and the fix, never a key", () => {
        assert.match(report, /^### Tunnels whose ends disagree$/m);
        assert.match(report, /^- \*\*home interface Tunnel2 <-> parents interface Tunnel1\*\*:\n {2}- the pre-shared keys differ: home \(`crypto ikev2 keyring KR`\) and parents \(`crypto ikev2 keyring KR`\) hold different keys \(neither is shown\).* Fix: /m);
        assert.match(report, /^- \*\*home interface Tunnel3 <-> branch conf\.d\/pulumi-home\.conf: connection home\*\*:\n {2}- .*ESP.* Fix: /m);
        assert.match(report, /\| SiteToSiteTunnel `home-branch` \||\| both ends, as separate resources: the ends disagree \(see below\) \|/);
        for (const key of [...Object.values(KEYS), "Not-The-Parents-Key"]) assert.ok(!report.includes(key), "the report shows a key");
    });

    it("declares those ends' objects as separate adopted resources, and no SiteToSiteTunnel for them", () => {
        assert.doesNotMatch(index, /new SiteToSiteTunnel\(|new IosRouter\(/);
        assert.match(index, /new IkeV2Keyring\("home-keyring-KR", \{/);
        assert.match(index, /new TunnelInterface\("home-tunnel-2", \{/);
        assert.match(index, /new TunnelInterface\("parents-tunnel-1", \{/);
        assert.match(index, /new StrongSwanConnection\("branch-connection-home", \{/);
    });
});

describe("importer: a tunnel whose ends agree but that a SiteToSiteTunnel would not declare as it is", () => {
    // The parents' router shows its key only encrypted (type 6): the two keys cannot be compared.
    const { index, report } = project(homeConfig(KEYS.parents), branchPulumiHome(KEYS.branch), PARENTS.replace(`  pre-shared-key ${KEYS.parents}`, "  pre-shared-key 6 FhEdKCNaR`YTVbcZ_OBLQbXNOdDfBAAB"));

    it("stays separate resources, and the report says why", () => {
        assert.match(report, /^\| home: `interface Tunnel2` \(`home-tunnel-2`\) \| parents: `interface Tunnel1` \(`parents-tunnel-1`\) \| both ends, as separate resources \(see below\) \|$/m);
        assert.match(report, /^### Tunnels whose ends agree but stay separate resources$/m);
        assert.match(report, /^- \*\*home interface Tunnel2 <-> parents interface Tunnel1\*\*: a SiteToSiteTunnel would not declare what the devices have: a key is shown only encrypted \(type 6\)/m);
        assert.match(index, /new TunnelInterface\("home-tunnel-2", \{/);
        assert.match(index, /new IkeV2Keyring\("parents-keyring-KR", \{/);
        assert.doesNotMatch(index, /new IosRouter\("parents"/);
    });

    it("the other tunnel of the same router is still one SiteToSiteTunnel; the keyring they share is split into peers", () => {
        assert.match(index, /new SiteToSiteTunnel\("home-branch", \{/);
        assert.match(index, /new IkeV2KeyringPeer\("home-keyring-peer-KR-parents", \{/);
        assert.match(statement(index, 'new IkeV2Profile("home-profile-PROF-PARENTS", {'), /keyring: homeKeyringKrPeerVps\.keyring,/);
        assert.doesNotMatch(index, /new IkeV2Keyring\("home-keyring-KR"/);
    });
});
