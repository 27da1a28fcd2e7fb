/**
 * Resolving a step's `operationId` or `operationPath` to one operation of one source
 * description: qualified (`$sourceDescriptions.api.getPet`) or unqualified when unique.
 */
import { decodePointerToken } from "../../runtime/core/json.js"
import type { LoadedSource } from "../load/document.js"
import type { ApiDescription, ApiOperation } from "../load/openapi.js"
import type { Path } from "../load/yaml.js"
import { report, type Reporter } from "./context.js"
import { fittingParameters, operationPathOf, pickByParameters, pickBySiblings } from "./duplicate-operations.js"
import { caseInsensitiveMatches, suggestOperation } from "./operation-names.js"

export interface ResolvedOperation {
  readonly source: LoadedSource & { readonly description: ApiDescription }
  readonly operation: ApiOperation
}

const loaded = (sources: ReadonlyArray<LoadedSource>) =>
  sources.filter((s): s is ResolvedOperation["source"] => s.description !== undefined)

export const resolveOperationId = (
  text: string,
  sources: ReadonlyArray<LoadedSource>,
  reporter: Reporter,
  path: Path,
  step?: Record<string, unknown>,
  /** The steps of the step's workflow (itself included), for an operationId the OpenAPI reuses. */
  siblings?: ReadonlyArray<unknown>
): ResolvedOperation | undefined => {
  // Respect's `name.operationId` (no `$sourceDescriptions.`), read as meant when `name` is a source.
  const dotted = /^([^$.][^.]*)\.(.+)$/.exec(text)
  if (dotted && sources.some((s) => s.name === dotted[1] && s.type !== "arazzo")) {
    const spec = `$sourceDescriptions.${dotted[1]}.${dotted[2]}`
    report(
      reporter,
      path,
      "warning",
      "operation-id-shorthand",
      `\`${text}\` names the source without \`$sourceDescriptions.\`; read as meant. Spec form: \`${spec}\``
    )
    return resolveOperationId(spec, sources, reporter, path, step, siblings)
  }
  const qualified = /^\$sourceDescriptions\.([^.]+)\.(.+)$/.exec(text)
  const candidates = loaded(qualified ? sources.filter((s) => s.name === qualified[1]) : sources)
  if (qualified && candidates.length === 0) {
    if (!sources.some((s) => s.name === qualified[1])) {
      report(reporter, path, "error", "unknown-source", `no source description is named \`${qualified[1]}\``)
    }
    return undefined
  }
  if (candidates.length === 0) return undefined // the unresolved sources were reported when loading
  const operationId = qualified ? qualified[2]! : text
  const matches = candidates.flatMap((source) =>
    source.description.operations.filter((o) => o.operationId === operationId).map((operation) => ({
      source,
      operation
    }))
  )
  if (matches.length === 1) return matches[0]
  if (matches.length > 1 && new Set(matches.map((m) => m.source.name)).size === 1) {
    const listed = matches.map((m) => `${m.operation.method} ${m.operation.path}`).join(", ")
    // The OpenAPI reuses the operationId; the step's parameters may fit only one of them.
    const picked = pickByParameters(matches, step)
    if (picked !== undefined) {
      report(
        reporter,
        path,
        "warning",
        "operation-id-duplicate",
        `operationId \`${operationId}\` is used by ${matches.length} operations of \`${picked.source.name}\` (${listed}); ` +
          `read as ${picked.operation.method} ${picked.operation.path}, the only one the step's parameters fit. Spec form: \`operationPath: ${
            operationPathOf(picked.source.name, picked.operation)
          }\``
      )
      return picked
    }
    // The parameters fit several: the one at the path the workflow's other steps call, if one is.
    const fitting = fittingParameters(matches, step)
    const bySibling = step !== undefined && siblings !== undefined && fitting !== undefined && fitting.length > 1
      ? pickBySiblings(fitting, matches[0]!.source.description.operations, step, siblings)
      : undefined
    if (bySibling !== undefined) {
      const { picked: one, by } = bySibling
      report(
        reporter,
        path,
        "warning",
        "operation-id-duplicate",
        `operationId \`${operationId}\` is used by ${matches.length} operations of \`${one.source.name}\` (${listed}), and the step's parameters fit ${
          fitting!.length
        }; ` +
          `read as ${one.operation.method} ${one.operation.path}, at the path step \`${by}\` of this workflow also calls. Spec form: \`operationPath: ${
            operationPathOf(one.source.name, one.operation)
          }\``
      )
      return one
    }
    report(
      reporter,
      path,
      "error",
      "ambiguous-operation",
      `operationId \`${operationId}\` is used by ${matches.length} operations of \`${matches[0]!.source.name}\` ` +
        `(${
          matches.map((m) => `${m.operation.method} ${m.operation.path}`).join(", ")
        }); name one with an operationPath`
    )
    return undefined
  }
  if (matches.length > 1) {
    const names = matches.map((m) => `$sourceDescriptions.${m.source.name}.${operationId}`).join(", ")
    report(
      reporter,
      path,
      "error",
      "ambiguous-operation",
      `operationId \`${operationId}\` is in several sources; qualify it: ${names}`
    )
    return undefined
  }
  // It may be in an OpenAPI source that did not load (reported when loading); arazzo sources have no operations.
  if (sources.some((s) => s.type !== "arazzo" && s.description === undefined)) return undefined
  const folded = caseInsensitiveMatches(
    operationId,
    candidates.flatMap((source) => source.description.operations.map((operation) => ({ source, operation })))
  )
  if (folded.length === 1) {
    const spec = `${qualified ? `$sourceDescriptions.${folded[0]!.source.name}.` : ""}${
      folded[0]!.operation.operationId
    }`
    report(
      reporter,
      path,
      "warning",
      "operation-id-case",
      `operationId \`${operationId}\` differs in case from the OpenAPI's; read as meant. Spec form: \`${spec}\``
    )
    return folded[0]
  }
  const suggestion = suggestOperation(operationId, candidates.flatMap((s) => s.description.operations))
  const unresolved = candidates.reduce((n, s) => n + (s.description.unresolvedOperations?.length ?? 0), 0)
  report(
    reporter,
    path,
    "error",
    "unknown-operation",
    `no operation has operationId \`${operationId}\`${suggestion ? `; did you mean \`${suggestion}\`?` : ""}${
      unresolved > 0 ? ` (${unresolved} operation(s) are $refs that cannot be resolved; it may be one of them)` : ""
    }`
  )
  return undefined
}

/** `{$sourceDescriptions.petStore.url}#/paths/~1pets~1{petId}/get` */
export const resolveOperationPath = (
  text: string,
  sources: ReadonlyArray<LoadedSource>,
  reporter: Reporter,
  path: Path
): ResolvedOperation | undefined => {
  let match = /^\{\$sourceDescriptions\.([^.}]+)\.url\}#\/paths\/([^/]+)\/([a-zA-Z]+)$/.exec(text)
  // Real documents write `<source name or url>#/paths/…`; read it as meant, and say the spec form.
  const shorthand = match ? undefined : /^([^#{}]+)#\/paths\/([^/]+)\/([a-zA-Z]+)$/.exec(text)
  // `api#…`, the source's URL, or `$sourceDescriptions.api#…` (without braces and `.url`).
  const written = shorthand?.[1]?.replace(/^\$sourceDescriptions\./, "").replace(/\.url$/, "")
  const named = shorthand && sources.find((s) => s.name === written || s.url === shorthand[1])
  if (shorthand && named) {
    const spec = `{$sourceDescriptions.${named.name}.url}#/paths/${shorthand[2]}/${shorthand[3]}`
    report(
      reporter,
      path,
      "warning",
      "operation-path-shorthand",
      `\`${shorthand[1]}#…\` names the source directly; read as meant. Spec form: \`${spec}\``
    )
    match = [text, named.name, shorthand[2]!, shorthand[3]!] as unknown as RegExpExecArray
  }
  if (!match) {
    const pathItemOnly = /^\{\$sourceDescriptions\.[^.}]+\.url\}#\/paths\/[^/]+$/.test(text)
    report(
      reporter,
      path,
      "error",
      "operation-path-syntax",
      pathItemOnly
        ? "this operationPath points at a path item, not an operation: add the method, as in `…#/paths/~1pets/get`"
        : "an operationPath reads `{$sourceDescriptions.<name>.url}#/paths/<escaped path>/<method>`"
    )
    return undefined
  }
  const [, name, escapedPath, method] = match as unknown as [string, string, string, string]
  const source = loaded(sources).find((s) => s.name === name)
  if (source === undefined) {
    if (!sources.some((s) => s.name === name)) {
      report(reporter, path, "error", "unknown-source", `no source description is named \`${name}\``)
    }
    return undefined
  }
  const apiPath = decodePointerToken(decodeURIComponent(escapedPath))
  const operation = source.description.operations.find((o) => o.path === apiPath && o.method === method.toUpperCase())
  if (operation === undefined) {
    // Declared, but as a `$ref` to a file that is not there: the operation is absent, not missing.
    const unresolved = source.description.unresolvedOperations?.find((o) =>
      o.path === apiPath && (o.method === "*" || o.method === method.toUpperCase())
    )
    if (unresolved !== undefined) {
      report(
        reporter,
        path,
        "error",
        "operation-unresolved",
        `\`${name}\` declares ${
          unresolved.method === "*" ? `path ${apiPath}` : `${method.toUpperCase()} ${apiPath}`
        } as a $ref that cannot be resolved (${unresolved.reason}); ${
          unresolved.method === "*"
            ? `whether it has ${method.toUpperCase()}, and its parameters and responses, are unknown`
            : "its parameters and responses are unknown"
        }. Give a description that holds it (bundled) with --source ${name}=<file>`
      )
      return undefined
    }
    report(reporter, path, "error", "unknown-operation", `\`${name}\` has no ${method.toUpperCase()} ${apiPath}`)
    return undefined
  }
  return { source, operation }
}

/** The operation a step calls (its `operationId` or `operationPath`); `undefined` when it names none. */
export const stepOperation = (
  raw: Record<string, unknown>,
  sources: ReadonlyArray<LoadedSource>,
  reporter: Reporter,
  path: Path,
  siblings?: ReadonlyArray<unknown>
): ResolvedOperation | undefined => {
  const operationId = raw["operationId"]
  if (typeof operationId === "string") {
    return resolveOperationId(operationId, sources, reporter, [...path, "operationId"], raw, siblings)
  }
  const operationPath = raw["operationPath"]
  if (typeof operationPath === "string") {
    return resolveOperationPath(operationPath, sources, reporter, [...path, "operationPath"])
  }
  return undefined
}

/** Whether a step runs a workflow rather than calling an operation. */
export const isCallStep = (raw: Record<string, unknown>): boolean =>
  typeof raw["workflowId"] === "string" && typeof raw["operationId"] !== "string" &&
  typeof raw["operationPath"] !== "string"

/** The key an operation is known by in the IR: source, method and path. */
export const operationKey = ({ source, operation }: ResolvedOperation) =>
  `${source.name} ${operation.method} ${operation.path}`
