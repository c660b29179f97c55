/**
 * The parts of a tunnel's end that the cross-end checks name a resource for. A module of its own,
 * without imports, so that the package's public declarations (resources/cross-end.ts) do not reach
 * the schemas' zod types.
 */
export type Role = "ike" | "esp" | "keys" | "identity" | "selectors" | "tunnel";
