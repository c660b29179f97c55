/**
 * What IOS prints when a tunnel is proven: `show crypto ikev2 sa`, `show crypto ipsec sa` and
 * `ping`, in the layout of IOS-XE (Cisco's documented samples) and of the emulator.
 */
import assert from "node:assert/strict";
import { ikev2LogLines, lastLogLine, loggedAfter, parseIosPing, parseShowCryptoIkev2Sa, parseShowCryptoIpsecSa } from "../../provider/ios/show-crypto";

const IKEV2_SA = ` IPv4 Crypto IKEv2  SA 

Tunnel-id Local                 Remote                fvrf/ivrf            Status 
1         198.51.100.1/500      203.0.113.7/4500      none/none            READY  
      Encr: AES-CBC, keysize: 256, PRF: SHA256, Hash: SHA256, DH Grp:14, Auth sign: PSK, Auth verify: PSK
      Life/Active Time: 86400/120 sec

2         198.51.100.1/500      192.0.2.50/500        none/none            IN-NEG 
      Encr: Unknown - 0, keysize: 0, PRF: Unknown - 0, Hash: None, DH Grp:0, Auth sign: Unknown - 0, Auth verify: Unknown - 0

 IPv6 Crypto IKEv2  SA 
`;

const IPSEC_SA = `
interface: Tunnel1
    Crypto map tag: Tunnel1-head-0, local addr 198.51.100.1

   protected vrf: (none)
   local  ident (addr/mask/prot/port): (0.0.0.0/0.0.0.0/0/0)
   remote ident (addr/mask/prot/port): (0.0.0.0/0.0.0.0/0/0)
   current_peer 203.0.113.7 port 500
     PERMIT, flags={origin_is_acl,}
    #pkts encaps: 12, #pkts encrypt: 12, #pkts digest: 12
    #pkts decaps: 11, #pkts decrypt: 11, #pkts verify: 11
    #pkts compressed: 0, #pkts decompressed: 0
    #pkts not compressed: 0, #pkts compr. failed: 0
    #pkts not decompressed: 0, #pkts decompress failed: 0
    #send errors 0, #recv errors 2

     local crypto endpt.: 198.51.100.1, remote crypto endpt.: 203.0.113.7
     plaintext mtu 1438, path mtu 1500, ip mtu 1500, ip mtu idb GigabitEthernet1
     current outbound spi: 0xC1E0B6D4(3252725460)
     PFS (Y/N): Y, DH group: group14

     inbound esp sas:
      spi: 0x6A6B2D7E(1785408894)
        transform: esp-256-aes esp-sha256-hmac ,
        in use settings ={Tunnel, }
        Status: ACTIVE(ACTIVE)

     inbound ah sas:

     inbound pcp sas:

     outbound esp sas:
      spi: 0xC1E0B6D4(3252725460)
        transform: esp-256-aes esp-sha256-hmac ,
        Status: ACTIVE(ACTIVE)

     outbound ah sas:

     outbound pcp sas:

interface: Tunnel2
    Crypto map tag: Tunnel2-head-0, local addr 198.51.100.1

   protected vrf: (none)
   local  ident (addr/mask/prot/port): (10.1.0.0/255.255.255.0/0/0)
   remote ident (addr/mask/prot/port): (10.3.0.0/255.255.255.0/0/0)
   current_peer 192.0.2.50 port 500
    #pkts encaps: 0, #pkts encrypt: 0, #pkts digest: 0
    #pkts decaps: 0, #pkts decrypt: 0, #pkts verify: 0
    #send errors 0, #recv errors 0
     current outbound spi: 0x0(0)
     PFS (Y/N): N, DH group: none

     inbound esp sas:

     outbound esp sas:
`;

describe("IOS show crypto and ping", () => {
    it("reads every IKEv2 SA row with its status and detail", () => {
        assert.deepEqual(parseShowCryptoIkev2Sa(IKEV2_SA), [
            {
                tunnelId: 1,
                local: "198.51.100.1",
                remote: "203.0.113.7",
                status: "READY",
                detail: "Encr: AES-CBC, keysize: 256, PRF: SHA256, Hash: SHA256, DH Grp:14, Auth sign: PSK, Auth verify: PSK",
            },
            { tunnelId: 2, local: "198.51.100.1", remote: "192.0.2.50", status: "IN-NEG", detail: "Encr: Unknown - 0, keysize: 0, PRF: Unknown - 0, Hash: None, DH Grp:0, Auth sign: Unknown - 0, Auth verify: Unknown - 0" },
        ]);
        assert.deepEqual(parseShowCryptoIkev2Sa(" IPv4 Crypto IKEv2  SA \n\n IPv6 Crypto IKEv2  SA \n"), []);
    });

    it("reads each tunnel's counters, SPIs, PFS and idents; a tunnel without SAs has no SPI", () => {
        const [t1, t2] = parseShowCryptoIpsecSa(IPSEC_SA);
        assert.deepEqual(t1, {
            interface: "Tunnel1",
            peer: "203.0.113.7",
            encaps: 12,
            decaps: 11,
            sendErrors: 0,
            receiveErrors: 2,
            inboundSpis: ["0x6A6B2D7E"],
            outboundSpis: ["0xC1E0B6D4"],
            pfsGroup: "group14",
            localIdents: ["0.0.0.0/0.0.0.0/0/0"],
            remoteIdents: ["0.0.0.0/0.0.0.0/0/0"],
        });
        assert.equal(t2.interface, "Tunnel2");
        assert.deepEqual([t2.inboundSpis, t2.outboundSpis, t2.pfsGroup], [[], [], undefined]);
        assert.deepEqual(t2.remoteIdents, ["10.3.0.0/255.255.255.0/0/0"]);
    });

    it("reads ping's summary and marks; a refused ping has none", () => {
        const ok = "Type escape sequence to abort.\nSending 5, 100-byte ICMP Echos to 10.2.0.1, timeout is 2 seconds:\nPacket sent with a source address of 10.1.0.1 \n!!!!!\nSuccess rate is 100 percent (5/5), round-trip min/avg/max = 1/2/4 ms";
        assert.deepEqual(parseIosPing(ok), { successRate: 100, received: 5, sent: 5, marks: "!!!!!" });
        assert.deepEqual(parseIosPing("Sending 5, 100-byte ICMP Echos to 10.4.0.1, timeout is 2 seconds:\n..U.U\nSuccess rate is 0 percent (0/5)"), {
            successRate: 0,
            received: 0,
            sent: 5,
            marks: "..U.U",
        });
        assert.equal(parseIosPing("% Invalid source address- IP address not on any of our up interfaces"), undefined);
    });

    it("keeps the IKEv2 lines of show logging", () => {
        const log = "*Nov 28 21:00:00.000: %SYS-5-CONFIG_I: Configured from console by admin on vty0 (198.18.0.1)\n*Nov 28 21:00:01.000: IKEv2:(SESSION ID = 3,SA ID = 3):Session with IKE ID PAIR (203.0.113.7, 198.51.100.1) is UP\n";
        assert.deepEqual(ikev2LogLines(log), ["*Nov 28 21:00:01.000: IKEv2:(SESSION ID = 3,SA ID = 3):Session with IKE ID PAIR (203.0.113.7, 198.51.100.1) is UP"]);
    });

    it("takes the lines logged after a mark, also when the buffer is full and old entries left it", () => {
        const show = (entries: string[]) => ["Syslog logging: enabled", "", `    Buffer logging:  level debugging, ${entries.length} messages logged`, "", "Log Buffer (4096 bytes):", "", ...entries].join("\r\n");
        const entry = (n: number) => `*Nov 28 21:00:${String(n).padStart(2, "0")}.000: IKEv2:(SESSION ID = ${n},SA ID = ${n}):Sending AUTHENTICATION_FAILED notify`;
        const empty = lastLogLine(show([]));
        assert.deepEqual(loggedAfter(show([entry(1)]), empty), [entry(1)], "from an empty buffer");
        const mark = lastLogLine(show([entry(1), entry(2), entry(3)]));
        // A ring of three: as many lines as before, the old failure is not taken for a new one.
        assert.deepEqual(loggedAfter(show([entry(3), entry(4), entry(5)]), mark), [entry(4), entry(5)]);
        assert.deepEqual(loggedAfter(show([entry(3)]), mark), [], "nothing new");
        assert.deepEqual(loggedAfter(show([entry(7), entry(8), entry(9)]), mark), [entry(7), entry(8), entry(9)], "the mark left the buffer: every entry is new");
    });
});
