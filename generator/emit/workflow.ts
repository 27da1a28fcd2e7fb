/** One workflow printed: its types, its definition, and the exported function that runs its steps in order. */
import {
  type CodeBlockWriter,
  type StatementStructures,
  StructureKind,
  VariableDeclarationKind,
  type WriterFunction
} from "ts-morph"
import type { ActionIR, FailureActionIR, StepIR, ValueIR, WorkflowIR } from "../lower/ir.js"
import { externalRef } from "../lower/workflow-refs.js"
import type { Hoisted } from "./hoisted.js"
import { camelCase, Names, pascalCase, propertyAccess, propertyKey } from "./names.js"
import { docText, lineComment, stringLiteral, wrapDoc, wrapWords } from "./text.js"
import { hasDefaults, optionalSchema, optionalTypeOf, schemaOf, typeOf } from "./types.js"
import {
  conditionValues,
  leaves,
  printCondition,
  printCriterion,
  printValue,
  referencedSteps,
  usesInputs,
  type ValueEnv
} from "./values.js"

export interface ModuleNames {
  readonly module: Names
  readonly hoisted: Hoisted
  /** Each workflow's declared names, planned before any is printed (a step may call a later workflow). */
  readonly workflows: ReadonlyMap<string, WorkflowNames>
  /** Identifier of each operation const, by operation key. */
  readonly operations: ReadonlyMap<string, string>
  /** Namespace of the module imported for each `arazzo` source description. */
  readonly imports: ReadonlyMap<string, string>
  /** The module-level outputs tables of the workflow being printed, by stepId (set by `workflowStatements`). */
  readonly stepOutputs?: ReadonlyMap<string, string>
}

/** The generated function of a workflow: this module's, or another module's through its `workflows` table. */
const workflowFunction = (ref: string, names: ModuleNames): string => {
  const external = externalRef(ref)
  if (external === undefined) return names.workflows.get(ref)!.run
  return `${names.imports.get(external.source)}.workflows[${stringLiteral(external.workflowId)}]`
}

/** The outputs type of a workflow a step runs. */
const workflowOutputs = (ref: string, names: ModuleNames): string =>
  externalRef(ref) === undefined
    ? names.workflows.get(ref)!.outputs
    : `Arazzo.WorkflowOutputsOf<typeof ${workflowFunction(ref, names)}>`

/** The id a workflow reference names (`$sourceDescriptions.x.id` → `id`). */
const workflowIdOf = (ref: string) => externalRef(ref)?.workflowId ?? ref

const docs = (...texts: ReadonlyArray<string | undefined>) => {
  const present = texts.filter((t): t is string => t !== undefined && t.trim() !== "").map((t) => wrapDoc(t))
  return present.length === 0 ? [] : [present.join("\n\n")]
}

/** Values a step reads from earlier steps, inputs and its own response. */
const stepValues = (step: StepIR): Array<ValueIR> => [
  ...(step.call?.inputs.map(([, value]) => value) ?? []),
  ...step.parameters.map((p) => p.value),
  ...(step.body ? [step.body.value] : []),
  ...step.successCriteria.flatMap((c) => conditionValues(c.test)),
  ...step.outputs.map((o) => o.value),
  ...(step.poll ? conditionValues(step.poll.criterion.test) : []),
  ...step.actions.flatMap((a) => (a.criterion ? conditionValues(a.criterion.test) : [])),
  ...step.failureActions.flatMap((a) => (a.criterion ? conditionValues(a.criterion.test) : []))
]

/** Actions as they decide control flow: up to the first that always matches, without trailing "go on" ones. */
const decisiveActions = (actions: ReadonlyArray<ActionIR>): Array<ActionIR> => {
  const firstUnconditional = actions.findIndex((a) => a.criterion === undefined)
  const reachable = firstUnconditional === -1 ? [...actions] : actions.slice(0, firstUnconditional + 1)
  while (reachable.length > 0 && reachable[reachable.length - 1]!.kind === "next") reachable.pop()
  return reachable
}

export interface WorkflowNames {
  readonly inputs: string
  readonly steps: string
  readonly outputs: string
  readonly end: string | undefined
  readonly result: string
  readonly definition: string
  readonly run: string
}

export const planWorkflowNames = (workflow: WorkflowIR, module: Names): WorkflowNames => {
  const base = pascalCase(workflow.workflowId)
  return {
    inputs: module.claim(`${base}Inputs`),
    steps: module.claim(`${base}Steps`),
    outputs: module.claim(`${base}Outputs`),
    end: workflow.ends.length > 0 ? module.claim(`${base}End`) : undefined,
    result: module.claim(`${base}Result`),
    definition: module.claim(`${camelCase(workflow.workflowId)}Workflow`),
    run: module.claim(camelCase(workflow.workflowId))
  }
}

export const workflowStatements = (workflow: WorkflowIR, moduleNames: ModuleNames): Array<StatementStructures> => {
  const n = moduleNames.workflows.get(workflow.workflowId)!
  // Claimed before the workflow's local names, so that no local shadows them.
  const constants = outputConstants(workflow, n, moduleNames)
  const names: ModuleNames = { ...moduleNames, stepOutputs: new Map(constants.map((c) => [c.stepId, c.name])) }
  const calledOutputs = (step: StepIR) => (step.call ? workflowOutputs(step.call.workflowId, names) : undefined)
  const local = new Names(names.module)
  // A step named like its operation (`listOrders`) reads as `listOrdersStep` rather than `listOrders2`.
  const stepVars = new Map(workflow.steps.map((s) => {
    const wanted = camelCase(s.stepId)
    return [s.stepId, local.claim(local.has(wanted) ? `${wanted}Step` : wanted)]
  }))
  const usedLater = new Set(workflow.steps.flatMap((s) => stepValues(s).flatMap(referencedSteps)))
  const outputsUseInputs = workflow.outputs.some((o) => usesInputs(o.value))
  const outputsUseSteps = workflow.outputs.some((o) => referencedSteps(o.value).length > 0)
  const bodyUsesInputs = workflow.steps.some((s) => stepValues(s).some(usesInputs))
  const definitionArgs = [n.inputs, n.steps, n.outputs, ...(n.end ? [n.end] : [])]
  const dependencies = workflow.dependsOn.length > 0 ? local.claim("dependencies") : undefined
  const dependencyValues: Pick<ValueEnv, "workflowValue"> = {
    workflowValue: (workflowId, of, name) =>
      of === "inputs"
        ? propertyAccess("inputs", name)
        : propertyAccess(propertyAccess(`${dependencies}`, workflowId) + ".outputs", name)
  }

  const outputsEnv: ValueEnv = {
    hoisted: names.hoisted,
    inputs: "inputs",
    response: undefined,
    stepOutput: (stepId, name) => propertyAccess(propertyAccess("steps", stepId), name, true)
  }

  return [
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      docs: [`Inputs of workflow \`${docText(workflow.workflowId)}\`.`],
      declarationKind: VariableDeclarationKind.Const,
      declarations: [{ name: n.inputs, initializer: inputsSchema(workflow) }]
    },
    {
      kind: StructureKind.TypeAlias,
      isExported: true,
      name: n.inputs,
      type: `typeof ${n.inputs}.Type`
    },
    {
      kind: StructureKind.Interface,
      isExported: true,
      name: n.steps,
      docs: [`Outputs of each step of \`${docText(workflow.workflowId)}\`, by stepId.`],
      properties: workflow.steps.map((s) => ({
        name: propertyKey(s.stepId),
        isReadonly: true,
        type: s.outputs.length === 0
          ? "Record<string, never>"
          : objectType(s.outputs.map((o) => [o.name, outputType(o, calledOutputs(s))]))
      }))
    },
    {
      kind: StructureKind.Interface,
      isExported: true,
      name: n.outputs,
      docs: [`Outputs of workflow \`${docText(workflow.workflowId)}\`.`],
      properties: workflow.outputs.map((o) => ({
        name: propertyKey(o.name),
        isReadonly: true,
        type: workflowOutputType(o.value, o.type, workflow, names)
      }))
    },
    ...(n.end
      ? [{
        kind: StructureKind.TypeAlias as const,
        isExported: true,
        name: n.end,
        docs: ["Where an `end` action can stop the workflow."],
        type:
          ((members) => (members.join(" | ").length <= 100 ? members.join(" | ") : `\n  | ${members.join("\n  | ")}`))(
            endTypes(workflow)
          )
      }]
      : []),
    {
      kind: StructureKind.TypeAlias,
      isExported: true,
      name: n.result,
      type: wrapArguments("Arazzo.WorkflowResult", [n.outputs, n.steps, ...(n.end ? [n.end] : [])])
    },
    {
      kind: StructureKind.VariableStatement,
      declarationKind: VariableDeclarationKind.Const,
      declarations: [{
        name: n.definition,
        type: wrapArguments("Arazzo.WorkflowDefinition", definitionArgs),
        initializer: (w) => {
          w.inlineBlock(() => {
            w.writeLine(`workflowId: ${stringLiteral(workflow.workflowId)},`)
            w.writeLine(`inputs: ${n.inputs},`)
            w.writeLine(
              `secrets: [${workflow.inputs.filter((i) => i.secret).map((i) => stringLiteral(i.name)).join(", ")}],`
            )
            const params = `(${outputsUseInputs ? "inputs" : "_inputs"}, ${outputsUseSteps ? "steps" : "_steps"})`
            if (workflow.outputs.length === 0) {
              w.writeLine(`outputs: () => ({})`)
              return
            }
            w.write(`outputs: ${params} => (`).inlineBlock(() => {
              workflow.outputs.forEach((o, i) => {
                w.write(`${propertyKey(o.name)}: ${printValue(o.value, outputsEnv)}`)
                if (i < workflow.outputs.length - 1) w.write(",")
                w.newLine()
              })
            }).write(")")
          })
        }
      }]
    },
    ...constants.map((c) => c.statement),
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      docs: docs(workflow.summary, workflow.description),
      declarationKind: VariableDeclarationKind.Const,
      declarations: [{
        name: n.run,
        initializer: (w) => {
          w.writeLine("(")
          // With defaults, callers may leave those inputs out: the function takes the encoded form.
          const encoded = workflow.inputs.some((i) => i.default !== undefined || hasDefaults(i.type))
          w.indent(() => w.writeLine(`input: ${encoded ? `typeof ${n.inputs}.Encoded` : n.inputs}`))
          w.writeLine(`): Effect.Effect<${n.result}, Arazzo.WorkflowError, HttpClient.HttpClient> =>`)
          w.indent(() => {
            w.write(`Arazzo.runWorkflow(${n.definition}, input, (run${bodyUsesInputs ? ", inputs" : ""}) =>`).newLine()
            w.indent(() => {
              w.write("Effect.gen(function*() ").inlineBlock(() => {
                if (dependencies !== undefined) {
                  w.writeLine("// dependsOn: these workflows run first, with this workflow's inputs")
                  w.write(`const ${dependencies} = `).inlineBlock(() => {
                    workflow.dependsOn.forEach((ref, i) => {
                      const id = workflowIdOf(ref)
                      const call = `yield* run.dependency(${stringLiteral(id)}, ${workflowFunction(ref, names)})`
                      w.write(`${propertyKey(id)}: ${call}${i < workflow.dependsOn.length - 1 ? "," : ""}`).newLine()
                    })
                  }).newLine()
                }
                if (isStateMachine(workflow)) {
                  writeStateMachine(w, workflow, stepVars, usedLater, names, n.steps, dependencyValues)
                } else writeSteps(w, workflow, stepVars, usedLater, names, dependencyValues)
                w.writeLine("return run.completed()")
              }).write("))")
            })
          })
        }
      }]
    }
  ]
}

/** Values that read nothing but the step's own response (and literals). */
const RESPONSE_ONLY: ReadonlySet<ValueIR["kind"]> = new Set<ValueIR["kind"]>([
  "literal",
  "statusCode",
  "responseBody",
  "responseHeader",
  "requestLine",
  "requestParameter",
  "requestBody"
])

const readsOnlyResponse = (value: ValueIR): boolean => leaves(value).every((leaf) => RESPONSE_ONLY.has(leaf.kind))

/**
 * A module-level constant for each step's outputs table that reads only the step's response:
 * built once when the module loads, its schemas (and the parsers Effect compiles and caches
 * per schema object) are made once rather than on every step of every run. Tables that read
 * inputs or other steps, and those of steps that run a workflow, stay inline.
 */
const outputConstants = (
  workflow: WorkflowIR,
  n: WorkflowNames,
  names: ModuleNames
): Array<{ readonly stepId: string; readonly name: string; readonly statement: StatementStructures }> => {
  const env: ValueEnv = {
    hoisted: names.hoisted,
    inputs: "inputs",
    response: undefined,
    stepOutput: (stepId) => {
      throw new Error(`a module-level constant cannot read step ${stepId}`)
    }
  }
  const hoistable = workflow.steps.filter((step) =>
    step.call === undefined && step.outputs.length > 0 && step.outputs.every((o) => readsOnlyResponse(o.value))
  )
  return hoistable.map((step) => {
    const wanted = `${camelCase(step.stepId)}Outputs`
    // A stepId used by another workflow of the module too: `orderOrFallbackReadOrderOutputs`.
    const name = names.module.claim(
      names.module.has(wanted) ? `${camelCase(workflow.workflowId)}${pascalCase(step.stepId)}Outputs` : wanted
    )
    return {
      stepId: step.stepId,
      name,
      statement: {
        kind: StructureKind.VariableStatement,
        docs: [`Outputs of step \`${docText(step.stepId)}\`: where each is read and the schema it must satisfy.`],
        declarationKind: VariableDeclarationKind.Const,
        declarations: [{
          name,
          type: `Arazzo.OutputsFor<${n.steps}[${stringLiteral(step.stepId)}]>`,
          initializer: (w) => writeOutputs(w, step, env)
        }]
      }
    }
  })
}

/**
 * The end points as types: one per success `end` (its step), and one per failure `end` action
 * with the union of the steps it applies to (workflow-level failure actions apply to every step).
 */
const endTypes = (workflow: WorkflowIR): Array<string> => {
  const member = (stepIds: ReadonlyArray<string>, action: string, via: string, call: boolean) =>
    `{ readonly stepId: ${stepIds.map(stringLiteral).join(" | ")}; readonly action: ${
      stringLiteral(action)
    }; readonly via: "${via}"${call ? "; readonly call: true" : ""} }`
  const success = workflow.ends.filter((e) => e.via === "onSuccess").map((e) =>
    member([e.stepId], e.action, e.via, false)
  )
  // Failure actions by name (workflow-level ones apply to many steps), apart for steps that run a workflow.
  const failure = new Map<string, { action: string; call: boolean; stepIds: Array<string> }>()
  for (const e of workflow.ends.filter((e) => e.via === "onFailure")) {
    const key = `${e.call}\u0000${e.action}`
    const entry = failure.get(key) ?? { action: e.action, call: e.call, stepIds: [] }
    if (!entry.stepIds.includes(e.stepId)) entry.stepIds.push(e.stepId)
    failure.set(key, entry)
  }
  return [
    ...new Set([...success, ...[...failure.values()].map((f) => member(f.stepIds, f.action, "onFailure", f.call))])
  ]
}

/** `{ readonly a: A; readonly b: B }`, one member per line when that is too long for one. */
const objectType = (members: ReadonlyArray<readonly [string, string]>): string => {
  const fields = members.map(([name, type]) => `readonly ${propertyKey(name)}: ${type}`)
  const flat = `{ ${fields.join("; ")} }`
  return flat.length <= 90 ? flat : `{\n  ${fields.join("\n  ")}\n}`
}

/** `Name<A, B>`, one argument per line when that is too long for one. */
const wrapArguments = (name: string, args: ReadonlyArray<string>): string => {
  const flat = `${name}<${args.join(", ")}>`
  return flat.length <= 90 ? flat : `${name}<\n  ${args.join(",\n  ")}\n>`
}

const inputsSchema = (workflow: WorkflowIR): WriterFunction => (w) => {
  if (workflow.inputs.length === 0) {
    w.write("Schema.Struct({})")
    return
  }
  w.write("Schema.Struct(").inlineBlock(() => {
    workflow.inputs.forEach((input, i) => {
      const description = docs(input.description)[0]
      if (description !== undefined) w.writeLine(`/** ${description.replace(/\n/g, " ")} */`)
      const schema = schemaOf(input.type, true)
      w.write(`${propertyKey(input.name)}: ${input.required ? schema : optionalSchema(schema, input.default)}`)
      if (i < workflow.inputs.length - 1) w.write(",")
      w.newLine()
    })
  }).write(")")
}

/** A step output's type; for a step that calls a workflow, read from that workflow's Outputs interface. */
const outputType = (output: StepIR["outputs"][number], calledOutputs?: string): string => {
  const { value } = output
  if (value.kind === "responseBody" || value.kind === "responseHeader") return optionalTypeOf(output.type)
  if (value.kind === "statusCode") return "number"
  if (value.kind === "requestLine") return "string"
  if (value.kind === "literal") return value.value === null ? "null" : typeof value.value
  if (value.kind === "calledOutput" && value.path.length === 0 && calledOutputs) {
    return `${calledOutputs}[${stringLiteral(value.name)}]`
  }
  return "unknown"
}

const workflowOutputType = (
  value: ValueIR,
  type: StepIR["outputs"][number]["type"],
  workflow: WorkflowIR,
  names: ModuleNames
): string => {
  if (value.kind === "stepOutput" && value.path.length === 0) {
    const step = workflow.steps.find((s) => s.stepId === value.stepId)
    const output = step?.outputs.find((o) => o.name === value.name)
    const called = step?.call ? workflowOutputs(step.call.workflowId, names) : undefined
    const t = output ? outputType(output, called) : "unknown"
    return t === "unknown" || t.endsWith("| undefined") ? t : `${t} | undefined`
  }
  if (value.kind === "input" && value.path.length === 0) {
    const input = workflow.inputs.find((i) => i.name === value.name)
    if (input) return input.required ? typeOf(input.type) : optionalTypeOf(input.type)
  }
  if (value.kind === "literal") {
    return typeof value.value === "string"
      ? "string"
      : value.value === null
      ? "null"
      : typeof value.value
  }
  if (value.kind === "template") return "string"
  return typeOf(type)
}

/** How values are read inside a workflow body: step outputs through the step variables. */
const bodyEnv = (
  names: ModuleNames,
  stepVars: ReadonlyMap<string, string>,
  dependencyValues: Pick<ValueEnv, "workflowValue">,
  outputsAccess: ".outputs" | "?.outputs"
): ValueEnv => ({
  ...dependencyValues,
  hoisted: names.hoisted,
  inputs: "inputs",
  response: undefined,
  stepOutput: (stepId, name) => propertyAccess(`${stepVars.get(stepId)}${outputsAccess}`, name)
})

const writeSteps = (
  w: CodeBlockWriter,
  workflow: WorkflowIR,
  stepVars: ReadonlyMap<string, string>,
  usedLater: ReadonlySet<string>,
  names: ModuleNames,
  dependencyValues: Pick<ValueEnv, "workflowValue">
) => {
  const env = bodyEnv(names, stepVars, dependencyValues, ".outputs")
  workflow.steps.forEach((step, index) => {
    if (index > 0) w.blankLine()
    if (step.description) { for (const line of wrapWords(lineComment(step.description), 96)) w.writeLine(`// ${line}`) }
    const variable = stepVars.get(step.stepId)!
    const actions = decisiveActions(step.actions)
    const keep = usedLater.has(step.stepId) || actions.some((a) => a.criterion !== undefined)
    w.write(`${keep ? `const ${variable} = ` : ""}yield* run.${stepMethod(step)}(`).inlineBlock(() => {
      if (step.call) writeCallSpec(w, step, env, names)
      else writeStepSpec(w, step, env, names)
    }).write(")").newLine()
    writeActions(w, step, actions, actionsEnv(step, variable, env), names)
  })
}

const stepMethod = (step: StepIR) => (step.call ? "call" : step.poll ? "poll" : "step")

/** `run.call({ stepId, workflow, inputs, outputs })` for a step that runs another workflow. */
const writeCallSpec = (w: CodeBlockWriter, step: StepIR, env: ValueEnv, names: ModuleNames) => {
  const call = step.call!
  w.writeLine(`stepId: ${stringLiteral(step.stepId)},`)
  w.writeLine(`workflowId: ${stringLiteral(workflowIdOf(call.workflowId))},`)
  w.writeLine(`workflow: ${workflowFunction(call.workflowId, names)},`)
  const inputs = call.inputs.map(([name, value]) => `${propertyKey(name)}: ${printValue(value, env)}`)
  w.write(`inputs: { ${inputs.join(", ")} }`)
  const rest: Array<() => void> = []
  rest.push(() => {
    if (step.outputs.length === 0) {
      w.write("outputs: () => ({})")
      return
    }
    w.write("outputs: (outputs) => (").inlineBlock(() => {
      step.outputs.forEach((o, i) => {
        w.write(`${propertyKey(o.name)}: ${printValue(o.value, env)}${i < step.outputs.length - 1 ? "," : ""}`)
          .newLine()
      })
    }).write(")")
  })
  if (step.successCriteria.length > 0) {
    rest.push(() => {
      const criteria = step.successCriteria.map((c) => {
        const test = printCondition(c.test, env)
        const uses = test.includes("outputs")
        // An object literal, so that `outputs` is typed by the called workflow.
        return `{ condition: ${stringLiteral(c.text)}, test: (${uses ? "outputs" : "_outputs"}) => ${test} }`
      })
      w.write(`successCriteria: [${criteria.join(", ")}]`)
    })
  }
  if (step.failureActions.length > 0) {
    rest.push(() =>
      w.write(`onFailure: [${step.failureActions.map((a) => printFailureAction(a, env, names)).join(", ")}]`)
    )
  }
  for (const field of rest) {
    w.write(",").newLine()
    field()
  }
  w.newLine()
}

/** How a step's success actions read: its response, or for a step that runs a workflow, that workflow's outputs. */
const actionsEnv = (step: StepIR, variable: string, env: ValueEnv): ValueEnv =>
  step.call ? { ...env, calledOutputs: `${variable}.result.outputs` } : { ...env, response: `${variable}.response` }

/** A workflow whose success actions jump anywhere but the next step runs as an explicit state machine. */
const isStateMachine = (workflow: WorkflowIR) =>
  workflow.steps.some((s) => s.actions.some((a) => a.kind === "goto") || failureGotos(s).length > 0)

/** Steps a failure action of this step can go to (a `goto`, or a `retry` that goes to a step first). */
const failureGotos = (step: StepIR): Array<string> => [
  ...new Set(
    step.failureActions.flatMap((a) =>
      a.kind === "goto" ? [a.target] : a.kind === "retry" && a.stepId !== undefined ? [a.stepId] : []
    )
  )
]

/**
 * The state machine: `next` names the step to run; each case runs its step, then its success
 * actions choose the next one (by default the following step). `run.guard` bounds the number
 * of steps by the policy's `maxSteps`, so a loop in the document cannot run for ever.
 */
const writeStateMachine = (
  w: CodeBlockWriter,
  workflow: WorkflowIR,
  stepVars: ReadonlyMap<string, string>,
  usedLater: ReadonlySet<string>,
  names: ModuleNames,
  stepsType: string,
  dependencyValues: Pick<ValueEnv, "workflowValue">
) => {
  // A step may not have run yet when the state machine reaches another: its variable is optional.
  const env = bodyEnv(names, stepVars, dependencyValues, "?.outputs")
  const kept = workflow.steps.filter((s) => usedLater.has(s.stepId) || s.actions.some((a) => a.criterion !== undefined))
  for (const step of kept) {
    w.writeLine(
      `let ${stepVars.get(step.stepId)}: Arazzo.StepResult<${stepsType}[${stringLiteral(step.stepId)}]> | undefined`
    )
  }
  const ids = workflow.steps.map((s) => stringLiteral(s.stepId))
  w.writeLine(`let next: ${ids.join(" | ")} | undefined = ${ids[0]}`)
  w.write("while (next !== undefined) ").inlineBlock(() => {
    w.writeLine("yield* run.guard(next)")
    w.write("switch (next) ").inlineBlock(() => {
      workflow.steps.forEach((step, index) => {
        const variable = stepVars.get(step.stepId)!
        const following = workflow.steps[index + 1]?.stepId
        w.write(`case ${stringLiteral(step.stepId)}: `).inlineBlock(() => {
          if (step.description) {
            for (const line of wrapWords(lineComment(step.description), 90)) w.writeLine(`// ${line}`)
          }
          const keep = kept.includes(step)
          const gotos = failureGotos(step)
          const spec = () => (step.call ? writeCallSpec(w, step, env, names) : writeStepSpec(w, step, env, names))
          if (gotos.length > 0) {
            // A failure action can go to another step: the outcome says where, or is the step's result.
            w.write(`const outcome = yield* run.${stepMethod(step)}OrGoto(`).inlineBlock(spec).write(")").newLine()
            w.write(`if ("goto" in outcome) `).inlineBlock(() => {
              w.writeLine(`next = outcome.goto as ${gotos.map(stringLiteral).join(" | ")}`)
              w.writeLine("break")
            }).newLine()
            if (keep) w.writeLine(`${variable} = outcome`)
          } else {
            w.write(`${keep ? `${variable} = ` : ""}yield* run.${stepMethod(step)}(`).inlineBlock(spec).write(")")
              .newLine()
          }
          writeJumps(w, step, actionsEnv(step, variable, env), following, names)
        }).newLine()
      })
    }).newLine()
  }).newLine()
}

/** Success actions as assignments of `next`: the first whose criterion holds decides. */
const writeJumps = (
  w: CodeBlockWriter,
  step: StepIR,
  env: ValueEnv,
  following: string | undefined,
  names: ModuleNames
) => {
  const go = (action: ActionIR) => {
    w.writeLine(`// onSuccess \`${lineComment(action.name)}\`: ${actionSummary(action)}`)
    if (action.kind === "end") {
      w.writeLine(
        `return run.ended({ stepId: ${stringLiteral(step.stepId)}, action: ${
          stringLiteral(action.name)
        }, via: "onSuccess" })`
      )
    } else if (action.kind === "gotoWorkflow") {
      writeTransfer(w, step, action, names)
    } else {
      w.writeLine(`next = ${stringLiteral(action.target!)}`)
      w.writeLine("break")
    }
  }
  for (const action of step.actions) {
    if (action.criterion === undefined) {
      go(action)
      return // an action without criteria always applies; nothing after it is reached
    }
    const test = printCondition(action.criterion.test, env)
    w.write(test.includes("\n") ? `if (\n  ${test}\n) ` : `if (${test}) `).inlineBlock(() => go(action)).newLine()
  }
  w.writeLine(following === undefined ? "next = undefined" : `next = ${stringLiteral(following)}`)
  w.writeLine("break")
}

const writeStepSpec = (w: CodeBlockWriter, step: StepIR, env: ValueEnv, names: ModuleNames) => {
  const fields: Array<() => void> = []
  fields.push(() => w.write(`stepId: ${stringLiteral(step.stepId)}`))
  fields.push(() => w.write(`operation: ${names.operations.get(step.operation!)}`))
  const locations = (["path", "query", "header", "cookie"] as const).filter((l) =>
    step.parameters.some((p) => p.in === l)
  )
  if (locations.length > 0) {
    fields.push(() => {
      w.write("parameters: ").inlineBlock(() => {
        locations.forEach((location, i) => {
          // A parameter given twice: the last one wins, as it would in the request.
          const byName = new Map(step.parameters.filter((p) => p.in === location).map((p) => [p.name, p.value]))
          const entries = [...byName].map(([name, value]) => `${propertyKey(name)}: ${printValue(value, env)}`)
          w.write(`${location}: { ${entries.join(", ")} }${i < locations.length - 1 ? "," : ""}`).newLine()
        })
      })
    })
  }
  if (step.body) {
    const body = step.body
    const value = printValue(body.value, env)
    fields.push(() => {
      switch (body.encoding) {
        case "json":
          w.write(
            `body: Arazzo.json(${value}${
              body.contentType === "application/json" ? "" : `, ${stringLiteral(body.contentType)}`
            })`
          )
          break
        case "multipart":
          w.write(`body: Arazzo.multipart(${value})`)
          break
        case "form":
          w.write(`body: Arazzo.form(${value})`)
          break
        case "text": {
          const isString = body.value.kind === "template" ||
            (body.value.kind === "literal" && typeof body.value.value === "string")
          w.write(`body: Arazzo.text(${isString ? value : `String(${value})`}, ${stringLiteral(body.contentType)})`)
          break
        }
      }
    })
  }
  if (step.body && step.body.replacements.length > 0) {
    const body = step.body
    fields.push(() => {
      w.write("replacements: [").newLine()
      w.indent(() => {
        body.replacements.forEach((r, i) => {
          w.write(
            `{ target: ${stringLiteral(r.target)}, value: ${printValue(r.value, env)} }${
              i < body.replacements.length - 1 ? "," : ""
            }`
          )
            .newLine()
        })
      })
      w.write("]")
    })
    if (body.xml) fields.push(() => w.write("replaceXml: ArazzoXml.replaceXml"))
  }
  fields.push(() => {
    const criteria = step.successCriteria.length === 0
      ? ["Arazzo.successfulStatus"]
      : step.successCriteria.map((c) => printCriterion(c, env))
    if (criteria.length === 1) w.write(`successCriteria: [${criteria[0]}]`)
    else {
      w.write("successCriteria: [").newLine()
      w.indent(() => criteria.forEach((c, i) => w.write(c + (i < criteria.length - 1 ? "," : "")).newLine()))
      w.write("]")
    }
  })
  fields.push(() => {
    const hoisted = names.stepOutputs?.get(step.stepId)
    w.write("outputs: ")
    if (hoisted !== undefined) w.write(hoisted)
    else writeOutputs(w, step, env)
  })
  if (step.failureActions.length > 0) {
    fields.push(() => {
      w.write("onFailure: [").newLine()
      w.indent(() => {
        step.failureActions.forEach((action, i) => {
          w.write(printFailureAction(action, env, names) + (i < step.failureActions.length - 1 ? "," : "")).newLine()
        })
      })
      w.write("]")
    })
  }
  if (step.poll) {
    const poll = step.poll
    fields.push(() => {
      w.writeLine(`// onSuccess \`${lineComment(poll.action)}\`: goto ${step.stepId} again while this holds`)
      w.write(`pollWhile: ${printCriterion(poll.criterion, env)}`)
    })
  }
  fields.forEach((field, i) => {
    field()
    if (i < fields.length - 1) w.write(",")
    w.newLine()
  })
}

/** `{ name: Arazzo.body(...), ... }`: the step's outputs table. */
const writeOutputs = (w: CodeBlockWriter, step: StepIR, env: ValueEnv) => {
  if (step.outputs.length === 0) {
    w.write("{}")
    return
  }
  w.inlineBlock(() => {
    step.outputs.forEach((o, i) => {
      w.write(`${propertyKey(o.name)}: ${printOutput(o, env)}${i < step.outputs.length - 1 ? "," : ""}`).newLine()
    })
  })
}

/** `{ workflowId: "x", run: x }`: another workflow of the module, as an action runs it. */
const workflowTarget = (ref: string, names: ModuleNames) =>
  `{ workflowId: ${stringLiteral(workflowIdOf(ref))}, run: ${workflowFunction(ref, names)} }`

/** `fn(a, b)`, one argument per line when that is too long for one. */
const callText = (fn: string, args: ReadonlyArray<string>): string => {
  const flat = `${fn}(${args.join(", ")})`
  return flat.length <= 100 && !flat.includes("\n")
    ? flat
    : `${fn}(\n  ${args.map((a) => a.replace(/\n/g, "\n  ")).join(",\n  ")}\n)`
}

const printFailureAction = (action: FailureActionIR, env: ValueEnv, names: ModuleNames): string => {
  const name = stringLiteral(action.name)
  const when = action.criterion ? printCriterion(action.criterion, env) : "undefined"
  switch (action.kind) {
    case "end":
      return callText("Arazzo.endOn", action.criterion ? [name, when] : [name])
    case "goto":
      return callText("Arazzo.gotoOn", [name, when, stringLiteral(action.target)])
    case "gotoWorkflow":
      return callText("Arazzo.gotoWorkflowOn", [name, when, workflowTarget(action.target, names)])
    case "retry": {
      const options = [
        `retryAfter: ${action.retryAfter}`,
        `retryLimit: ${action.retryLimit}`,
        ...(action.stepId !== undefined ? [`stepId: ${stringLiteral(action.stepId)}`] : []),
        ...(action.workflowId !== undefined ? [`workflow: ${workflowTarget(action.workflowId, names)}`] : [])
      ]
      return callText("Arazzo.retryOn", [name, when, `{ ${options.join(", ")} }`])
    }
  }
}

const printOutput = (output: StepIR["outputs"][number], env: ValueEnv): string => {
  switch (output.value.kind) {
    case "responseBody":
      return `Arazzo.body([${
        output.value.path.map((s) => (typeof s === "number" ? s : stringLiteral(s))).join(", ")
      }], ${schemaOf(output.type)})`
    case "responseHeader":
      return `Arazzo.header(${stringLiteral(output.value.name)})`
    case "statusCode":
      return "Arazzo.statusCode"
    case "literal":
      return `Arazzo.value(() => ${printValue(output.value, env)})`
    case "requestLine":
      return `Arazzo.value((response) => ${printValue(output.value, { ...env, response: "response" })})`
    default:
      return `Arazzo.value((response): unknown => ${printValue(output.value, { ...env, response: "response" })})`
  }
}

/** `return yield* run.transfer(...)`: a success action hands over to another workflow, ending this one. */
const writeTransfer = (w: CodeBlockWriter, step: StepIR, action: ActionIR, names: ModuleNames) => {
  const end = `{ stepId: ${stringLiteral(step.stepId)}, action: ${stringLiteral(action.name)}, via: "onSuccess" }`
  w.writeLine(`return yield* run.transfer(${end}, ${workflowTarget(action.target!, names)})`)
}

const actionSummary = (action: ActionIR) =>
  action.kind === "end"
    ? "end"
    : action.kind === "gotoWorkflow"
    ? `goto workflow ${action.target}`
    : `goto ${action.target}`

const writeActions = (
  w: CodeBlockWriter,
  step: StepIR,
  actions: ReadonlyArray<ActionIR>,
  env: ValueEnv,
  names: ModuleNames
) => {
  actions.forEach((action, i) => {
    const head = i === 0 ? "if" : "} else if"
    if (action.criterion === undefined) w.write(i === 0 ? "{" : "} else {").newLine()
    else {
      const test = printCondition(action.criterion.test, env)
      w.write(test.includes("\n") ? `${head} (\n  ${test}\n) {` : `${head} (${test}) {`).newLine()
    }
    w.indent(() => {
      w.writeLine(`// onSuccess \`${lineComment(action.name)}\`: ${actionSummary(action)}`)
      if (action.kind === "end") {
        w.writeLine(
          `return run.ended({ stepId: ${stringLiteral(step.stepId)}, action: ${
            stringLiteral(action.name)
          }, via: "onSuccess" })`
        )
      } else if (action.kind === "gotoWorkflow") writeTransfer(w, step, action, names)
    })
  })
  if (actions.length > 0) w.writeLine("}")
}
