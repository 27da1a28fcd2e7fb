/** `ValueIR` and `ConditionIR` printed as TypeScript expressions over the generated code's variables. */
import type { Segment } from "../../runtime/core/values.js"
import type { ConditionIR, CriterionIR, ValueIR } from "../lower/ir.js"
import type { Hoisted } from "./hoisted.js"
import { propertyAccess, propertyKey } from "./names.js"
import { stringLiteral, templateText } from "./text.js"

/** How the names a value refers to are spelled where it is printed. */
export interface ValueEnv {
  /** Where compiled queries and patterns are declared. */
  readonly hoisted: Hoisted
  /** The decoded inputs variable. */
  readonly inputs: string
  /** The response variable, where there is one. */
  readonly response: string | undefined
  /** How step `stepId`'s output `name` is read. */
  readonly stepOutput: (stepId: string, name: string) => string
  /** Where the called workflow's outputs are (`$outputs.x` in a step that runs a workflow); `outputs` by default. */
  readonly calledOutputs?: string
  /** How an input or output of a workflow this one depends on is read. */
  readonly workflowValue?: (workflowId: string, of: "inputs" | "outputs", name: string) => string
}

const pathLiteral = (path: ReadonlyArray<Segment>) =>
  `[${path.map((s) => (typeof s === "number" ? String(s) : stringLiteral(s))).join(", ")}]`

const walk = (
  target: string,
  path: ReadonlyArray<Segment>
) => (path.length === 0 ? target : `Arazzo.at(${target}, ${pathLiteral(path)})`)

/** Past this width an object, array or condition is laid out one part per line. */
const WIDTH = 100

const indent = (text: string) => text.replace(/\n/g, "\n  ")

export const printValue = (value: ValueIR, env: ValueEnv): string => {
  switch (value.kind) {
    case "literal":
      return typeof value.value === "string" ? stringLiteral(value.value) : String(value.value)
    case "object": {
      if (value.entries.length === 0) return "{}"
      const entries = value.entries.map(([k, v]) => `${propertyKey(k)}: ${printValue(v, env)}`)
      const flat = `{ ${entries.join(", ")} }`
      return flat.length <= WIDTH && !flat.includes("\n") ? flat : `{\n  ${entries.map(indent).join(",\n  ")}\n}`
    }
    case "array": {
      const items = value.items.map((v) => printValue(v, env))
      const flat = `[${items.join(", ")}]`
      return flat.length <= WIDTH && !flat.includes("\n") ? flat : `[\n  ${items.map(indent).join(",\n  ")}\n]`
    }
    case "template":
      return "`" +
        value.parts.map((p) => (typeof p === "string" ? templateText(p) : "${" + printValue(p, env) + "}")).join("") +
        "`"
    case "input":
      return walk(propertyAccess(env.inputs, value.name), value.path)
    case "stepOutput":
      return walk(env.stepOutput(value.stepId, value.name), value.path)
    case "statusCode":
      return `${env.response}.status`
    case "responseBody":
      return walk(`${env.response}.body`, value.path)
    case "responseHeader":
      return `${env.response}.headers[${stringLiteral(value.name)}]`
    case "calledOutput":
      return walk(propertyAccess(env.calledOutputs ?? "outputs", value.name), value.path)
    case "requestLine":
      return `${env.response}.request.${value.part}`
    case "requestParameter":
      return `${env.response}.request.${value.in}[${stringLiteral(value.name)}]`
    case "requestBody":
      return walk(`${env.response}.request.body`, value.path)
    case "workflowValue":
      return walk(env.workflowValue!(value.workflowId, value.of, value.name), value.path)
  }
}

const HELPERS = {
  "==": "Arazzo.equal",
  "!=": "Arazzo.notEqual",
  "<": "Arazzo.lessThan",
  "<=": "Arazzo.lessOrEqual",
  ">": "Arazzo.greaterThan",
  ">=": "Arazzo.greaterOrEqual"
} as const

const isStatusCheck = (c: ConditionIR & { kind: "compare" }) =>
  c.left.kind === "statusCode" && c.right.kind === "literal" && typeof c.right.value === "number"

/** The operands of a chain of the same operator: `a || b || c` → [a, b, c]. */
const chain = (condition: ConditionIR, kind: "and" | "or"): Array<ConditionIR> =>
  condition.kind === kind ? [...chain(condition.left, kind), ...chain(condition.right, kind)] : [condition]

export const printCondition = (condition: ConditionIR, env: ValueEnv): string => {
  switch (condition.kind) {
    case "or":
    case "and": {
      const op = condition.kind === "or" ? "||" : "&&"
      const parts = chain(condition, condition.kind).map((c) =>
        condition.kind === "and" && c.kind === "or" ? `(${printCondition(c, env)})` : printCondition(c, env)
      )
      const flat = parts.join(` ${op} `)
      return flat.length <= WIDTH ? flat : parts.join(` ${op}\n  `)
    }
    case "not":
      return condition.operand.kind === "compare" || condition.operand.kind === "truthy"
        ? `!${printCondition(condition.operand, env)}`
        : `!(${printCondition(condition.operand, env)})`
    case "truthy":
      return `Arazzo.truthy(${printValue(condition.value, env)})`
    case "jsonpath":
      return `Arazzo.selects(${env.hoisted.query(condition.query)}, ${printValue(condition.context, env)})`
    case "regex":
      return `Arazzo.matches(${env.hoisted.pattern(condition.pattern)}, ${printValue(condition.context, env)})`
    case "xpath":
      return `ArazzoXml.xpathTest(${env.hoisted.xpath(condition.expression)}, ${printValue(condition.context, env)})`
    case "compare":
      // A status compared with a number needs no loose equality.
      if ((condition.op === "==" || condition.op === "!=") && isStatusCheck(condition)) {
        return `${printValue(condition.left, env)} ${condition.op}= ${printValue(condition.right, env)}`
      }
      return `${HELPERS[condition.op]}(${printValue(condition.left, env)}, ${printValue(condition.right, env)})`
  }
}

/** `Arazzo.criterion("<text>", (response) => <test>)` */
export const printCriterion = (criterion: CriterionIR, env: ValueEnv): string => {
  const text = stringLiteral(criterion.text)
  const test = printCondition(criterion.test, { ...env, response: "response" })
  const flat = `Arazzo.criterion(${text}, (response) => ${test})`
  return flat.length <= WIDTH
    ? flat
    : `Arazzo.criterion(\n  ${text},\n  (response) =>\n    ${test.replace(/\n/g, "\n    ")}\n)`
}

/** The leaves of a value: everything but the objects, arrays and templates that hold them. */
export const leaves = (value: ValueIR): Array<ValueIR> => {
  switch (value.kind) {
    case "object":
      return value.entries.flatMap(([, v]) => leaves(v))
    case "array":
      return value.items.flatMap(leaves)
    case "template":
      return value.parts.flatMap((p) => (typeof p === "string" ? [] : leaves(p)))
    default:
      return [value]
  }
}

/** Whether a value refers to the inputs (so the generated function needs them in scope). */
export const usesInputs = (value: ValueIR): boolean =>
  leaves(value).some((leaf) => leaf.kind === "input" || (leaf.kind === "workflowValue" && leaf.of === "inputs"))

/** The steps whose outputs a value reads. */
export const referencedSteps = (value: ValueIR): Array<string> =>
  leaves(value).flatMap((leaf) => (leaf.kind === "stepOutput" ? [leaf.stepId] : []))

export const conditionValues = (condition: ConditionIR): Array<ValueIR> => {
  switch (condition.kind) {
    case "and":
    case "or":
      return [...conditionValues(condition.left), ...conditionValues(condition.right)]
    case "not":
      return conditionValues(condition.operand)
    case "truthy":
      return [condition.value]
    case "jsonpath":
    case "regex":
    case "xpath":
      return [condition.context]
    case "compare":
      return [condition.left, condition.right]
  }
}
