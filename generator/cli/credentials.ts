/**
 * `run --credential source.scheme[.part]=value` and the `ARAZZO_CREDENTIAL_…` environment: the
 * credentials the workflow's operations are sent with (runtime `Credentials`). Values are never
 * echoed: a malformed option is named by its key only, and every value becomes a secret of the
 * run, redacted in whatever the CLI prints.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { CREDENTIAL_FIELDS, credentialKey, fieldsFor, type SecurityScheme } from "../../runtime/core/credentials.js"
import * as Arazzo from "../../runtime/effect3/index.js"
import { UsageError } from "./exit.js"
import type { RunnableIR } from "./run-cache.js"

export interface CredentialPair {
  readonly source: string
  readonly scheme: string
  readonly field: string
  readonly value: string
}

const usage = (message: string) => new UsageError({ message })

/** Reads `--credential` values against the document's sources and their security schemes. */
export const credentialPairs = (
  ir: RunnableIR,
  texts: ReadonlyArray<string>
): Effect.Effect<ReadonlyArray<CredentialPair>, UsageError> =>
  Effect.forEach(texts, (text) => {
    const at = text.indexOf("=")
    const key = at > 0 ? text.slice(0, at).trim() : ""
    const value = at > 0 ? text.slice(at + 1) : ""
    const [source = "", scheme = "", field = "value", ...rest] = key.split(".")
    if (source === "" || scheme === "" || value === "" || rest.length > 0) {
      return Effect.fail(
        usage(
          `--credential takes source.scheme=value (or source.scheme.part=value)${
            key === "" ? "" : `, not \`${key}=…\``
          }`
        )
      )
    }
    const found = ir.sources.find((s) => s.name === source)
    if (found === undefined) {
      return Effect.fail(usage(
        `--credential ${key}=…: the document has no source \`${source}\`; its sources: ${
          ir.sources.map((s) => s.name).join(", ")
        }`
      ))
    }
    const schemes = (found.securitySchemes ?? {}) as Readonly<Record<string, SecurityScheme>>
    if (!Object.hasOwn(schemes, scheme)) {
      const names = Object.keys(schemes)
      return Effect.fail(usage(
        `--credential ${key}=…: source \`${source}\` has no security scheme \`${scheme}\`${
          names.length > 0 ? `; its schemes: ${names.join(", ")}` : ""
        }`
      ))
    }
    const parts = fieldsFor(schemes[scheme]!)
    if (!(CREDENTIAL_FIELDS as ReadonlyArray<string>).includes(field) || !parts.includes(field as never)) {
      return Effect.fail(
        usage(`--credential ${key}=…: a ${schemes[scheme]!.type} scheme takes the parts ${parts.join(", ")}`)
      )
    }
    return Effect.succeed({ source, scheme, field, value })
  })

/** The generated sources as the runtime declares them, from the IR (for `Credentials.layerConfig`). */
export const runtimeSources = (ir: RunnableIR): Array<Arazzo.Source> =>
  ir.sources.map((s) =>
    Arazzo.source(s.name, s.serverUrl, (s.securitySchemes ?? {}) as Readonly<Record<string, SecurityScheme>>)
  )

/** `--credential` values over those of the environment. */
export const credentialsLayer = (ir: RunnableIR, pairs: ReadonlyArray<CredentialPair>) =>
  Arazzo.Credentials.layer(Arazzo.credentialsFromPairs(pairs)).pipe(
    Layer.provide(Arazzo.Credentials.layerConfig(runtimeSources(ir)))
  )

/** Every credential value the run may send (options and environment), for the CLI's redaction. */
export const credentialSecrets = (ir: RunnableIR, pairs: ReadonlyArray<CredentialPair>): Array<string> => {
  const values = pairs.map((p) => p.value)
  for (const source of runtimeSources(ir)) {
    for (const [name, scheme] of Object.entries(source.securitySchemes)) {
      for (const field of fieldsFor(scheme)) {
        const value = process.env[credentialKey(source.name, name, field)]
        if (value !== undefined && value !== "") values.push(value)
      }
    }
  }
  return values
}
