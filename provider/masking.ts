/**
 * The one place that hides secrets in text: IOS configuration lines and CLI commands, swanctl.conf
 * text, device answers and error messages. Two layers, used together by redact():
 * - by grammar: the part of a line that carries a secret (`pre-shared-key [local|remote] [N] KEY`,
 *   `enable secret|password`, `username ... secret|password`, `key config-key`, `crypto isakmp
 *   key KEY`, swanctl `secret = ...`), whoever wrote it and whether or not its value is known;
 * - by value: every secret the provider was given, in the forms the usual quoting layers give it.
 * No I/O; the IOS emulator keeps its own masking (it stands for an independent device).
 */

const MASK = "*****";

/** Type digits IOS writes before a stored key or password (`0` plain, `6` AES, `7`, `9` scrypt...). */
const TYPE = String.raw`(?:[ \t]+\d(?=[ \t]))?`;

/**
 * Each secret-bearing construct: group 1 is what stays (the keywords), the match's rest is masked.
 * Most secrets run to the end of the line; an IKEv1 key is one word followed by `address ...`.
 */
const SECRET_GRAMMAR: RegExp[] = [
    // `pre-shared-key [local|remote] [0|6] KEY`; `no pre-shared-key local` names a slot, not a key.
    new RegExp(String.raw`(\bpre-shared-key(?:[ \t]+(?:local|remote))?${TYPE}[ \t]+)(?!(?:local|remote)[ \t]*$)[^\r\n]+`),
    new RegExp(String.raw`(\benable[ \t]+(?:secret|password)(?:[ \t]+level[ \t]+\d+)?${TYPE}[ \t]+)[^\r\n]+`),
    new RegExp(String.raw`(\busername[ \t]+\S+(?:[ \t]+\S+)*?[ \t]+(?:secret|password)${TYPE}[ \t]+)[^\r\n]+`),
    new RegExp(String.raw`(\bkey[ \t]+config-key[ \t]+(?:password-encrypt[ \t]+|\d[ \t]+)?)(?!password-encrypt[ \t]*$)[^\r\n]+`),
    new RegExp(String.raw`(\bcrypto[ \t]+isakmp[ \t]+key${TYPE}[ \t]+)\S+`),
    // swanctl.conf: `secret = "..."` in a secrets section.
    /(\bsecret[ \t]*=[ \t]*)[^\r\n]+/,
];

/** One line (no line break) with any secret its grammar carries replaced by *****. */
export function maskLine(line: string): string {
    let out = line;
    for (const construct of SECRET_GRAMMAR) out = out.replace(construct, `$1${MASK}`);
    return out;
}

/** Text of several lines, each masked by maskLine; line breaks are kept as they are. */
export function maskText(text: string): string {
    return text
        .split(/(\r?\n)/)
        .map((part, i) => (i % 2 === 0 ? maskLine(part) : part))
        .join("");
}

/**
 * From this length on, a secret is masked wherever it appears; a shorter one only as a whole token
 * (between white space, quotes, brackets or `, ; : =`), so that a one-letter key hides the key
 * and not every such letter of the message around it.
 */
const MASKED_ANYWHERE_FROM = 8;
const DELIMITER = String.raw`[\s"'\x60()\[\]{}<>,;:=]`;

/** The forms a secret takes when it is quoted or escaped by the usual layers. */
function escapings(secret: string): string[] {
    return [
        secret,
        JSON.stringify(secret).slice(1, -1), // JSON / JS strings
        secret.replace(/'/g, `'\\''`), // inside a single-quoted sh word
        secret.replace(/[\\"]/g, (c) => `\\${c}`), // double-quoted (swanctl.conf, C strings)
        encodeURIComponent(secret),
    ];
}

function occurrences(form: string, anywhere: boolean): RegExp {
    const literal = form.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return anywhere ? new RegExp(literal, "g") : new RegExp(`(?<=^|${DELIMITER})${literal}(?=$|${DELIMITER})`, "g");
}

/** Every form of every secret, longest first (so a secret that contains another is masked whole). */
function secretForms(secrets: readonly string[]): RegExp[] {
    const forms = new Map<string, boolean>();
    for (const secret of secrets) {
        if (!secret) continue;
        const anywhere = secret.length >= MASKED_ANYWHERE_FROM;
        for (const form of escapings(secret)) if (form) forms.set(form, (forms.get(form) ?? false) || anywhere);
    }
    return [...forms.entries()].sort(([a], [b]) => b.length - a.length).map(([form, anywhere]) => occurrences(form, anywhere));
}

/** True when text holds one of the secrets, by the same rule redact() masks them. */
export function containsSecret(text: string, secrets: readonly string[]): boolean {
    return secrets.some((s) => s !== "" && occurrences(s, s.length >= MASKED_ANYWHERE_FROM).test(text));
}

/** Free text (a device answer, an error message) with every known secret and every secret-bearing line tail masked. */
export function redact(text: string, secrets: readonly string[]): string {
    let out = text;
    for (const form of secretForms(secrets)) out = out.replace(form, MASK);
    return maskText(out);
}
