/** One charon log message (`swanctl --log --raw`): its text and the IKE_SA it concerns, if any. */
export interface CharonLog {
    msg: string;
    /** `ikesa-uniqueid`: IOS's SESSION ID / SA ID in the debug tag. */
    ikeSaId?: string;
}

/**
 * charon's log (as `swanctl --log --raw` delivers it) rewritten as the `debug crypto ikev2` lines an IOS
 * router prints for the same event, so that `show logging` on the emulated router carries what a
 * diagnosis needs, by cause: authentication failed, no proposal chosen (IKE and ESP), traffic
 * selectors unacceptable, DH group mismatch, peer not responding, no matching profile. Which IOS
 * lines are confirmed and which are the closest form: README.md ("Diagnosis").
 */

/**
 * One translator per charon (one relay): it remembers which IKE_SAs are established, because
 * charon says "no acceptable proposal found" for both the IKE proposal (IKE_SA_INIT) and the ESP
 * proposal (inside IKE_AUTH, after the IKE_SA is up), and IOS words the two differently.
 */
export class IosDebugTranslator {
    private readonly established = new Set<string>();

    /** The IOS debug lines for one charon log line (none if IOS prints nothing like it). */
    translate(log: CharonLog): string[] {
        const line = log.msg;
        const id = log.ikeSaId ?? "";
        const tag = id ? `(SESSION ID = ${id},SA ID = ${id})` : "";
        const ok = `IKEv2:${tag}:`;
        const err = `IKEv2-ERROR:${tag}:: `;
        let m: RegExpExecArray | null;

        // Authentication.
        if ((m = /no shared key found for '([^']*)' - '([^']*)'/.exec(line)))
            return [`${err}Failed to locate an item in the database (no matching pre-shared key for peer ${m[2]})`];
        if (/received AUTHENTICATION_FAILED notify error/.test(line)) return [`${err}Failed to authenticate the IKE SA`, `${err}Auth exchange failed`];
        if ((m = /tried \d+ shared keys? for '([^']*)' - '([^']*)', but MAC mismatched/.exec(line)))
            return [`${ok}Verification of peer's authenctication data FAILED (peer ${m[2]})`, `${err}Failed to authenticate the IKE SA`, `${err}Auth exchange failed`];
        if (/generating IKE_AUTH response .*N\(AUTH_FAILED\)/.test(line)) return [`${ok}Sending AUTHENTICATION_FAILED notify`];
        if (/no matching peer config found/.test(line)) return ["IKEv2:% IKEv2 profile not found", `${err}Auth exchange failed`];

        // Proposals.
        if (/received NO_PROPOSAL_CHOSEN notify error/.test(line)) return [`${err}Received no proposal chosen notify`];
        if (/received NO_PROPOSAL_CHOSEN notify, no CHILD_SA built/.test(line))
            return [`${ok}Received Packet: IKEv2 IKE_AUTH Exchange RESPONSE, Payload contents: VID IDr AUTH NOTIFY(NO_PROPOSAL_CHOSEN)`, `${ok}Process auth response notify`];
        if (/received proposals unacceptable/.test(line)) return [`IKEv2-ERROR:${tag}:Received Policies: : Failed to find a matching policy`, `${ok}Sending no proposal chosen notify`];
        if (/no acceptable proposal found/.test(line))
            return this.established.has(id)
                ? [`IKEv2-ERROR:${tag}:Received Policies: ESP: : Failed to find a matching policy`, `${ok}Sending no proposal chosen notify`]
                : [`IKEv2-ERROR:${tag}:Received Policies: : Failed to find a matching policy`, `${ok}Sending no proposal chosen notify`];
        if ((m = /(?:DH group|key exchange method) (\S+) unacceptable, requesting (\S+)/.exec(line)))
            return [`${err}The peer's KE payload contained the wrong DH group (${m[1]}; expected ${m[2]})`];
        if ((m = /peer didn't accept (?:DH group|key exchange method) (\S+), it requested (\S+)/.exec(line)))
            return [`${ok}Received Packet: IKEv2 IKE_SA_INIT Exchange RESPONSE, Payload contents: NOTIFY(INVALID_KE_PAYLOAD) (peer requested ${m[2]})`];

        // Traffic selectors.
        if (/received TS_UNACCEPTABLE notify, no CHILD_SA built/.test(line))
            return [`${ok}Received Packet: IKEv2 IKE_AUTH Exchange RESPONSE, Payload contents: VID IDr AUTH NOTIFY(TS_UNACCEPTABLE)`, `${ok}Process auth response notify`];
        if ((m = /traffic selectors (.+) unacceptable/.exec(line))) return [`${ok}There was no IPSEC policy found for received TS (${m[1]})`, `${ok}Sending TS unacceptable notify`];
        if (/no acceptable traffic selectors found/.test(line)) return [`${ok}There was no IPSEC policy found for received TS`, `${ok}Sending TS unacceptable notify`];

        // A peer that does not answer.
        if ((m = /retransmit (\d+) of request with message ID (\d+)/.exec(line))) return [`${ok}Retransmitting packet (retransmission ${m[1]}, message id ${m[2]})`];
        if (/giving up after \d+ retransmits|establishing IKE_SA failed, peer not responding/.test(line)) return [`${ok}Maximum number of retransmissions reached`];

        // Success.
        if ((m = /IKE_SA (\S+)\[\d+\] established between ([^[]+)\[[^\]]*\]\.\.\.([^[]+)\[/.exec(line))) {
            this.established.add(id);
            return [`${ok}Session with IKE ID PAIR (${m[3]}, ${m[2]}) is UP`];
        }
        if ((m = /CHILD_SA (\S+)\{\d+\} established with SPIs ([0-9a-f]+)_i ([0-9a-f]+)_o/.exec(line)))
            return [`${ok}IPsec SA created for ${m[1]}: inbound spi 0x${m[2].toUpperCase()}, outbound spi 0x${m[3].toUpperCase()}`];
        if (/initiating IKE_SA/.test(line)) return [`${ok}Sending Packet [To ${/to (\S+)/.exec(line)?.[1] ?? "peer"}] IKEv2 IKE_SA_INIT Exchange REQUEST`];
        if (/IKE_SA \S+\[\d+\] state change: \S+ => DESTROYING|deleting IKE_SA/.test(line)) this.established.delete(id);
        return [];
    }
}
