/**
 * What a generated workflow is made of — its definition: inputs schema, secrets, how outputs
 * are computed — and the entry point that decodes inputs, reads the run's environment once,
 * applies the workflow timeout and opens the workflow span.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberRef from "effect/FiberRef"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type * as Tracer from "effect/Tracer"
import { Secrets } from "../../core/redact.js"
import { hasProtoKeys, keepProtoKeys } from "../../core/response.js"
import { Credentials } from "./credentials.js"
import { InputsInvalid, type WorkflowError, WorkflowTimeout } from "./errors.js"
import { currentCallPath, Execution } from "./execution.js"
import { type MessageUse, withMessages } from "./messaging.js"
import { Policies, workflowPolicy } from "./policy.js"
import {
  type EndPoint,
  Run,
  type RunEnvironment,
  withoutTracing,
  type WorkflowEnded,
  type WorkflowResult
} from "./run.js"
import { Servers } from "./servers.js"
import { watched } from "./watchdog.js"

export interface WorkflowDefinition<
  I,
  Steps,
  O,
  E extends EndPoint = never,
  Err extends WorkflowError = WorkflowError
> {
  readonly workflowId: string
  /** Decodes what callers pass (JSON Schema `default`s filled in) into the inputs the steps read. */
  readonly inputs: Schema.Schema<I, any>
  /** Names of inputs whose values never appear in errors, logs or spans. */
  readonly secrets: ReadonlyArray<keyof I & string>
  /**
   * The workflow's `outputs`, from its inputs and the outputs of the steps that ran. Any may be
   * absent while the workflow runs; the generator types `O` with those a completed run always has.
   */
  readonly outputs: (inputs: I, steps: Partial<Steps>) => { readonly [K in keyof O]: O[K] | undefined }
  /** The channels of the workflow's AsyncAPI steps: a run subscribes to those it receives from before its first step. */
  readonly messages?: MessageUse
  /** Phantom: the end points, for typing results. */
  readonly ends?: ReadonlyArray<E>
  /** Phantom: the errors this workflow can raise (the generator works them out). */
  readonly errors?: ReadonlyArray<Err>
}

/** The errors of a generated workflow function, e.g. `WorkflowErrorOf<typeof other.workflows["id"]>`. */
export type WorkflowErrorOf<F> = F extends (input: never) => Effect.Effect<any, infer E, any> ? E : never

/** The outputs type of a generated workflow function, e.g. `WorkflowOutputsOf<typeof other.workflows["id"]>`. */
export type WorkflowOutputsOf<F> = F extends
  (input: never) => Effect.Effect<WorkflowResult<infer O, any, any>, any, any> ? O
  : never

/** One issue per field: a union reports each member's mismatch, merged here with "or". */
const inputIssues = (error: ParseResult.ParseError) => {
  const byPath = new Map<string, Array<string>>()
  for (const issue of ParseResult.ArrayFormatter.formatErrorSync(error)) {
    const path = issue.path.map(String).join(".")
    byPath.set(path, [...(byPath.get(path) ?? []), issue.message])
  }
  return [...byPath].map(([path, messages]) => ({ path, message: messages.join(" or ") }))
}

const decoders = new WeakMap<Schema.Schema<any, any>, (u: unknown) => Either.Either<any, ParseResult.ParseError>>()
const decoderOf = <I>(schema: Schema.Schema<I, any>): (u: unknown) => Either.Either<I, ParseResult.ParseError> => {
  let decode = decoders.get(schema)
  if (decode === undefined) decoders.set(schema, decode = Schema.decodeUnknownEither(schema))
  return decode
}

/** The tracer Effect installs by default: its spans go nowhere, so nothing needs recording them. */
const defaultTracer: Tracer.Tracer = Effect.runSync(Effect.tracerWith(Effect.succeed))

/** Everything a run reads from its context, read once when it starts. */
const environment: Effect.Effect<RunEnvironment, never, HttpClient.HttpClient> = Effect.tracerWith((tracer) =>
  Effect.map(
    Effect.all([
      HttpClient.HttpClient,
      Policies,
      Servers,
      Execution,
      FiberRef.get(currentCallPath),
      FiberRef.get(Headers.currentRedactedNames),
      Effect.serviceOption(FetchHttpClient.RequestInit),
      Credentials
    ]),
    ([client, policies, servers, execution, callPath, redactedNames, requestInit, credentials]) => {
      const tracing = tracer !== defaultTracer
      return {
        client: tracing ? client : withoutTracing(client),
        policies,
        servers,
        execution,
        callPath,
        tracing,
        redactedNames,
        requestInit: Option.getOrUndefined(requestInit),
        credentials
      }
    }
  )
)

/**
 * Runs a workflow body: decodes the inputs (a mismatch is `InputsInvalid` naming the field),
 * bounds the run by the workflow timeout and wraps it in an `arazzo.workflow` span.
 */
export const runWorkflow = <I, Steps, O, E extends EndPoint, Err extends WorkflowError>(
  definition: WorkflowDefinition<I, Steps, O, E, Err>,
  /** What the caller passed: decoded with `definition.inputs`, so it may leave defaulted inputs out. */
  input: unknown,
  body: (
    run: Run<I, Steps, O, E>,
    inputs: I
  ) => Effect.Effect<WorkflowResult<O, Steps, E>, WorkflowError | WorkflowEnded>
): Effect.Effect<WorkflowResult<O, Steps, E>, Err, HttpClient.HttpClient> => {
  const { workflowId } = definition
  const run: Effect.Effect<WorkflowResult<O, Steps, E>, WorkflowError, HttpClient.HttpClient> = Effect.flatMap(
    environment,
    (env) => {
      const decoded = decoderOf(definition.inputs)(input)
      if (Either.isLeft(decoded)) {
        return Effect.fail(new InputsInvalid({ workflowId, issues: inputIssues(decoded.left) }))
      }
      // Effect's decoder assigns members one by one: an input named `__proto__` would become the prototype.
      const inputs = hasProtoKeys(input) ? keepProtoKeys(input, decoded.right) as I : decoded.right
      const secrets = Secrets.of(definition.secrets.map((name) => inputs[name]))
      const timeout = workflowPolicy(env.policies, workflowId).workflowTimeoutDuration
      let runner: Run<I, Steps, O, E> | undefined
      const ran = watched(
        (watchdog) => {
          const run = runner = new Run<I, Steps, O, E>(definition, inputs, env, secrets, watchdog)
          const ran = Effect.catchTag(body(run, inputs), "WorkflowEnded", (end) => Effect.succeed(run.endedBy(end)))
          const { messages } = definition
          return messages === undefined
            ? ran
            : withMessages(messages, workflowId, env.servers, (session) => run.messaging = session, ran)
        },
        timeout,
        () => new WorkflowTimeout({ workflowId, timeout, stepOutputs: runner?.gatheredShown() ?? {} })
      )
      // A fetch client follows redirects itself unless told not to: the runtime follows them,
      // same-origin only (send.ts), so that a step's credentials never reach another origin.
      const manual = Effect.provideService(ran, FetchHttpClient.RequestInit, { ...env.requestInit, redirect: "manual" })
      return env.tracing
        ? Effect.withSpan(manual, `arazzo.workflow ${workflowId}`, {
          attributes: { "arazzo.workflow.id": workflowId },
          // The stack here would name runWorkflow, not the caller; the span names the workflow.
          captureStackTrace: false
        })
        : manual
    }
  )
  // The generator names exactly the errors this workflow can raise.
  return run as Effect.Effect<WorkflowResult<O, Steps, E>, Err, HttpClient.HttpClient>
}
