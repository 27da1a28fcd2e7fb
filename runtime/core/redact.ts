/**
 * Keeps secrets (values of secret inputs such as API keys) out of errors, logs and spans. The
 * generator marks which inputs are secret; redaction replaces their values wherever they occur.
 */
export const REDACTED = "<redacted>"

/** How deep a value shown in an error may nest; deeper parts read `TOO_DEEP`. */
export const MAX_DEPTH = 100
export const TOO_DEEP = "<nested too deeply>"

/** The secrets of one workflow run; short values are ignored so that redaction stays meaningful. */
export class Secrets {
  private constructor(private readonly values: ReadonlyArray<string>) {}

  static of(values: ReadonlyArray<unknown>): Secrets {
    const strings = values.filter((v): v is string => typeof v === "string" && v.length >= 4)
    const encoded = strings.map(encodeURIComponent).filter((e) => !strings.includes(e))
    // Longest first, so a secret that contains another is replaced whole.
    return new Secrets([...strings, ...encoded].sort((a, b) => b.length - a.length))
  }

  static readonly none = new Secrets([])

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
   * A JSON-like value with every secret replaced inside its strings, and nesting past
   * `MAX_DEPTH` levels cut to `TOO_DEEP`: a hostile `[[[[…]]]]` body would otherwise overflow
   * the stack here, and again wherever the error is printed or serialized.
   */
  value(value: unknown, depth = 0): unknown {
    if (typeof value === "string") return this.text(value)
    if (value === null || typeof value !== "object" || value instanceof Uint8Array) return value
    if (depth >= MAX_DEPTH) return TOO_DEEP
    if (Array.isArray(value)) return value.map((v) => this.value(v, depth + 1))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.value(v, depth + 1)]))
  }
}
