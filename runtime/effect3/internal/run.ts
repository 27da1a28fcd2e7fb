/**
 * One run of a workflow, as generated code drives it. `step` is the one entry point for every
 * kind of step: it sends an operation's request (repeating it on the poll schedule while
 * `pollWhile` holds) or runs another workflow, checks the success criteria, reads the outputs,
 * and on failure applies the failure actions. `completed` / `ended` / `transfer` build the
 * result. Every step's outputs are gathered as it finishes, so any failure can carry them.
 */
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import type * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as Intervals from "effect/ScheduleIntervals"
import {
  decideFailure,
  type Decision,
  type FailureAction as CoreFailureAction,
  type RetryCounts
} from "../../core/actions.js"
import type { Body } from "../../core/body.js"
import {
  applyCredential,
  type Chosen,
  describeScheme,
  howToProvide,
  needsToken,
  planCredentials,
  secretTexts
} from "../../core/credentials.js"
import { type CallCriterion, type Criterion, holds, judge, stepResponse } from "../../core/criteria.js"
import type { Secrets } from "../../core/redact.js"
import { replace, type Replacement } from "../../core/replace.js"
import { buildRequest, type Parameters, type RequestParts } from "../../core/request.js"
import { decodeBody, retryAfterMillis, type StepResponse } from "../../core/response.js"
import { setOwn } from "../../core/values.js"
import { accessToken, type CredentialStore, reveal } from "./credentials.js"
import {
  CallFailed,
  CredentialMissing,
  DependencyFailed,
  PollExhausted,
  RequestFailed,
  RequestInvalid,
  type RequestSummary,
  ResponseInvalid,
  StepFailed,
  StepLimitExceeded,
  StepTimeout,
  TokenFailed,
  type WorkflowError
} from "./errors.js"
import { currentCallPath, type ExecutionService, type RawResponse } from "./execution.js"
import { messageExchange, type MessageStep } from "./message-step.js"
import type { MessageSession } from "./messaging.js"
import type { Operation } from "./operation.js"
import { type OutputsFor, readOutputs } from "./outputs.js"
import { type PolicyTable, type ResolvedPolicy, stepPolicy, workflowPolicy } from "./policy.js"
import { send, withClientRequest } from "./send.js"
import { baseUrlIn } from "./servers.js"
import type { Watchdog } from "./watchdog.js"

/** Where an `end` action can stop a workflow: the step, the action's name, and whether it was a success or failure action. */
export interface EndPoint {
  readonly stepId: string
  readonly action: string
  readonly via: "onSuccess" | "onFailure"
  /** Present on the failure ends of steps that run another workflow: their failure is a `CallFailed`. */
  readonly call?: true
  /** Present on the failure ends of steps with their own `timeout`: their failure may be a `StepTimeout`. */
  readonly timeout?: true
}

/** The workflow ran to its last step (or a success action without criteria ended it normally). */
export interface Completed<O, Steps> {
  readonly _tag: "Completed"
  readonly outputs: O
  readonly steps: Partial<Steps>
}

interface EndedFields<O, Steps> {
  readonly _tag: "Ended"
  /** Set when the action was a `goto` to another workflow: that workflow's id and result. */
  readonly transfer: Transfer | undefined
  /** The outputs as far as the steps that ran give them: any may be absent. */
  readonly outputs: { readonly [K in keyof O]: O[K] | undefined }
  readonly steps: Partial<Steps>
}

/**
 * An `end` action (or a `goto` to another workflow) stopped the workflow; `stepId`, `action` and
 * `via` say which. An end reached through a failure action carries the failure (status,
 * criterion, body) that led to it. For a workflow without `end` actions, `stepId` and `action`
 * are `never`: its results are never `Ended`, and code that checks for it still compiles.
 */
export type Ended<O, Steps, E extends EndPoint> = [E] extends [never] ? EndedFields<O, Steps> & {
    readonly stepId: never
    readonly action: never
    readonly via: never
    readonly failure: undefined
  }
  : E extends EndPoint ? EndedFields<O, Steps> & {
      readonly stepId: E["stepId"]
      readonly action: E["action"]
      readonly via: E["via"]
      readonly failure: E["via"] extends "onSuccess" ? undefined
        : E["via"] extends "onFailure" ? E extends { readonly call: true } ? CallFailed
          : E extends { readonly timeout: true } ? StepFailed | StepTimeout
          : StepFailed
        : StepFailed | CallFailed | StepTimeout | undefined
    }
  : never

export type WorkflowResult<O, Steps, E extends EndPoint = never> = Completed<O, Steps> | Ended<O, Steps, E>

/** A generated workflow function, as another workflow runs it (with its own inputs, decoded by it). */
export type AnyWorkflow = (
  input: never
) => Effect.Effect<WorkflowResult<unknown, unknown, EndPoint>, WorkflowError, HttpClient.HttpClient>

/** Another workflow to run: its id (for results and errors) and its generated function. */
export interface WorkflowTarget {
  readonly workflowId: string
  readonly run: AnyWorkflow
  /**
   * A failure action's `parameters` (Arazzo 1.1): its inputs, from the failing response (absent
   * for a step that runs a workflow). Without them the workflow gets this run's inputs.
   */
  readonly inputs?: (response: StepResponse | undefined) => unknown
}

/** A workflow that a `goto` handed over to, and how it went. */
export interface Transfer {
  readonly workflowId: string
  readonly result: WorkflowResult<unknown, unknown, EndPoint>
}

/** A failure action of this line: another workflow is named by its generated function. */
export type FailureAction<G extends string = string> = CoreFailureAction<G, WorkflowTarget>

/** An `end` action stopped the workflow; caught by `runWorkflow` and returned as an `Ended` result. */
export class WorkflowEnded extends Data.TaggedError("WorkflowEnded")<{
  readonly stepId: string
  readonly action: string
  readonly via: "onSuccess" | "onFailure"
  readonly failure: StepFailed | CallFailed | StepTimeout | undefined
  /** Set when the action was a `goto` to another workflow, which has run. */
  readonly transfer?: Transfer | undefined
}> {}

/** A step that calls an operation. */
export interface OperationStep<K extends string, S, G extends string> {
  readonly stepId: K
  readonly operation: Operation
  readonly parameters?: Parameters
  readonly body?: Body
  /** `requestBody.replacements`, applied to a copy of the body when the request is built. */
  readonly replacements?: ReadonlyArray<Replacement>
  /** How replacements apply to an XML body (`ArazzoXml.replaceXml`; XPath lives in its own entry point). */
  readonly replaceXml?: (xml: string, replacements: ReadonlyArray<Replacement>) => string | { readonly error: string }
  readonly successCriteria: ReadonlyArray<Criterion>
  readonly outputs: OutputsFor<S>
  /** Failure actions in order: the step's own, then the workflow's it does not override. */
  readonly onFailure?: ReadonlyArray<FailureAction<G>>
  /** The criterion of a success action that goes back to this step: the step is a poll, repeated while it holds. */
  readonly pollWhile?: Criterion
  /**
   * The document's own bound on the step, in milliseconds (Arazzo 1.1 `timeout`): it replaces the
   * policy's `stepTimeout`, and a `StepTimeout` it raises goes to the failure actions.
   */
  readonly timeout?: number
}

/** A step that runs another workflow. */
export interface CallStep<K extends string, S, O2, G extends string> {
  readonly stepId: K
  /** The called workflow's id, for errors. */
  readonly workflowId: string
  /** The generated function of the called workflow. */
  readonly workflow: (input: never) => Effect.Effect<WorkflowResult<O2, any, any>, WorkflowError, HttpClient.HttpClient>
  /** Its inputs, from the step's parameters; the called workflow decodes them against its schema. */
  readonly inputs: unknown
  /** The step's outputs, from the called workflow's outputs (`$outputs.name`). */
  readonly outputs: (outputs: O2) => S
  /** Conditions on the called workflow's outputs that must hold for the step to succeed. */
  readonly successCriteria?: ReadonlyArray<CallCriterion<O2>>
  /** What to do when the called workflow fails or a criterion does not hold (actions without criteria). */
  readonly onFailure?: ReadonlyArray<FailureAction<G>>
}

export interface StepResult<S> {
  readonly response: StepResponse
  readonly outputs: S
}

export interface CallResult<S, O2> {
  readonly outputs: S
  readonly result: WorkflowResult<O2, unknown, EndPoint>
}

/** A failure action chose the step to go on with (`goto`, or a `retry` that goes to a step first). */
export interface Goto<G extends string> {
  readonly goto: G
  readonly action: string
}

/** What a step gives: its result, or where a failure action goes (only for steps with such actions). */
export type Outcome<R, G extends string> = [G] extends [never] ? R : R | Goto<G>

/** A response that did not meet a success criterion, kept whole for the failure actions to judge. */
class CriteriaUnmet extends Data.TaggedError("CriteriaUnmet")<{
  readonly response: StepResponse
  readonly error: StepFailed
}> {
  /** What a step span records when it ends on an unmet criterion: the StepFailed's message. */
  override get message() {
    return this.error.message
  }
}

/** What a run reads from its context once, when it starts. */
export interface RunEnvironment {
  readonly client: HttpClient.HttpClient
  readonly policies: PolicyTable
  readonly servers: Readonly<Record<string, string>>
  readonly execution: ExecutionService
  /** The steps that started this run, for names (see `Execution`). */
  readonly callPath: string
  /** Whether spans are recorded anywhere (a tracer other than Effect's default is installed). */
  readonly tracing: boolean
  /** Header names the client already redacts in its spans. */
  readonly redactedNames: ReadonlyArray<string | RegExp>
  /** The fetch options the app provides (FetchHttpClient.RequestInit), kept when the run sets `redirect`. */
  readonly requestInit: globalThis.RequestInit | undefined
  /** The credentials for the sources' security schemes, and the tokens fetched with them. */
  readonly credentials: CredentialStore
}

/** The client with its own spans turned off: for runs nobody traces, and for requests whose URL holds a secret. */
const untraced = new WeakMap<HttpClient.HttpClient, HttpClient.HttpClient>()
export const withoutTracing = (client: HttpClient.HttpClient): HttpClient.HttpClient => {
  let quiet = untraced.get(client)
  if (quiet === undefined) untraced.set(client, quiet = HttpClient.withTracerDisabledWhen(client, () => true))
  return quiet
}

type Failed = CriteriaUnmet | WorkflowError

/** Counts the exchanges of one visit of a step, for their names. */
interface Visit {
  readonly name: string
  attempts: number
}

interface DefinitionLike<I, Steps, O> {
  readonly workflowId: string
  readonly outputs: (inputs: I, steps: Partial<Steps>) => { readonly [K in keyof O]: O[K] | undefined }
}

export class Run<I, Steps, O, E extends EndPoint> {
  /** Outputs of the steps that have completed, by stepId. */
  readonly gathered: Partial<Steps> = {}
  /** The brokers and inboxes of a workflow with message steps, opened by `runWorkflow` before the first step. */
  messaging: MessageSession | undefined
  private stepsRun = 0
  /** Retries used by failure actions that go to a step first, by step and action (they last the whole run). */
  private readonly jumpRetries = new Map<string, number>()
  /** How often each step has been entered (goto loops enter steps again), for exchange names. */
  private readonly visits = new Map<string, number>()

  constructor(
    readonly definition: DefinitionLike<I, Steps, O>,
    readonly inputs: I,
    private readonly env: RunEnvironment,
    private readonly secrets: Secrets,
    /** Bounds each request by the step timeout (and the whole run by the workflow's). */
    private readonly watchdog: Watchdog
  ) {}

  /** Runs one step: an operation's request (a poll when it has `pollWhile`), or another workflow. */
  step<K extends keyof Steps & string, G extends string = never>(
    spec: OperationStep<K, Steps[K], G>
  ): Effect.Effect<Outcome<StepResult<Steps[K]>, G>, WorkflowError | WorkflowEnded>
  step<K extends keyof Steps & string, O2, G extends string = never>(
    spec: CallStep<K, Steps[K], O2, G>
  ): Effect.Effect<Outcome<CallResult<Steps[K], O2>, G>, WorkflowError | WorkflowEnded>
  step<K extends keyof Steps & string, G extends string = never>(
    spec: MessageStep<K, Steps[K], G>
  ): Effect.Effect<Outcome<StepResult<Steps[K]>, G>, WorkflowError | WorkflowEnded>
  step<K extends keyof Steps & string, G extends string>(
    spec: OperationStep<K, Steps[K], G> | CallStep<K, Steps[K], unknown, G> | MessageStep<K, Steps[K], G>
  ): Effect.Effect<unknown, WorkflowError | WorkflowEnded> {
    const visit = this.enter(spec.stepId)
    if ("workflow" in spec) return this.call(spec, visit)
    const policy = stepPolicy(this.env.policies, this.definition.workflowId, spec.stepId)
    if ("action" in spec) return this.withFailureActions(spec, policy, visit)
    return spec.pollWhile === undefined
      ? this.withFailureActions(spec, policy, visit)
      : this.poll(spec, spec.pollWhile, policy, visit)
  }

  /** Counts a step of a state machine against the policy's `maxSteps`. */
  guard(next: string): Effect.Effect<void, StepLimitExceeded> {
    const limit = workflowPolicy(this.env.policies, this.definition.workflowId).maxSteps
    if (++this.stepsRun <= limit) return Effect.void
    return Effect.fail(
      new StepLimitExceeded({
        workflowId: this.definition.workflowId,
        stepId: next,
        limit,
        stepOutputs: this.gatheredShown()
      })
    )
  }

  /** The result of a run that reached its end normally. */
  completed(): WorkflowResult<O, Steps, E> {
    return { _tag: "Completed", outputs: this.outputs(), steps: this.gathered }
  }

  /** The result of a run stopped by a success action of type `end`. */
  ended(end: Extract<E, { readonly via: "onSuccess" }>): WorkflowResult<O, Steps, E> {
    return this.endedBy(new WorkflowEnded({ ...end, failure: undefined }))
  }

  /** The result of a run stopped by an `end` action, success or failure. */
  endedBy(end: WorkflowEnded): WorkflowResult<O, Steps, E> {
    const { stepId, action, via, failure, transfer } = end
    return {
      _tag: "Ended",
      stepId,
      action,
      via,
      failure,
      transfer,
      outputs: this.outputs(),
      steps: this.gathered
    } as unknown as WorkflowResult<O, Steps, E>
  }

  /**
   * A workflow that a success `goto` hands over to: it runs with this run's inputs (it decodes
   * what it needs), and this workflow ends, its result carrying the other's.
   */
  transfer(
    end: Extract<E, { readonly via: "onSuccess" }>,
    workflow: WorkflowTarget,
    /** The action's `parameters` (1.1), the other workflow's inputs in place of this run's. */
    inputs?: unknown
  ): Effect.Effect<WorkflowResult<O, Steps, E>, WorkflowError> {
    return Effect.map(
      this.runOther(
        workflow.run,
        inputs === undefined ? this.inputs : inputs,
        `${end.stepId}>${workflow.workflowId}`
      ),
      (result) =>
        this.endedBy(
          new WorkflowEnded({ ...end, failure: undefined, transfer: { workflowId: workflow.workflowId, result } })
        )
    )
  }

  /**
   * A workflow this one `dependsOn`, run first with this run's inputs. Its result is available
   * as `$workflows.<id>…`. Its failure is this workflow's (as the dependency's own typed error);
   * a dependency that ends through a failure action fails this one with `DependencyFailed`.
   */
  dependency<R extends WorkflowResult<unknown, unknown, EndPoint>>(
    workflowId: string,
    workflow: (input: never) => Effect.Effect<R, WorkflowError, HttpClient.HttpClient>
  ): Effect.Effect<R, WorkflowError> {
    return Effect.flatMap(
      this.runOther(workflow, this.inputs, `dependsOn>${workflowId}`),
      (result) =>
        result._tag === "Ended" && result.via === "onFailure"
          ? Effect.fail(
            new DependencyFailed({
              workflowId: this.definition.workflowId,
              dependency: workflowId,
              cause: result.failure as StepFailed | CallFailed
            })
          )
          : Effect.succeed(result)
    )
  }

  // Steps that call an operation

  private enter(stepId: string): Visit {
    const count = (this.visits.get(stepId) ?? 0) + 1
    this.visits.set(stepId, count)
    return { name: `${this.env.callPath}${stepId}#${count}`, attempts: 0 }
  }

  /**
   * Runs a step, then again on the poll schedule while `pollWhile` holds. The schedule running
   * out while it still holds is `PollExhausted`, never a response that is still in progress.
   * Waits go through the execution (a durable engine makes them durable sleeps).
   */
  private poll<K extends keyof Steps & string, G extends string>(
    spec: OperationStep<K, Steps[K], G>,
    pollWhile: Criterion,
    policy: ResolvedPolicy,
    visit: Visit
  ): Effect.Effect<StepResult<Steps[K]> | Goto<G>, WorkflowError | WorkflowEnded> {
    const schedule: Schedule.Schedule<unknown, unknown> = policy.poll
    const loop = (
      state: unknown,
      polls: number
    ): Effect.Effect<StepResult<Steps[K]> | Goto<G>, WorkflowError | WorkflowEnded> =>
      Effect.flatMap(this.withFailureActions(spec, policy, visit), (outcome) => {
        if ("goto" in outcome || !holds(pollWhile, outcome.response)) return Effect.succeed(outcome)
        return Effect.flatMap(
          Clock.currentTimeMillis,
          (now) =>
            Effect.flatMap(schedule.step(now, outcome, state), ([next, , decision]) => {
              if (ScheduleDecision.isDone(decision)) {
                return Effect.fail(
                  new PollExhausted({
                    ...this.where(spec.stepId, this.summary(spec.operation, undefined)),
                    attempts: polls,
                    status: outcome.response.status,
                    condition: pollWhile.condition,
                    lastBody: this.secrets.value(outcome.response.body)
                  })
                )
              }
              const delay = Duration.millis(Math.max(0, Intervals.start(decision.intervals) - now))
              return Effect.zipRight(
                this.env.execution.sleep(`${visit.name}.${visit.attempts}~poll`, delay),
                Effect.suspend(() => loop(next, polls + 1))
              )
            })
        )
      })
    return Effect.suspend(() => loop(schedule.initial, 1))
  }

  /**
   * Runs a step; when its success criteria fail, the first failure action whose criterion
   * holds decides. Each retry action counts its own retries; one that has run out passes on.
   */
  private withFailureActions<K extends keyof Steps & string, G extends string>(
    spec: OperationStep<K, Steps[K], G> | MessageStep<K, Steps[K], G>,
    policy: ResolvedPolicy,
    visit: Visit
  ): Effect.Effect<StepResult<Steps[K]> | Goto<G>, WorkflowError | WorkflowEnded> {
    const actions = spec.onFailure
    if (actions === undefined || actions.length === 0) {
      return Effect.catchTag(this.attempt(spec, policy, visit), "CriteriaUnmet", ({ error }) => Effect.fail(error))
    }
    const counts: RetryCounts = { local: new Map(), jumps: this.jumpRetries }
    const attempt = (): Effect.Effect<StepResult<Steps[K]> | Goto<G>, WorkflowError | WorkflowEnded> =>
      Effect.catchTags(this.attempt(spec, policy, visit), {
        CriteriaUnmet: ({ error, response }) => {
          const asked = retryAfterMillis(response.headers["retry-after"], Date.now())
          const bounded = asked === undefined ? undefined : Math.min(asked, policy.maxRetryAfterMillis)
          return this.carryOut(
            spec.stepId,
            decideFailure(spec.stepId, actions, counts, response, bounded),
            error,
            visit,
            attempt,
            response
          )
        },
        // Only the document's own `timeout` is raised here (the policy's ends the run): without a
        // response, the actions without criteria decide.
        StepTimeout: (timedOut) =>
          this.carryOut(
            spec.stepId,
            decideFailure(spec.stepId, actions, counts, undefined, undefined),
            timedOut,
            visit,
            attempt
          )
      })
    return attempt()
  }

  /** Carries out a failure action's decision; `again` runs the step once more. */
  private carryOut<R, G extends string>(
    stepId: string,
    decision: Decision<G, WorkflowTarget>,
    failure: StepFailed | CallFailed | StepTimeout,
    visit: Visit,
    again: () => Effect.Effect<R | Goto<G>, WorkflowError | WorkflowEnded>,
    /** The failing response, for the inputs of a workflow an action starts. */
    response?: StepResponse
  ): Effect.Effect<R | Goto<G>, WorkflowError | WorkflowEnded> {
    switch (decision._tag) {
      case "Fail":
        return Effect.fail(failure)
      case "End":
        return Effect.fail(new WorkflowEnded({ stepId, action: decision.action, via: "onFailure", failure }))
      case "Goto":
        return Effect.succeed({ goto: decision.stepId, action: decision.action })
      case "GotoWorkflow": {
        const { workflow } = decision
        const inputs = workflow.inputs === undefined ? this.inputs : workflow.inputs(response)
        return Effect.flatMap(
          this.runOther(workflow.run, inputs, `${visit.name}>${workflow.workflowId}`),
          (result) =>
            Effect.fail(
              new WorkflowEnded({
                stepId,
                action: decision.action,
                via: "onFailure",
                failure,
                transfer: { workflowId: workflow.workflowId, result }
              })
            )
        )
      }
      case "Retry": {
        const wait = this.env.execution.sleep(
          `${visit.name}.${visit.attempts}~retry`,
          Duration.millis(decision.delayMillis)
        )
        const { stepId: goto, workflow } = decision
        if (goto !== undefined) return Effect.as(wait, { goto, action: decision.action })
        if (workflow !== undefined) {
          const first = this.runOther(
            workflow.run,
            this.inputs,
            `${visit.name}.${visit.attempts}>${workflow.workflowId}`
          )
          return Effect.zipRight(Effect.zipRight(wait, first), Effect.suspend(again))
        }
        return Effect.zipRight(wait, Effect.suspend(again))
      }
    }
  }

  /** One attempt: build the request, send it (retries and timeout included), judge the response. */
  private attempt<K extends keyof Steps & string, G extends string>(
    spec: OperationStep<K, Steps[K], G> | MessageStep<K, Steps[K], G>,
    policy: ResolvedPolicy,
    visit: Visit
  ): Effect.Effect<StepResult<Steps[K]>, Failed> {
    if ("action" in spec) return this.messageAttempt(spec, policy, visit)
    const { stepId, operation } = spec
    const number = ++visit.attempts
    const base = baseUrlIn(this.env.servers, operation.source)
    const invalid = (detail: string) =>
      Effect.fail(new RequestInvalid({ ...this.where(stepId, this.summary(operation, base + operation.path)), detail }))
    const body = replaced(spec)
    if (body !== undefined && "error" in body) return invalid(body.error)
    const parts = buildRequest(base, operation, spec.parameters ?? {}, body)
    if ("error" in parts) return invalid(parts.error)
    const where = () => this.where(stepId, this.summary(operation, parts.url))
    const step = { workflowId: this.definition.workflowId, stepId, attempt: number }
    // The document's `timeout` fails the step (for its failure actions); the policy's ends the run.
    const own = spec.timeout === undefined ? undefined : Duration.millis(spec.timeout)
    const bound = own === undefined
      ? this.watchdog.bound
      : <A, E1, E2>(effect: Effect.Effect<A, E1>, _policy: Duration.Duration, onTimeout: () => E2) =>
        Effect.timeoutFail(effect, { duration: own, onTimeout })
    const timeout = own ?? policy.stepTimeoutDuration
    const credentials = this.credentialsFor(operation, spec.parameters ?? {}, parts, where)
    if (credentials instanceof CredentialMissing) return Effect.fail(credentials)
    const sendParts = (sent: RequestParts) =>
      withClientRequest(sent, step, (request) => this.sendQuietly(request, sent.url, policy))
    const exchange = bound(
      Effect.mapError(
        credentials.length === 0
          ? sendParts(parts)
          : this.authorized(operation.source.name, base, parts, credentials, sendParts, where),
        (failure) =>
          failure._tag === "TokenFailed" ? failure : failure._tag === "BodyTooLarge"
            ? new ResponseInvalid({ ...where(), status: failure.status, reason: "TooLarge", detail: failure.detail })
            : new RequestFailed({
              ...where(),
              reason: failure.reason,
              detail: this.secrets.text(failure.detail),
              attempts: failure.attempts
            })
      ),
      timeout,
      () => new StepTimeout({ ...where(), timeout })
    )
    const judged = Effect.flatMap(
      this.env.execution.exchange(`${visit.name}.${number}`, exchange),
      (raw) => this.judge(spec, spec.operation, raw, parts.url, body, where)
    )
    if (!this.env.tracing) return judged
    return judged.pipe(
      Effect.tap((result) => Effect.annotateCurrentSpan("http.response.status_code", result.response.status)),
      Effect.tapError((error) =>
        error._tag === "CriteriaUnmet"
          ? Effect.annotateCurrentSpan("http.response.status_code", error.response.status)
          : Effect.void
      ),
      Effect.withSpan(`arazzo.step ${stepId}`, {
        attributes: {
          "arazzo.workflow.id": this.definition.workflowId,
          "arazzo.step.id": stepId,
          "arazzo.operation.id": operation.operationId ?? "",
          "arazzo.step.attempt": number,
          "http.request.method": operation.method,
          "url.template": operation.path
        },
        // The stack here would name this method, not the document's step; the span names the step.
        captureStackTrace: false
      })
    )
  }

  /**
   * The credentials the request goes with (see `planCredentials`): none when the operation needs
   * none or the step sends them itself; `CredentialMissing` when no alternative can be met. Their
   * values become secrets of the run before anything is sent.
   */
  private credentialsFor(
    operation: Operation,
    parameters: Parameters,
    parts: RequestParts,
    where: () => ReturnType<Run<I, Steps, O, E>["where"]>
  ): ReadonlyArray<Chosen<Redacted.Redacted<string>>> | CredentialMissing {
    const source = operation.source
    if (operation.security.length === 0 || this.env.credentials.sentByClient.has(source.name)) return []
    const plan = planCredentials(
      operation.security,
      source.securitySchemes,
      Object.hasOwn(this.env.credentials.credentials, source.name)
        ? this.env.credentials.credentials[source.name]
        : undefined,
      operation.securityScopes,
      parts,
      parameters
    )
    if (plan._tag === "Missing") {
      const schemes = source.securitySchemes
      return new CredentialMissing({
        ...where(),
        source: source.name,
        alternatives: plan.alternatives,
        schemes: plan.schemes.map((name) => {
          const scheme = Object.hasOwn(schemes, name) ? schemes[name] : undefined
          return { scheme: name, kind: describeScheme(scheme), provide: howToProvide(source.name, name, scheme) }
        })
      })
    }
    for (const chosen of plan.apply) this.secrets.learn(secretTexts(chosen, reveal))
    return plan.apply
  }

  /**
   * Sends with the chosen credentials applied, OAuth2 tokens fetched (or taken from the cache)
   * first. A 401 to a request that carried a fetched token drops it, fetches a new one and
   * sends once more; the answer to that is the step's.
   */
  private authorized<Err>(
    source: string,
    base: string,
    parts: RequestParts,
    chosen: ReadonlyArray<Chosen<Redacted.Redacted<string>>>,
    sendParts: (parts: RequestParts) => Effect.Effect<RawResponse, Err>,
    where: () => ReturnType<Run<I, Steps, O, E>["where"]>
  ): Effect.Effect<RawResponse, Err | TokenFailed> {
    const client = withoutTracing(this.env.client)
    const tokens = (rejected: ReadonlyMap<string, string>) =>
      Effect.forEach(chosen, (c) =>
        needsToken(c.scheme, c.credential)
          ? Effect.mapError(
            Effect.tap(
              accessToken(this.env.credentials, client, source, base, c, rejected.get(c.name)),
              (token) => Effect.sync(() => this.secrets.learn([token]))
            ),
            (problem) => new TokenFailed({ ...where(), source, scheme: c.name, detail: problem.detail })
          )
          : Effect.succeed(undefined))
    const sendWith = (fetched: ReadonlyArray<string | undefined>) =>
      sendParts(chosen.reduce((p, c, i) => applyCredential(p, c, reveal, fetched[i]), parts))
    return Effect.flatMap(tokens(new Map()), (fetched) =>
      Effect.flatMap(sendWith(fetched), (raw) => {
        if (raw.status !== 401 || fetched.every((t) => t === undefined)) return Effect.succeed(raw)
        const rejected = new Map(chosen.flatMap((c, i) => fetched[i] === undefined ? [] : [[c.name, fetched[i]!]]))
        return Effect.flatMap(tokens(rejected), sendWith)
      }))
  }

  /**
   * One attempt of a message step: send the message, or take the matching one from the inbox
   * (bounded by the step's `timeout`, else the policy's), then judge it as a response is judged.
   */
  private messageAttempt<K extends keyof Steps & string, G extends string>(
    spec: MessageStep<K, Steps[K], G>,
    policy: ResolvedPolicy,
    visit: Visit
  ): Effect.Effect<StepResult<Steps[K]>, Failed> {
    const number = ++visit.attempts
    const method = spec.action === "send" ? "SEND" : "RECEIVE"
    const session = this.messaging
    const url = session === undefined
      ? spec.operation.address
      : `${session.urlOf(spec.operation)}/${spec.operation.address}`
    const where = () => this.where(spec.stepId, { method, url: this.secrets.text(url) })
    const own = spec.timeout === undefined ? undefined : Duration.millis(spec.timeout)
    const timeout = own ?? policy.stepTimeoutDuration
    const bound = own === undefined
      ? this.watchdog.bound
      : <A, E1, E2>(effect: Effect.Effect<A, E1>, _policy: Duration.Duration, onTimeout: () => E2) =>
        Effect.timeoutFail(effect, { duration: own, onTimeout })
    const exchange = messageExchange(spec, session, where, this.secrets)
    if ("invalid" in exchange) return Effect.fail(new RequestInvalid({ ...where(), detail: exchange.invalid }))
    const judged = Effect.flatMap(
      this.env.execution.exchange(
        `${visit.name}.${number}`,
        bound(exchange.run, timeout, () => new StepTimeout({ ...where(), timeout }))
      ),
      (raw) => this.judge(spec, { method, security: [] }, raw, url, spec.body, where)
    )
    if (!this.env.tracing) return judged
    return Effect.withSpan(judged, `arazzo.step ${spec.stepId}`, {
      attributes: {
        "arazzo.workflow.id": this.definition.workflowId,
        "arazzo.step.id": spec.stepId,
        "arazzo.operation.id": spec.operation.operationId ?? "",
        "arazzo.step.attempt": number,
        "messaging.operation.type": spec.action,
        "messaging.destination.name": spec.operation.address
      },
      captureStackTrace: false
    })
  }

  /** The response decoded, tested against the success criteria, and its outputs read. */
  private judge<K extends keyof Steps & string, G extends string>(
    spec: Pick<OperationStep<K, Steps[K], G>, "stepId" | "parameters" | "successCriteria" | "outputs">,
    operation: { readonly method: string; readonly security: ReadonlyArray<ReadonlyArray<string>> },
    raw: RawResponse,
    url: string,
    body: Body | undefined,
    where: () => ReturnType<Run<I, Steps, O, E>["where"]>
  ): Effect.Effect<StepResult<Steps[K]>, Failed> {
    const decoded = decodeBody(raw.bytes, raw.headers["content-type"] ?? "")
    if ("error" in decoded) {
      return Effect.fail(
        new ResponseInvalid({
          ...where(),
          status: raw.status,
          reason: "InvalidJson",
          detail: `${decoded.error}; the body begins ${JSON.stringify(this.secrets.excerpt(decoded.text, 200))}`
        })
      )
    }
    const response = stepResponse(
      { url, method: operation.method, parameters: spec.parameters, body },
      raw.status,
      raw.headers,
      decoded.body
    )
    for (const criterion of spec.successCriteria) {
      const verdict = judge(criterion, response)
      if (!verdict.holds) {
        const security = operation.security
        const error = new StepFailed({
          ...where(),
          status: response.status,
          criterion: criterion.condition,
          ...(verdict.error !== undefined ? { detail: this.secrets.excerpt(verdict.error, 1000) } : {}),
          body: this.secrets.value(response.body),
          ...(security.length > 0 && (response.status === 401 || response.status === 403) ? { security } : {})
        })
        return Effect.fail(new CriteriaUnmet({ response, error }))
      }
    }
    const read = readOutputs(spec.outputs, response)
    if (!("outputs" in read)) {
      return Effect.fail(
        new ResponseInvalid({
          ...where(),
          status: raw.status,
          reason: "Output",
          output: read.output,
          ...(read.pointer !== undefined ? { pointer: read.pointer } : {}),
          detail: this.secrets.excerpt(read.error, 1000)
        })
      )
    }
    const outputs = read.outputs as Steps[K]
    if (read.secrets.length > 0) this.secrets.learn(read.secrets)
    setOwn(this.gathered as Record<string, unknown>, spec.stepId, outputs)
    return Effect.succeed({ response, outputs })
  }

  /**
   * Sends with secrets kept out of the platform's client span (when spans are recorded at all):
   * headers that carry a secret are redacted by name, and a request whose URL carries one is not
   * traced by the client.
   */
  private sendQuietly(request: HttpClientRequest.HttpClientRequest, url: string, policy: ResolvedPolicy) {
    const { client, tracing, redactedNames } = this.env
    if (!tracing) return send(client, request, policy)
    const sent = send(this.secrets.appearsIn(url) ? withoutTracing(client) : client, request, policy)
    const missing: Array<string> = []
    for (const [name, value] of Object.entries(request.headers)) {
      if (!this.secrets.appearsIn(value)) continue
      const lower = name.toLowerCase()
      if (!redactedNames.some((r) => typeof r === "string" ? r.toLowerCase() === lower : r.test(name))) {
        missing.push(name)
      }
    }
    return missing.length === 0
      ? sent
      : Effect.locally(sent, Headers.currentRedactedNames, [...redactedNames, ...missing])
  }

  // Steps that run a workflow

  private call<K extends keyof Steps & string, G extends string>(
    spec: CallStep<K, Steps[K], unknown, G>,
    visit: Visit
  ): Effect.Effect<CallResult<Steps[K], unknown> | Goto<G>, WorkflowError | WorkflowEnded> {
    const { stepId } = spec
    const calledWorkflowId = spec.workflowId
    const failed = (
      fields: { readonly criterion?: string; readonly detail?: string; readonly cause?: WorkflowError }
    ) =>
      new CallFailed({
        workflowId: this.definition.workflowId,
        stepId,
        calledWorkflowId,
        ...fields,
        stepOutputs: this.gatheredShown()
      })
    // The called workflow's own failure comes through as its typed error unless a failure
    // action handles it; a criterion that does not hold, or a failure `end`, is a `CallFailed`.
    const passThrough = new WeakMap<CallFailed, WorkflowError>()
    const once: Effect.Effect<CallResult<Steps[K], unknown>, CallFailed> = Effect.suspend(() => {
      const number = ++visit.attempts
      return Effect.flatMap(
        Effect.mapError(
          this.runOther(spec.workflow, spec.inputs, `${visit.name}.${number}>${calledWorkflowId}`),
          (cause) => {
            const wrapped = failed({ cause })
            passThrough.set(wrapped, cause)
            return wrapped
          }
        ),
        (result) => {
          if (result._tag === "Ended" && result.via === "onFailure") {
            return Effect.fail(failed({ cause: result.failure as StepFailed | CallFailed }))
          }
          for (const c of spec.successCriteria ?? []) {
            const verdict = judge(c, result.outputs)
            if (verdict.holds) continue
            return Effect.fail(failed({
              criterion: c.condition,
              ...(verdict.error !== undefined ? { detail: this.secrets.excerpt(verdict.error, 1000) } : {})
            }))
          }
          const outputs = spec.outputs(result.outputs)
          setOwn(this.gathered as Record<string, unknown>, stepId, outputs)
          return Effect.succeed({ outputs, result })
        }
      )
    })
    const traced = this.env.tracing
      ? Effect.withSpan(once, `arazzo.step ${stepId}`, {
        attributes: { "arazzo.workflow.id": this.definition.workflowId, "arazzo.step.id": stepId },
        captureStackTrace: false
      })
      : once
    const actions = spec.onFailure ?? []
    const counts: RetryCounts = { local: new Map(), jumps: this.jumpRetries }
    const attempt = (): Effect.Effect<CallResult<Steps[K], unknown> | Goto<G>, WorkflowError | WorkflowEnded> =>
      Effect.catchAll(traced, (failure) => {
        const decision = decideFailure(stepId, actions, counts, undefined, undefined)
        if (decision._tag === "Fail") return Effect.fail(passThrough.get(failure) ?? failure)
        return this.carryOut(stepId, decision, failure, visit, attempt)
      })
    return attempt()
  }

  /** Runs another generated workflow with this run's client, its exchanges named under `path`. */
  private runOther<A>(
    workflow: (input: never) => Effect.Effect<A, WorkflowError, HttpClient.HttpClient>,
    inputs: unknown,
    path: string
  ): Effect.Effect<A, WorkflowError> {
    return Effect.locally(
      Effect.provideService(workflow(inputs as never), HttpClient.HttpClient, this.env.client),
      currentCallPath,
      `${this.env.callPath}${path}/`
    )
  }

  /**
   * The workflow's outputs from the steps gathered. On completion the generator has checked
   * that every output it types as present comes from a step that ran and a value its response
   * schema requires (checked when that step's outputs were read).
   */
  private outputs(): O {
    return this.definition.outputs(this.inputs, this.gathered) as O
  }

  private where(stepId: string, request: RequestSummary) {
    return { workflowId: this.definition.workflowId, stepId, request, stepOutputs: this.gatheredShown() }
  }

  /** The outputs gathered so far as an error may carry them: secrets (inputs' and those the API issued) redacted. */
  gatheredShown(): Partial<Steps> {
    return this.secrets.value(this.gathered) as Partial<Steps>
  }

  private summary(operation: Operation, url: string | undefined): RequestSummary {
    return {
      method: operation.method,
      url: this.secrets.text(url ?? baseUrlIn(this.env.servers, operation.source) + operation.path)
    }
  }
}

/** The step's body with its replacements applied (XML bodies through the step's `replaceXml`). */
const replaced = <K extends string, S, G extends string>(
  spec: OperationStep<K, S, G>
): Body | { readonly error: string } | undefined => {
  const { body, replacements, replaceXml } = spec
  if (body === undefined || replacements === undefined || replacements.length === 0) return body
  if (body._tag === "Text" && replaceXml !== undefined) {
    const result = replaceXml(body.text, replacements)
    return typeof result === "string" ? { ...body, text: result } : result
  }
  return replace(body, replacements)
}
