/**
 * The devices to import from: a JSON file of connection settings (the resources' `device` without
 * its secrets, checked by the same schemas) and the credentials, from the environment or from a
 * JSON object on stdin, never from arguments. No I/O: the command passes the texts in.
 */
import { withFix } from "../fix";
import { Credentials, credentialsSchema, deviceLabel, HostConnection, hostConnectionSchema, IosConnection, iosConnectionSchema } from "../schema/device";
import { CREDENTIAL_FIELDS, CredentialField, PlainObject, schemaProblems, SiteDevice } from "./model";

/** A device to read: how to reach it, and what the program will declare for it. */
export interface DeviceAccess {
    device: SiteDevice;
    target: { platform: "ios"; connection: IosConnection } | { platform: "strongswan"; connection: HostConnection };
    credentials: Credentials;
}

/** Words a site cannot be named, since its name becomes a variable of the program. */
const RESERVED = new Set(
    (
        "break case catch class const continue debugger default delete do else enum export extends false finally for function if import in " +
        "instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package " +
        "private protected public await cfg pulumi"
    ).split(" "),
);

const SITE = /^[a-z][a-z0-9-]{0,30}$/;

/** `PULUMI_IKEV2_<SITE>_<FIELD>`: the environment variable that holds a credential of a site. */
export function credentialVariable(site: string, field: CredentialField): string {
    return `PULUMI_IKEV2_${site.toUpperCase().replace(/-/g, "_")}_${field.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

function iosTarget(settings: object): DeviceAccess["target"] | { problems: string[] } {
    const checked = iosConnectionSchema.safeParse(settings);
    return checked.success ? { platform: "ios", connection: checked.data } : { problems: schemaProblems(checked.error) };
}

function hostTarget(settings: object): DeviceAccess["target"] | { problems: string[] } {
    const checked = hostConnectionSchema.safeParse(settings);
    return checked.success ? { platform: "strongswan", connection: checked.data } : { problems: schemaProblems(checked.error) };
}

/** What the importer was asked to read, or every problem with the request (each naming the fix). */
export type DevicesRequest = { ok: true; devices: DeviceAccess[] } | { ok: false; problems: string[] };

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * The devices of a devices file (`{ "home": { "platform": "ios", "host": ..., "username": ..., "hostKey": ... }, ... }`)
 * with their credentials: each from the environment variable credentialVariable() names, or from
 * `stdinSecrets` (`{ "home": { "password": ... } }`), which wins when given.
 */
export function devicesRequest(fileText: string, env: Record<string, string | undefined>, stdinSecrets?: string): DevicesRequest {
    const problems: string[] = [];
    let file: unknown;
    try {
        file = JSON.parse(fileText);
    } catch (e) {
        return { ok: false, problems: [withFix(`the devices file is not JSON (${(e as Error).message})`, 'write an object of sites, e.g. { "home": { "platform": "ios", "host": "198.51.100.1", "username": "admin", "hostKey": "SHA256:..." } }')] };
    }
    let fromStdin: Record<string, unknown> = {};
    if (stdinSecrets !== undefined) {
        try {
            const parsed: unknown = JSON.parse(stdinSecrets);
            if (!isObject(parsed)) throw new Error("not an object");
            fromStdin = parsed;
        } catch {
            // The text holds secrets: the parser's message (which quotes it) is not repeated.
            return { ok: false, problems: [withFix("the secrets on stdin are not a JSON object", 'write { "SITE": { "password": "...", "enableSecret": "..." } }')] };
        }
    }
    if (!isObject(file) || Object.keys(file).length === 0) {
        return { ok: false, problems: [withFix("the devices file holds no devices", 'write an object of sites, e.g. { "home": { "platform": "ios", ... } }')] };
    }
    for (const site of Object.keys(fromStdin)) if (!(site in file)) problems.push(withFix(`the secrets on stdin name site ${JSON.stringify(site)}, which the devices file does not have`, "correct the name"));
    const devices: DeviceAccess[] = [];
    for (const [site, entry] of Object.entries(file)) {
        if (!SITE.test(site) || RESERVED.has(site)) {
            problems.push(withFix(`site ${JSON.stringify(site)} is not a usable name (it names the program's variables and resources)`, "use lower-case letters, digits and '-', starting with a letter, e.g. \"home\""));
            continue;
        }
        if (!isObject(entry)) {
            problems.push(withFix(`${site} is not an object`, `write ${site}: { "platform": "ios" | "strongswan", "host": ..., "username": ..., "hostKey": ... }`));
            continue;
        }
        const { platform, ...settings } = entry;
        if (platform !== "ios" && platform !== "strongswan") {
            problems.push(withFix(`${site}.platform is ${JSON.stringify(platform)}`, 'set "platform": "ios" (Cisco IOS / IOS-XE) or "strongswan"'));
            continue;
        }
        const secrets = isObject(fromStdin[site]) ? fromStdin[site] : {};
        const credentials: Partial<Record<CredentialField, string>> = {};
        for (const field of CREDENTIAL_FIELDS) {
            const value = typeof secrets[field] === "string" ? secrets[field] : env[credentialVariable(site, field)];
            if (value !== undefined && value !== "") credentials[field] = value;
        }
        const credentialsChecked = credentialsSchema.safeParse(credentials);
        if (!credentialsChecked.success) {
            problems.push(
                ...schemaProblems(credentialsChecked.error).map(
                    (p) => `${site}: ${p} (credentials come from ${credentialVariable(site, "password")}, ${credentialVariable(site, "privateKey")} ... or, with --secrets-stdin, from stdin)`,
                ),
            );
            continue;
        }
        const target = platform === "ios" ? iosTarget(settings) : hostTarget(settings);
        if ("problems" in target) {
            problems.push(...target.problems.map((p) => `${site}.${p}`));
            continue;
        }
        const given: PlainObject = JSON.parse(JSON.stringify(settings));
        devices.push({
            device: { site, platform, settings: given, credentials, label: deviceLabel(target.connection) },
            target,
            credentials: credentialsChecked.data,
        });
    }
    return problems.length ? { ok: false, problems } : { ok: true, devices };
}
