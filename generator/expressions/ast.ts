/**
 * ASTs for Arazzo runtime expressions, templates and simple conditions.
 *
 * The generator parses every expression once; the emitted code never sees document text, so these
 * types carry everything the emitter needs. Offsets are JavaScript string indices (UTF-16 code
 * units), 0-based, end exclusive, always relative to the whole string handed to the parser.
 */

export interface Span {
  readonly start: number
  readonly end: number
}

/** Decoded reference tokens (`~1` → `/`, `~0` → `~`); `[]` is the whole document. */
export type JsonPointer = ReadonlyArray<string>

/** One Arazzo runtime expression, e.g. `$steps.login.outputs.token#/access`. */
export type RuntimeExpression =
  & (
    | { readonly type: "url" }
    | { readonly type: "method" }
    | { readonly type: "statusCode" }
    /** `$self` (Arazzo 1.1): the document's own URI, its `$self` field. */
    | { readonly type: "self" }
    /** Header name exactly as written (RFC 7230 token characters); compare case-insensitively. */
    | { readonly type: "header"; readonly of: "request" | "response" | "message"; readonly name: string }
    | { readonly type: "query"; readonly of: "request"; readonly name: string }
    | { readonly type: "path"; readonly of: "request"; readonly name: string }
    /** `$response.body` alone has pointer `[]`; `$message.payload` (Arazzo 1.1) is a message's body. */
    | { readonly type: "body"; readonly of: "request" | "response" | "message"; readonly pointer: JsonPointer }
    /** `$inputs.name#/a/b`; pointer is undefined when there is no `#`. */
    | { readonly type: "inputs"; readonly name: string; readonly pointer: JsonPointer | undefined }
    /** `$outputs.name`: a workflow's own outputs. */
    | { readonly type: "outputs"; readonly name: string; readonly pointer: JsonPointer | undefined }
    /** `$steps.id.outputs.name#/ptr` */
    | {
      readonly type: "stepOutputs"
      readonly stepId: string
      readonly name: string
      readonly pointer: JsonPointer | undefined
    }
    /** `$workflows.id.inputs.name` / `$workflows.id.outputs.name#/ptr` */
    | {
      readonly type: "workflowInputs" | "workflowOutputs"
      readonly workflowId: string
      readonly name: string
      readonly pointer: JsonPointer | undefined
    }
    /** `$sourceDescriptions.name.url`; field is everything after the name (`url` or an operation). */
    | { readonly type: "sourceDescription"; readonly name: string; readonly field: string }
    /** `$components.parameters.foo`; kind is one of parameters, inputs, successActions, failureActions. */
    | { readonly type: "component"; readonly kind: string; readonly name: string }
  )
  & { readonly text: string; readonly span: Span }

/** `message` says what was expected at `span.start`. */
export interface ExpressionError {
  readonly message: string
  readonly span: Span
}

/** Something accepted but not written the way the spec says; the generator should warn. */
export interface ExpressionWarning {
  readonly message: string
  readonly span: Span
}

export type ParseResult<A> =
  | { readonly ok: true; readonly value: A }
  | { readonly ok: false; readonly error: ExpressionError }

// ---------------------------------------------------------------------------------------------
// Templates: strings with embedded expressions (`Bearer {$inputs.token}`)

export type TemplatePart =
  | { readonly type: "literal"; readonly text: string; readonly span: Span }
  | { readonly type: "expression"; readonly expression: RuntimeExpression }

/** An expression written without braces after a literal prefix (`Bearer $inputs.apiKey`). */
export interface BareExpression {
  readonly expression: RuntimeExpression
  /** The whole string rewritten in spec form, every bare expression braced: `Bearer {$inputs.apiKey}`. */
  readonly suggestion: string
}

export interface Template {
  /** Adjacent literals are merged; empty literals are omitted, so `""` has no parts. */
  readonly parts: ReadonlyArray<TemplatePart>
  readonly bare: ReadonlyArray<BareExpression>
}

// ---------------------------------------------------------------------------------------------
// Simple conditions (Criterion `condition` strings)

export type ComparisonOperator = "==" | "!=" | "<" | "<=" | ">" | ">="

export type Accessor =
  | { readonly type: "index"; readonly index: number }
  | { readonly type: "property"; readonly name: string }

export type Operand =
  | {
    readonly type: "literal"
    readonly value: string | number | boolean | null
    /** Only on strings: how the author quoted it. The spec form is `'`; `"` is accepted with a warning. */
    readonly quote?: "'" | "\""
    readonly span: Span
  }
  | {
    readonly type: "expression"
    readonly expression: RuntimeExpression
    /** `[n]` / `.name` written after the expression (`$response.body#/items[0].id`). */
    readonly accessors: ReadonlyArray<Accessor>
    readonly span: Span
  }
  /** `$.a.b[0]`: a path into the criterion's `context` value (only with `contextRoot`). */
  | { readonly type: "context"; readonly accessors: ReadonlyArray<Accessor>; readonly span: Span }

/** A condition's span covers its source text, including any grouping parentheses around it. */
export type Condition =
  | { readonly type: "or" | "and"; readonly left: Condition; readonly right: Condition; readonly span: Span }
  | { readonly type: "not"; readonly operand: Condition; readonly span: Span }
  | {
    readonly type: "compare"
    readonly op: ComparisonOperator
    readonly left: Operand
    readonly right: Operand
    readonly span: Span
  }
  /** Truthiness of a bare operand (`$steps.check.outputs.ok`). */
  | { readonly type: "operand"; readonly operand: Operand; readonly span: Span }

export interface ConditionOptions {
  /** Accept `$` alone (followed by `.`, `[` or nothing) as the root of the criterion's context. */
  readonly contextRoot?: boolean
}
