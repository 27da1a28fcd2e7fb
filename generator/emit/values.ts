/** `ValueIR` and `ConditionIR` printed as TypeScript expressions over the generated code's variables. */
import type { Segment } from "../../runtime/core/values.js"
import type { ConditionIR, CriterionIR, ValueIR } from "../lower/ir.js"
import type { Hoisted } from "./hoisted.js"
import { propertyAccess, valueKey } from "./names.js"
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

export const printValue = (value: ValueIR, env: ValueEnv): string => {
  switch (value.kind) {
    case "literal":
      return typeof value.value === "string" ? stringLiteral(value.value) : String(value.value)
    case "object":
      return value.entries.length === 0
        ? "{}"
        : `{ ${value.entries.map(([k, v]) => `${valueKey(k)}: ${printValue(v, env)}`).join(", ")} }`
    case "array": {
      const items = `[${value.items.map((v) => printValue(v, env)).join(", ")}]`
      return value.compact ? `Arazzo.present(${items})` : items
    }
    case "template":
      return "`" +
        value.parts.map((p) =>
          typeof p === "string"
            ? templateText(p)
            : value.json === true
            ? "${Arazzo.embed(" + printValue(p, env) + ")}"
            : "${" + printValue(p, env) + "}"
        ).join("") +
        "`"
    case "input":
      return walk(propertyAccess(env.inputs, value.name), value.path)
    case "stepOutput": {
      const walked = walk(env.stepOutput(value.stepId, value.name), value.path)
      // A JSONPath filter keeps the items it selects (its query hoisted); `each` then reads them.
      const read = value.filter === undefined ? walked : `Arazzo.where(${env.hoisted.query(value.filter)}, ${walked})`
      return value.each === undefined ? read : `Arazzo.each(${read}, ${pathLiteral(value.each)})`
    }
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
    case "select":
      return printSelect(value, env)
  }
}

/** A Selector Object evaluated on its context: the one value or the list a query selects, an XPath's value, a pointer's. */
const printSelect = (value: Extract<ValueIR, { kind: "select" }>, env: ValueEnv): string => {
  const context = printValue(value.context, env)
  const { selector } = value
  switch (selector.type) {
    case "jsonpath":
      return `Arazzo.${selector.singular ? "selectOne" : "selectAll"}(${env.hoisted.query(selector.query)}, ${context})`
    case "xpath":
      return `ArazzoXml.xpathSelect(${env.hoisted.xpath(selector.expression)}, ${context})`
    case "jsonpointer":
      return `Arazzo.at(${context}, ${pathLiteral(selector.path)})`
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
      return parts.join(` ${op} `)
    }
    case "not":
      return condition.operand.kind === "compare" || condition.operand.kind === "truthy"
        ? `!${printCondition(condition.operand, env)}`
        : `!(${printCondition(condition.operand, env)})`
    case "truthy":
      return `Arazzo.truthy(${printValue(condition.value, env)})`
    case "jsonpath": {
      const context = printValue(condition.context, env)
      if (condition.substituted !== undefined) {
        return `Arazzo.selectsText(${printValue(condition.substituted, env)}, ${context})`
      }
      return `Arazzo.${condition.strict === true ? "selectsStrict" : "selects"}(${
        env.hoisted.query(condition.query)
      }, ${context})`
    }
    case "regex": {
      const context = printValue(condition.context, env)
      return condition.substituted !== undefined
        ? `Arazzo.matchesText(${printValue(condition.substituted, env)}, ${context})`
        : `Arazzo.matches(${env.hoisted.pattern(condition.pattern)}, ${context})`
    }
    case "xpath": {
      const context = printValue(condition.context, env)
      if (condition.substituted !== undefined) {
        return `ArazzoXml.xpathCheckText(${printValue(condition.substituted, env)}, ${context})`
      }
      return `ArazzoXml.${condition.strict === true ? "xpathCheck" : "xpathTest"}(${
        env.hoisted.xpath(condition.expression)
      }, ${context})`
    }
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
  const test = printCondition(criterion.test, { ...env, response: "response" })
  return `Arazzo.criterion(${stringLiteral(criterion.text)}, (response) => ${test})`
}
