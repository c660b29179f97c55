/**
 * How the provider reaches a device: the SSH endpoint and host-key policy (plain, shown in previews)
 * and the credentials (always Pulumi secrets). The resource classes split what the user writes as
 * one `device` object into these two inputs so that previews show the host while keys stay secret.
 */
import { z } from "zod";
import { isIpv4, isIpv6 } from "../address";
import { withFix } from "../fix";
import { bool, cliWord, int, isFqdn, lineText, str, strict } from "./common";
import { secret } from "./secrets";

const hostField = str("device.host", `"198.51.100.1"`)
    .refine((v) => isIpv4(v) || isIpv6(v) || isFqdn(v), {
        message: withFix("device.host is not an IP address or DNS name", "write the management address, e.g. 198.51.100.1"),
    })
    .describe("Management address or DNS name that the provider connects to over SSH.");

const SHA256_FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}=?$/;

/** Connection settings, common to IOS routers and strongSwan hosts. Never secret. */
const connectionShape = {
    host: hostField,
    port: int("device.port", 1, 65535, 22).default(22).describe("SSH port."),
    username: str("device.username", `"admin"`).pipe(cliWord("device.username", 64)).describe("SSH login name."),
    hostKey: str("device.hostKey", `"SHA256:Xb8..."`)
        .refine((v) => SHA256_FINGERPRINT.test(v), {
            message: withFix(
                "device.hostKey is not an OpenSSH SHA256 fingerprint",
                "copy it from `ssh-keygen -lf <host key>.pub` or `ssh-keyscan HOST | ssh-keygen -lf -`, e.g. SHA256:Xb8...",
            ),
        })
        .optional()
        .describe("Pinned SHA256 fingerprint of the device's SSH host key, as `ssh-keygen -l` prints it."),
    knownHostsFile: str("device.knownHostsFile", `"/home/me/.ssh/known_hosts"`)
        .pipe(lineText("device.knownHostsFile", 4096))
        .optional()
        .describe("An OpenSSH known_hosts file to verify the host key against (used when hostKey is not set)."),
    insecureSkipHostKeyVerification: bool("device.insecureSkipHostKeyVerification")
        .default(false)
        .describe("Accept any host key. An explicit opt-out for labs; a man in the middle could read every key sent."),
    connectTimeoutMs: int("device.connectTimeoutMs", 100, 600000, 15000).default(15000).describe("TCP and SSH handshake timeout."),
    connectRetries: int("device.connectRetries", 0, 20, 2).default(2).describe("Further connection attempts after a failed one."),
    keepaliveIntervalMs: int("device.keepaliveIntervalMs", 0, 600000, 10000).default(10000).describe("SSH keepalive interval; 0 turns keepalives off."),
    commandTimeoutMs: int("device.commandTimeoutMs", 100, 600000, 30000).default(30000).describe("How long one command may take to answer."),
};

function hostKeyPolicyRefinement(c: { hostKey?: string; knownHostsFile?: string; insecureSkipHostKeyVerification: boolean }, ctx: z.RefinementCtx) {
    if (!c.hostKey && !c.knownHostsFile && !c.insecureSkipHostKeyVerification) {
        ctx.addIssue({
            code: "custom",
            path: ["hostKey"],
            message: withFix(
                "device.hostKey is not set, so the device's SSH host key would not be verified",
                "set hostKey to its SHA256 fingerprint (`ssh-keyscan HOST | ssh-keygen -lf -`), or knownHostsFile, or explicitly insecureSkipHostKeyVerification: true",
            ),
        });
    }
}

/** IOS's own safeguards around each configuration session (README, "The router's safety net"). */
const safetyNetSchema = strict("device.safetyNet", {
    revertTimerMinutes: int("device.safetyNet.revertTimerMinutes", 0, 120, 5)
        .default(5)
        .describe(
            "Minutes of IOS's Rollback Confirmed Change: each configuration session starts with `configure terminal revert timer N` and is confirmed " +
                "(`configure confirm`) only after the read-back matches, so a session that dies is reverted by the router itself. Longer gives slow routers " +
                "and large changes time to finish; shorter brings a router back sooner after a crash. 0 turns it off. Needs a configuration archive.",
        ),
    archivePath: str("device.safetyNet.archivePath", `"flash:pulumi-ikev2"`)
        .pipe(lineText("device.safetyNet.archivePath", 128))
        .refine((v) => /^[A-Za-z0-9-]+:[A-Za-z0-9_./$-]*$/.test(v), {
            message: withFix("device.safetyNet.archivePath is not an IOS file URL", "write e.g. flash:pulumi-ikev2 (bootflash:, disk0: ... as the router names its file systems)"),
        })
        .optional()
        .describe(
            "A router without a configuration archive cannot revert: with this set, the provider configures one (`archive` / `path <archivePath>`) the first " +
                "time it needs it; without it, it applies without the revert timer and says so.",
        ),
    configureExclusiveMode: bool("device.safetyNet.configureExclusiveMode")
        .default(false)
        .describe(
            "A router without `configuration mode exclusive` cannot lock its configuration: with this set, the provider configures " +
                "`configuration mode exclusive manual` (other sessions are then locked out only while a session holds the lock); without it, it applies without the lock and says so.",
        ),
    lockWaitSeconds: int("device.safetyNet.lockWaitSeconds", 0, 3600, 60)
        .default(60)
        .describe("How long to wait, retrying, while another session holds the configuration lock or has a revert timer pending, before failing with who it is."),
}).describe("The router's own safety net around each configuration session: a revert timer and the exclusive configuration lock.");

export const iosConnectionSchema = strict("device", {
    ...connectionShape,
    saveConfig: bool("device.saveConfig").default(true).describe("Save the configuration (`write memory`) after changes, so that they survive a reload."),
    safetyNet: safetyNetSchema.default({ revertTimerMinutes: 5, configureExclusiveMode: false, lockWaitSeconds: 60 }),
}).superRefine(hostKeyPolicyRefinement);

export const hostConnectionSchema = strict("device", {
    ...connectionShape,
    sudo: bool("device.sudo").default(false).describe("Run swanctl and file changes through `sudo -n` (for a non-root login)."),
    swanctlDir: str("device.swanctlDir", `"/etc/swanctl"`)
        .pipe(lineText("device.swanctlDir", 256))
        .refine((v) => /^\/[A-Za-z0-9_./-]*$/.test(v), {
            message: withFix("device.swanctlDir is not an absolute path of plain characters", "write e.g. /etc/swanctl"),
        })
        .default("/etc/swanctl")
        .describe("strongSwan's swanctl folder; connection files go to its conf.d."),
}).superRefine(hostKeyPolicyRefinement);

/** A password-like secret: one line, 1 to max characters. */
export const secretText = (what: string, max: number) =>
    secret(
        str(what, "a Pulumi secret string")
            .min(1, withFix(`${what} is empty`, `leave ${what} out or give it a value`))
            .max(max, withFix(`${what} is longer than ${max} characters`, "use a shorter one"))
            .refine((v) => !/[\r\n\u0000]/.test(v), {
                message: withFix(`${what} contains a line break or NUL`, "remove it"),
            }),
    );

/** The text of an OpenSSH private key file, as a secret. */
export const privateKeyText = (what: string) =>
    secret(
        str(what, "the text of an OpenSSH private key file")
            .min(1, withFix(`${what} is empty`, `leave ${what} out or paste the key file's text`))
            .max(65536, withFix(`${what} is longer than 65536 characters`, "use the key file's text, not another file")),
    );

/** Secrets used to log in. The whole object is stored as a Pulumi secret. */
export const credentialsSchema = strict("device", {
    password: secretText("device.password", 256).optional().describe("SSH password (secret)."),
    privateKey: privateKeyText("device.privateKey")
        .optional()
        .describe("OpenSSH private key text (secret)."),
    privateKeyPassphrase: secretText("device.privateKeyPassphrase", 1024).optional().describe("Passphrase of privateKey (secret)."),
    enableSecret: secretText("device.enableSecret", 256)
        .optional()
        .describe("IOS enable secret, used when the login lands in user EXEC (`>` prompt) (secret)."),
}).superRefine((c, ctx) => {
    if (!c.password && !c.privateKey) {
        ctx.addIssue({
            code: "custom",
            path: ["password"],
            message: withFix("device has no password or privateKey, so there is no way to log in", "set device.password or device.privateKey (as a Pulumi secret)"),
        });
    }
});

export type IosConnection = z.output<typeof iosConnectionSchema>;
export type HostConnection = z.output<typeof hostConnectionSchema>;
export type Credentials = z.output<typeof credentialsSchema>;
/** Any endpoint the SSH pool can reach. */
export type Connection = IosConnection | HostConnection;


