/**
 * Why a tunnel does not come up, from both ends' evidence: what each end logged while the tunnel
 * was negotiated (IOS `debug crypto ikev2` lines in `show logging`, charon's log as `swanctl
 * --initiate` or `swanctl --log` prints it), what each end holds (the configuration read back from
 * the device, as TunnelEnd), and whether the keys agree (compared where they were read, never
 * shown). The logs say which exchange failed and how (AUTHENTICATION_FAILED, NO_PROPOSAL_CHOSEN,
 * TS_UNACCEPTABLE, no answer); the configurations say why, through the cross-end checks; the
 * message names both ends and the fix. No I/O.
 *
 * Which log lines mean what comes from strongSwan 5.9's messages (`ike_auth.c`, `ike_init.c`,
 * `child_create.c`, `task_manager_v2.c`, `psk_authenticator.c`) and IOS's `debug crypto ikev2`
 * wording (emulator/ios/ike/README.md lists the forms and their sources).
 */
import { withFix } from "../fix";
import { crossEndFindings, Finding } from "./cross-check";
import { TunnelEnd } from "./ends";

export type Cause =
    | "auth-no-key"
    | "auth-key-mismatch"
    | "auth-identity"
    | "auth-failed"
    | "no-proposal-ike"
    | "dh-group"
    | "no-proposal-esp"
    | "ts-unacceptable"
    | "peer-unreachable"
    | "unknown";

/** What one end showed while the tunnel was negotiated. */
export interface EndEvidence {
    site: string;
    /** Unknown for a far end that could not be read. */
    platform?: "ios" | "strongswan";
    /** The end's log lines about this tunnel (IOS: IKEv2 lines of `show logging`; strongSwan: charon's). */
    log: string[];
    /** The end's configuration as read from the device (partial when something could not be read). */
    actual?: TunnelEnd;
}

export interface Diagnosis {
    cause: Cause;
    /** The IKEv2 notify the failure is known by (AUTHENTICATION_FAILED, NO_PROPOSAL_CHOSEN ...). */
    notify?: string;
    /** The full explanation: what failed, the evidence from each end, why, and the fix. */
    message: string;
}

interface Signal {
    cause: Cause;
    notify?: string;
    pattern: RegExp;
}

/**
 * Log lines by what they mean, most specific first: the three reasons for AUTHENTICATION_FAILED
 * before the notify itself, ESP before IKE (both say "no proposal chosen"), a DH group before the
 * NO_PROPOSAL_CHOSEN it may end in, and retransmissions last (they also precede other failures).
 */
const SIGNALS: Signal[] = [
    { cause: "auth-no-key", notify: "AUTHENTICATION_FAILED", pattern: /Failed to locate an item in the database|no matching pre-shared key|no shared key found/ },
    { cause: "auth-key-mismatch", notify: "AUTHENTICATION_FAILED", pattern: /authen?tication data FAILED|authenctication data FAILED|MAC mismatched/ },
    { cause: "auth-identity", notify: "AUTHENTICATION_FAILED", pattern: /IKEv2 profile not found|no matching peer config found/ },
    { cause: "auth-failed", notify: "AUTHENTICATION_FAILED", pattern: /AUTHENTICATION_FAILED|Failed to authenticate the IKE SA|Auth exchange failed|AUTH_FAILED/ },
    {
        cause: "no-proposal-esp",
        notify: "NO_PROPOSAL_CHOSEN",
        pattern: /Received Policies: ESP|IKE_AUTH Exchange RESPONSE.*NOTIFY\(NO_PROPOSAL_CHOSEN\)|NO_PROPOSAL_CHOSEN notify, no CHILD_SA built/,
    },
    { cause: "dh-group", notify: "INVALID_KE_PAYLOAD", pattern: /INVALID_KE_PAYLOAD|wrong DH group|DH group \S+ unacceptable|didn't accept DH group/ },
    {
        cause: "no-proposal-ike",
        notify: "NO_PROPOSAL_CHOSEN",
        pattern: /Failed to find a matching policy|Received no proposal chosen notify|NO_PROPOSAL_CHOSEN notify error|received proposals unacceptable|no acceptable proposal found|no proposal chosen/i,
    },
    {
        cause: "ts-unacceptable",
        notify: "TS_UNACCEPTABLE",
        pattern: /TS_UNACCEPTABLE|traffic selectors .* unacceptable|no acceptable traffic selectors|no IPSEC policy found for received TS|TS unacceptable/,
    },
    {
        cause: "peer-unreachable",
        pattern: /Retransmitting packet|Maximum number of retransmissions|retransmit \d+ of request|giving up after \d+ retransmits|peer not responding/,
    },
];

/** Lines that show the peer answered: a peer that answered was reachable. */
const ANSWERED = /Received Packet|received packet|parsed IKE_SA_INIT response|parsed IKE_AUTH|received .* notify|IKE_SA_INIT Exchange RESPONSE/i;

/**
 * Which findings of the cross-end checks explain each cause, the likeliest first. For an
 * AUTHENTICATION_FAILED the configurations decide between the three causes: a log line can mislead
 * (a responder without the right key may try another one and report a MAC mismatch).
 */
const EXPLAINED_BY: Record<Cause, Finding["check"][]> = {
    "auth-no-key": ["keyringPeer", "peerAddress", "identity", "preSharedKey"],
    "auth-key-mismatch": ["preSharedKey", "keyringPeer", "identity"],
    "auth-identity": ["identity", "keyringPeer", "preSharedKey"],
    "auth-failed": ["keyringPeer", "identity", "preSharedKey"],
    "no-proposal-ike": ["ikeProposals", "dhGroups", "ikeVersion"],
    "dh-group": ["dhGroups"],
    "no-proposal-esp": ["espProposals", "pfsGroup"],
    "ts-unacceptable": ["trafficSelectors", "routes"],
    "peer-unreachable": ["peerAddress"],
    unknown: [],
};

const WHAT: Record<Cause, string> = {
    "auth-no-key": "AUTHENTICATION_FAILED: one end has no pre-shared key for the other",
    "auth-key-mismatch": "AUTHENTICATION_FAILED: the two ends hold different pre-shared keys",
    "auth-identity": "AUTHENTICATION_FAILED: one end does not accept the identity the other sends",
    "auth-failed": "AUTHENTICATION_FAILED",
    "no-proposal-ike": "NO_PROPOSAL_CHOSEN in IKE_SA_INIT: no common IKE proposal",
    "dh-group": "no common Diffie-Hellman group in IKE_SA_INIT",
    "no-proposal-esp": "NO_PROPOSAL_CHOSEN in IKE_AUTH: the IKE_SA came up, but there is no common ESP proposal for the CHILD_SA",
    "ts-unacceptable": "TS_UNACCEPTABLE: the CHILD_SA's traffic selectors do not meet",
    "peer-unreachable": "the peer does not answer IKE (no reply to IKE_SA_INIT)",
    unknown: "the tunnel is down, and neither end logged why",
};

/** Generic fixes, when the configurations read back do not show the reason. */
const GENERIC_FIX: Record<Cause, (a: string, b: string) => string> = {
    "auth-no-key": (a, b) =>
        `give each end a key for the other: on IOS a keyring peer with \`address <the peer's address>\` (its name is only a label), on strongSwan a secret whose id is what the peer sends; compare ${a} and ${b}`,
    "auth-key-mismatch": (a, b) => `set the same pre-shared key on ${a} and ${b}`,
    "auth-identity": (a, b) => `make what each end sends (IOS \`identity local\`, strongSwan local.id) what the other accepts (IOS \`match identity remote\`, strongSwan remote.id) on ${a} and ${b}`,
    "auth-failed": (a, b) =>
        `on ${a} and ${b} compare the keyring peer's address (IOS matches the key by address, never by the peer's name), the pre-shared keys, and the identities each end sends and accepts`,
    "no-proposal-ike": (a, b) => `declare the same IKE algorithms on ${a} and ${b}`,
    "dh-group": (a, b) => `offer one common DH group on ${a} and ${b}`,
    "no-proposal-esp": (a, b) => `declare the same ESP transform (and PFS group) on ${a} and ${b}`,
    "ts-unacceptable": (a, b) => `make the traffic selectors mirror images: the LANs ${a} routes into the tunnel are what ${b} has as local_ts, and the reverse`,
    "peer-unreachable": (a, b) => `check that UDP 500 and 4500 pass between ${a} and ${b} (firewalls, NAT) and that the tunnel destination is the peer's address`,
    unknown: (a, b) => `run \`npx pulumi-ikev2 doctor\` while ${a} and ${b} negotiate, or look at both ends' logs`,
};

/**
 * charon says "no acceptable proposal found" for the IKE proposal and for the ESP proposal alike;
 * after the IKE_SA is up (authentication done), it is the ESP proposal.
 */
function espRefusedAfterAuth(log: string[]): string | undefined {
    const authenticated = log.findIndex((l) => /authentication of .* successful|IKE_SA \S+ established/.test(l));
    if (authenticated < 0) return undefined;
    return log.slice(authenticated).find((l) => /no acceptable proposal found/.test(l));
}

function classify(evidence: EndEvidence[]): { cause: Cause; notify?: string; lines: { site: string; line: string }[] } {
    const esp = evidence.flatMap((e) => {
        const line = espRefusedAfterAuth(e.log);
        return line ? [{ site: e.site, line }] : [];
    });
    if (esp.length) return { cause: "no-proposal-esp", notify: "NO_PROPOSAL_CHOSEN", lines: esp };
    for (const signal of SIGNALS) {
        const lines = evidence.flatMap((e) => e.log.filter((l) => signal.pattern.test(l)).map((line) => ({ site: e.site, line })));
        if (lines.length === 0) continue;
        // Retransmissions before an answer are no failure of their own.
        if (signal.cause === "peer-unreachable" && evidence.some((e) => e.log.some((l) => ANSWERED.test(l)))) continue;
        // An INVALID_KE_PAYLOAD that a retry settled is normal: it is a failure only without success.
        if (signal.cause === "dh-group" && !evidence.some((e) => e.log.some((l) => /no proposal|NO_PROPOSAL|Failed to find a matching policy|unacceptable/i.test(l)))) continue;
        return { cause: signal.cause, notify: signal.notify, lines };
    }
    return { cause: "unknown", lines: [] };
}

/** The finding of the cross-end checks on the actual configurations that explains the cause. */
function explanation(cause: Cause, a: EndEvidence, b: EndEvidence, keysAgree: boolean | undefined): { cause: Cause; finding?: Finding } {
    if (!a.actual || !b.actual) return { cause };
    const findings = crossEndFindings(a.actual, b.actual, { keysAgree });
    const wanted = EXPLAINED_BY[cause];
    const finding = wanted.map((w) => findings.find((f) => f.check === w)).find((f) => f !== undefined);
    if (!finding) return { cause };
    // The cause the configurations show.
    const refined: Partial<Record<Finding["check"], Cause>> = cause.startsWith("auth-")
        ? { keyringPeer: "auth-no-key", preSharedKey: "auth-key-mismatch", identity: "auth-identity" }
        : cause === "no-proposal-ike"
          ? { dhGroups: "dh-group" }
          : {};
    return { cause: refined[finding.check] ?? cause, finding };
}

/**
 * The diagnosis of a tunnel that did not come up, from both ends. `declared`: the ends as the
 * stack declares them, when known: a cause that the declared ends would not have means the devices
 * no longer hold what the stack declares.
 */
export function diagnose(a: EndEvidence, b: EndEvidence, options: { keysAgree?: boolean; declared?: [TunnelEnd, TunnelEnd] } = {}): Diagnosis {
    const classified = classify([a, b]);
    const { cause, finding } = explanation(classified.cause, a, b, options.keysAgree);
    const quoted = (e: EndEvidence) => {
        // What this end said about the failure: the lines of the cause, or else of the same notify.
        const sameNotify = SIGNALS.filter((s) => s.notify !== undefined && s.notify === classified.notify);
        const lines = classified.lines.filter((l) => l.site === e.site).map((l) => l.line);
        // Without IOS's timestamps (`*Nov 28 21:21:21.524: `), the same line of two attempts is quoted once.
        const own = (lines.length ? lines : e.log.filter((l) => sameNotify.some((s) => s.pattern.test(l)))).map((l) => `\`${l.replace(/^\*?[A-Z][a-z]{2} +\d+ [\d:.]+: /, "")}\``);
        const kind = e.platform === "ios" ? "IOS" : e.platform === "strongswan" ? "strongSwan" : "not read";
        if (own.length) return `${e.site} (${kind}) logged ${[...new Set(own)].slice(0, 3).join(", ")}`;
        return e.log.length ? `${e.site} (${kind}) logged nothing about it` : `${e.site} (${kind}): no log was available`;
    };
    const evidence = `Evidence: ${quoted(a)}; ${quoted(b)}.`;
    const drifted =
        finding && options.declared && !crossEndFindings(options.declared[0], options.declared[1]).some((f) => f.check === finding.check)
            ? " The stack declares both ends in agreement: a device no longer holds what the stack declares (`pulumi refresh` shows the drift, `pulumi up` restores it)."
            : "";
    const why = finding ? `Why: ${finding.message}` : withFix(`Why: not visible in the configurations read back`, GENERIC_FIX[cause](a.site, b.site));
    return {
        cause,
        notify: classified.notify ?? (cause === "dh-group" ? "NO_PROPOSAL_CHOSEN" : undefined),
        message: `${WHAT[cause]}. ${evidence} ${why}${drifted}`,
    };
}
