/** Each OpenAPI source should say where its API is; otherwise the user must give the server URL. */
import type { LoadedSource } from "../load/document.js"
import { report, type Reporter } from "../resolve/context.js"

export const checkServers = (sources: ReadonlyArray<LoadedSource>, reporter: Reporter): void => {
  for (const s of sources) {
    if (s.description !== undefined && s.description.serverUrl === undefined) {
      report(
        reporter,
        ["sourceDescriptions", s.index],
        "warning",
        "no-server-url",
        `\`${s.name}\` has no absolute server URL; set one with Servers.layer({ ${s.name}: "https://…" })`
      )
    }
  }
}
