/**
 * An operation step's parameters (its own, and the workflow's it inherits, reusable ones through
 * `$components`): each says where it goes, its value refers to what is in scope, and every path
 * parameter of the operation is given.
 */
import type { ApiOperation } from "../load/openapi.js"
import type { Path } from "../load/yaml.js"
import { mergeParameters } from "../resolve/components.js"
import { report, type Scope, stringAt } from "../resolve/context.js"
import { PARAMETER_LOCATIONS } from "../resolve/parameters.js"
import { lowerValue } from "../resolve/values.js"
import type { StepChecks } from "./context.js"

export const checkParameters = (
  raw: Record<string, unknown>,
  operation: ApiOperation | undefined,
  scope: Scope,
  checks: StepChecks,
  path: Path
): void => {
  const parameters = mergeParameters(raw, checks, scope, path, false)
  if (parameters === undefined) return
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
}
