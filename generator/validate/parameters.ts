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
        `parameter${
          name ? ` \`${name}\`` : ""
        } of an operation step needs \`in\`: path, query, querystring (1.1), header or cookie`
      )
      continue
    }
    lowerValue(parameter["value"], scope, [...at, "value"])
  }
  checkQuerystring(parameters, scope)
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

/**
 * A `querystring` parameter is the whole query string: one per request, never beside `query`
 * parameters (OpenAPI 3.2 forbids both on one operation), and a text, not a structure.
 */
const checkQuerystring = (parameters: ReadonlyArray<PlacedParameter>, scope: Scope): void => {
  const whole = parameters.filter(({ parameter }) => parameter["in"] === "querystring")
  if (whole.length === 0) return
  for (const extra of whole.slice(1)) {
    report(
      scope,
      extra.at,
      "error",
      "querystring-twice",
      "a request has one query string: only one `querystring` parameter"
    )
  }
  const query = parameters.find(({ parameter }) => parameter["in"] === "query")
  if (query !== undefined) {
    report(
      scope,
      query.at,
      "error",
      "querystring-with-query",
      "`query` parameters cannot be given beside a `querystring` parameter (it is the whole query string)"
    )
  }
  for (const { parameter, at } of whole) {
    const value = parameter["value"]
    if (typeof value === "object" && value !== null && !("selector" in value)) {
      report(
        scope,
        [...at, "value"],
        "error",
        "querystring-not-text",
        "a `querystring` value is the query string as text, such as `a=1&b=2`"
      )
    }
  }
}
