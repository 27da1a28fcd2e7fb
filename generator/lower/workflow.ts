/** A workflow lowered: inputs typed from its JSON Schema, steps in order, outputs typed through the steps. */
import { isCredentialName } from "../../runtime/core/redact.js"
import type { LoadedSource } from "../load/document.js"
import type { JsonSchema } from "../load/openapi.js"
import type { Path } from "../load/yaml.js"
import { isAsyncApiStep } from "../resolve/asyncapi.js"
import { arrayAt, isObject, type Reporter, stringAt } from "../resolve/context.js"
import type { ResolvedOperation } from "../resolve/operations.js"
import { dependenciesOf, outputScope, stepScope, workflowInputs, workflowNames } from "../resolve/scope.js"
import { lowerOutputValue } from "../resolve/values.js"
import { findWorkflow } from "../resolve/workflow-refs.js"
import type { ChannelIR, InputIR, StepIR, ValueIR, WorkflowIR, WorkflowOutputIR } from "./ir.js"
import { lowerMessageStep } from "./message-step.js"
import { lowerStep, selectedType, type StepContext, type StepDraft } from "./step.js"
import { hasDefaults, type TypeIR, typeOfSchema, type TypeOptions, UNKNOWN } from "./types.js"
import { leaves, referencedSteps, stepValues } from "./walk.js"

export interface LoweredWorkflow {
  /** The workflow; its errors depend on the workflows it hands over to (see errors.ts). */
  readonly workflow: Omit<WorkflowIR, "errors">
  readonly operations: ReadonlyArray<ResolvedOperation>
  /** The channels of its message steps (Arazzo 1.1). */
  readonly channels: ReadonlyArray<ChannelIR>
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
  const dependsOn = dependenciesOf(root, raw, sources)
  const { properties, required } = workflowInputs(root, raw, dependsOn)
  const inputTypes = new Map<string, TypeIR>(
    Object.entries(properties).map(([name, s]) => [name, typeOfSchema(s as JsonSchema)])
  )
  const names = workflowNames(root, raw, sources, dependsOn)
  const rawSteps = arrayAt(raw, "steps").filter(isObject)
  const components = isObject(root["components"]) ? root["components"] : {}
  const context: StepContext = {
    typeOptions,
    components,
    findWorkflow: (ref: string) => findWorkflow(ref, root, sources),
    sources,
    order: names.order,
    siblings: rawSteps,
    workflowSuccessActions: arrayAt(raw, "successActions"),
    workflowFailureActions: arrayAt(raw, "failureActions"),
    workflowParameters: arrayAt(raw, "parameters"),
    binaryInputs: new Set<string>(),
    credentialInputs: new Set<string>()
  }
  const drafts: Array<StepDraft> = []
  const operations: Array<ResolvedOperation> = []
  const channels: Array<ChannelIR> = []
  let ok = true
  for (const [i, step] of rawSteps.entries()) {
    const scope = stepScope(names, i, reporter)
    const lowered = isAsyncApiStep(step, sources)
      ? lowerMessageStep(step, i, scope, context, [...path, "steps", i])
      : lowerStep(step, i, scope, context, [...path, "steps", i])
    if (lowered === undefined) ok = false
    else {
      drafts.push(lowered.step)
      if (lowered.operation !== undefined) operations.push(lowered.operation)
      if (lowered.channel !== undefined) channels.push(lowered.channel)
    }
  }
  const shape = drafts.some((s) => s.actions.some((a) => a.kind === "goto") || s.failureGotos.length > 0)
    ? "stateMachine" as const
    : "linear" as const
  // A step's result is kept when a later step reads it, or its own success actions test its response;
  // only its outputs when nothing but later steps read it (a run in flight then holds no response).
  const readLater = new Set(drafts.flatMap((s) => stepValues(s).flatMap(referencedSteps)))
  const steps: Array<StepIR> = drafts.map((s) => {
    const readsOwn = s.actions.some((a) => a.criterion !== undefined) ||
      // A workflow a success action starts may take inputs from the response (1.1 action parameters).
      s.actions.some((a) => a.kind === "gotoWorkflow" && a.inputs !== undefined && a.inputs.length > 0)
    const keeps = readsOwn ? "result" as const : readLater.has(s.stepId) ? "outputs" as const : undefined
    return { ...s, kept: keeps !== undefined, keeps }
  })
  const isSecretInput = (name: string) =>
    isCredentialName(name) || (isObject(properties[name]) && properties[name]["format"] === "password") ||
    context.credentialInputs.has(name)
  const outputs: Array<WorkflowOutputIR> = []
  for (const [name, expression] of Object.entries(isObject(raw["outputs"]) ? raw["outputs"] : {})) {
    const at = [...path, "outputs", name]
    const value = lowerOutputValue(expression, outputScope(names, reporter), at)
    if (value === undefined) {
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
          call: false,
          timeout: false
        })),
        ...s.failureActions.filter((a) => a.kind === "end" || a.kind === "gotoWorkflow").map((a) => ({
          stepId: s.stepId,
          action: a.name,
          via: "onFailure" as const,
          call: s.call !== undefined,
          timeout: s.call === undefined && s.timeout !== undefined
        }))
      ]),
      dependsOn: dependsOn.map((d) => d.ref)
    },
    operations,
    channels
  }
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
      if (output === undefined || value.path.length > 0 || value.each !== undefined) {
        return { type: UNKNOWN, optional: false }
      }
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
    case "select":
      return selectedType(value)
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
