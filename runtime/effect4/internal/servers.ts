/**
 * Base URLs of source descriptions. Each generated module names its sources with the URL of
 * their OpenAPI `servers` entry; a `Layer` (or `Config`) points them elsewhere, which is how a
 * workflow is aimed at a staging host or a local mock.
 */
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { SecuritySchemes } from "../../core/credentials.js"

/** A source description as generated code refers to it. */
export interface Source<Schemes extends SecuritySchemes = SecuritySchemes> {
  /** The `name` of the source description in the Arazzo document. */
  readonly name: string
  /** The base URL from the OpenAPI description's first `servers` entry. */
  readonly defaultUrl: string
  /** The OpenAPI description's security schemes, by name: what `Credentials` can give it. */
  readonly securitySchemes: Schemes
}

export const source = <const Schemes extends SecuritySchemes = {}>(
  name: string,
  defaultUrl: string,
  securitySchemes?: Schemes
): Source<Schemes> => ({ name, defaultUrl, securitySchemes: securitySchemes ?? ({} as Schemes) })

/** Base URL overrides by source name. Empty by default: each source uses its OpenAPI server. */
export class Servers extends Context.Reference<Readonly<Record<string, string>>>("arazzo-effect/Servers", {
  defaultValue: () => ({})
}) {
  /** Points sources at other base URLs, e.g. `Servers.layer({ civitaiOrchestrationApi: "http://127.0.0.1:8080" })`. */
  static layer(urls: Readonly<Record<string, string>>): Layer.Layer<never> {
    return Layer.effect(Servers, Effect.map(Servers, (current) => ({ ...current, ...urls })))
  }

  /**
   * Reads overrides from `Config`: for a source named `civitaiOrchestrationApi` the key is
   * `ARAZZO_SERVER_CIVITAI_ORCHESTRATION_API`. Sources without a value keep their default.
   */
  static layerConfig(names: ReadonlyArray<string>): Layer.Layer<never, Config.ConfigError> {
    return Layer.effect(
      Servers,
      Effect.gen(function*() {
        const current = yield* Servers
        const found: Record<string, string> = {}
        for (const name of names) {
          const url = yield* Config.option(Config.String(configKey(name)))
          if (Option.isSome(url)) found[name] = url.value
        }
        return { ...current, ...found }
      })
    )
  }
}

/** `civitaiOrchestrationApi` → `ARAZZO_SERVER_CIVITAI_ORCHESTRATION_API`. */
export const configKey = (name: string): string =>
  "ARAZZO_SERVER_" + name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/[^A-Za-z0-9]+/g, "_").toUpperCase()

/** The base URL in force for a source among the overrides, without a trailing slash. */
export const baseUrlIn = (urls: Readonly<Record<string, string>>, source: Source): string =>
  (Object.hasOwn(urls, source.name) ? urls[source.name]! : source.defaultUrl).replace(/\/+$/, "")

/** The base URL in force for a source, without a trailing slash. */
export const baseUrl = (source: Source): Effect.Effect<string> => Effect.map(Servers, (urls) => baseUrlIn(urls, source))
