/**
 * A document's IR printed as one TypeScript module with ts-morph: structures for the
 * declarations, writers for the workflow bodies, formatted once. Same IR, same bytes.
 */
import * as path from "node:path"
import { printStructure, type StatementStructures, StructureKind, VariableDeclarationKind } from "ts-morph"
import { formatGeneratedModule } from "../format/index.js"
import type { ChannelIR, DocumentIR, OperationIR, ParameterStyleIR } from "../lower/ir.js"
import { dialectOf, type EffectLine } from "./dialect.js"
import { Hoisted } from "./hoisted.js"
import { camelCase, Names, pascalCase, propertyKey } from "./names.js"
import { docText, stringLiteral, wrapDoc } from "./text.js"
import { planWorkflowNames, workflowStatements } from "./workflow.js"

export interface EmittedFile {
  readonly name: string
  readonly text: string
  /** The names the emitter chose for each workflow's exports (`run`, `inputs`), for tools that load the module. */
  readonly workflows?: ReadonlyArray<WorkflowExports>
}

/** A workflow's exported function and inputs Schema, as named in its module. */
export interface WorkflowExports {
  readonly workflowId: string
  readonly run: string
  readonly inputs: string
}

/**
 * Structures printed straight to text: a ts-morph source file would also parse the printed text
 * with TypeScript (a tenth of a warm `generate`), and nothing here reads that syntax tree.
 */
const PRINT_OPTIONS = { indentNumberOfSpaces: 2, useSingleQuote: false, newLine: "\n" } as const

const TOP_LEVEL = /^(\/\*\*|export |const |type |interface )/
const OPERATION = /^const \w+ = Arazzo\.operation\(/

/**
 * A blank line before each top-level declaration, as a person would leave one (ts-morph
 * prints structures back to back); consecutive operation declarations stay together.
 */
const spaceTopLevel = (text: string): string => {
  const lines = text.split("\n")
  const out: Array<string> = []
  for (const line of lines) {
    const previous = out[out.length - 1]
    const startsDeclaration = TOP_LEVEL.test(line) && previous !== undefined && previous !== "" &&
      !previous.endsWith("*/")
    if (startsDeclaration && !(OPERATION.test(line) && OPERATION.test(previous))) out.push("")
    out.push(line)
  }
  return out.join("\n")
}

/** Module file name for a document: its base name with `.ts`. */
export const moduleName = (documentFile: string): string =>
  path.basename(documentFile).replace(/(\.arazzo)?\.(ya?ml|json)$/i, "") + ".ts"

/** `{ query: { tags: { style: "pipeDelimited", explode: false } } }`; `undefined` when every parameter uses its default. */
const printSerialization = (serialization: OperationIR["serialization"]): string | undefined => {
  const locations = Object.entries(serialization).filter(([, byName]) => Object.keys(byName ?? {}).length > 0)
  if (locations.length === 0) return undefined
  const style = (s: ParameterStyleIR) =>
    `{ ${
      Object.entries(s).map(([k, v]) => `${k}: ${typeof v === "string" ? stringLiteral(v) : String(v)}`).join(", ")
    } }`
  return `{ ${
    locations.map(([location, byName]) =>
      `${location}: { ${Object.entries(byName!).map(([name, s]) => `${propertyKey(name)}: ${style(s)}`).join(", ")} }`
    ).join(", ")
  } }`
}

/** `{ operationId: "x", serialization: {…}, security: [["bearer"]] }`: what an operation declares beyond its method and path. */
const printOperationOptions = (op: OperationIR): string | undefined => {
  const serialization = printSerialization(op.serialization)
  const options = [
    ...(op.operationId !== undefined ? [`operationId: ${stringLiteral(op.operationId)}`] : []),
    ...(serialization !== undefined ? [`serialization: ${serialization}`] : []),
    ...(op.security.length > 0
      ? [`security: [${op.security.map((schemes) => `[${schemes.map(stringLiteral).join(", ")}]`).join(", ")}]`]
      : []),
    ...(Object.keys(op.securityScopes).length > 0 ? [`securityScopes: ${printPlain(op.securityScopes)}`] : [])
  ]
  return options.length === 0 ? undefined : `{ ${options.join(", ")} }`
}

/** Plain data (strings, arrays, objects of them) as a TypeScript literal on one line. */
const printPlain = (value: unknown): string =>
  typeof value === "string"
    ? stringLiteral(value)
    : Array.isArray(value)
    ? `[${value.map(printPlain).join(", ")}]`
    : `{ ${
      Object.entries(value as Record<string, unknown>).map(([k, v]) => `${propertyKey(k)}: ${printPlain(v)}`).join(", ")
    } }`

/** `Arazzo.channel(source, "address", { operationId, correlation, contentType })` for a message step's channel. */
const printChannel = (channel: ChannelIR, source: string): string => {
  const options: Record<string, unknown> = {}
  if (channel.operationId !== undefined) options["operationId"] = channel.operationId
  if (channel.correlation !== undefined) options["correlation"] = channel.correlation
  if (channel.contentType !== undefined) options["contentType"] = channel.contentType
  const args = [
    source,
    stringLiteral(channel.address),
    ...(Object.keys(options).length > 0 ? [printPlain(options)] : [])
  ]
  return `Arazzo.channel(${args.join(", ")})`
}

/**
 * Prints a module for an Effect line; `from` is the document's path relative to the output
 * directory (for the header).
 */
export const emitModule = (document: DocumentIR, from: string, line: EffectLine = 3): EmittedFile => {
  const dialect = dialectOf(line)
  const names = new Names()
  // Claimed first: other modules reach this one's workflows through it.
  const workflowsTable = names.claim("workflows")
  const imports = new Map(document.imports.map((i) => [i.source, {
    namespace: names.claim(camelCase(i.source)),
    module: `./${moduleName(i.absolutePath).replace(/\.ts$/, "")}.js`
  }]))
  const statements: Array<StatementStructures> = []
  const sourceIds = new Map(document.sources.map((s) => [s.name, names.claim(camelCase(s.name))]))
  for (const source of document.sources) {
    const secured = Object.keys(source.securitySchemes).length > 0
    const args = [
      stringLiteral(source.name),
      stringLiteral(source.serverUrl),
      ...(secured ? [printPlain(source.securitySchemes)] : [])
    ]
    statements.push({
      kind: StructureKind.VariableStatement,
      isExported: true,
      docs: [
        `Source description \`${docText(source.name)}\` (${
          docText(source.url)
        }).\nPoint it elsewhere with \`Arazzo.Servers.layer\`${
          secured ? "; give its credentials with `Arazzo.Credentials.layer`" : ""
        }.`
      ],
      declarationKind: VariableDeclarationKind.Const,
      declarations: [{
        name: sourceIds.get(source.name)!,
        initializer: `Arazzo.source(${args.join(", ")})`
      }]
    })
  }
  // The exported workflow functions are the module's API, so they get their names before the
  // module-private operation constants (`placeOrder` the workflow, `placeOrderOperation` the operation).
  const workflowNames = new Map(document.workflows.map((w) => [w.workflowId, planWorkflowNames(w, names)]))
  const operations = new Map<string, string>()
  const operationStatements: Array<StatementStructures> = []
  for (const op of document.operations) {
    const wanted = camelCase(op.operationId ?? `${op.method.toLowerCase()} ${op.path}`)
    const id = names.claim(names.has(wanted) ? `${wanted}Operation` : wanted)
    operations.set(op.key, id)
    const options = printOperationOptions(op)
    const args = [
      sourceIds.get(op.source)!,
      stringLiteral(op.method),
      stringLiteral(op.path),
      ...(options ? [options] : [])
    ]
    operationStatements.push({
      kind: StructureKind.VariableStatement,
      declarationKind: VariableDeclarationKind.Const,
      declarations: [{ name: id, initializer: `Arazzo.operation(${args.join(", ")})` }]
    })
  }
  for (const channel of document.channels ?? []) {
    const direction = channel.key.split(" ")[1] === "SEND" ? "Send" : "Receive"
    const wanted = camelCase(`${channel.operationId ?? channel.address} ${direction}`)
    const id = names.claim(names.has(wanted) ? `${wanted}Channel` : wanted)
    operations.set(channel.key, id)
    operationStatements.push({
      kind: StructureKind.VariableStatement,
      declarationKind: VariableDeclarationKind.Const,
      declarations: [{ name: id, initializer: printChannel(channel, sourceIds.get(channel.source)!) }]
    })
  }
  statements.push(...operationStatements)
  const hoisted = new Hoisted(names).collect(document.workflows)
  const workflows = document.workflows.flatMap((workflow) =>
    workflowStatements(workflow, {
      module: names,
      dialect,
      hoisted,
      operations,
      workflows: workflowNames,
      imports: new Map([...imports].map(([source, i]) => [source, i.namespace]))
    })
  )
  statements.push(...hoisted.statements(), ...workflows)
  statements.push({
    kind: StructureKind.VariableStatement,
    isExported: true,
    docs: [
      "Every workflow of this document by workflowId, for documents that run them (`$sourceDescriptions.<name>.<workflowId>`)."
    ],
    declarationKind: VariableDeclarationKind.Const,
    declarations: [{
      name: workflowsTable,
      initializer: (w) => {
        w.write("{").newLine().indent(() => {
          document.workflows.forEach((workflow, i) => {
            const run = workflowNames.get(workflow.workflowId)!.run
            w.write(`${stringLiteral(workflow.workflowId)}: ${run}${i < document.workflows.length - 1 ? "," : ""}`)
              .newLine()
          })
        }).write("} as const")
      }
    }]
  })
  const header = [
    document.title,
    document.summary,
    `Generated by arazzo-effect from ${from} (sha256 ${
      document.sha256.slice(0, 16)
    }). Do not edit: run \`arazzo-effect generate\` again.`
  ].filter((t): t is string => t !== undefined && t.trim() !== "").map((t) => wrapDoc(t)).join("\n\n")
  const name = moduleName(document.file)
  const printed = printStructure({
    kind: StructureKind.SourceFile,
    statements: [
      `/**\n${header.split("\n").map((l) => (l === "" ? " *" : ` * ${l}`)).join("\n")}\n */`,
      {
        kind: StructureKind.ImportDeclaration,
        isTypeOnly: true,
        namespaceImport: "HttpClient",
        moduleSpecifier: dialect.modules.httpClient
      },
      { kind: StructureKind.ImportDeclaration, namespaceImport: "Arazzo", moduleSpecifier: dialect.modules.runtime },
      ...(hoisted.usesXml ||
          document.workflows.some((w) => w.steps.some((s) => s.body?.xml && s.body.replacements.length > 0))
        ? [{
          kind: StructureKind.ImportDeclaration as const,
          namespaceImport: "ArazzoXml",
          moduleSpecifier: dialect.modules.xml
        }]
        : []),
      { kind: StructureKind.ImportDeclaration, namespaceImport: "Effect", moduleSpecifier: "effect/Effect" },
      { kind: StructureKind.ImportDeclaration, namespaceImport: "Schema", moduleSpecifier: "effect/Schema" },
      ...[...imports.values()].map((i) => ({
        kind: StructureKind.ImportDeclaration as const,
        namespaceImport: i.namespace,
        moduleSpecifier: i.module
      })),
      ...statements
    ]
  }, PRINT_OPTIONS)
  const text = formatGeneratedModule(spaceTopLevel(printed), name)
  const exported = document.workflows.map((w) => {
    const planned = workflowNames.get(w.workflowId)!
    return { workflowId: w.workflowId, run: planned.run, inputs: planned.inputs }
  })
  return { name, text, workflows: exported }
}

/** `index.ts`: each module under a namespace named after its document, so names never collide. */
export const emitBarrel = (modules: ReadonlyArray<string>): EmittedFile => {
  const names = new Names()
  const lines = [...modules].sort().map((m) => {
    const base = m.replace(/\.ts$/, "")
    return `export * as ${names.claim(pascalCase(base))} from ${stringLiteral(`./${base}.js`)}`
  })
  return { name: "index.ts", text: `/** Generated by arazzo-effect. Do not edit. */\n${lines.join("\n")}\n` }
}
