/**
 * Sealing what the store keeps of a workflow's data: with a store key, the inputs, every
 * journaled response (headers and body) and the result are written encrypted (AES-256-GCM), so a
 * copy of the database (a backup, a dump, a stolen file) holds no secret input, no credential an
 * API issued and no response body in the clear. A resumed execution still has them: the worker
 * opens them with the same key. Each sealed value is bound to where it belongs (its execution and
 * activity, as additional authenticated data), so one cannot be moved to another place unnoticed.
 * What stays readable: names, execution ids, status codes, times, errors (which the runtime
 * redacts anyway).
 */
import * as Context from "effect/Context"
import * as Redacted from "effect/Redacted"
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto"

/** The member that marks a sealed value in the store. */
export const SEALED = "$arazzo.sealed"

const VERSION = "v1"
const IV_BYTES = 12
const TAG_BYTES = 16

export interface Sealer {
  /** `plain` encrypted, bound to `context`: `v1.<base64 of iv, tag, ciphertext>`. */
  readonly seal: (plain: string, context: string) => string
  /** The text sealed for `context`; throws when the key or the context is not the one it was sealed with. */
  readonly open: (sealed: string, context: string) => string
  /** A keyed digest (HMAC-SHA-256, 128 bits in hex): what the inputs' digest is when a key is set. */
  readonly digest: (text: string) => string
}

/** The store key's sealer, when the store has one (provided by `Durable.sqlite` / `Durable.postgres`). */
export class StoreKey extends Context.Tag("arazzo-effect/durable/StoreKey")<StoreKey, Sealer>() {}

/**
 * A store key as configured: 32 random bytes in base64 or hex (`openssl rand -base64 32`).
 * Returns the bytes, or why the text is not a key.
 */
export const parseStoreKey = (key: string | Redacted.Redacted<string>): Uint8Array | { readonly error: string } => {
  const text = (Redacted.isRedacted(key) ? Redacted.value(key) : key).trim()
  const bytes = /^[0-9a-f]{64}$/i.test(text)
    ? Buffer.from(text, "hex")
    : /^[A-Za-z0-9+/]{43}=?$/.test(text)
    ? Buffer.from(text, "base64")
    : undefined
  return bytes?.length === 32
    ? new Uint8Array(bytes)
    : { error: "a store key is 32 random bytes in base64 (44 characters) or hex (64): `openssl rand -base64 32`" }
}

export const sealer = (key: Uint8Array): Sealer => {
  const secret = Buffer.from(key)
  return {
    seal: (plain, context) => {
      const iv = randomBytes(IV_BYTES)
      const cipher = createCipheriv("aes-256-gcm", secret, iv)
      cipher.setAAD(Buffer.from(context, "utf8"))
      const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()])
      return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64")}`
    },
    open: (sealed, context) => {
      if (!sealed.startsWith(`${VERSION}.`)) throw new Error(`not a sealed value of version ${VERSION}`)
      const raw = Buffer.from(sealed.slice(VERSION.length + 1), "base64")
      const decipher = createDecipheriv("aes-256-gcm", secret, raw.subarray(0, IV_BYTES))
      decipher.setAAD(Buffer.from(context, "utf8"))
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES))
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString("utf8")
    },
    digest: (text) => createHmac("sha256", secret).update(text).digest("hex").slice(0, 32)
  }
}

/** A value as the store keeps it sealed. */
export interface SealedValue {
  readonly [SEALED]: string
}

export const isSealed = (value: unknown): value is SealedValue =>
  typeof value === "object" && value !== null && typeof (value as Record<string, unknown>)[SEALED] === "string"

/** Why a sealed value could not be opened, for the defect that stops the execution. */
export const cannotOpen = (what: string, key: Sealer | undefined): Error =>
  new Error(
    key === undefined
      ? `the store holds ${what} sealed with a store key, and this process has none: give it the key the executions were started with`
      : `the store key does not open ${what}: every worker and client of a store needs the same key`
  )
