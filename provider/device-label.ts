/**
 * How a device is named to people and to the connection pool: `user@host`, with `:port` when not 22.
 * A module of its own, without zod, because programs load it too (resources/parallelism.ts).
 */

/** Identifies one device for the connection pool, the per-device lock and error messages. */
export function deviceLabel(c: { host: string; port: number; username: string }): string {
    return c.port === 22 ? `${c.username}@${c.host}` : `${c.username}@${c.host}:${c.port}`;
}
