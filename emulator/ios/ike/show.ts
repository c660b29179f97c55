/**
 * `show crypto ikev2 sa`, `show crypto ipsec sa` and `show crypto ikev2 profile`
 * in IOS-XE's layout, from the running-config and charon's `swanctl --list-sas --raw`.
 */
import { RunningConfig } from "../config";
import { IkeAgent } from "./agent";
import { DH, ENCR, fromCharon, INTEG, PRF, TransformType } from "./algorithms";
import { asCount as num, asList as strs, asSection as tree, asText as str, RawSection } from "./swanctl-raw";

/** How IOS names an algorithm charon negotiated; charon's own name if the table has no row for it. */
function iosName(type: TransformType, charon: string, keySize?: string): string {
    return fromCharon(type, charon, keySize)?.iosShow ?? charon;
}

const STATUS: Record<string, string> = { ESTABLISHED: "READY", CONNECTING: "IN-NEG", REKEYING: "READY", DELETING: "DELETE" };

export async function showIkev2Sa(agent: IkeAgent | undefined): Promise<string> {
    const lines = [" IPv4 Crypto IKEv2  SA ", ""];
    const all = agent ? (await agent.listSas()).filter((x) => agent.tunnels.some((t) => t.name === x.name)) : [];
    if (all.length) lines.push("Tunnel-id Local                 Remote                fvrf/ivrf            Status ");
    for (const { name, sa } of all) {
        const local = `${str(sa["local-host"])}/${str(sa["local-port"]) || "500"}`;
        const remote = `${str(sa["remote-host"])}/${str(sa["remote-port"]) || "500"}`;
        const status = STATUS[str(sa.state)] ?? str(sa.state);
        lines.push(`${str(sa.uniqueid).padEnd(10)}${local.padEnd(22)}${remote.padEnd(22)}${"none/none".padEnd(21)}${status} `);
        const keysize = str(sa["encr-keysize"]);
        const encr = iosName(ENCR, str(sa["encr-alg"]), keysize);
        const prf = iosName(PRF, str(sa["prf-alg"]));
        const hash = sa["integ-alg"] ? iosName(INTEG, str(sa["integ-alg"])) : "None";
        const dh = iosName(DH, str(sa["dh-group"]));
        lines.push(`      Encr: ${encr}, keysize: ${keysize}, PRF: ${prf}, Hash: ${hash}, DH Grp:${dh}, Auth sign: PSK, Auth verify: PSK`);
        lines.push(`      Life/Active Time: ${agent!.lifetimes.get(name) ?? 86400}/${num(sa.established)} sec`);
        lines.push(`      CE id: 0, Session-id: ${str(sa.uniqueid)}`);
        lines.push(`      Local spi: ${str(sa["initiator" in sa && sa.initiator === "yes" ? "initiator-spi" : "responder-spi"]).toUpperCase()}       Remote spi: ${str(sa[sa.initiator === "yes" ? "responder-spi" : "initiator-spi"]).toUpperCase()}`);
        lines.push("");
    }
    lines.push("", " IPv6 Crypto IKEv2  SA ", "");
    return lines.join("\n");
}

/** `0.0.0.0/0` -> `0.0.0.0/0.0.0.0/0/0` as IOS prints an ident. */
function ident(ts: string | undefined): string {
    const [addr, len] = (ts ?? "0.0.0.0/0").split("/");
    const n = Number(len ?? 32);
    const mask = n === 0 ? 0 : (0xffffffff << (32 - n)) >>> 0;
    const dotted = [24, 16, 8, 0].map((s) => (mask >>> s) & 255).join(".");
    return `(${addr}/${dotted}/0/0)`;
}

/**
 * The ident lines of what was negotiated: one per selector. IOS's VTI shows one 0/0 pair; the
 * emulator proposes the routed prefixes (README) and a peer may narrow to several subnets.
 */
function idents(side: "local " | "remote", ts: string[]): string[] {
    return (ts.length ? ts : [undefined]).map((t) => `   ${side} ident (addr/mask/prot/port): ${ident(t)}`);
}

function spi(hex: string): string {
    return `0x${hex.toUpperCase()}(${parseInt(hex, 16)})`;
}

/** `transform: esp-256-aes esp-sha256-hmac ,` as IOS prints an SA's transform. */
function transform(child: RawSection): string {
    const enc = str(child["encr-alg"]);
    const size = str(child["encr-keysize"]);
    const words = [enc.startsWith("AES_GCM") ? `esp-gcm ${size}` : `esp-${size}-aes`];
    const integ = str(child["integ-alg"]);
    if (integ) words.push(fromCharon(INTEG, integ)?.iosTransform ?? integ);
    return words.join(" ") + " ,";
}

export async function showIpsecSa(agent: IkeAgent | undefined, c: RunningConfig): Promise<string> {
    if (!agent) return "";
    const all = await agent.listSas();
    const out: string[] = [];
    for (const t of agent.tunnels) {
        const tag = `${t.name}-head-0`;
        const children = all
            .filter((x) => x.name === t.name)
            .flatMap((x) => Object.values(tree(x.sa["child-sas"])).map(tree))
            .filter((ch) => str(ch.state) === "INSTALLED" || str(ch.state) === "REKEYING" || str(ch.state) === "REKEYED");
        const first = children[0];
        const sum = (k: string) => children.reduce((a, ch) => a + num(ch[k]), 0);
        const encaps = sum("packets-out");
        const decaps = sum("packets-in");
        const source = c.interfaces.get(t.name)?.tunnelSource;
        const pfs = first?.["dh-group"] ? `Y, DH group: ${fromCharon(DH, str(first["dh-group"]))?.iosPfs ?? str(first["dh-group"])}` : "N, DH group: none";
        out.push(
            "",
            `interface: ${t.name}`,
            `    Crypto map tag: ${tag}, local addr ${t.local}`,
            "",
            "   protected vrf: (none)",
            ...idents("local ", strs(first?.["local-ts"])),
            ...idents("remote", strs(first?.["remote-ts"])),
            `   current_peer ${t.remote} port 500`,
            "     PERMIT, flags={origin_is_acl,}",
            `    #pkts encaps: ${encaps}, #pkts encrypt: ${encaps}, #pkts digest: ${encaps}`,
            `    #pkts decaps: ${decaps}, #pkts decrypt: ${decaps}, #pkts verify: ${decaps}`,
            "    #pkts compressed: 0, #pkts decompressed: 0",
            "    #pkts not compressed: 0, #pkts compr. failed: 0",
            "    #pkts not decompressed: 0, #pkts decompress failed: 0",
            "    #send errors 0, #recv errors 0",
            "",
            `     local crypto endpt.: ${t.local}, remote crypto endpt.: ${t.remote}`,
            `     plaintext mtu 1438, path mtu 1500, ip mtu 1500, ip mtu idb ${source && !/^\d/.test(source) ? source : "(none)"}`,
            `     current outbound spi: ${first ? spi(str(first["spi-out"])) : "0x0(0)"}`,
            `     PFS (Y/N): ${pfs}`,
            "",
            "     inbound esp sas:",
        );
        const saBlock = (ch: RawSection, dir: "in" | "out") => [
            `      spi: ${spi(str(ch[`spi-${dir}`]))}`,
            `        transform: ${transform(ch)}`,
            "        in use settings ={Tunnel, }",
            `        conn id: ${2000 + num(ch.uniqueid)}, flow_id: CSR:${num(ch.uniqueid)}, sibling_flags FFFFFFFF80000048, crypto map: ${tag}`,
            `        sa timing: remaining key lifetime (sec): (${num(ch["life-time"])})`,
            "        IV size: 16 bytes",
            "        replay detection support: Y",
            "        Status: ACTIVE(ACTIVE)",
            "",
        ];
        for (const ch of children) out.push(...saBlock(ch, "in"));
        out.push("     inbound ah sas:", "", "     inbound pcp sas:", "", "     outbound esp sas:");
        for (const ch of children) out.push(...saBlock(ch, "out"));
        out.push("     outbound ah sas:", "", "     outbound pcp sas:");
    }
    return out.join("\n");
}

export function showIkev2Profile(c: RunningConfig): string {
    const out: string[] = [];
    for (const p of c.profiles.values()) {
        const refs = [...c.ipsecProfiles.values()].filter((i) => i.ikev2Profile === p.name).length;
        const dpd = p.dpd ? p.dpd.split(/\s+/) : undefined;
        out.push(
            "",
            `IKEv2 profile: ${p.name}`,
            ` Ref Count: ${refs}`,
            " Match criteria: ",
            `  Fvrf: ${p.fvrf ?? "global"}`,
            `  Local address/interface: ${p.localAddress ?? "none"}`,
            "  Identities: ",
            ...(p.matchIdentities.length ? p.matchIdentities.map((m) => `   ${m}`) : ["   none"]),
            "  Certificate maps: none",
            ` Local identifier: ${p.identityLocal ?? "none"}`,
            " Remote identifier: none",
            ` Local authentication method: ${p.authLocal ?? "none"}`,
            ` Remote authentication method(s): ${p.authRemote ?? "none"}`,
            " EAP options: none",
            ` Keyring: ${p.keyringLocal ?? "none"}`,
            " Trustpoint(s): none",
            ` Lifetime: ${p.lifetime ?? "86400"} seconds`,
            ` DPD: ${dpd ? `interval ${dpd[0]}, retry ${dpd[1]}, ${dpd[2]}` : "disabled"}`,
            " NAT-keepalive: disabled",
            ` Ivrf: ${p.ivrf ?? "none"}`,
            " Virtual-template: none",
            " mode auto: none",
            " AAA AnyConnect EAP authentication mapping: none",
        );
    }
    return out.join("\n");
}
