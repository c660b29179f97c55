/**
 * The emulated IOS negotiates IKEv2 for real (emulator/ios/ike): configs go onto the emulators over
 * SSH as an operator would type them, strongSwan configs onto vps over SSH; charon does the rest.
 * Assumes `bash lab/lab.sh up` ran (the IOS sites' emulator.json has `ike` enabled); runs as root.
 */
import assert from "assert";
import { randomBytes } from "crypto";
import { counters, home, ios, iosRemove, iosShow, iosTunnel, labExec, LabHost, parents, settled, sshHost, vps, vpsSwanctlConf, waitFor } from "./ios-lab-helpers";

describe("IOS emulator drives its charon (IKEv2 for real)", function () {
    this.timeout(120000);

    describe("home <-> vps (strongSwan)", () => {
        const CONN = "iostest";
        const FILE = `/etc/swanctl/conf.d/${CONN}.conf`;
        const KEY = "ikt" + randomBytes(12).toString("hex");
        let beforeConfig = "";

        // vps answers home's 0.0.0.0/0 proposal with its LAN pair (narrowing): a 0.0.0.0/0 child on
        // vps would pull all of vps's traffic into ipsec0 and disturb other tests on the shared lab.
        const vpsConf = vpsSwanctlConf(CONN, { remoteTs: home.lan, esp: "aes256-sha256", key: KEY });

        async function cleanUp(): Promise<void> {
            await ios(home, iosRemove("Tunnel1", vps.lan));
            await sshHost(vps, `swanctl --terminate --ike ${CONN} >/dev/null 2>&1; rm -f ${FILE}; swanctl --load-all >/dev/null 2>&1; true`);
            await labExec("home", "swanctl", "--terminate", "--ike", "Tunnel1");
            await settled("home", "Tunnel1");
        }

        before(async () => {
            beforeConfig = await iosShow(home, "show running-config");
            const put = await sshHost(vps, `umask 077; cat > ${FILE} && swanctl --load-all 2>/dev/null`, vpsConf);
            assert.strictEqual(put.code, 0, put.stderr);
            assert.match(put.stdout, new RegExp(`loaded connection '${CONN}'`));
        });
        after(async () => {
            await cleanUp();
            const now = await iosShow(home, "show running-config");
            const body = (t: string) => t.replace(/^[\s\S]*?\n!\n/, "").replace(/#\s*$/, "");
            assert.strictEqual(body(now), body(beforeConfig), "home's running-config differs from before the tests");
        });

        it("the story's mistake: `peer 203.0.113.7` without `address` -> AUTHENTICATION_FAILED, no SA, debug names the missing key", async () => {
            const out = await ios(home, ["debug crypto ikev2", ...iosTunnel({ tunnel: "Tunnel1", local: home.wan, remote: vps.wan, remoteLan: vps.lan, peerLines: [], key: KEY })]);
            assert.match(out[0], /IKEv2 default debugging is on/);
            const conf = await waitFor("home's swanctl file with Tunnel1", async () => {
                const r = await labExec("home", "cat", "/etc/swanctl/conf.d/ios-emulator.conf");
                return /Tunnel1 \{/.test(r.stdout) ? r.stdout : undefined;
            });
            assert.doesNotMatch(conf, /secret =/, "a key was handed to charon although no keyring peer matches the address");
            // vps initiates: home's charon (responder) finds no key and answers AUTHENTICATION_FAILED.
            // The debug relay subscribes to charon's log asynchronously, so an attempt made before it
            // listens leaves no relayed line: every attempt must fail the same way; retry until relayed.
            const log = await waitFor("the debug lines", async () => {
                const init = await sshHost(vps, `swanctl --initiate --child ${CONN} --timeout 15 2>&1`);
                assert.match(init.stdout, /AUTHENTICATION_FAILED/, init.stdout);
                assert.match(init.stdout, /initiate failed/, init.stdout);
                const sas = await sshHost(vps, `swanctl --list-sas --ike ${CONN} --raw 2>/dev/null`);
                assert.doesNotMatch(sas.stdout, /state=ESTABLISHED/);
                const l = await iosShow(home, "show logging");
                // The relayed line from charon itself, not only the emulator's own lookup lines.
                return /Failed to locate an item in the database \(no matching pre-shared key for peer 203\.0\.113\.7\)/.test(l) ? l : undefined;
            }, 60000);
            assert.match(log, /peer 203\.0\.113\.7 is only a label/);
            // charon's own log, relayed while debugging: the responder found no key for vps's IKE_AUTH.
            assert.match(log, /Failed to locate an item in the database \(no matching pre-shared key for peer 203\.0\.113\.7\)/);
            const ikeSa = await iosShow(home, "show crypto ikev2 sa");
            assert.doesNotMatch(ikeSa, /READY/);
        });

        it("with `address 203.0.113.7` the tunnel comes up: READY, CHILD INSTALLED, LAN ping passes, counters grow", async () => {
            await ios(home, ["configure terminal", "crypto ikev2 keyring IKT-KR", " peer 203.0.113.7", "  address 203.0.113.7", "end"]);
            const ikeSa = await waitFor("READY in show crypto ikev2 sa", async () => {
                const s = await iosShow(home, "show crypto ikev2 sa");
                return /READY/.test(s) ? s : undefined;
            });
            // kernel-libipsec only does UDP-encapsulated ESP, so charon floats IKE to 4500 (IOS would stay on 500).
            assert.match(ikeSa, /198\.51\.100\.1\/(500|4500)\s+203\.0\.113\.7\/(500|4500)\s+none\/none\s+READY/);
            assert.match(ikeSa, /Encr: AES-CBC, keysize: 256, PRF: SHA256, Hash: SHA256, DH Grp:14, Auth sign: PSK, Auth verify: PSK/);
            assert.match(ikeSa, /Life\/Active Time: 86400\/\d+ sec/);
            const raw = await waitFor("CHILD_SA installed on vps", async () => {
                const r = await sshHost(vps, `swanctl --list-sas --ike ${CONN} --raw 2>/dev/null`);
                return /state=ESTABLISHED/.test(r.stdout) && /state=INSTALLED/.test(r.stdout) ? r.stdout : undefined;
            });
            assert.match(raw, /remote-id=198\.51\.100\.1/);
            const route = await labExec("home", "ip", "route", "show", vps.lan);
            assert.match(route.stdout, /dev ipsec0 .*src 10\.1\.0\.1/);
            const before = counters(await iosShow(home, "show crypto ipsec sa"));
            const ping = await labExec("home", "ping", "-c3", "-i0.2", "-W2", "-I", home.lanAddress, vps.lanAddress);
            assert.strictEqual(ping.code, 0, ping.stdout + ping.stderr);
            const ipsecSa = await iosShow(home, "show crypto ipsec sa");
            assert.match(ipsecSa, /interface: Tunnel1/);
            assert.match(ipsecSa, /Crypto map tag: Tunnel1-head-0, local addr 198\.51\.100\.1/);
            assert.match(ipsecSa, /inbound esp sas:\n {6}spi: 0x[0-9A-F]+\(\d+\)/);
            const after = counters(ipsecSa);
            assert.ok(after.encaps >= before.encaps + 3, `encaps ${before.encaps} -> ${after.encaps}`);
            assert.ok(after.decaps >= before.decaps + 3, `decaps ${before.decaps} -> ${after.decaps}`);
            const profile = await iosShow(home, "show crypto ikev2 profile");
            assert.match(profile, /IKEv2 profile: IKT-PROF-Tunnel1\n Ref Count: 1/);
            assert.match(profile, /Keyring: IKT-KR/);
            assert.match(profile, /DPD: interval 10, retry 2, periodic/);
        });

        it("removing the tunnel removes its route and its SA (as IOS does with tunnel protection)", async () => {
            await ios(home, ["configure terminal", `no ip route ${vps.lan.split("/")[0]} 255.255.255.0 Tunnel1`, "no interface Tunnel1", "end"]);
            await waitFor("the route to be gone", async () => {
                const r = await labExec("home", "ip", "route", "show", vps.lan);
                return r.stdout.trim() === "" ? true : undefined;
            });
            await waitFor("the SA to be gone on vps", async () => {
                const r = await sshHost(vps, `swanctl --list-sas --ike ${CONN} --raw 2>/dev/null`);
                return /state=ESTABLISHED/.test(r.stdout) ? undefined : true;
            });
            const s = await iosShow(home, "show crypto ikev2 sa");
            assert.doesNotMatch(s, /READY/);
        });
    });

    describe("home <-> parents (IOS to IOS)", () => {
        const KEY = "ikt" + randomBytes(12).toString("hex");

        async function cleanUp(): Promise<void> {
            await ios(home, iosRemove("Tunnel2", parents.lan));
            await ios(parents, iosRemove("Tunnel2", home.lan));
            await settled("home", "Tunnel2");
            await settled("parents", "Tunnel2");
        }
        after(cleanUp);

        it("both routers configured by IOS rules: IKE READY on both, LAN pings pass both ways", async () => {
            await ios(home, iosTunnel({ tunnel: "Tunnel2", local: home.wan, remote: parents.wan, remoteLan: parents.lan, peerLines: [`address ${parents.wan}`], key: KEY }));
            await ios(parents, iosTunnel({ tunnel: "Tunnel2", local: parents.wan, remote: home.wan, remoteLan: home.lan, peerLines: [`address ${home.wan}`], key: KEY }));
            for (const h of [home, parents])
                await waitFor(`READY on ${h.wan}`, async () => ((/READY/.test(await iosShow(h, "show crypto ikev2 sa"))) ? true : undefined));
            const there = await waitFor("ping home -> parents", async () => {
                const r = await labExec("home", "ping", "-c3", "-i0.2", "-W2", "-I", home.lanAddress, parents.lanAddress);
                return r.code === 0 ? r : undefined;
            });
            assert.match(there.stdout, /3 received/);
            const back = await labExec("parents", "ping", "-c3", "-i0.2", "-W2", "-I", parents.lanAddress, home.lanAddress);
            assert.strictEqual(back.code, 0, back.stdout + back.stderr);
            const sa = await iosShow(parents, "show crypto ipsec sa");
            // Each side proposes 0/0 <-> its routed prefix and the other narrows the 0/0 (README).
            assert.match(sa, /local {2}ident \(addr\/mask\/prot\/port\): \(10\.3\.0\.0\/255\.255\.255\.0\/0\/0\)/);
            assert.match(sa, /remote ident \(addr\/mask\/prot\/port\): \(10\.1\.0\.0\/255\.255\.255\.0\/0\/0\)/);
            assert.ok(counters(sa).decaps >= 3, sa);
        });
    });

    describe("the story's hub: home with Tunnel1 to vps and Tunnel2 to parents", () => {
        const CONN = "iosthub";
        const FILE = `/etc/swanctl/conf.d/${CONN}.conf`;
        // One key per peer: the keyring must pick each by the peer's address (the labels are names).
        const KEY_VPS = "ikt" + randomBytes(12).toString("hex");
        const KEY_PARENTS = "ikt" + randomBytes(12).toString("hex");
        const net = (lan: string) => lan.split("/")[0];
        let homeBefore = "";
        let parentsBefore = "";

        // vps reaches both LANs behind the hub through its one tunnel to home.
        const vpsConf = vpsSwanctlConf(CONN, { remoteTs: `${home.lan},${parents.lan}`, esp: "aes256-sha256-modp2048", extraChild: "start_action = trap", key: KEY_VPS });

        /** An IKEv2 profile and IPsec profile per peer, as the story's operator typed them. */
        function peerProfiles(local: string, name: string, remote: string): string[] {
            return [
                `crypto ikev2 profile IKT-PROF-${name}`,
                ` match identity remote address ${remote} 255.255.255.255`,
                ` identity local address ${local}`,
                " authentication remote pre-share",
                " authentication local pre-share",
                " keyring local KR",
                " dpd 10 2 periodic",
                `crypto ipsec profile IKT-IPSEC-${name}`,
                " set transform-set IKT-TS",
                " set pfs group14",
                ` set ikev2-profile IKT-PROF-${name}`,
            ];
        }

        function vti(tunnel: string, address: string, remote: string, name: string): string[] {
            return [
                `interface ${tunnel}`,
                ` ip address ${address} 255.255.255.252`,
                " tunnel source GigabitEthernet1",
                " tunnel mode ipsec ipv4",
                ` tunnel destination ${remote}`,
                ` tunnel protection ipsec profile IKT-IPSEC-${name}`,
            ];
        }

        const common = [
            "configure terminal",
            "crypto ikev2 proposal IKT-PROP",
            " encryption aes-cbc-256",
            " integrity sha256",
            " group 14",
            "crypto ikev2 policy IKT-POL",
            " proposal IKT-PROP",
            "crypto ipsec transform-set IKT-TS esp-aes 256 esp-sha256-hmac",
            " mode tunnel",
        ];

        const homeConfig = [
            ...common,
            "crypto ikev2 keyring KR",
            " peer vps",
            `  address ${vps.wan}`,
            `  pre-shared-key ${KEY_VPS}`,
            " peer parents",
            `  address ${parents.wan}`,
            `  pre-shared-key ${KEY_PARENTS}`,
            ...peerProfiles(home.wan, "vps", vps.wan),
            ...peerProfiles(home.wan, "parents", parents.wan),
            ...vti("Tunnel1", "172.16.0.1", vps.wan, "vps"),
            ...vti("Tunnel2", "172.16.0.5", parents.wan, "parents"),
            `ip route ${net(vps.lan)} 255.255.255.0 Tunnel1`,
            `ip route ${net(parents.lan)} 255.255.255.0 Tunnel2`,
            "end",
        ];

        const parentsConfig = [
            ...common,
            "crypto ikev2 keyring KR",
            " peer home",
            `  address ${home.wan}`,
            `  pre-shared-key ${KEY_PARENTS}`,
            ...peerProfiles(parents.wan, "home", home.wan),
            ...vti("Tunnel1", "172.16.0.6", home.wan, "home"),
            `ip route ${net(home.lan)} 255.255.255.0 Tunnel1`,
            `ip route ${net(vps.lan)} 255.255.255.0 Tunnel1`,
            "end",
        ];

        const uncommon = [
            "no crypto ipsec transform-set IKT-TS",
            "no crypto ikev2 keyring KR",
            "no crypto ikev2 policy IKT-POL",
            "no crypto ikev2 proposal IKT-PROP",
            "end",
        ];

        async function cleanUp(): Promise<void> {
            await ios(home, [
                "configure terminal",
                `no ip route ${net(vps.lan)} 255.255.255.0 Tunnel1`,
                `no ip route ${net(parents.lan)} 255.255.255.0 Tunnel2`,
                "no interface Tunnel1",
                "no interface Tunnel2",
                "no crypto ipsec profile IKT-IPSEC-vps",
                "no crypto ipsec profile IKT-IPSEC-parents",
                "no crypto ikev2 profile IKT-PROF-vps",
                "no crypto ikev2 profile IKT-PROF-parents",
                ...uncommon,
            ]);
            await ios(parents, [
                "configure terminal",
                `no ip route ${net(home.lan)} 255.255.255.0 Tunnel1`,
                `no ip route ${net(vps.lan)} 255.255.255.0 Tunnel1`,
                "no interface Tunnel1",
                "no crypto ipsec profile IKT-IPSEC-home",
                "no crypto ikev2 profile IKT-PROF-home",
                ...uncommon,
            ]);
            await sshHost(vps, `swanctl --terminate --ike ${CONN} >/dev/null 2>&1; rm -f ${FILE}; swanctl --load-all >/dev/null 2>&1; true`);
            await settled("home", "Tunnel1");
            await settled("home", "Tunnel2");
            await settled("parents", "Tunnel1");
        }

        before(async () => {
            homeBefore = await iosShow(home, "show running-config");
            parentsBefore = await iosShow(parents, "show running-config");
            const put = await sshHost(vps, `umask 077; cat > ${FILE} && swanctl --load-all 2>/dev/null`, vpsConf);
            assert.strictEqual(put.code, 0, put.stderr);
            assert.match(put.stdout, new RegExp(`loaded connection '${CONN}'`));
        });
        after(async () => {
            await cleanUp();
            const body = (t: string) => t.replace(/^[\s\S]*?\n!\n/, "").replace(/#\s*$/, "");
            assert.strictEqual(body(await iosShow(home, "show running-config")), body(homeBefore), "home's running-config differs from before the test");
            assert.strictEqual(body(await iosShow(parents, "show running-config")), body(parentsBefore), "parents' running-config differs from before the test");
            const left = await sshHost(vps, `test -e ${FILE}; echo $?`);
            assert.strictEqual(left.stdout.trim(), "1", `${FILE} is still on vps`);
        });

        /** `show crypto ipsec sa`'s block of one tunnel interface. */
        const block = (text: string, tunnel: string) => text.split(/\ninterface: /).find((b) => b.startsWith(`${tunnel}\n`)) ?? "";
        const iosCounters = async (h: LabHost, tunnel: string) => counters(block(await iosShow(h, "show crypto ipsec sa"), tunnel));
        const vpsCounters = async () => {
            const raw = (await sshHost(vps, `swanctl --list-sas --ike ${CONN} --raw 2>/dev/null`)).stdout;
            const sum = (k: string) => [...raw.matchAll(new RegExp(`${k}=(\\d+)`, "g"))].reduce((a, m) => a + Number(m[1]), 0);
            return { in: sum("packets-in"), out: sum("packets-out") };
        };
        const ping = (site: string, from: string, to: string) => labExec(site, "ping", "-c3", "-i0.2", "-W2", "-I", from, to);

        it("the story's hub: all three LANs reach each other through home", async () => {
            await ios(home, homeConfig);
            await ios(parents, parentsConfig);
            for (const [h, site] of [[home, "home"], [parents, "parents"]] as const)
                await waitFor(`IKE READY on ${site}`, async () => {
                    const s = await iosShow(h, "show crypto ikev2 sa");
                    return (s.match(/READY/g) ?? []).length >= (site === "home" ? 2 : 1) ? true : undefined;
                });
            // Each keyring peer's key was picked by address: two tunnels, two different keys.
            const conf = (await labExec("home", "cat", "/etc/swanctl/conf.d/ios-emulator.conf")).stdout;
            assert.ok(conf.includes(KEY_VPS) && conf.includes(KEY_PARENTS), "home's charon lacks a key");
            assert.match(conf, /remote_ts = 10\.2\.0\.0\/24\n/);
            assert.match(conf, /remote_ts = 10\.3\.0\.0\/24\n/);

            const homeT1 = await iosCounters(home, "Tunnel1");
            const homeT2 = await iosCounters(home, "Tunnel2");
            const parentsT1 = await iosCounters(parents, "Tunnel1");
            const vpsBefore = await vpsCounters();

            // home <-> vps and home <-> parents: each tunnel by itself (the first may wait for its CHILD_SA).
            for (const [site, from, to] of [
                ["home", home.lanAddress, vps.lanAddress],
                ["home", home.lanAddress, parents.lanAddress],
            ] as const)
                await waitFor(`ping ${from} -> ${to}`, async () => ((await ping(site, from, to)).code === 0 ? true : undefined));
            for (const [site, from, to] of [
                ["vps", vps.lanAddress, home.lanAddress],
                ["parents", parents.lanAddress, home.lanAddress],
                // Through the hub: in on one tunnel, forwarded by home, out on the other.
                ["parents", parents.lanAddress, vps.lanAddress],
                ["vps", vps.lanAddress, parents.lanAddress],
            ] as const) {
                const r = await ping(site, from, to);
                assert.strictEqual(r.code, 0, `${site}: ping -I ${from} ${to}\n${r.stdout}${r.stderr}`);
                assert.match(r.stdout, /3 received/);
            }

            // Each direction of the transit pings passed home's two tunnels; parents and vps saw them too.
            const homeT1After = await iosCounters(home, "Tunnel1");
            const homeT2After = await iosCounters(home, "Tunnel2");
            const parentsT1After = await iosCounters(parents, "Tunnel1");
            const vpsAfter = await vpsCounters();
            const grew = (what: string, a: number, b: number, by: number) => assert.ok(b >= a + by, `${what}: ${a} -> ${b}`);
            // home<->vps 6 echo requests + replies, transit 6 more each way.
            grew("home Tunnel1 encaps", homeT1.encaps, homeT1After.encaps, 12);
            grew("home Tunnel1 decaps", homeT1.decaps, homeT1After.decaps, 12);
            grew("home Tunnel2 encaps", homeT2.encaps, homeT2After.encaps, 12);
            grew("home Tunnel2 decaps", homeT2.decaps, homeT2After.decaps, 12);
            grew("parents Tunnel1 encaps", parentsT1.encaps, parentsT1After.encaps, 12);
            grew("parents Tunnel1 decaps", parentsT1.decaps, parentsT1After.decaps, 12);
            grew("vps packets-out", vpsBefore.out, vpsAfter.out, 12);
            grew("vps packets-in", vpsBefore.in, vpsAfter.in, 12);

            // What was negotiated shows as idents: home's tunnels lead to one LAN each; parents
            // reaches home's LAN and vps's LAN through its one tunnel.
            const homeSa = await iosShow(home, "show crypto ipsec sa");
            assert.match(block(homeSa, "Tunnel1"), /remote ident \(addr\/mask\/prot\/port\): \(10\.2\.0\.0\/255\.255\.255\.0\/0\/0\)/);
            assert.match(block(homeSa, "Tunnel2"), /remote ident \(addr\/mask\/prot\/port\): \(10\.3\.0\.0\/255\.255\.255\.0\/0\/0\)/);
            const parentsSa = block(await iosShow(parents, "show crypto ipsec sa"), "Tunnel1");
            assert.match(parentsSa, /remote ident \(addr\/mask\/prot\/port\): \(10\.1\.0\.0\/255\.255\.255\.0\/0\/0\)/);
            assert.match(parentsSa, /remote ident \(addr\/mask\/prot\/port\): \(10\.2\.0\.0\/255\.255\.255\.0\/0\/0\)/);
        });
    });
});
