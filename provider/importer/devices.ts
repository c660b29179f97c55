/**
 * The devices to import from: a JSON file of connection settings (the resources' `device` without
 * its secrets, checked by the same schemas) and the credentials, from the environment or from a
 * JSON object on stdin, never from arguments. No I/O: the command passes the texts in.
 */
import { z } from "zod";
import { withFix } from "../fix";
import { Credentials, credentialsSchema, HostConnection, hostConnectionSchema, IosConnection, iosConnectionSchema } from "../schema/device";
import { deviceLabel } from "../device-label";
import { CREDENTIAL_FIELDS, CredentialField, PlainObject, SiteDevice } from "./model";

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

/**
 * The device schemas' messages for a site of the devices file: they name a property as the
 * resources' `device.X`, which in this file is `SITE.X`.
 */
function siteProblems(site: string, error: z.ZodError): string[] {
    return error.issues.map((i) => {
        if (i.message.includes("device.")) return `${site}: ${i.message.replace(/\bdevice\./g, `${site}.`)}`;
        return i.path.length ? `${site}.${i.path.join(".")}: ${i.message}` : `${site}: ${i.message}`;
    });
}

function iosTarget(site: string, settings: object): DeviceAccess["target"] | { problems: string[] } {
    const checked = iosConnectionSchema.safeParse(settings);
    return checked.success ? { platform: "ios", connection: checked.data } : { problems: siteProblems(site, checked.error) };
}

function hostTarget(site: string, settings: object): DeviceAccess["target"] | { problems: string[] } {
    const checked = hostConnectionSchema.safeParse(settings);
    return checked.success ? { platform: "strongswan", connection: checked.data } : { problems: siteProblems(site, checked.error) };
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
        if (credentials.password === undefined && credentials.privateKey === undefined) {
            problems.push(
                withFix(
                    `${site} has no password or private key, so there is no way to log in`,
                    `set ${credentialVariable(site, "password")} or ${credentialVariable(site, "privateKey")} in the environment, or add --secrets-stdin and write { "${site}": { "password": "..." } } on stdin`,
                ),
            );
            continue;
        }
        const credentialsChecked = credentialsSchema.safeParse(credentials);
        if (!credentialsChecked.success) {
            // The schema names a credential as the resources' device.FIELD; here it comes from a variable or stdin.
            const named = (m: string) => m.replace(/\bdevice\.(\w+)/g, (_all, field: CredentialField) => `${site}'s ${field} (${credentialVariable(site, field)} or stdin)`);
            problems.push(...credentialsChecked.error.issues.map((i) => `${site}: ${named(i.message)}`));
            continue;
        }
        const target = platform === "ios" ? iosTarget(site, settings) : hostTarget(site, settings);
        if ("problems" in target) {
            problems.push(...target.problems);
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
