/**
 * Module-level constants that criteria and selectors use: JSONPath queries, XPath expressions and
 * regular expressions, compiled once when the generated module loads rather than on every
 * response. Each distinct source text gets one constant, declared after the operations.
 */
import { type StatementStructures, StructureKind, VariableDeclarationKind } from "ts-morph"
import type { ConditionIR, CriterionIR, ValueIR, WorkflowIR } from "../lower/ir.js"
import { stepValues } from "../lower/walk.js"
import type { Names } from "./names.js"
import { docText, stringLiteral } from "./text.js"

export class Hoisted {
  private readonly declared = new Map<string, string>()
  private readonly statements_: Array<StatementStructures> = []
  private readonly counts = new Map<string, number>()

  constructor(private readonly names: Names) {}

  /** The constant holding `Arazzo.jsonPath(query)`. */
  query(query: string): string {
    return this.declare(`query:${query}`, "query", `Arazzo.jsonPath(${stringLiteral(query)})`, `JSONPath \`${query}\``)
  }

  /** Whether an XPath query is declared (the module then imports the XML runtime). */
  usesXml = false

  /** The constant holding `ArazzoXml.xpath(expression)`. */
  xpath(expression: string): string {
    this.usesXml = true
    return this.declare(
      `xpath:${expression}`,
      "xpath",
      `ArazzoXml.xpath(${stringLiteral(expression)})`,
      `XPath \`${expression}\``
    )
  }

  /** The constant holding the pattern, compiled for the runtime's linear-time engine (`Arazzo.regex`). */
  pattern(pattern: string): string {
    return this.declare(
      `pattern:${pattern}`,
      "pattern",
      `Arazzo.regex(${stringLiteral(pattern)})`,
      `Pattern \`${pattern}\``
    )
  }

  /**
   * Declares every query and pattern the workflows use, in document order, before any code is
   * printed (workflow bodies are printed later, by writers, when the file is assembled).
   */
  collect(workflows: ReadonlyArray<WorkflowIR>): this {
    const visit = (c: ConditionIR): void => {
      switch (c.kind) {
        case "and":
        case "or":
          visit(c.left)
          visit(c.right)
          break
        case "not":
          visit(c.operand)
          break
        // A substituted condition is compiled at run time, once per text it becomes.
        case "jsonpath":
          if (c.substituted === undefined) this.query(c.query)
          break
        case "regex":
          if (c.substituted === undefined) this.pattern(c.pattern)
          break
        case "xpath":
          if (c.substituted === undefined) this.xpath(c.expression)
          else this.usesXml = true
          break
      }
    }
    for (const step of workflows.flatMap((w) => w.steps)) {
      const criteria: Array<CriterionIR | undefined> = [
        ...step.successCriteria,
        step.poll?.criterion,
        ...step.actions.map((a) => a.criterion),
        ...step.failureActions.map((a) => a.criterion)
      ]
      for (const criterion of criteria) if (criterion) visit(criterion.test)
    }
    // Filters in values (`list[?(@.sent==false)]`) run queries too; the IR is plain data, so every
    // value anywhere in it is found by walking it.
    const values = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(values)
      else if (typeof node === "object" && node !== null) {
        const record = node as Record<string, unknown>
        if (record["kind"] === "stepOutput" && typeof record["filter"] === "string") this.query(record["filter"])
        Object.values(record).forEach(values)
      }
    }
    values(workflows)
    this.collectSelectors(workflows)
    return this
  }

  /** The queries of Selector Objects (in any value) and of JSONPath replacement targets, in document order. */
  private collectSelectors(workflows: ReadonlyArray<WorkflowIR>): void {
    const visit = (value: ValueIR): void => {
      if (value.kind === "select") {
        visit(value.context)
        if (value.selector.type === "jsonpath") this.query(value.selector.query)
        else if (value.selector.type === "xpath") this.xpath(value.selector.expression)
      } else if (value.kind === "object") value.entries.forEach(([, v]) => visit(v))
      else if (value.kind === "array") value.items.forEach(visit)
      else if (value.kind === "template") value.parts.forEach((p) => typeof p !== "string" && visit(p))
    }
    for (const workflow of workflows) {
      for (const step of workflow.steps) {
        stepValues(step).forEach(visit)
        for (const replacement of step.body?.replacements ?? []) {
          if (replacement.targetType === "jsonpath") this.query(replacement.target)
        }
        for (const action of [...step.actions, ...step.failureActions]) {
          if (action.kind === "gotoWorkflow") action.inputs?.forEach(([, v]) => visit(v))
        }
      }
      workflow.outputs.forEach((o) => visit(o.value))
    }
  }

  statements(): ReadonlyArray<StatementStructures> {
    return this.statements_
  }

  private declare(key: string, base: string, initializer: string, doc: string): string {
    const existing = this.declared.get(key)
    if (existing !== undefined) return existing
    const n = (this.counts.get(base) ?? 0) + 1
    this.counts.set(base, n)
    const name = this.names.claim(`${base}${n}`)
    this.declared.set(key, name)
    this.statements_.push({
      kind: StructureKind.VariableStatement,
      docs: [docText(doc)],
      declarationKind: VariableDeclarationKind.Const,
      declarations: [{ name, initializer }]
    })
    return name
  }
}
