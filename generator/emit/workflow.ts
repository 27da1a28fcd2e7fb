/**
 * One workflow printed: its types, its definition, and the exported function that runs its
 * steps. Every decision (linear or state machine, which results are kept, the actions that
 * decide, types and their optionality, the errors) was taken by lowering; this only prints.
 */
import { type CodeBlockWriter, type StatementStructures, StructureKind, VariableDeclarationKind } from "ts-morph"
import type {
  ActionIR,
  ErrorSetIR,
  FailureActionIR,
  StepIR,
  StepOutputIR,
  ValueIR,
  WorkflowIR,
  WorkflowRefIR
} from "../lower/ir.js"
import { leaves, referencedSteps, stepValues, usesInputs } from "../lower/walk.js"
import type { Dialect } from "./dialect.js"
import type { Hoisted } from "./hoisted.js"
import { camelCase, Names, pascalCase, propertyAccess, propertyKey, valueKey } from "./names.js"
import { docText, lineComment, stringLiteral, wrapDoc, wrapWords } from "./text.js"
import { schemaOf, type TypeRefs, valueTypeOf } from "./types.js"
import { printCondition, printCriterion, printValue, type ValueEnv } from "./values.js"

export interface ModuleNames {
  readonly module: Names
  readonly hoisted: Hoisted
  readonly dialect: Dialect
  /** Each workflow's declared names, planned before any is printed (a step may call a later workflow). */
  readonly workflows: ReadonlyMap<string, WorkflowNames>
  /** Identifier of each operation const, by operation key. */
  readonly operations: ReadonlyMap<string, string>
  /** Namespace of the module imported for each `arazzo` source description. */
  readonly imports: ReadonlyMap<string, string>
}

export interface WorkflowNames {
  readonly inputs: string
  readonly steps: string
  readonly outputs: string
  readonly end: string | undefined
  readonly result: string
  readonly error: string
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
    error: module.claim(`${base}Error`),
    definition: module.claim(`${camelCase(workflow.workflowId)}Workflow`),
    run: module.claim(camelCase(workflow.workflowId))
  }
}

/** The generated function of a workflow: this module's, or another module's through its `workflows` table. */
const workflowFunction = (ref: WorkflowRefIR, names: ModuleNames): string =>
  ref.source === undefined
    ? names.workflows.get(ref.workflowId)!.run
    : `${names.imports.get(ref.source)}.workflows[${stringLiteral(ref.workflowId)}]`

/** The outputs type of a workflow a step runs. */
const workflowOutputs = (ref: WorkflowRefIR, names: ModuleNames): string =>
  ref.source === undefined
    ? names.workflows.get(ref.workflowId)!.outputs
    : `Arazzo.WorkflowOutputsOf<typeof ${workflowFunction(ref, names)}>`

const typeRefs = (names: ModuleNames): TypeRefs => (type) =>
  `${workflowOutputs(type.workflow, names)}[${stringLiteral(type.name)}]`

/** One member of a workflow's error union: a workflow's own kinds with its steps, or another module's errors. */
const errorSetType = (set: ErrorSetIR, names: ModuleNames): string => {
  if (set.tags === undefined) return `Arazzo.WorkflowErrorOf<typeof ${workflowFunction(set.workflow, names)}>`
  const steps = names.workflows.get(set.workflow.workflowId)!.steps
  return `Arazzo.ErrorOf<${set.tags.map(stringLiteral).join(" | ")}, ${steps}>`
}

const docs = (...texts: ReadonlyArray<string | undefined>) => {
  const present = texts.filter((t): t is string => t !== undefined && t.trim() !== "").map((t) => wrapDoc(t))
  return present.length === 0 ? [] : [present.join("\n\n")]
}

export const workflowStatements = (workflow: WorkflowIR, names: ModuleNames): Array<StatementStructures> => {
  const n = names.workflows.get(workflow.workflowId)!
  const refs = typeRefs(names)
  // Claimed before the workflow's local names, so that no local shadows them.
  const constants = outputConstants(workflow, n, names)
  const hoistedOutputs = new Map(constants.map((c) => [c.stepId, c.name]))
  const local = new Names(names.module)
  // A step named like its operation (`listOrders`) reads as `listOrdersStep` rather than `listOrders2`.
  const stepVars = new Map(workflow.steps.map((s) => {
    const wanted = camelCase(s.stepId)
    return [s.stepId, local.claim(local.has(wanted) ? `${wanted}Step` : wanted)]
  }))
  const dependencies = workflow.dependsOn.length > 0 ? local.claim("dependencies") : undefined
  const bodyUsesInputs = workflow.steps.some((s) => stepValues(s).some(usesInputs))
  // A step that keeps only its outputs binds them to its variable; one that keeps its result, the result.
  const keepsOutputs = new Set(workflow.steps.filter((s) => s.keeps === "outputs").map((s) => s.stepId))
  const printer: BodyPrinter = {
    names,
    stepVars,
    stepsType: n.steps,
    hoistedOutputs,
    env: (optional) => ({
      hoisted: names.hoisted,
      inputs: "inputs",
      response: undefined,
      stepOutput: (stepId, name) =>
        keepsOutputs.has(stepId)
          ? propertyAccess(stepVars.get(stepId)!, name, optional)
          : propertyAccess(`${stepVars.get(stepId)}${optional ? "?." : "."}outputs`, name),
      workflowValue: (workflowId, of, name) =>
        of === "inputs"
          ? propertyAccess("inputs", name)
          : propertyAccess(propertyAccess(`${dependencies}`, workflowId) + ".outputs", name)
    })
  }
  const outputsEnv: ValueEnv = {
    hoisted: names.hoisted,
    inputs: "inputs",
    response: undefined,
    stepOutput: (stepId, name) => propertyAccess(propertyAccess("steps", stepId), name, true)
  }
  const outputsUseInputs = workflow.outputs.some((o) => usesInputs(o.value))
  const outputsUseSteps = workflow.outputs.some((o) => referencedSteps(o.value).length > 0)

  return [
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      docs: [`Inputs of workflow \`${docText(workflow.workflowId)}\`.`],
      declarationKind: VariableDeclarationKind.Const,
      declarations: [{ name: n.inputs, initializer: inputsSchema(workflow, names.dialect) }]
    },
    { kind: StructureKind.TypeAlias, isExported: true, name: n.inputs, type: `typeof ${n.inputs}.Type` },
    {
      kind: StructureKind.Interface,
      isExported: true,
      name: n.steps,
      docs: [`Outputs of each step of \`${docText(workflow.workflowId)}\`, by stepId.`],
      properties: workflow.steps.map((s) => ({
        name: propertyKey(s.stepId),
        isReadonly: true,
        type: s.outputs.length === 0 ? "Record<string, never>" : objectType(s.outputs, refs)
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
        type: valueTypeOf(o.type, o.optional, refs)
      }))
    },
    ...(n.end
      ? [{
        kind: StructureKind.TypeAlias as const,
        isExported: true,
        name: n.end,
        docs: ["Where an `end` action can stop the workflow."],
        type: endTypes(workflow).join(" | ")
      }]
      : []),
    {
      kind: StructureKind.TypeAlias,
      isExported: true,
      name: n.result,
      type: `Arazzo.WorkflowResult<${[n.outputs, n.steps, ...(n.end ? [n.end] : [])].join(", ")}>`
    },
    {
      kind: StructureKind.TypeAlias,
      isExported: true,
      name: n.error,
      docs: [`The errors \`${docText(n.run)}\` can raise.`],
      type: workflow.errors.map((set) => errorSetType(set, names)).join(" | ")
    },
    {
      kind: StructureKind.VariableStatement,
      declarationKind: VariableDeclarationKind.Const,
      declarations: [{
        name: n.definition,
        type: `Arazzo.WorkflowDefinition<${[n.inputs, n.steps, n.outputs, n.end ?? "never", n.error].join(", ")}>`,
        initializer: (w) => {
          w.write("{").newLine().indent(() => {
            w.writeLine(`workflowId: ${stringLiteral(workflow.workflowId)},`)
            w.writeLine(`inputs: ${n.inputs},`)
            w.writeLine(
              `secrets: [${workflow.inputs.filter((i) => i.secret).map((i) => stringLiteral(i.name)).join(", ")}],`
            )
            const messages = messageUse(workflow, names)
            if (messages !== undefined) w.writeLine(`messages: ${messages},`)
            if (workflow.outputs.length === 0) {
              w.writeLine(`outputs: () => ({})`)
              return
            }
            const params = `(${outputsUseInputs ? "inputs" : "_inputs"}, ${outputsUseSteps ? "steps" : "_steps"})`
            w.write(`outputs: ${params} => ({`).newLine().indent(() => {
              workflow.outputs.forEach((o, i) => {
                w.write(`${valueKey(o.name)}: ${printValue(o.value, outputsEnv)}`)
                if (i < workflow.outputs.length - 1) w.write(",")
                w.newLine()
              })
            }).write("})").newLine()
          }).write("}")
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
          const input = workflow.takesEncodedInputs ? `typeof ${n.inputs}.Encoded` : n.inputs
          w.writeLine(`(input: ${input}): Effect.Effect<${n.result}, ${n.error}, HttpClient.HttpClient> =>`)
          w.indent(() => {
            w.write(`Arazzo.runWorkflow(${n.definition}, input, (run${bodyUsesInputs ? ", inputs" : ""}) =>`).newLine()
            w.indent(() => {
              w.write("Effect.gen(function*() {").newLine().indent(() => {
                if (dependencies !== undefined) writeDependencies(w, workflow, dependencies, names)
                if (workflow.shape === "stateMachine") writeStateMachine(w, workflow, printer)
                else writeSteps(w, workflow, printer)
                w.writeLine("return run.completed()")
              }).write("}))")
            })
          })
        }
      }]
    }
  ]
}

/** What printing a workflow body needs: names, each step's variable, and how values are read. */
interface BodyPrinter {
  readonly names: ModuleNames
  readonly stepVars: ReadonlyMap<string, string>
  readonly stepsType: string
  readonly hoistedOutputs: ReadonlyMap<string, string>
  /** How values read step outputs: optionally in a state machine, where an earlier step may not have run. */
  readonly env: (optional: boolean) => ValueEnv
}

const writeDependencies = (w: CodeBlockWriter, workflow: WorkflowIR, variable: string, names: ModuleNames) => {
  w.writeLine("// dependsOn: these workflows run first, with this workflow's inputs")
  w.write(`const ${variable} = {`).newLine().indent(() => {
    workflow.dependsOn.forEach((ref, i) => {
      const call = `yield* run.dependency(${stringLiteral(ref.workflowId)}, ${workflowFunction(ref, names)})`
      w.write(`${valueKey(ref.workflowId)}: ${call}${i < workflow.dependsOn.length - 1 ? "," : ""}`).newLine()
    })
  }).writeLine("}")
}

/** Values that read nothing but the step's own response (and literals). */
const RESPONSE_ONLY: ReadonlySet<string> = new Set([
  "literal",
  "statusCode",
  "responseBody",
  "responseHeader",
  "requestLine",
  "requestParameter",
  "requestBody"
])

/**
 * A module-level constant for each step's outputs table that reads only the step's response:
 * built once when the module loads, its schemas (and the parsers Effect compiles and caches per
 * schema object) are made once rather than on every step of every run. Tables that read inputs
 * or other steps, and those of steps that run a workflow, stay inline.
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
  const readsOnlyResponse = (output: StepOutputIR) => leaves(output.value).every((leaf) => RESPONSE_ONLY.has(leaf.kind))
  const hoistable = workflow.steps.filter((step) =>
    step.call === undefined && step.outputs.length > 0 && step.outputs.every(readsOnlyResponse)
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
          initializer: (w) => writeOutputs(w, step, env, names.dialect)
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
  const member = (stepIds: ReadonlyArray<string>, action: string, via: string, call: boolean, timeout: boolean) =>
    `{ readonly stepId: ${stepIds.map(stringLiteral).join(" | ")}; readonly action: ${
      stringLiteral(action)
    }; readonly via: "${via}"${call ? "; readonly call: true" : ""}${timeout ? "; readonly timeout: true" : ""} }`
  const success = workflow.ends.filter((e) => e.via === "onSuccess").map((e) =>
    member([e.stepId], e.action, e.via, false, false)
  )
  // Failure actions by name (workflow-level ones apply to many steps), apart for steps that run a workflow.
  const failure = new Map<string, { action: string; call: boolean; timeout: boolean; stepIds: Array<string> }>()
  for (const e of workflow.ends.filter((e) => e.via === "onFailure")) {
    const key = `${e.call}\u0000${e.timeout}\u0000${e.action}`
    const entry = failure.get(key) ?? { action: e.action, call: e.call, timeout: e.timeout, stepIds: [] }
    if (!entry.stepIds.includes(e.stepId)) entry.stepIds.push(e.stepId)
    failure.set(key, entry)
  }
  return [
    ...new Set([
      ...success,
      ...[...failure.values()].map((f) => member(f.stepIds, f.action, "onFailure", f.call, f.timeout))
    ])
  ]
}

const objectType = (outputs: ReadonlyArray<StepOutputIR>, refs: TypeRefs): string =>
  `{ ${outputs.map((o) => `readonly ${propertyKey(o.name)}: ${valueTypeOf(o.type, o.optional, refs)}`).join("; ")} }`

const inputsSchema = (workflow: WorkflowIR, dialect: Dialect) => (w: CodeBlockWriter) => {
  if (workflow.inputs.length === 0) {
    w.write("Schema.Struct({})")
    return
  }
  w.write("Schema.Struct({").newLine().indent(() => {
    workflow.inputs.forEach((input, i) => {
      const description = docs(input.description)[0]
      if (description !== undefined) w.writeLine(`/** ${description.replace(/\n/g, " ")} */`)
      const schema = schemaOf(input.type, dialect, true)
      const field = input.required
        ? schema
        : input.default !== undefined
        ? dialect.withDefault(schema, input.default)
        : dialect.optional(schema)
      w.write(`${valueKey(input.name)}: ${field}`)
      if (i < workflow.inputs.length - 1) w.write(",")
      w.newLine()
    })
  }).write("})")
}

/** A comment with the step's description, wrapped as a person would (the formatter leaves comments alone). */
/** `{ sends: [...], receives: [...] }`: the channels a run of the workflow opens before its first step. */
const messageUse = (workflow: WorkflowIR, names: ModuleNames): string | undefined => {
  const of = (action: "send" | "receive") => [
    ...new Set(
      workflow.steps.filter((s) => s.message?.action === action).map((s) => names.operations.get(s.operation!)!)
    )
  ]
  const sends = of("send")
  const receives = of("receive")
  if (sends.length === 0 && receives.length === 0) return undefined
  return `{ sends: [${sends.join(", ")}], receives: [${receives.join(", ")}] }`
}

const writeDescription = (w: CodeBlockWriter, step: StepIR) => {
  if (step.description) { for (const line of wrapWords(lineComment(step.description), 100)) w.writeLine(`// ${line}`) }
}

/** `run.step({...})` for a step of a straight-line workflow, then its success actions. */
const writeSteps = (w: CodeBlockWriter, workflow: WorkflowIR, printer: BodyPrinter) => {
  const env = printer.env(false)
  workflow.steps.forEach((step, index) => {
    if (index > 0) w.blankLine()
    writeDescription(w, step)
    const variable = printer.stepVars.get(step.stepId)!
    if (step.keeps === "outputs") {
      // Only the outputs are bound: the step's response is not held while later steps run.
      w.write(`const ${variable} = (yield* run.step({`).newLine()
      w.indent(() => writeSpec(w, step, env, printer)).write("})).outputs").newLine()
    } else {
      w.write(`${step.kept ? `const ${variable} = ` : ""}yield* run.step({`).newLine()
      w.indent(() => writeSpec(w, step, env, printer)).write("})").newLine()
    }
    writeActions(w, step, actionsEnv(step, variable, env), printer.names)
  })
}

/** How a step's success actions read: its response, or for a step that runs a workflow, that workflow's outputs. */
const actionsEnv = (step: StepIR, variable: string, env: ValueEnv): ValueEnv =>
  step.call ? { ...env, calledOutputs: `${variable}.result.outputs` } : { ...env, response: `${variable}.response` }

/**
 * The state machine: `next` names the step to run; each case runs its step, then its success
 * actions choose the next one (by default the following step). `run.guard` bounds the number
 * of steps by the policy's `maxSteps`, so a loop in the document cannot run for ever.
 */
const writeStateMachine = (w: CodeBlockWriter, workflow: WorkflowIR, printer: BodyPrinter) => {
  // A step may not have run yet when the state machine reaches another: its variable is optional.
  const env = printer.env(true)
  for (const step of workflow.steps.filter((s) => s.kept)) {
    const outputs = `${printer.stepsType}[${stringLiteral(step.stepId)}]`
    const result = step.keeps === "outputs"
      ? outputs
      : step.call
      ? `Arazzo.CallResult<${outputs}, ${workflowOutputs(step.call.workflow, printer.names)}>`
      : `Arazzo.StepResult<${outputs}>`
    w.writeLine(`let ${printer.stepVars.get(step.stepId)}: ${result} | undefined`)
  }
  const ids = workflow.steps.map((s) => stringLiteral(s.stepId))
  w.writeLine(`let next: ${ids.join(" | ")} | undefined = ${ids[0]}`)
  w.write("while (next !== undefined) {").newLine().indent(() => {
    w.writeLine("yield* run.guard(next)")
    w.write("switch (next) {").newLine().indent(() => {
      workflow.steps.forEach((step, index) => {
        const variable = printer.stepVars.get(step.stepId)!
        const following = workflow.steps[index + 1]?.stepId
        w.write(`case ${stringLiteral(step.stepId)}: {`).newLine().indent(() => {
          writeDescription(w, step)
          if (step.failureGotos.length > 0) {
            // A failure action can go to another step: the outcome says where, or is the step's result.
            w.write("const outcome = yield* run.step({").newLine()
            w.indent(() => writeSpec(w, step, env, printer)).write("})").newLine()
            w.write(`if ("goto" in outcome) {`).newLine().indent(() => {
              w.writeLine("next = outcome.goto")
              w.writeLine("break")
            }).writeLine("}")
            if (step.kept) w.writeLine(`${variable} = outcome${step.keeps === "outputs" ? ".outputs" : ""}`)
          } else if (step.keeps === "outputs") {
            w.write(`${variable} = (yield* run.step({`).newLine()
            w.indent(() => writeSpec(w, step, env, printer)).write("})).outputs").newLine()
          } else {
            w.write(`${step.kept ? `${variable} = ` : ""}yield* run.step({`).newLine()
            w.indent(() => writeSpec(w, step, env, printer)).write("})").newLine()
          }
          writeJumps(w, step, actionsEnv(step, variable, env), following, printer.names)
        }).writeLine("}")
      })
    }).writeLine("}")
  }).writeLine("}")
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
      w.writeLine(`return run.ended(${endPoint(step, action.name)})`)
    } else if (action.kind === "gotoWorkflow") {
      writeTransfer(w, step, action, names, env)
    } else {
      w.writeLine(`next = ${stringLiteral(action.target)}`)
      w.writeLine("break")
    }
  }
  for (const action of step.actions) {
    if (action.criterion === undefined) {
      go(action)
      return // an action without criteria always applies; lowering lists nothing after it
    }
    w.write(`if (${printCondition(action.criterion.test, env)}) {`).newLine().indent(() => go(action)).writeLine("}")
  }
  w.writeLine(following === undefined ? "next = undefined" : `next = ${stringLiteral(following)}`)
  w.writeLine("break")
}

const endPoint = (step: StepIR, action: string) =>
  `{ stepId: ${stringLiteral(step.stepId)}, action: ${stringLiteral(action)}, via: "onSuccess" }`

/** The fields of a step's spec, one per line. */
const writeSpec = (w: CodeBlockWriter, step: StepIR, env: ValueEnv, printer: BodyPrinter) => {
  const fields = step.call ? callFields(step, env, printer.names) : operationFields(step, env, printer)
  fields.forEach((field, i) => {
    field(w)
    if (i < fields.length - 1) w.write(",")
    w.newLine()
  })
}

type Field = (w: CodeBlockWriter) => void

const operationFields = (step: StepIR, env: ValueEnv, printer: BodyPrinter): Array<Field> => {
  const { names } = printer
  const fields: Array<Field> = [
    (w) => w.write(`stepId: ${stringLiteral(step.stepId)}`),
    (w) => w.write(`operation: ${names.operations.get(step.operation!)}`)
  ]
  const message = step.message
  if (message !== undefined) {
    fields.push((w) => w.write(`action: ${stringLiteral(message.action)}`))
    const correlationId = message.correlationId
    if (correlationId !== undefined) fields.push((w) => w.write(`correlationId: ${printValue(correlationId, env)}`))
  }
  const timeout = step.timeout
  if (timeout !== undefined) fields.push((w) => w.write(`timeout: ${timeout}`))
  const locations = (["path", "query", "querystring", "header", "cookie"] as const).filter((l) =>
    step.parameters.some((p) => p.in === l)
  )
  if (locations.length > 0) {
    fields.push((w) => {
      w.write("parameters: {").newLine().indent(() => {
        locations.forEach((location, i) => {
          const comma = i < locations.length - 1 ? "," : ""
          if (location === "querystring") {
            // The whole query string, one value (validation allows one).
            const whole = step.parameters.find((p) => p.in === "querystring")!
            w.write(`querystring: ${printValue(whole.value, env)}${comma}`).newLine()
            return
          }
          const entries = step.parameters.filter((p) => p.in === location)
            .map((p) => `${valueKey(p.name)}: ${printValue(p.value, env)}`)
          w.write(`${location}: { ${entries.join(", ")} }${comma}`).newLine()
        })
      }).write("}")
    })
  }
  const body = step.body
  if (body) {
    const value = printValue(body.value, env)
    fields.push((w) => {
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
        case "binary":
          w.write(`body: Arazzo.binary(${value}, ${stringLiteral(body.contentType)})`)
          break
        case "text": {
          const isString = body.value.kind === "template" ||
            (body.value.kind === "literal" && typeof body.value.value === "string")
          w.write(`body: Arazzo.text(${isString ? value : `String(${value})`}, ${stringLiteral(body.contentType)})`)
          break
        }
      }
    })
    if (body.replacements.length > 0) {
      fields.push((w) => {
        const items = body.replacements.map((r) =>
          `{ target: ${stringLiteral(r.target)}, ${
            r.targetType === "jsonpath" ? `query: ${env.hoisted.query(r.target)}, ` : ""
          }value: ${printValue(r.value, env)} }`
        )
        w.write(`replacements: [${items.join(", ")}]`)
      })
      if (body.xml) fields.push((w) => w.write("replaceXml: ArazzoXml.replaceXml"))
    }
  }
  fields.push((w) => {
    const criteria = step.defaultSuccess
      ? ["Arazzo.successfulStatus"]
      : step.successCriteria.map((c) => printCriterion(c, env))
    w.write(`successCriteria: [${criteria.join(", ")}]`)
  })
  fields.push((w) => {
    const hoisted = printer.hoistedOutputs.get(step.stepId)
    w.write("outputs: ")
    if (hoisted !== undefined) w.write(hoisted)
    else writeOutputs(w, step, env, names.dialect)
  })
  if (step.failureActions.length > 0) {
    fields.push((w) => {
      w.write("onFailure: [").newLine().indent(() => {
        step.failureActions.forEach((action, i) => {
          w.write(printFailureAction(action, env, names) + (i < step.failureActions.length - 1 ? "," : "")).newLine()
        })
      }).write("]")
    })
  }
  const poll = step.poll
  if (poll) {
    fields.push((w) => {
      w.writeLine(
        `// onSuccess \`${lineComment(poll.action)}\`: goto ${lineComment(step.stepId)} again while this holds`
      )
      w.write(`pollWhile: ${printCriterion(poll.criterion, env)}`)
    })
  }
  return fields
}

/** `run.step({ stepId, workflowId, workflow, inputs, outputs, … })` for a step that runs another workflow. */
const callFields = (step: StepIR, env: ValueEnv, names: ModuleNames): Array<Field> => {
  const call = step.call!
  const fields: Array<Field> = [
    (w) => w.write(`stepId: ${stringLiteral(step.stepId)}`),
    (w) => w.write(`workflowId: ${stringLiteral(call.workflow.workflowId)}`),
    (w) => w.write(`workflow: ${workflowFunction(call.workflow, names)}`),
    (w) =>
      w.write(
        `inputs: { ${call.inputs.map(([name, value]) => `${valueKey(name)}: ${printValue(value, env)}`).join(", ")} }`
      ),
    (w) => {
      if (step.outputs.length === 0) {
        w.write("outputs: () => ({})")
        return
      }
      w.write("outputs: (outputs) => ({").newLine().indent(() => {
        step.outputs.forEach((o, i) => {
          w.write(`${valueKey(o.name)}: ${printValue(o.value, env)}${i < step.outputs.length - 1 ? "," : ""}`).newLine()
        })
      }).write("})")
    }
  ]
  if (step.successCriteria.length > 0) {
    fields.push((w) => {
      const criteria = step.successCriteria.map((c) => {
        const test = printCondition(c.test, env)
        // An object literal, so that `outputs` is typed by the called workflow.
        return `{ condition: ${stringLiteral(c.text)}, test: (${
          test.includes("outputs") ? "outputs" : "_outputs"
        }) => ${test} }`
      })
      w.write(`successCriteria: [${criteria.join(", ")}]`)
    })
  }
  if (step.failureActions.length > 0) {
    fields.push((w) =>
      w.write(`onFailure: [${step.failureActions.map((a) => printFailureAction(a, env, names)).join(", ")}]`)
    )
  }
  return fields
}

/** `{ name: Arazzo.body(...), ... }`: the step's outputs table. */
const writeOutputs = (w: CodeBlockWriter, step: StepIR, env: ValueEnv, dialect: Dialect) => {
  if (step.outputs.length === 0) {
    w.write("{}")
    return
  }
  w.write("{").newLine().indent(() => {
    step.outputs.forEach((o, i) => {
      w.write(`${valueKey(o.name)}: ${printOutput(o, env, dialect)}${i < step.outputs.length - 1 ? "," : ""}`).newLine()
    })
  }).write("}")
}

/** `{ workflowId: "x", run: x }`: another workflow, as an action runs it. */
const workflowTarget = (ref: WorkflowRefIR, names: ModuleNames, inputs?: string) =>
  `{ workflowId: ${stringLiteral(ref.workflowId)}, run: ${workflowFunction(ref, names)}${
    inputs === undefined ? "" : `, inputs: ${inputs}`
  } }`

const printFailureAction = (action: FailureActionIR, env: ValueEnv, names: ModuleNames): string => {
  const name = stringLiteral(action.name)
  const when = action.criterion ? printCriterion(action.criterion, env) : "undefined"
  switch (action.kind) {
    case "end":
      return `Arazzo.endOn(${action.criterion ? `${name}, ${when}` : name})`
    case "goto":
      return `Arazzo.gotoOn(${name}, ${when}, ${stringLiteral(action.target)})`
    case "gotoWorkflow": {
      if (action.inputs === undefined) {
        return `Arazzo.gotoWorkflowOn(${name}, ${when}, ${workflowTarget(action.target, names)})`
      }
      // Evaluated when the action applies, on the failing response (none after a step's own timeout).
      const inputs = actionInputs(action.inputs, { ...env, response: "response?" })
      const parameter = inputs.includes("response?") ? "response" : "_response"
      const target = workflowTarget(
        action.target,
        names,
        `(${parameter}: Arazzo.StepResponse | undefined) => (${inputs})`
      )
      return `Arazzo.gotoWorkflowOn(${name}, ${when}, ${target})`
    }
    case "retry": {
      const options = [
        `retryAfter: ${action.retryAfter}`,
        `retryLimit: ${action.retryLimit}`,
        ...(action.stepId !== undefined ? [`stepId: ${stringLiteral(action.stepId)}`] : []),
        ...(action.workflow !== undefined ? [`workflow: ${workflowTarget(action.workflow, names)}`] : [])
      ]
      return `Arazzo.retryOn(${name}, ${when}, { ${options.join(", ")} })`
    }
  }
}

const printOutput = (output: StepOutputIR, env: ValueEnv, dialect: Dialect): string => {
  const secret = output.secret ? "secret: true" : undefined
  const options = (...fields: ReadonlyArray<string | undefined>) => {
    const given = fields.filter((f): f is string => f !== undefined)
    return given.length === 0 ? "" : `, { ${given.join(", ")} }`
  }
  switch (output.value.kind) {
    case "responseBody": {
      const pointer = `[${output.value.path.map((s) => (typeof s === "number" ? s : stringLiteral(s))).join(", ")}]`
      const schema = schemaOf(output.type, dialect)
      return `Arazzo.body(${pointer}, ${schema}${options(output.optional ? undefined : "required: true", secret)})`
    }
    case "responseHeader":
      return `Arazzo.header(${stringLiteral(output.value.name)}${options(secret)})`
    case "statusCode":
      return "Arazzo.statusCode"
    case "literal":
      return `Arazzo.value(() => ${printValue(output.value, env)}${options(secret)})`
    case "requestLine":
      return `Arazzo.value((response) => ${printValue(output.value, { ...env, response: "response" })}${
        options(secret)
      })`
    case "select":
      // A list of what a query selects is typed as one; any other selection is `unknown`.
      if (output.type.kind === "array") {
        return `Arazzo.value((response) => ${printValue(output.value, { ...env, response: "response" })}${
          options(secret)
        })`
      }
      return `Arazzo.value((response): unknown => ${printValue(output.value, { ...env, response: "response" })}${
        options(secret)
      })`
    default:
      return `Arazzo.value((response): unknown => ${printValue(output.value, { ...env, response: "response" })}${
        options(secret)
      })`
  }
}

/** `return yield* run.transfer(...)`: a success action hands over to another workflow, ending this one. */
const writeTransfer = (
  w: CodeBlockWriter,
  step: StepIR,
  action: Extract<ActionIR, { kind: "gotoWorkflow" }>,
  names: ModuleNames,
  env: ValueEnv
) => {
  const inputs = action.inputs === undefined ? "" : `, ${actionInputs(action.inputs, env)}`
  w.writeLine(
    `return yield* run.transfer(${endPoint(step, action.name)}, ${workflowTarget(action.target, names)}${inputs})`
  )
}

/** An action's `parameters` as the object of inputs the workflow it starts decodes. */
const actionInputs = (inputs: ReadonlyArray<readonly [string, ValueIR]>, env: ValueEnv): string =>
  `{ ${inputs.map(([name, value]) => `${valueKey(name)}: ${printValue(value, env)}`).join(", ")} }`

const actionSummary = (action: ActionIR) =>
  action.kind === "end"
    ? "end"
    : action.kind === "gotoWorkflow"
    ? `goto workflow ${lineComment(action.target.workflowId)}`
    : `goto ${lineComment(action.target)}`

/** A straight-line step's success actions: `end`s and handovers under their criteria; "go on" ones are comments. */
const writeActions = (w: CodeBlockWriter, step: StepIR, env: ValueEnv, names: ModuleNames) => {
  step.actions.forEach((action, i) => {
    if (action.criterion === undefined) w.write(i === 0 ? "{" : "} else {").newLine()
    else w.write(`${i === 0 ? "if" : "} else if"} (${printCondition(action.criterion.test, env)}) {`).newLine()
    w.indent(() => {
      w.writeLine(`// onSuccess \`${lineComment(action.name)}\`: ${actionSummary(action)}`)
      if (action.kind === "end") w.writeLine(`return run.ended(${endPoint(step, action.name)})`)
      else if (action.kind === "gotoWorkflow") writeTransfer(w, step, action, names, env)
    })
  })
  if (step.actions.length > 0) w.writeLine("}")
}
