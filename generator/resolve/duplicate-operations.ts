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

/** The one operation of `matches` the step's parameters fit; undefined when none or several do. */
export const pickByParameters = <M extends { readonly operation: ApiOperation }>(
  matches: ReadonlyArray<M>,
  step: Record<string, unknown> | undefined
): M | undefined => {
  if (step === undefined) return undefined
  // A reusable parameter (`reference`) has a name only in components: the step is not fully known.
  if ((Array.isArray(step["parameters"]) ? step["parameters"] : []).some((p) => isObject(p) && "reference" in p)) {
    return undefined
  }
  const given = givenParameters(step)
  const fitting = matches.filter((m) => fits(m.operation, given))
  return fitting.length === 1 ? fitting[0] : undefined
}

/** `operationPath` text naming an operation: `{$sourceDescriptions.api.url}#/paths/~1pets/get`. */
export const operationPathOf = (source: string, operation: ApiOperation): string =>
  `{$sourceDescriptions.${source}.url}#/paths/${
    operation.path.replace(/~/g, "~0").replace(/\//g, "~1")
  }/${operation.method.toLowerCase()}`
