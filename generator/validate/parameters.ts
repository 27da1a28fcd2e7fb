/**
 * An operation step's parameters (its own, and the workflow's it inherits, reusable ones through
 * `$components`): each says where it goes, its value refers to what is in scope, and every path
 * parameter of the operation is given.
 */
import type { ApiOperation } from "../load/openapi.js"
import type { Path } from "../load/yaml.js"
import { mergeParameters, type PlacedParameter } from "../resolve/components.js"
import { report, type Scope, stringAt } from "../resolve/context.js"
import { PARAMETER_LOCATIONS } from "../resolve/parameters.js"
import { lowerValue } from "../resolve/values.js"
import type { StepChecks } from "./context.js"

/** Checks the parameters; returns them as the request will have them (`undefined`: a reference names no component). */
export const checkParameters = (
  raw: Record<string, unknown>,
  operation: ApiOperation | undefined,
  scope: Scope,
  checks: StepChecks,
  path: Path
): ReadonlyArray<PlacedParameter> | undefined => {
  const parameters = mergeParameters(raw, checks, scope, path, false)
  if (parameters === undefined) return undefined
  for (const { parameter, at } of parameters) {
    const name = stringAt(parameter, "name")
    const location = stringAt(parameter, "in")
    if (name === undefined || location === undefined || !PARAMETER_LOCATIONS.has(location)) {
      report(
        scope,
        at,
        "error",
        "parameter-in-missing",
        `parameter${name ? ` \`${name}\`` : ""} of an operation step needs \`in\`: path, query, header or cookie`
      )
      continue
    }
    lowerValue(parameter["value"], scope, [...at, "value"])
  }
  // Names as written, so that a parameter whose value failed is not also reported as missing.
  const given = parameters.flatMap((
    { parameter: p }
  ) => (p["in"] === "path" && typeof p["name"] === "string" ? [p["name"]] : []))
  for (const required of operation?.parameters.filter((p) => p.in === "path") ?? []) {
    if (!given.includes(required.name)) {
      const hint = given.length > 0 ? `; the step gives ${given.map((g) => `\`${g}\``).join(", ")}` : ""
      report(
        scope,
        path,
        "error",
        "missing-path-parameter",
        `path parameter \`${required.name}\` of ${operation!.method} ${operation!.path} is not given${hint}`
      )
    }
  }
  return parameters
}
