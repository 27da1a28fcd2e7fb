/** JSON values as documents hold them: the object test, and JSON Pointer (RFC 6901) reference tokens. */

export type JsonObject = Record<string, unknown>

/** A JSON object (not an array, not null). */
export const isObject = (u: unknown): u is JsonObject => typeof u === "object" && u !== null && !Array.isArray(u)

/** `~1` → `/`, then `~0` → `~` (in that order, so `~01` is `~1`). */
export const decodePointerToken = (token: string): string => token.replace(/~1/g, "/").replace(/~0/g, "~")

/** `~` → `~0`, then `/` → `~1`. */
export const encodePointerToken = (token: string): string => token.replace(/~/g, "~0").replace(/\//g, "~1")
