/**
 * Keeps secrets out of errors, logs, spans and everything the CLI prints: the values of secret
 * inputs (API keys, tokens), credentials the API issues during the run (an `access_token` a step
 * reads), and in any body shown, the members whose names say they hold a credential.
 */
export const REDACTED = "<redacted>"

/** How deep a value shown in an error may nest; deeper parts read `TOO_DEEP`. */
export const MAX_DEPTH = 100
export const TOO_DEEP = "<nested too deeply>"

/**
 * Names that say a value is a credential: `apiKey`, `token`, `access_token`, `refresh_token`,
 * `client_secret`, `password`, `Authorization`… (the generator marks inputs and outputs named
 * like this as secret; bodies shown anywhere hide such members).
 */
export const CREDENTIAL_NAME = /(api[-_]?key|token|secret|password|passwd|credential|authorization|private[-_]?key)/i

export const isCredentialName = (name: string): boolean => CREDENTIAL_NAME.test(name)

/** The values worth redacting: strings of 4 characters or more, and their percent-encoded forms. */
const redactable = (values: ReadonlyArray<unknown>): Array<string> => {
  const strings = values.filter((v): v is string => typeof v === "string" && v.length >= 4)
  return [...strings, ...strings.map(encodeURIComponent).filter((e) => !strings.includes(e))]
}

/**
 * The secrets of one workflow run. It grows as the run learns credentials from responses
 * (`learn`), so a token the API issued is redacted wherever it later appears.
 */
export class Secrets {
  private values: Array<string>

  private constructor(values: Array<string>) {
    // Longest first, so a secret that contains another is replaced whole.
    this.values = values.sort((a, b) => b.length - a.length)
  }

  static of(values: ReadonlyArray<unknown>): Secrets {
    return new Secrets([...new Set(redactable(values))])
  }

  static readonly none = new Secrets([])

  /** Adds values learned during the run (credentials the API issued). */
  learn(values: ReadonlyArray<unknown>): void {
    const added = redactable(values).filter((v) => !this.values.includes(v))
    if (added.length > 0) this.values = [...this.values, ...added].sort((a, b) => b.length - a.length)
  }

  /** Whether a text contains any secret. */
  appearsIn(text: string): boolean {
    return this.values.some((secret) => text.includes(secret))
  }

  /** The text with every secret replaced. */
  text(text: string): string {
    let result = text
    for (const secret of this.values) result = result.split(secret).join(REDACTED)
    return result
  }

  /** The text redacted, then cut to `max` characters (cut first, a secret could lose its end and escape). */
  excerpt(text: string, max: number): string {
    const redacted = this.text(text)
    return redacted.length <= max ? redacted : `${redacted.slice(0, max)}… (${redacted.length} characters)`
  }

  /**
   * A JSON-like value with every secret replaced inside its strings, members named like a
   * credential replaced whole, and nesting past `MAX_DEPTH` levels cut to `TOO_DEEP`: a hostile
   * `[[[[…]]]]` body would otherwise overflow the stack here, and again wherever the error is
   * printed or serialized.
   */
  value(value: unknown, depth = 0): unknown {
    if (typeof value === "string") return this.text(value)
    if (value === null || typeof value !== "object" || value instanceof Uint8Array) return value
    if (depth >= MAX_DEPTH) return TOO_DEEP
    if (Array.isArray(value)) return value.map((v) => this.value(v, depth + 1))
    const out: Record<string, unknown> = {}
    for (const [key, member] of Object.entries(value)) {
      // Strings only: `total_tokens: 12` is a count, `access_token: "…"` a credential.
      const shown = typeof member === "string" && isCredentialName(key)
        ? REDACTED
        : this.value(member, depth + 1)
      // An own data property even for `__proto__`: assigning it would set the prototype.
      Object.defineProperty(out, key, { value: shown, enumerable: true, writable: true, configurable: true })
    }
    return out
  }
}
