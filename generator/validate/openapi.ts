/**
 * The step against the OpenAPI operation it calls, as warnings: the document may still be right
 * (a gateway adds the credential, the API answers a status it forgot to declare), but each is a
 * run that fails later in a way the author can fix now.
 * - `undeclared-status`: a success criterion `$statusCode == N` on a status the operation never
 *   declares (no `N`, `NXX` or `default` response).
 * - `security-not-sent`: the operation's `security` asks for a credential no parameter of the
 *   step sends (an apiKey's name in its place; `Authorization` for http, oauth2, openIdConnect).
 *   Real documents almost never pass one, and each such step gets a 401 from the real API; the
 *   message says whether other steps send it, and that a client layer may add it instead.
 * - `content-type-conflict`: a `Content-Type` header the step sets that differs from its body's
 *   media type (the header is sent as the step says).
 */
import { type Condition, parseCondition } from "../expressions/index.js"
import type { ApiDescription, ApiOperation } from "../load/openapi.js"
import type { Path } from "../load/yaml.js"
import type { PlacedParameter } from "../resolve/components.js"
import { arrayAt, isObject, report, type Reporter } from "../resolve/context.js"
import { bodyContentType } from "../resolve/media.js"
import type { ResolvedOperation } from "../resolve/operations.js"

/** The steps whose security is checked once the whole document has been read. */
export type SecurityLedger = Array<SecuredStep>

interface SecuredStep {
  readonly resolved: ResolvedOperation
  readonly parameters: ReadonlyArray<PlacedParameter>
  readonly reporter: Reporter
  readonly path: Path
}

export const checkAgainstOpenApi = (
  raw: Record<string, unknown>,
  resolved: ResolvedOperation,
  parameters: ReadonlyArray<PlacedParameter>,
  ledger: SecurityLedger,
  reporter: Reporter,
  path: Path
): void => {
  checkStatuses(raw, resolved.operation, reporter, path)
  if (resolved.operation.security.length > 0) ledger.push({ resolved, parameters, reporter, path })
  checkContentType(raw, resolved.operation, parameters, reporter)
}

// ---------------------------------------------------------------------------------------------
// Statuses

/** `$statusCode == N` comparisons anywhere in a condition, with N and where the comparison starts. */
const statusComparisons = (c: Condition): Array<{ readonly status: number; readonly offset: number }> => {
  switch (c.type) {
    case "and":
    case "or":
      return [...statusComparisons(c.left), ...statusComparisons(c.right)]
    case "not":
      return statusComparisons(c.operand)
    case "operand":
      return []
    case "compare": {
      if (c.op !== "==") return []
      const [status, literal] = c.left.type === "expression" ? [c.left, c.right] : [c.right, c.left]
      if (status.type !== "expression" || status.expression.type !== "statusCode") return []
      if (literal.type !== "literal" || typeof literal.value !== "number") return []
      return [{ status: literal.value, offset: c.span.start }]
    }
  }
}

const declares = (operation: ApiOperation, status: number): boolean => {
  const declared = Object.keys(operation.responses).map((s) => s.toUpperCase())
  return declared.includes(String(status)) || declared.includes(`${String(status)[0]}XX`) ||
    declared.includes("DEFAULT")
}

const checkStatuses = (raw: Record<string, unknown>, operation: ApiOperation, reporter: Reporter, path: Path) => {
  const declared = Object.keys(operation.responses)
  if (declared.length === 0) return // the description says nothing about responses: nothing to compare
  for (const [i, criterion] of arrayAt(raw, "successCriteria").entries()) {
    if (!isObject(criterion) || typeof criterion["condition"] !== "string") continue
    if (criterion["type"] !== undefined && criterion["type"] !== "simple") continue
    const parsed = parseCondition(criterion["condition"])
    if (!parsed.ok) continue
    for (const { status, offset } of statusComparisons(parsed.value)) {
      if (declares(operation, status)) continue
      report(
        reporter,
        [...path, "successCriteria", i, "condition"],
        "warning",
        "undeclared-status",
        `${operation.method} ${operation.path} declares no ${status} response (it declares ${
          declared.map((s) => `\`${s}\``).join(", ")
        }); this criterion can never hold as the OpenAPI describes the operation`,
        offset
      )
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Security

type SchemeNeed =
  | { readonly kind: "parameter"; readonly in: string; readonly name: string }
  | { readonly kind: "authorization"; readonly type: string }

/** The security schemes a description defines (OpenAPI 3 `components.securitySchemes`, Swagger 2 `securityDefinitions`). */
const schemesOf = (description: ApiDescription): Record<string, unknown> => {
  const raw = isObject(description.raw) ? description.raw : {}
  const components = isObject(raw["components"]) ? raw["components"] : {}
  if (isObject(components["securitySchemes"])) return components["securitySchemes"]
  return isObject(raw["securityDefinitions"]) ? raw["securityDefinitions"] : {}
}

/** What a request must carry for a scheme; `undefined` when nothing a step sends can show it (mutual TLS, unknown). */
const needOf = (scheme: unknown): SchemeNeed | undefined => {
  if (!isObject(scheme)) return undefined
  const type = scheme["type"]
  if (type === "apiKey" && typeof scheme["name"] === "string" && typeof scheme["in"] === "string") {
    return { kind: "parameter", in: scheme["in"], name: scheme["name"] }
  }
  // Swagger 2's `basic` and `oauth2`, OpenAPI 3's `http`, `oauth2` and `openIdConnect`.
  if (type === "http" || type === "basic" || type === "oauth2" || type === "openIdConnect") {
    return { kind: "authorization", type }
  }
  return undefined
}

const sends = (parameters: ReadonlyArray<PlacedParameter>, location: string, name: string): boolean =>
  parameters.some(({ parameter }) =>
    parameter["in"] === location && typeof parameter["name"] === "string" &&
    (location === "header" ? parameter["name"].toLowerCase() === name.toLowerCase() : parameter["name"] === name)
  )

const satisfied = (need: SchemeNeed | undefined, parameters: ReadonlyArray<PlacedParameter>): boolean =>
  need === undefined ||
  (need.kind === "parameter"
    ? sends(parameters, need.in, need.name)
    : sends(parameters, "header", "Authorization"))

const describeNeed = (scheme: string, need: SchemeNeed): string =>
  need.kind === "parameter"
    ? `\`${scheme}\` (an API key in ${need.in} \`${need.name}\`)`
    : `\`${scheme}\` (${need.type}: an \`Authorization\` header)`

const requirementsOf = ({ resolved: { source, operation } }: SecuredStep) => {
  const schemes = schemesOf(source.description)
  return operation.security.map((names) => names.map((name) => ({ name, need: needOf(schemes[name]) })))
}

/** Each step whose operation needs a credential it does not send. */
export const checkSecurity = (ledger: SecurityLedger): void => {
  const key = (step: SecuredStep, scheme: string) => `${step.resolved.source.name}\u0000${scheme}`
  const sent = new Set(
    ledger.flatMap((step) =>
      requirementsOf(step).flat().flatMap(({ name, need }) =>
        need !== undefined && satisfied(need, step.parameters) ? [key(step, name)] : []
      )
    )
  )
  for (const step of ledger) {
    const alternatives = requirementsOf(step)
    if (alternatives.some((all) => all.every(({ need }) => satisfied(need, step.parameters)))) continue
    const elsewhere = alternatives.flat().some(({ name }) => sent.has(key(step, name)))
    const missing = alternatives.map((all) =>
      all.flatMap(({ name, need }) =>
        need === undefined || satisfied(need, step.parameters) ? [] : [describeNeed(name, need)]
      ).join(" and ")
    )
    const { operation } = step.resolved
    report(
      step.reporter,
      step.path,
      "warning",
      "security-not-sent",
      `${operation.method} ${operation.path} requires ${missing.join(", or ")}, which this step does not send${
        elsewhere ? " (other steps do)" : ""
      }; at run time it comes from \`Arazzo.Credentials\` (or \`run --credential\`), else the step fails with CredentialMissing before sending; or add it as a parameter`
    )
  }
}

// ---------------------------------------------------------------------------------------------
// Content-Type

const baseType = (mediaType: string) => mediaType.split(";")[0]!.trim().toLowerCase()

/** A media type range (`image/*`, `*\/*`) admits a type. */
const admits = (range: string, type: string): boolean => {
  if (range === "*/*" || range === type) return true
  return range.endsWith("/*") && type.startsWith(range.slice(0, -1))
}

const checkContentType = (
  raw: Record<string, unknown>,
  operation: ApiOperation,
  parameters: ReadonlyArray<PlacedParameter>,
  reporter: Reporter
) => {
  const requestBody = raw["requestBody"]
  if (!isObject(requestBody)) return
  const header = parameters.find(({ parameter }) =>
    parameter["in"] === "header" && typeof parameter["name"] === "string" &&
    parameter["name"].toLowerCase() === "content-type"
  )
  // Only a value written in the document can be compared; one from an input is known at run time.
  const value = header?.parameter["value"]
  if (header === undefined || typeof value !== "string" || value.includes("$")) return
  const body = bodyContentType(requestBody, operation)
  if (admits(baseType(body), baseType(value))) return
  report(
    reporter,
    [...header.at, "value"],
    "warning",
    "content-type-conflict",
    `the step sends \`Content-Type: ${value}\`, but its body is \`${body}\`; the header is sent as the step says, the body is encoded as \`${body}\``
  )
}
