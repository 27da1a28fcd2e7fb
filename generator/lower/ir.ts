/**
 * The intermediate representation: what a document's workflows do, decided and resolved, as
 * plain data. Lowering produces it; emitters print it. Tests can assert on it directly.
 */
import type { HttpMethod } from "../../runtime/core/body.js"
import type { SecurityScheme, SecurityScopes } from "../../runtime/core/credentials.js"
import type { WorkflowErrorTag } from "../../runtime/core/error-tags.js"
import type { ParameterLocation, ParameterStyle } from "../../runtime/core/serialize.js"
import type { Segment } from "../../runtime/core/values.js"
import type { Literal, TypeIR } from "./types.js"

export interface DocumentIR {
  /** The document's path as given (relative to the working directory). */
  readonly file: string
  /** sha256 of the document text, so a generated file says which version it came from. */
  readonly sha256: string
  readonly title: string | undefined
  readonly summary: string | undefined
  readonly description: string | undefined
  readonly sources: ReadonlyArray<SourceIR>
  readonly operations: ReadonlyArray<OperationIR>
  readonly workflows: ReadonlyArray<WorkflowIR>
  /**
   * `arazzo` source descriptions whose workflows this document runs (`$sourceDescriptions.name.id`),
   * with the document each names: it is compiled as a module of its own, which this one imports.
   */
  readonly imports: ReadonlyArray<{ readonly source: string; readonly absolutePath: string }>
  /** The AsyncAPI channels message steps use (Arazzo 1.1), each declared once. */
  readonly channels?: ReadonlyArray<ChannelIR>
}

/** A channel of an `asyncapi` source as a message step sends to or receives from it. */
export interface ChannelIR {
  /** Unique within the document: `source SEND|RECEIVE address`; a message step's `operation` names it. */
  readonly key: string
  readonly source: string
  readonly address: string
  readonly operationId: string | undefined
  /** Where its messages carry their correlation id (AsyncAPI `correlationId.location`). */
  readonly correlation: { readonly in: "header" | "payload"; readonly path: ReadonlyArray<string> } | undefined
  readonly contentType: string | undefined
}

/** What makes a step a message step: the channel's action, and the id a receive waits for. */
export interface MessageStepIR {
  readonly action: "send" | "receive"
  /** The `correlationId` a receive step takes its message by. */
  readonly correlationId: ValueIR | undefined
}

export interface SourceIR {
  readonly name: string
  readonly url: string
  /** The OpenAPI description's first absolute server URL, or `""` when it has none. */
  readonly serverUrl: string
  /** The security schemes its operations can ask for, by name (the runtime applies their credentials). */
  readonly securitySchemes: Readonly<Record<string, SecurityScheme>>
}

/** A workflow a step, action or `dependsOn` names: this document's, or an `arazzo` source description's. */
export interface WorkflowRefIR {
  readonly workflowId: string
  /** The `arazzo` source description it belongs to; `undefined` for this document's own. */
  readonly source: string | undefined
}

/** The spec form of a reference (`id`, or `$sourceDescriptions.name.id`). */
export const workflowRefText = (ref: WorkflowRefIR): string =>
  ref.source === undefined ? ref.workflowId : `$sourceDescriptions.${ref.source}.${ref.workflowId}`

export interface OperationIR {
  /** Unique within the document: `source method path`. */
  readonly key: string
  readonly source: string
  readonly operationId: string | undefined
  readonly method: HttpMethod
  readonly path: string
  /** Parameters whose serialization is not their location's default, by location and name. */
  readonly serialization: Partial<Record<ParameterLocation, Readonly<Record<string, ParameterStyleIR>>>>
  /** The security the OpenAPI description asks for: alternatives, each the schemes that go together. */
  readonly security: ReadonlyArray<ReadonlyArray<string>>
  /** The OAuth2 / OpenID Connect scopes that security asks for, by scheme. */
  readonly securityScopes: SecurityScopes
}

/** How a parameter is serialized, as the OpenAPI says (the runtime's type). */
export type ParameterStyleIR = ParameterStyle

export interface InputIR {
  readonly name: string
  readonly type: TypeIR
  readonly required: boolean
  readonly description: string | undefined
  /** Never shown in errors, logs or spans. */
  readonly secret: boolean
  /** JSON Schema `default` of an optional input, filled in when the caller leaves it out. */
  readonly default?: unknown
}

export interface WorkflowIR {
  readonly workflowId: string
  readonly summary: string | undefined
  readonly description: string | undefined
  readonly inputs: ReadonlyArray<InputIR>
  /** Whether an input has a default, so callers pass the Schema's encoded form (defaulted inputs may be left out). */
  readonly takesEncodedInputs: boolean
  readonly steps: ReadonlyArray<StepIR>
  /**
   * `linear`: the steps run in order (success actions only end the workflow or go on);
   * `stateMachine`: some action jumps to another step, so the body is a loop over the next step.
   */
  readonly shape: "linear" | "stateMachine"
  /**
   * The errors the workflow can raise: its own kinds first, then those of the workflows it hands
   * over to (their errors reach its caller as they are), each with that workflow's steps.
   */
  readonly errors: ReadonlyArray<ErrorSetIR>
  readonly outputs: ReadonlyArray<WorkflowOutputIR>
  /**
   * Where an `end` action (or a `goto` to another workflow) can stop the workflow, whether it is
   * a success or failure action, and whether the step runs a workflow (its failure is then a `CallFailed`).
   */
  readonly ends: ReadonlyArray<{
    readonly stepId: string
    readonly action: string
    readonly via: "onSuccess" | "onFailure"
    readonly call: boolean
    /** A failure end of a step with its own `timeout`: the failure it carries may be that timeout. */
    readonly timeout: boolean
  }>
  /** Workflows to run first (`dependsOn`), in order. */
  readonly dependsOn: ReadonlyArray<WorkflowRefIR>
}

export interface WorkflowOutputIR {
  readonly name: string
  readonly value: ValueIR
  readonly type: TypeIR
  /** The value may be absent even when the workflow completes (a step that may not have run, an optional input). */
  readonly optional: boolean
  /** A credential (a secret input, or a step output that is one): printed redacted. */
  readonly secret: boolean
}

/**
 * Errors one workflow raises: the kinds, for a workflow of this document; `undefined` for
 * another document's, whose module states them.
 */
export interface ErrorSetIR {
  readonly workflow: WorkflowRefIR
  readonly tags: ReadonlyArray<WorkflowErrorTag> | undefined
}

/** Where a parameter goes: the runtime's own type, so IR and runtime cannot drift apart. */
export type { ParameterLocation }

/** Where a step's parameter goes: a serialized location, or (Arazzo 1.1) the whole query string. */
export type StepParameterLocation = ParameterLocation | "querystring"

export interface StepIR {
  readonly stepId: string
  readonly description: string | undefined
  /** The operation key, for a step that calls an operation. */
  readonly operation: string | undefined
  /** The workflow this step runs, with its inputs, for a step that calls a workflow. */
  readonly call:
    | { readonly workflow: WorkflowRefIR; readonly inputs: ReadonlyArray<readonly [string, ValueIR]> }
    | undefined
  readonly parameters: ReadonlyArray<
    { readonly in: StepParameterLocation; readonly name: string; readonly value: ValueIR }
  >
  readonly body: BodyIR | undefined
  /** The criteria as written; empty with `defaultSuccess`. */
  readonly successCriteria: ReadonlyArray<CriterionIR>
  /** The step declares no success criteria: it succeeds on a 2xx status. */
  readonly defaultSuccess: boolean
  readonly outputs: ReadonlyArray<StepOutputIR>
  /** A success action that goes back to this step: the step is a poll, repeated while it holds. */
  readonly poll: { readonly action: string; readonly criterion: CriterionIR } | undefined
  /**
   * The success actions that decide where to go, in order; the first whose criterion holds
   * decides. Actions after one without criteria are never reached and trailing "go on" ones
   * change nothing: neither is listed.
   */
  readonly actions: ReadonlyArray<ActionIR>
  /** Failure actions in order (the step's own, then the workflow's it does not override). */
  readonly failureActions: ReadonlyArray<FailureActionIR>
  /** The steps a failure action can go to (a `goto`, or a `retry` that goes to a step first). */
  readonly failureGotos: ReadonlyArray<string>
  /** Whether the step's result is read after it runs (by later steps, or by its own success actions). */
  readonly kept: boolean
  /**
   * What of a kept result the code after the step holds: `outputs` when only later steps read it
   * (`$steps.<id>.outputs…`), so the response is dropped as soon as the step is judged; `result`
   * when its own success actions read the response (or a called workflow's outputs) too.
   */
  readonly keeps: "outputs" | "result" | undefined
  /**
   * The step's own `timeout` in milliseconds (Arazzo 1.1): it bounds the step in place of the
   * policy's, and exceeding it fails the step into its failure actions.
   */
  readonly timeout: number | undefined
  /**
   * Set for an AsyncAPI step (Arazzo 1.1): `operation` is then a channel's key, `parameters` the
   * message headers, `body` its payload; criteria and outputs read the message as a response.
   */
  readonly message?: MessageStepIR | undefined
}

export type FailureActionIR =
  | { readonly kind: "end"; readonly name: string; readonly criterion: CriterionIR | undefined }
  | {
    readonly kind: "goto"
    readonly name: string
    readonly criterion: CriterionIR | undefined
    readonly target: string
  }
  | {
    readonly kind: "gotoWorkflow"
    readonly name: string
    readonly criterion: CriterionIR | undefined
    readonly target: WorkflowRefIR
    /** The action's `parameters` as the target's inputs (1.1); `undefined`: this run's inputs. */
    readonly inputs: ReadonlyArray<readonly [string, ValueIR]> | undefined
  }
  | {
    readonly kind: "retry"
    readonly name: string
    readonly criterion: CriterionIR | undefined
    /** Seconds; a `Retry-After` header overrules it at run time. */
    readonly retryAfter: number
    readonly retryLimit: number
    /** A step to go to, or a workflow to run, before the retry. */
    readonly stepId: string | undefined
    readonly workflow: WorkflowRefIR | undefined
  }

export interface BodyIR {
  /** `binary`: a whole value (a file's bytes, a `Blob`, or text) sent as it is, for media types that are not text. */
  readonly encoding: "json" | "multipart" | "form" | "text" | "binary"
  readonly contentType: string
  readonly value: ValueIR
  /**
   * `replacements`, in order: the target is a JSON Pointer (JSON, form and multipart bodies, by
   * default), a JSONPath query (1.1 `targetSelectorType: jsonpath`) or an XPath (XML bodies).
   */
  readonly replacements: ReadonlyArray<{
    readonly target: string
    readonly value: ValueIR
    /** How `target` is read; `xpath` exactly when the body is XML. */
    readonly targetType: SelectorType
  }>
  /** Whether the body is XML, so replacement targets are XPaths. */
  readonly xml: boolean
}

export interface StepOutputIR {
  readonly name: string
  readonly value: ValueIR
  /** The type of the value when present. */
  readonly type: TypeIR
  /** Whether the value may be absent: a header, or a body member the response schema does not require. */
  readonly optional: boolean
  /**
   * A credential the API issues (named like one, or `format: password` / `writeOnly` in the
   * response schema): the run redacts its value wherever it appears; the typed output keeps it.
   */
  readonly secret: boolean
}

/**
 * `next`: go on with the following step (a `goto` to it, spelled out); `goto`: jump to any
 * other step (the workflow then runs as a state machine); `end`: stop the workflow;
 * `gotoWorkflow`: run workflow `target` and end this one, handing over to it.
 */
export type ActionIR =
  | {
    readonly kind: "next" | "goto"
    readonly name: string
    readonly target: string
    readonly criterion: CriterionIR | undefined
  }
  | { readonly kind: "end"; readonly name: string; readonly criterion: CriterionIR | undefined }
  | {
    readonly kind: "gotoWorkflow"
    readonly name: string
    readonly target: WorkflowRefIR
    readonly criterion: CriterionIR | undefined
    /** The action's `parameters` as the target's inputs (1.1); `undefined`: this run's inputs. */
    readonly inputs: ReadonlyArray<readonly [string, ValueIR]> | undefined
  }

export interface CriterionIR {
  /** The criterion as written, for errors and comments. */
  readonly text: string
  readonly test: ConditionIR
}

export type CompareOp = "==" | "!=" | "<" | "<=" | ">" | ">="

export type ConditionIR =
  | { readonly kind: "and" | "or"; readonly left: ConditionIR; readonly right: ConditionIR }
  | { readonly kind: "not"; readonly operand: ConditionIR }
  | { readonly kind: "compare"; readonly op: CompareOp; readonly left: ValueIR; readonly right: ValueIR }
  | { readonly kind: "truthy"; readonly value: ValueIR }
  /** An RFC 9535 query that must select something in the context. */
  | ({ readonly kind: "jsonpath"; readonly query: string; readonly context: ValueIR } & Substituted)
  /** A regular expression the context (a string) must match. */
  | ({ readonly kind: "regex"; readonly pattern: string; readonly context: ValueIR } & Substituted)
  /** An XPath expression whose effective boolean value, over the context (an XML text), must be true. */
  | ({ readonly kind: "xpath"; readonly expression: string; readonly context: ValueIR } & Substituted)

/**
 * Arazzo 1.1's rules for regex, JSONPath and XPath conditions. `strict`: an evaluation error is a
 * failed criterion that says why (1.0: it just does not hold). `substituted`: the condition has
 * `{$…}` expressions, substituted at run time before it is compiled (a template, every part as text).
 */
export interface Substituted {
  readonly strict?: true
  readonly substituted?: ValueIR
}

/** The three selector languages of Arazzo 1.1 (Selector Objects, `targetSelectorType`). */
export type SelectorType = "jsonpath" | "xpath" | "jsonpointer"

/**
 * What a Selector Object runs on its context at run time (one that reads a fixed path is
 * lowered to that path instead): a JSONPath query, `singular` when it selects at most one node
 * (its value is the result; otherwise the list of values is), or an XPath expression.
 */
export type SelectorIR =
  | { readonly type: "jsonpath"; readonly query: string; readonly singular: boolean }
  | { readonly type: "xpath"; readonly expression: string }
  | { readonly type: "jsonpointer"; readonly path: ReadonlyArray<Segment> }

/** A value computed at run time from literals, inputs, earlier steps and the response. */
export type ValueIR =
  | { readonly kind: "literal"; readonly value: Literal }
  | { readonly kind: "object"; readonly entries: ReadonlyArray<readonly [string, ValueIR]> }
  /** `compact`: items without a value at run time (an optional input not given) are left out. */
  | { readonly kind: "array"; readonly items: ReadonlyArray<ValueIR>; readonly compact: boolean }
  /**
   * `json`: Arazzo 1.1's embedding rule, an object or array embeds as its JSON text (1.0 leaves it
   * open: JavaScript's `String`).
   */
  | { readonly kind: "template"; readonly parts: ReadonlyArray<string | ValueIR>; readonly json?: true }
  | { readonly kind: "input"; readonly name: string; readonly path: ReadonlyArray<Segment> }
  | {
    readonly kind: "stepOutput"
    readonly stepId: string
    readonly name: string
    readonly path: ReadonlyArray<Segment>
    /** Set when the document selects with a wildcard (`list[*].id`): this path of each item at `path`. */
    readonly each?: ReadonlyArray<Segment>
    /**
     * Set when the document selects with a JSONPath filter (`list[?(@.sent==false)].id`): the RFC 9535
     * query (`$[?…]`) run on the list at `path`; `each` is then read from the items it selects.
     */
    readonly filter?: string
  }
  | { readonly kind: "statusCode" }
  | { readonly kind: "responseBody"; readonly path: ReadonlyArray<Segment> }
  | { readonly kind: "responseHeader"; readonly name: string }
  /** `$outputs.name` in a step that calls a workflow: that workflow's output. */
  | { readonly kind: "calledOutput"; readonly name: string; readonly path: ReadonlyArray<Segment> }
  /** `$url` / `$method`: the request the step sent. */
  | { readonly kind: "requestLine"; readonly part: "url" | "method" }
  /** `$request.header.x` (lower-cased), `$request.query.x`, `$request.path.x` as sent. */
  | { readonly kind: "requestParameter"; readonly in: "header" | "query" | "path"; readonly name: string }
  /** `$request.body#/ptr`: the payload the step sent, before encoding. */
  | { readonly kind: "requestBody"; readonly path: ReadonlyArray<Segment> }
  /** A Selector Object (Arazzo 1.1) that is not a fixed path: `selector` run on `context`. */
  | { readonly kind: "select"; readonly context: ValueIR; readonly selector: SelectorIR }
  /** `$workflows.id.inputs.x` / `$workflows.id.outputs.x`: a workflow this one depends on. */
  | {
    readonly kind: "workflowValue"
    readonly workflowId: string
    readonly of: "inputs" | "outputs"
    readonly name: string
    readonly path: ReadonlyArray<Segment>
  }
