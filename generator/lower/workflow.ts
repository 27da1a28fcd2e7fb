/** A workflow lowered: inputs typed from its JSON Schema, steps in order, outputs typed through the steps. */
import { isCredentialName } from "../../runtime/core/redact.js"
import type { LoadedSource } from "../load/document.js"
import type { JsonSchema } from "../load/openapi.js"
import type { Path } from "../load/yaml.js"
import { canRunBefore, loopsWithoutExit, reachable, workflowFlow } from "../validate/flow.js"
import { arrayAt, isObject, report, type Reporter, type Scope, stringAt } from "../resolve/context.js"
import type { InputIR, StepIR, ValueIR, WorkflowIR, WorkflowOutputIR } from "./ir.js"
import type { ResolvedOperation } from "../resolve/operations.js"
import { lowerStep, type StepContext, type StepDraft } from "./step.js"
import { hasDefaults, type TypeIR, typeOfSchema, type TypeOptions, UNKNOWN } from "./types.js"
import { lowerString } from "../resolve/values.js"
import { leaves, referencedSteps, stepValues } from "./walk.js"
import { findWorkflow, type FoundWorkflow, inputsSchemaOf, reportShorthand } from "../resolve/workflow-refs.js"

export interface LoweredWorkflow {
  /** The workflow; its errors depend on the workflows it hands over to (see errors.ts). */
  readonly workflow: Omit<WorkflowIR, "errors">
  readonly operations: ReadonlyArray<ResolvedOperation>
}

export const lowerWorkflow = (
  root: Record<string, unknown>,
  raw: Record<string, unknown>,
  index: number,
  sources: ReadonlyArray<LoadedSource>,
  reporter: Reporter,
  typeOptions: TypeOptions
): LoweredWorkflow | undefined => {
  const path: Path = ["workflows", index]
  const workflowId = stringAt(raw, "workflowId")!
  const schema = inputsSchemaOf(root, raw["inputs"])
  const properties: Record<string, unknown> = { ...(isObject(schema["properties"]) ? schema["properties"] : {}) }
  const required = new Set(arrayAt(schema, "required"))
  const inputTypes = new Map<string, TypeIR>(
    Object.entries(properties).map(([name, s]) => [name, typeOfSchema(s as JsonSchema)])
  )
  const rawSteps = arrayAt(raw, "steps").filter(isObject)
  const order = rawSteps.map((s) => stringAt(s, "stepId") ?? "")
  const outputNames = new Map(rawSteps.map((s) => [
    stringAt(s, "stepId") ?? "",
    new Set(Object.keys(isObject(s["outputs"]) ? s["outputs"] : {}))
  ]))
  const flow = workflowFlow(raw)
  const reached = reachable(flow)
  rawSteps.forEach((step, i) => {
    if (!reached.has(order[i]!)) {
      report(
        reporter,
        [...path, "steps", i, "stepId"],
        "warning",
        "unreachable-step",
        `step \`${order[i]}\` can never run: no step goes to it and it does not follow one that goes on`
      )
    }
  })
  for (const loop of loopsWithoutExit(flow)) {
    report(
      reporter,
      [...path, "steps", order.indexOf(loop[0]!), "stepId"],
      "warning",
      "loop-without-exit",
      `the steps ${
        loop.map((s) => `\`${s}\``).join(" → ")
      } go round with no way out on success; the run can end only by failing`
    )
  }
  const context: StepContext = {
    typeOptions,
    components: isObject(root["components"]) ? root["components"] : {},
    findWorkflow: (ref: string) => findWorkflow(ref, root, sources),
    sources,
    order,
    workflowSuccessActions: arrayAt(raw, "successActions"),
    workflowFailureActions: arrayAt(raw, "failureActions"),
    workflowParameters: arrayAt(raw, "parameters"),
    binaryInputs: new Set<string>(),
    credentialInputs: new Set<string>()
  }
  const dependsOn = lowerDependsOn(root, raw, sources, path, reporter)
  if (dependsOn === undefined) return undefined
  // A dependency runs with this workflow's inputs, so its inputs become this workflow's too.
  for (const { raw: dependency, root: dependencyRoot } of dependsOn) {
    const dependencySchema = inputsSchemaOf(dependencyRoot, dependency["inputs"])
    const dependencyProperties = isObject(dependencySchema["properties"]) ? dependencySchema["properties"] : {}
    for (const [name, s] of Object.entries(dependencyProperties)) {
      if (name in properties) continue
      properties[name] = s
      inputTypes.set(name, typeOfSchema(s as JsonSchema))
      if (arrayAt(dependencySchema, "required").includes(name)) required.add(name)
    }
  }
  const documentScope = {
    sourceUrls: new Map(sources.map((s) => [s.name, s.url])),
    componentParameters: isObject(context.components["parameters"]) ? context.components["parameters"] : {},
    dependencies: new Map(dependsOn.map(({ raw: dependency, root: dependencyRoot, workflowId: id }) => {
      const schema = inputsSchemaOf(dependencyRoot, dependency["inputs"])
      return [id, {
        inputs: new Set(Object.keys(isObject(schema["properties"]) ? schema["properties"] : {})),
        outputs: new Set(Object.keys(isObject(dependency["outputs"]) ? dependency["outputs"] : {}))
      }]
    }))
  }
  const drafts: Array<StepDraft> = []
  const operations: Array<ResolvedOperation> = []
  let ok = true
  for (const [i, step] of rawSteps.entries()) {
    const scope: Scope = {
      ...reporter,
      workflowId,
      inputs: inputTypes,
      // Steps that can have run before this one along some path (all earlier ones, in a straight line).
      stepsBefore: new Map(
        [...canRunBefore(flow, order[i]!)].filter((id) => id !== order[i]).map((id) => [id, outputNames.get(id)!])
      ),
      canRunBefore: canRunBefore(flow, order[i]!),
      allSteps: new Set(order),
      response: false,
      ...documentScope
    }
    const lowered = lowerStep(step, i, scope, context, [...path, "steps", i])
    if (lowered === undefined) ok = false
    else {
      drafts.push(lowered.step)
      if (lowered.operation !== undefined) operations.push(lowered.operation)
    }
  }
  const shape = drafts.some((s) => s.actions.some((a) => a.kind === "goto") || s.failureGotos.length > 0)
    ? "stateMachine" as const
    : "linear" as const
  // A step's result is kept when a later step reads it, or its own success actions test its response.
  const readLater = new Set(drafts.flatMap((s) => stepValues(s).flatMap(referencedSteps)))
  const steps: Array<StepIR> = drafts.map((s) => ({
    ...s,
    kept: readLater.has(s.stepId) || s.actions.some((a) => a.criterion !== undefined)
  }))
  const outputScope: Scope = {
    ...reporter,
    workflowId,
    inputs: inputTypes,
    stepsBefore: outputNames,
    canRunBefore: new Set(order),
    allSteps: new Set(order),
    response: false,
    ...documentScope
  }
  const isSecretInput = (name: string) =>
    isCredentialName(name) || (isObject(properties[name]) && properties[name]["format"] === "password") ||
    context.credentialInputs.has(name)
  const outputs: Array<WorkflowOutputIR> = []
  for (const [name, expression] of Object.entries(isObject(raw["outputs"]) ? raw["outputs"] : {})) {
    const at = [...path, "outputs", name]
    const value = typeof expression === "string" ? lowerString(expression, outputScope, at) : undefined
    if (value === undefined) {
      if (typeof expression !== "string") {
        report(reporter, at, "error", "output-invalid", "an output must be a runtime expression")
      }
      ok = false
      continue
    }
    const present = (input: string) =>
      required.has(input) ||
      (isObject(properties[input]) && (properties[input] as Record<string, unknown>)["default"] !== undefined)
    outputs.push({
      name,
      value,
      ...workflowOutputType(value, steps, inputTypes, present, shape),
      secret: isCredentialName(name) || readsSecret(value, steps, isSecretInput)
    })
  }
  if (!ok) return undefined
  const inputs: Array<InputIR> = Object.entries(properties).map(([name, s]) => {
    const property = isObject(s) ? s : {}
    return {
      name,
      type: context.binaryInputs.has(name) ? { kind: "binary" } : inputTypes.get(name) ?? UNKNOWN,
      required: required.has(name),
      description: stringAt(property, "description"),
      ...(property["default"] !== undefined && !required.has(name) ? { default: property["default"] } : {}),
      secret: isSecretInput(name)
    }
  })
  return {
    workflow: {
      workflowId,
      summary: stringAt(raw, "summary"),
      description: stringAt(raw, "description"),
      inputs,
      takesEncodedInputs: inputs.some((i) => i.default !== undefined || hasDefaults(i.type)),
      steps,
      shape,
      outputs,
      ends: steps.flatMap((s) => [
        ...s.actions.filter((a) => a.kind === "end" || a.kind === "gotoWorkflow").map((a) => ({
          stepId: s.stepId,
          action: a.name,
          via: "onSuccess" as const,
          call: false
        })),
        ...s.failureActions.filter((a) => a.kind === "end" || a.kind === "gotoWorkflow").map((a) => ({
          stepId: s.stepId,
          action: a.name,
          via: "onFailure" as const,
          call: s.call !== undefined
        }))
      ]),
      dependsOn: dependsOn.map((d) => d.ref)
    },
    operations
  }
}

/**
 * `dependsOn`: workflows (of this document or of `arazzo` sources) that run before this one, with
 * its inputs. Each must exist, and following them must not lead back here.
 */
const lowerDependsOn = (
  root: Record<string, unknown>,
  raw: Record<string, unknown>,
  sources: ReadonlyArray<LoadedSource>,
  path: Path,
  reporter: Reporter
): Array<FoundWorkflow> | undefined => {
  const found: Array<FoundWorkflow> = []
  let ok = true
  for (const [i, ref] of arrayAt(raw, "dependsOn").entries()) {
    const workflow = findWorkflow(String(ref), root, sources)
    if ("raw" in workflow) {
      reportShorthand(workflow, String(ref), reporter, [...path, "dependsOn", i])
      found.push(workflow)
    } else {
      report(reporter, [...path, "dependsOn", i], "error", workflow.code, workflow.message)
      ok = false
    }
  }
  if (!ok) return undefined
  const self = stringAt(raw, "workflowId")!
  const seen = new Set<string>()
  // Cycles within this document; another document's dependencies are checked when it is compiled.
  const visit = (workflow: FoundWorkflow): boolean => {
    if (workflow.source !== undefined) return true
    if (workflow.workflowId === self) return false
    if (seen.has(workflow.workflowId)) return true
    seen.add(workflow.workflowId)
    return arrayAt(workflow.raw, "dependsOn").every((next) => {
      const target = findWorkflow(String(next), root, sources)
      return !("raw" in target) || visit(target)
    })
  }
  if (!found.every(visit)) {
    report(
      reporter,
      [...path, "dependsOn"],
      "error",
      "dependency-cycle",
      `workflow \`${self}\` depends on itself through \`dependsOn\``
    )
    return undefined
  }
  return found
}

/** A workflow output's type; a step output may be missing when its step did not run. */
const workflowOutputType = (
  value: ValueIR,
  steps: ReadonlyArray<StepIR>,
  inputs: ReadonlyMap<string, TypeIR>,
  present: (input: string) => boolean,
  shape: WorkflowIR["shape"]
): { readonly type: TypeIR; readonly optional: boolean } => {
  switch (value.kind) {
    case "stepOutput": {
      const output = steps.find((s) => s.stepId === value.stepId)?.outputs.find((o) => o.name === value.name)
      if (output === undefined || value.path.length > 0) return { type: UNKNOWN, optional: false }
      // A completed linear workflow ran every step; a state machine may have skipped this one.
      return { type: output.type, optional: output.optional || shape === "stateMachine" }
    }
    case "input":
      return value.path.length > 0
        ? { type: UNKNOWN, optional: false }
        : { type: inputs.get(value.name) ?? UNKNOWN, optional: !present(value.name) }
    case "literal":
      return {
        type: value.value === null ? { kind: "null" } : { kind: typeof value.value as "string" | "number" | "boolean" },
        optional: false
      }
    case "template":
      return { type: { kind: "string" }, optional: false }
    default:
      return { type: UNKNOWN, optional: false }
  }
}

/** Whether a value reads a secret: a secret input, or a step output that is a credential the API issued. */
const readsSecret = (value: ValueIR, steps: ReadonlyArray<StepIR>, isSecretInput: (name: string) => boolean): boolean =>
  leaves(value).some((leaf) =>
    leaf.kind === "input"
      ? isSecretInput(leaf.name)
      : leaf.kind === "stepOutput" &&
        steps.find((s) => s.stepId === leaf.stepId)?.outputs.find((o) => o.name === leaf.name)?.secret === true
  )
