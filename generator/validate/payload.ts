/**
 * A step's request body: its payload's values refer to what is in scope, a form or multipart
 * payload is an object of fields, and each replacement's target is a JSON Pointer (an XPath for
 * an XML body), or what its `targetSelectorType` says.
 */
import type { ApiOperation } from "../load/openapi.js"
import type { Path } from "../load/yaml.js"
import { arrayAt, isObject, report, type Scope } from "../resolve/context.js"
import { bodyContentType, encodingOf, isXml } from "../resolve/media.js"
import { replacementTarget } from "../resolve/selectors.js"
import { lowerValue } from "../resolve/values.js"

export const checkBody = (
  raw: Record<string, unknown>,
  operation: ApiOperation | undefined,
  scope: Scope,
  path: Path
): void => {
  const requestBody = raw["requestBody"]
  if (!isObject(requestBody)) return
  const at = [...path, "requestBody"]
  const contentType = bodyContentType(requestBody, operation)
  const encoding = encodingOf(contentType)
  const value = lowerValue(requestBody["payload"], scope, [...at, "payload"])
  const replacements = checkReplacements(requestBody, isXml(contentType), scope, at)
  if (value === undefined || !replacements) return
  // A string payload is the body's text as written (a form or JSON text with embedded expressions).
  const text = value.kind === "template" || (value.kind === "literal" && typeof value.value === "string")
  if (text && encoding !== "multipart") return
  // A whole value from an input or an earlier step is checked when the request is built.
  if (
    (encoding === "multipart" || encoding === "form") &&
    (value.kind === "literal" || value.kind === "array" || value.kind === "template")
  ) {
    report(scope, [...at, "payload"], "error", "payload-shape", `a ${contentType} payload must be an object of fields`)
  }
}

const checkReplacements = (requestBody: Record<string, unknown>, xml: boolean, scope: Scope, at: Path): boolean => {
  let ok = true
  for (const [i, replacement] of arrayAt(requestBody, "replacements").entries()) {
    const where = [...at, "replacements", i]
    if (!isObject(replacement)) continue
    if (replacementTarget(replacement, xml, scope, where) === undefined) {
      ok = false
      continue
    }
    if (lowerValue(replacement["value"], scope, [...where, "value"]) === undefined) ok = false
  }
  return ok
}
