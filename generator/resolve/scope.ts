/**
 * What a workflow's values can name at each point: its inputs (with those of the workflows it
 * depends on), the steps that have run before a step and their outputs, source URLs and
 * component parameters. Validation and lowering build their scopes here, so both see the same.
 */
import type { LoadedSource } from "../load/document.js"
import { arrayAt, isObject, type Reporter, type Scope, stringAt } from "./context.js"
import { canRunBefore, runsAgainAfterSuccess, type WorkflowFlow, workflowFlow } from "./flow.js"
import { findWorkflow, type FoundWorkflow, inputsSchemaOf } from "./workflow-refs.js"

/** The workflows `dependsOn` names that exist, in order (a missing one is a validation error). */
export const dependenciesOf = (
  root: Record<string, unknown>,
  raw: Record<string, unknown>,
  sources: ReadonlyArray<LoadedSource>
): Array<FoundWorkflow> =>
  arrayAt(raw, "dependsOn").flatMap((ref) => {
    const found = findWorkflow(String(ref), root, sources)
    return "raw" in found ? [found] : []
  })

/**
 * A workflow's input properties and required names; a dependency runs with this workflow's
 * inputs, so its inputs become this workflow's too (this workflow's own win).
 */
export const workflowInputs = (
  root: Record<string, unknown>,
  raw: Record<string, unknown>,
  dependencies: ReadonlyArray<FoundWorkflow>
): { readonly properties: Record<string, unknown>; readonly required: Set<unknown> } => {
  const schema = inputsSchemaOf(root, raw["inputs"])
  const properties: Record<string, unknown> = { ...(isObject(schema["properties"]) ? schema["properties"] : {}) }
  const required = new Set(arrayAt(schema, "required"))
  for (const { raw: dependency, root: dependencyRoot } of dependencies) {
    const dependencySchema = inputsSchemaOf(dependencyRoot, dependency["inputs"])
    const dependencyProperties = isObject(dependencySchema["properties"]) ? dependencySchema["properties"] : {}
    for (const [name, s] of Object.entries(dependencyProperties)) {
      if (name in properties) continue
      properties[name] = s
      if (arrayAt(dependencySchema, "required").includes(name)) required.add(name)
    }
  }
  return { properties, required }
}

/** `arazzo: 1.1.x` is the 1.1 line (as the schema choice in validate/structure.ts); anything else 1.0. */
export const documentLine = (root: Record<string, unknown>): "1.0" | "1.1" =>
  /^1\.1\./.test(stringAt(root, "arazzo") ?? "") ? "1.1" : "1.0"

/** The names a workflow's values can refer to, before they are placed at a step. */
export interface WorkflowNames {
  readonly workflowId: string
  readonly order: ReadonlyArray<string>
  readonly flow: WorkflowFlow
  readonly inputs: ReadonlySet<string>
  readonly outputNames: ReadonlyMap<string, ReadonlySet<string>>
  readonly document: Pick<Scope, "sourceUrls" | "componentParameters" | "dependencies" | "line" | "self">
}

export const workflowNames = (
  root: Record<string, unknown>,
  raw: Record<string, unknown>,
  sources: ReadonlyArray<LoadedSource>,
  dependencies: ReadonlyArray<FoundWorkflow>
): WorkflowNames => {
  const rawSteps = arrayAt(raw, "steps").filter(isObject)
  const components = isObject(root["components"]) ? root["components"] : {}
  return {
    workflowId: stringAt(raw, "workflowId")!,
    order: rawSteps.map((s) => stringAt(s, "stepId") ?? ""),
    flow: workflowFlow(raw, components),
    inputs: new Set(Object.keys(workflowInputs(root, raw, dependencies).properties)),
    outputNames: new Map(rawSteps.map((s) => [
      stringAt(s, "stepId") ?? "",
      new Set(Object.keys(isObject(s["outputs"]) ? s["outputs"] : {}))
    ])),
    document: {
      line: documentLine(root),
      self: stringAt(root, "$self"),
      sourceUrls: new Map(sources.map((s) => [s.name, s.url])),
      componentParameters: isObject(components["parameters"]) ? components["parameters"] : {},
      dependencies: new Map(dependencies.map(({ raw: dependency, root: dependencyRoot, workflowId: id }) => {
        const schema = inputsSchemaOf(dependencyRoot, dependency["inputs"])
        return [id, {
          inputs: new Set(Object.keys(isObject(schema["properties"]) ? schema["properties"] : {})),
          outputs: new Set(Object.keys(isObject(dependency["outputs"]) ? dependency["outputs"] : {}))
        }]
      }))
    }
  }
}

/** What step `i` can refer to: steps that can have run before it along some path (all earlier ones, in a straight line). */
export const stepScope = (names: WorkflowNames, i: number, reporter: Reporter): Scope => {
  const id = names.order[i]!
  const before = canRunBefore(names.flow, id)
  return {
    ...reporter,
    workflowId: names.workflowId,
    inputs: names.inputs,
    // The step itself when it runs again after succeeding (pagination): its previous pass's outputs.
    stepsBefore: new Map(
      [...before].filter((s) => s !== id || runsAgainAfterSuccess(names.flow, id)).map((
        s
      ) => [s, names.outputNames.get(s)!])
    ),
    canRunBefore: before,
    allSteps: new Set(names.order),
    response: false,
    ...names.document
  }
}

/** What the workflow's outputs can refer to: every step. */
export const outputScope = (names: WorkflowNames, reporter: Reporter): Scope => ({
  ...reporter,
  workflowId: names.workflowId,
  inputs: names.inputs,
  stepsBefore: names.outputNames,
  canRunBefore: new Set(names.order),
  allSteps: new Set(names.order),
  response: false,
  ...names.document
})
