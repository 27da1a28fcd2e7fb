/**
 * An operationId the OpenAPI description uses for several operations (it must be unique there).
 * When the step's own parameters fit exactly one of them — it gives every parameter that one
 * requires and no path parameter it lacks, and fits none of the others — that is the one a
 * reader takes. Otherwise it stays ambiguous.
 */
import type { ApiOperation } from "../load/openapi.js"
import { isObject } from "./context.js"

/** The step's named parameters as `{ name, in }` (`in` missing for a step that leaves it out). */
const givenParameters = (step: Record<string, unknown>) =>
  (Array.isArray(step["parameters"]) ? step["parameters"] : []).filter(isObject).flatMap((p) =>
    typeof p["name"] === "string" ? [{ name: p["name"], in: typeof p["in"] === "string" ? p["in"] : undefined }] : []
  )

const fits = (operation: ApiOperation, given: ReturnType<typeof givenParameters>): boolean => {
  const has = (name: string, where: string) => given.some((g) => g.name === name && (g.in ?? where) === where)
  const required = operation.parameters.filter((p) => p.required || p.in === "path")
  if (!required.every((p) => has(p.name, p.in))) return false
  const pathNames = new Set(operation.parameters.filter((p) => p.in === "path").map((p) => p.name))
  return given.every((g) => g.in !== "path" || pathNames.has(g.name))
}

/** The operations of `matches` the step's parameters fit; undefined when the step's parameters are not all known. */
export const fittingParameters = <M extends { readonly operation: ApiOperation }>(
  matches: ReadonlyArray<M>,
  step: Record<string, unknown> | undefined
): ReadonlyArray<M> | undefined => {
  if (step === undefined) return undefined
  // A reusable parameter (`reference`) has a name only in components: the step is not fully known.
  if ((Array.isArray(step["parameters"]) ? step["parameters"] : []).some((p) => isObject(p) && "reference" in p)) {
    return undefined
  }
  const given = givenParameters(step)
  return matches.filter((m) => fits(m.operation, given))
}

/** The one operation of `matches` the step's parameters fit; undefined when none or several do. */
export const pickByParameters = <M extends { readonly operation: ApiOperation }>(
  matches: ReadonlyArray<M>,
  step: Record<string, unknown> | undefined
): M | undefined => {
  const fitting = fittingParameters(matches, step)
  return fitting?.length === 1 ? fitting[0] : undefined
}

/**
 * When the parameters fit several: the one at a path another step of the same workflow calls
 * (`getShopScriptTag` and `updateShopScriptTag` at `/appstore/v1/script_tags/{id}.json`, so its
 * `deleteScriptTag` is the DELETE there, not the one under `/v1/`). The workflow works on that
 * resource; an operation at a path none of its steps touches is not what a reader takes. Only
 * siblings whose own operation is certain count (an operationPath, or an operationId used once).
 */
export const pickBySiblings = <M extends { readonly operation: ApiOperation }>(
  fitting: ReadonlyArray<M>,
  operations: ReadonlyArray<ApiOperation>,
  step: Record<string, unknown>,
  siblings: ReadonlyArray<unknown>
): { readonly picked: M; readonly by: string } | undefined => {
  const paths = new Map<string, string>()
  for (const sibling of siblings) {
    if (!isObject(sibling) || sibling === step || typeof sibling["stepId"] !== "string") continue
    const id = sibling["operationId"]
    const byId = typeof id === "string" ? operations.filter((o) => o.operationId === id) : []
    const byPath = typeof sibling["operationPath"] === "string"
      ? /#\/paths\/([^/]+)\/[a-zA-Z]+$/.exec(sibling["operationPath"])?.[1]
      : undefined
    const path = byId.length === 1
      ? byId[0]!.path
      : byPath === undefined
      ? undefined
      : decodeURIComponent(byPath).replace(/~1/g, "/").replace(/~0/g, "~")
    if (path !== undefined && !paths.has(path)) paths.set(path, sibling["stepId"])
  }
  const atSiblingPaths = fitting.filter((m) => paths.has(m.operation.path))
  return atSiblingPaths.length === 1
    ? { picked: atSiblingPaths[0]!, by: paths.get(atSiblingPaths[0]!.operation.path)! }
    : undefined
}

/** `operationPath` text naming an operation: `{$sourceDescriptions.api.url}#/paths/~1pets/get`. */
export const operationPathOf = (source: string, operation: ApiOperation): string =>
  `{$sourceDescriptions.${source}.url}#/paths/${
    operation.path.replace(/~/g, "~0").replace(/\//g, "~1")
  }/${operation.method.toLowerCase()}`
