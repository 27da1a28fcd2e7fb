/**
 * Which exports of a generated module run which workflow. The emitter names a workflow's
 * function and inputs Schema after its workflowId, renaming on collisions, so the names are read
 * back from the module itself: each definition object names its `workflowId` and `inputs`
 * Schema, and each exported function passes its definition to `Arazzo.runWorkflow`.
 */
import { ts } from "ts-morph"

export interface WorkflowExports {
  readonly workflowId: string
  /** The exported function that runs the workflow. */
  readonly run: string
  /** The exported inputs Schema. */
  readonly inputs: string
}

const stringProperty = (object: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined => {
  for (const property of object.properties) {
    if (ts.isPropertyAssignment(property) && ts.isIdentifier(property.name) && property.name.text === name) return property.initializer
  }
  return undefined
}

/** `Arazzo.runWorkflow(definition, …)` inside an arrow function's body, possibly wrapped in calls. */
const runWorkflowArgument = (node: ts.Node): string | undefined => {
  let found: string | undefined
  const visit = (n: ts.Node) => {
    if (found !== undefined) return
    if (ts.isCallExpression(n) && n.expression.getText() === "Arazzo.runWorkflow") {
      const first = n.arguments[0]
      if (first !== undefined && ts.isIdentifier(first)) found = first.text
      return
    }
    ts.forEachChild(n, visit)
  }
  visit(node)
  return found
}

export const workflowExports = (moduleText: string): ReadonlyArray<WorkflowExports> => {
  const file = ts.createSourceFile("module.ts", moduleText, ts.ScriptTarget.ES2022, true)
  const definitions = new Map<string, { workflowId: string; inputs: string }>()
  const runners: Array<{ name: string; definition: string }> = []
  for (const statement of file.statements) {
    if (!ts.isVariableStatement(statement)) continue
    const exported = statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ?? false
    for (const declaration of statement.declarationList.declarations) {
      if (!ts.isIdentifier(declaration.name) || declaration.initializer === undefined) continue
      const init = declaration.initializer
      if (ts.isObjectLiteralExpression(init)) {
        const workflowId = stringProperty(init, "workflowId")
        const inputs = stringProperty(init, "inputs")
        if (workflowId !== undefined && ts.isStringLiteral(workflowId) && inputs !== undefined && ts.isIdentifier(inputs)) {
          definitions.set(declaration.name.text, { workflowId: workflowId.text, inputs: inputs.text })
        }
      } else if (exported && ts.isArrowFunction(init)) {
        const definition = runWorkflowArgument(init.body)
        if (definition !== undefined) runners.push({ name: declaration.name.text, definition })
      }
    }
  }
  return runners.flatMap(({ name, definition }) => {
    const found = definitions.get(definition)
    return found === undefined ? [] : [{ workflowId: found.workflowId, run: name, inputs: found.inputs }]
  })
}
