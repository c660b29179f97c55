/**
 * What a driver has to tell the user without failing the deployment: a safeguard the router lacks,
 * a setting it configured because the device settings allow it, a save to be retried, a dead
 * deployment's revert timer reverted. Drivers know nothing of the Pulumi engine: the glue
 * (dynamic/handlers.ts) routes notices to the CLI's Diagnostics inside the dynamic-provider host;
 * anywhere else (tests that call the handlers, the importer) they go to stderr.
 */
type NoticeSink = (message: string) => void;

let sink: NoticeSink = (message) => process.stderr.write(`pulumi-ikev2: ${message}\n`);

/** Tells the user something about a device; the message names the device. Never throws. */
export function notice(message: string): void {
    sink(message);
}

/** Where notices go from now on (the dynamic-provider glue: the engine's log). */
export function routeNotices(to: NoticeSink): void {
    sink = to;
}
