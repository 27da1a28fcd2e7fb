/**
 * Meaning, on a document the Arazzo schema has accepted: ids, what each step calls, references
 * and whether they can have a value, goto targets, flow, call inputs, criteria and expression
 * syntax, payload shapes, and the document against its OpenAPI descriptions. A document with
 * no errors here can be lowered.
 */
import type { Diagnostic } from "../diagnostics.js"
import type { LoadedDocument } from "../load/document.js"
import { arrayAt, isObject, report, type Reporter } from "../resolve/context.js"
import { checkIds } from "./ids.js"
import { checkSecurity, type SecurityLedger } from "./openapi.js"
import { checkServers } from "./servers.js"
import { checkWorkflow } from "./workflow.js"

export const validateMeaning = (document: LoadedDocument): Array<Diagnostic> => {
  const reporter: Reporter = { source: document.source, diagnostics: [] }
  const root = document.source.value
  if (!isObject(root)) {
    report(reporter, [], "error", "not-an-object", "an Arazzo document is a YAML or JSON object")
    return reporter.diagnostics
  }
  if (!checkIds(root, reporter)) return reporter.diagnostics
  const security: SecurityLedger = []
  for (const [i, raw] of arrayAt(root, "workflows").entries()) {
    if (isObject(raw)) checkWorkflow(root, raw, i, document.sources, reporter, security)
  }
  checkSecurity(security)
  checkServers(document.sources, reporter)
  return reporter.diagnostics
}
