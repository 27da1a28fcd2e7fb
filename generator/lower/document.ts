/**
 * A document validation accepted, lowered to its IR. Lowering reports nothing: every problem a
 * document can have is validation's (validate/meaning.ts). `undefined` only when a resolver
 * failed on an accepted document, which is a bug the caller reports as such.
 */
import { createHash } from "node:crypto"
import type { LoadedDocument } from "../load/document.js"
import type { ApiParameter } from "../load/openapi.js"
import { arrayAt, isObject, type Reporter, stringAt } from "../resolve/context.js"
import { operationKey } from "../resolve/operations.js"
import { errorSets, type StepNeeds, workflowRefs } from "./errors.js"
import type { ChannelIR, DocumentIR, OperationIR, ParameterStyleIR, WorkflowIR } from "./ir.js"
import { lowerWorkflow } from "./workflow.js"

/** Choices of the user that change the generated types. */
export interface LowerOptions {
  /** Decode enums in responses closed (a value the OpenAPI does not list fails the step); open by default. */
  readonly closedEnums?: boolean
}

export const lowerDocument = (document: LoadedDocument, options: LowerOptions = {}): DocumentIR | undefined => {
  // The shared resolvers report as they resolve; validation has heard all of it already.
  const reporter: Reporter = { source: document.source, diagnostics: [] }
  const root = document.source.value
  if (!isObject(root)) return undefined
  const lowered: Array<Omit<WorkflowIR, "errors">> = []
  const typeOptions = { openEnums: options.closedEnums !== true }
  const operations = new Map<string, OperationIR>()
  const channels = new Map<string, ChannelIR>()
  let ok = true
  for (const [i, raw] of arrayAt(root, "workflows").entries()) {
    const workflow = lowerWorkflow(root, raw as Record<string, unknown>, i, document.sources, reporter, typeOptions)
    if (workflow === undefined) {
      ok = false
      continue
    }
    lowered.push(workflow.workflow)
    for (const channel of workflow.channels) channels.set(channel.key, channel)
    for (const resolved of workflow.operations) {
      operations.set(operationKey(resolved), {
        key: operationKey(resolved),
        source: resolved.source.name,
        operationId: resolved.operation.operationId,
        method: resolved.operation.method,
        path: resolved.operation.path,
        security: resolved.operation.security,
        securityScopes: resolved.operation.securityScopes,
        serialization: serializationOf(resolved.operation.parameters)
      })
    }
  }
  const sources = document.sources.filter((s) => s.description !== undefined || s.asyncapi !== undefined).map((s) => ({
    name: s.name,
    url: s.url,
    // An AsyncAPI source's broker: its first server, `protocol://host/pathname`.
    serverUrl: s.description?.serverUrl ?? s.asyncapi?.servers[0]?.url ?? "",
    securitySchemes: s.description?.securitySchemes ?? {}
  }))
  if (!ok || reporter.diagnostics.some((d) => d.severity === "error")) return undefined
  const errors = errorSets(lowered, credentialNeeds(operations, sources))
  const workflows: Array<WorkflowIR> = lowered.map((w) => ({ ...w, errors: errors.get(w.workflowId)! }))
  const used = new Set(workflows.flatMap(workflowRefs).flatMap((ref) => ref.source ?? []))
  const imports = document.sources.filter((s) => used.has(s.name) && s.arazzo !== undefined)
    .map((s) => ({ source: s.name, absolutePath: s.arazzo!.absolutePath }))
  const info = isObject(root["info"]) ? root["info"] : {}
  return {
    file: document.file,
    sha256: createHash("sha256").update(document.text).digest("hex"),
    title: stringAt(info, "title"),
    summary: stringAt(info, "summary"),
    description: stringAt(info, "description"),
    sources,
    operations: [...operations.values()],
    workflows,
    imports,
    ...(channels.size > 0 ? { channels: [...channels.values()] } : {})
  }
}

/**
 * Whether a step can miss a credential (its operation's OpenAPI asks for one and no alternative
 * is met by the step's own parameters), and whether it may need an OAuth2 token for it.
 */
const credentialNeeds = (
  operations: ReadonlyMap<string, OperationIR>,
  sources: ReadonlyArray<Pick<DocumentIR["sources"][number], "name" | "securitySchemes">>
): StepNeeds =>
(step) => {
  const op = step.operation === undefined ? undefined : operations.get(step.operation)
  if (op === undefined || op.security.length === 0) return { credential: false, token: false }
  const schemes = sources.find((s) => s.name === op.source)?.securitySchemes ?? {}
  const sends = (location: string, name: string) =>
    step.parameters.some((p) =>
      p.in === location && (location === "header" ? p.name.toLowerCase() === name.toLowerCase() : p.name === name)
    )
  const sent = (name: string) => {
    const scheme = Object.hasOwn(schemes, name) ? schemes[name] : undefined
    if (scheme === undefined) return false
    return scheme.type === "apiKey" ? sends(scheme.in, scheme.name) : sends("header", "authorization")
  }
  if (op.security.some((names) => names.every(sent))) return { credential: false, token: false }
  const token = op.security.some((names) =>
    names.some((n) =>
      !sent(n) && Object.hasOwn(schemes, n) &&
      (schemes[n]!.type === "oauth2" || schemes[n]!.type === "openIdConnect")
    )
  )
  return { credential: true, token }
}

const serializationOf = (parameters: ReadonlyArray<ApiParameter>): OperationIR["serialization"] => {
  const table: Partial<Record<ApiParameter["in"], Record<string, ParameterStyleIR>>> = {}
  for (const p of parameters) {
    if (p.serialization !== undefined) (table[p.in] ??= {})[p.name] = p.serialization
  }
  return table
}
