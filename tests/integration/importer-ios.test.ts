/**
 * `pulumi-ikev2 import` against an IOS router over SSH (the emulator), typed by hand: `password
 * encryption aes` (so every key shows as type 6), a keyring that mixes an IPv4 peer, an IPv6 peer,
 * a range with local and remote keys and an FQDN identity, and configuration unrelated to IPsec
 * (hostname, a user, a loopback, a plain GRE tunnel, routes) among the crypto blocks. The
 * command (run in this process, credentials from the environment) writes the project; then every
 * declaration, adopted through the provider's own handlers as the engine runs them, sends nothing
 * but the keyring's keys (adopting a keyring sends its keys, since a type-6 key cannot be compared),
 * and the running-config is the same but for those keys' cipher text.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { handlersFor } from "../../provider/dynamic/handlers";
import { registry, ResourceKind } from "../../provider/dynamic/registry";
import { inputsFromModel } from "../../provider/dynamic/wire";
import { runImport } from "../../provider/importer/command";
import { importRouter, readRunningConfig } from "../../provider/importer/ios";
import { IosCliSession } from "../../provider/ssh/ios-session";
import { SshPool } from "../../provider/ssh/pool";
import { credentialsSchema, iosConnectionSchema } from "../../provider/schema/device";
import { declarationInput } from "../helpers/importer";
import { EmulatedRouter, ENABLE_SECRET, PASSWORD, startRouter } from "../helpers/ios-lab";

const KEYS = { branchV4: "Branch-V4-Key-2026", branchV6: "Branch-V6-Key-2026", labLocal: "Lab-Local-Key-31", labRemote: "Lab-Remote-Key-31", partner: "Partner-Key-2026" };

/** What a person types on the router, crypto blocks among unrelated configuration. */
const TYPED = [
    "key config-key password-encrypt Master-Key-123",
    "password encryption aes",
    "hostname edge",
    "username ops privilege 15 secret Ops-Secret-2026",
    "crypto ikev2 proposal PROP-GCM", "encryption aes-gcm-256", "prf sha384", "group 20", "exit",
    "crypto ikev2 policy POL-GCM", "proposal PROP-GCM", "exit",
    "interface Loopback0", "description management", "ip address 10.9.255.1 255.255.255.255", "exit",
    "crypto ikev2 keyring KR-MIXED",
    "peer branch-v4", "description branch office, IPv4", "address 203.0.113.9", `pre-shared-key ${KEYS.branchV4}`, "exit",
    "peer branch-v6", "description branch office, IPv6", "address 2001:db8:9::9/128", `pre-shared-key ${KEYS.branchV6}`, "exit",
    "peer lab-range", "address 198.51.100.0 255.255.255.0", `pre-shared-key local ${KEYS.labLocal}`, `pre-shared-key remote ${KEYS.labRemote}`, "exit",
    "peer partner", "identity fqdn vpn.partner.example", `pre-shared-key ${KEYS.partner}`, "exit",
    "exit",
    "crypto ikev2 profile PROF-BRANCH", "description branch over IPv4", "match identity remote address 203.0.113.9 255.255.255.255",
    "identity local address 198.51.100.1", "authentication remote pre-share", "authentication local pre-share", "keyring local KR-MIXED", "dpd 10 3 periodic", "exit",
    "ip route 0.0.0.0 0.0.0.0 198.51.100.254",
    "crypto ipsec transform-set TS-GCM esp-gcm 256", "mode tunnel", "exit",
    "crypto ipsec profile IPSEC-BRANCH", "set transform-set TS-GCM", "set pfs group20", "set ikev2-profile PROF-BRANCH", "exit",
    "interface Tunnel9", "description to the branch", "ip address 172.16.9.1 255.255.255.252", "ip tcp adjust-mss 1360",
    "tunnel source GigabitEthernet1", "tunnel mode ipsec ipv4", "tunnel destination 203.0.113.9", "tunnel protection ipsec profile IPSEC-BRANCH", "exit",
    "ip route 10.4.0.0 255.255.255.0 Tunnel9",
    // A GRE tunnel without IPsec: no IPsec object, so neither imported nor reported.
    "interface Tunnel20", "description plain GRE to the lab", "ip address 172.16.20.1 255.255.255.252", "tunnel source Loopback0", "tunnel mode gre ip", "tunnel destination 198.51.100.77", "exit",
    "ip route 10.20.0.0 255.255.0.0 Tunnel20",
];

/** The configuration key each typed key lands in (as the importer names them). */
const TYPED_KEYS: Record<string, string> = {
    edgeKrMixedBranchV4Psk: KEYS.branchV4,
    edgeKrMixedBranchV6Psk: KEYS.branchV6,
    edgeKrMixedLabRangeLocalPsk: KEYS.labLocal,
    edgeKrMixedLabRangeRemotePsk: KEYS.labRemote,
    edgeKrMixedPartnerPsk: KEYS.partner,
};

/** The running-config with each key's cipher text replaced, for comparing around re-sent keys. */
const withoutCiphers = (config: string) => config.replace(/^( {2}pre-shared-key (?:local |remote )?6 )\S+$/gm, "$1<cipher>");

/** Command lines the router received in configuration, without the session's own. */
const configLines = (received: string[]) => received.filter((l) => !/^(show |do show |terminal |enable|write|conf|end$|exit$)/.test(l) && l !== "");

describe("import: an IOS router with type-6 keys, a mixed IPv4/IPv6 keyring and unrelated configuration, over SSH", function () {
    this.timeout(120_000);
    let router: EmulatedRouter;
    let work: string;

    async function session<T>(fn: (s: IosCliSession) => Promise<T>): Promise<T> {
        const connection = iosConnectionSchema.parse(router.connection);
        const credentials = credentialsSchema.parse(router.credentials);
        return SshPool.shared.withDevice(connection, credentials, async (client) => {
            const s = await IosCliSession.open(client, { device: "edge", enableSecret: credentials.enableSecret, commandTimeoutMs: connection.commandTimeoutMs, secrets: Object.values(KEYS) });
            try {
                return await fn(s);
            } finally {
                await s.close();
            }
        });
    }

    before(async () => {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "import-ios-"));
        router = await startRouter();
        const typed = await session((s) => s.configure(TYPED));
        assert.ok(typed.ok, JSON.stringify(typed));
        work = fs.mkdtempSync(path.join(os.tmpdir(), "import-ios-"));
    });
    after(async () => {
        await SshPool.shared.closeAll();
        await router.emulator.close();
        fs.rmSync(work, { recursive: true, force: true });
    });

    it("the command writes the project: type-6 keys as TODOs, nothing unrelated, no secret in the program or the report", async () => {
        const devices = path.join(work, "devices.json");
        const { host, port, username, hostKey } = router.connection;
        fs.writeFileSync(devices, JSON.stringify({ edge: { platform: "ios", host, port, username, hostKey } }));
        const out: string[] = [];
        const code = await runImport(["--devices", devices, "--out", path.join(work, "project")], {
            env: { PULUMI_IKEV2_EDGE_PASSWORD: PASSWORD, PULUMI_IKEV2_EDGE_ENABLE_SECRET: ENABLE_SECRET },
            readStdin: () => Promise.reject(new Error("stdin is not read without --secrets-stdin")),
            out: (l) => out.push(l),
            err: (l) => out.push(l),
        });
        assert.equal(code, 0, out.join("\n"));
        assert.match(out.join("\n"), /^edge \(admin@127\.0\.0\.1:\d+\): 7 imported, 0 not imported$/m);
        assert.match(out.join("\n"), /\(5 type-6 keys to set by hand: see IMPORT-REPORT\.md\)/);
        const read = (f: string) => fs.readFileSync(path.join(work, "project", f), "utf8");
        const index = read("index.ts");
        for (const key of Object.keys(TYPED_KEYS)) assert.match(index, new RegExp(`cfg\\.requireSecret\\("${key}"\\)`));
        assert.equal((index.match(/^\/\/ TODO: crypto ikev2 keyring KR-MIXED peer /gm) ?? []).length, 5);
        assert.match(index, /address: "2001:DB8:9::9\/128"/, "the IPv6 peer as IOS spells it");
        assert.doesNotMatch(index, /Loopback0|Tunnel20|172\.16\.20|10\.20\.0\.0|0\.0\.0\.0|ops/, "nothing unrelated to IPsec");
        const report = read("IMPORT-REPORT.md");
        assert.match(report, /^## Not imported: 0$/m);
        assert.match(report, /^ {3}- `pulumi config set --secret edgeKrMixedBranchV6Psk`: edge: crypto ikev2 keyring KR-MIXED peer branch-v6 pre-shared-key$/m);
        for (const f of ["index.ts", "IMPORT-REPORT.md", "set-secrets.sh"]) {
            for (const secret of [...Object.values(KEYS), "Master-Key-123", "Ops-Secret-2026"]) assert.ok(!read(f).includes(secret), `${f} holds ${secret}`);
        }
        assert.ok(read("set-secrets.sh").includes(PASSWORD), "the login's password is set through the script");
    });

    it("adopting every declaration through the provider's handlers sends only the keyring's keys; nothing else changes", async () => {
        const before = await session((s) => s.exec("show running-config"));
        const imported = importRouter(readRunningConfig("edge", before));
        const byVariable = new Map(imported.declarations.map((d) => [d.variable, d]));
        router.received.length = 0;
        for (const d of imported.declarations) {
            const kind: ResourceKind = d.className;
            const model = declarationInput(d, byVariable, (key) => TYPED_KEYS[key]);
            const h = handlersFor(kind);
            const inputs = { connection: router.connection, credentials: router.credentials, adopt: true, ...inputsFromModel(registry[kind].secrets, structuredClone(model)) };
            const checked = await h.check({}, inputs);
            assert.deepStrictEqual(checked.failures, [], `${d.resourceName}: check failures`);
            await h.create(checked.inputs);
        }
        const sent = configLines(router.received);
        assert.ok(sent.some((l) => /pre-shared-key/.test(l)), `the keys are sent: ${sent.join(" | ")}`);
        assert.deepStrictEqual(
            sent.filter((l) => !/^(crypto ikev2 keyring KR-MIXED| ?peer \S+| *pre-shared-key .*)$/.test(l.trim())),
            [],
            "nothing but the keyring's keys is sent",
        );
        const after = await session((s) => s.exec("show running-config"));
        assert.equal(withoutCiphers(after), withoutCiphers(before));
    });
});
