/**
 * One run of a workflow, as generated code drives it: `step` sends a step's request and checks
 * its success criteria, `poll` repeats a step on the poll schedule while a criterion holds, and
 * `completed` / `ended` build the result. Every step's outputs are gathered as it finishes,
 * so any failure can carry them.
 */
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Schedule from "effect/Schedule"
import type { Body } from "../../core/body.js"
import type { Secrets } from "../../core/redact.js"
import { replace, type Replacement } from "../../core/replace.js"
import { decodeBody, retryAfterMillis, type SentRequest, type StepResponse } from "../../core/response.js"
import {
  CallFailed,
  PollExhausted,
  RequestFailed,
  RequestInvalid,
  type RequestSummary,
  ResponseInvalid,
  StepFailed,
  StepLimitExceeded,
  StepTimeout,
  type WorkflowError
} from "./errors.js"
import { type FailureAction, GotoSignal, WorkflowEnded, type WorkflowTarget } from "./failure.js"
import { type Output, readOutputs } from "./outputs.js"
import { forStep, type Policy } from "./policy.js"
import { build, type BuiltRequest, type Operation, type Parameters } from "./request.js"
import { send } from "./send.js"
import { baseUrl } from "./servers.js"
import { timeoutFail } from "./timeout.js"
import type { EndPoint, WorkflowDefinition, WorkflowResult } from "./workflow.js"

/** A criterion compiled by the generator: its text as written, and the test it compiles to. */
export interface Criterion {
  readonly condition: string
  readonly test: (response: StepResponse) => boolean
}

export const criterion = (condition: string, test: (response: StepResponse) => boolean): Criterion => ({
  condition,
  test
})

/** The outputs table of a step whose outputs have type `S`. */
export type OutputsFor<S> = { readonly [K in keyof S]-?: Output<S[K]> }

export interface StepSpec<K extends string, S> {
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
  readonly onFailure?: ReadonlyArray<FailureAction>
}

export interface PollSpec<K extends string, S> extends StepSpec<K, S> {
  /** The criterion of the success action that goes back to this step: poll again while it holds. */
  readonly pollWhile: Criterion
}

/** A step that runs another workflow of the document. */
export interface CallSpec<K extends string, S, O2, S2, E2 extends EndPoint> {
  readonly stepId: K
  /** The called workflow's id, for errors. */
  readonly workflowId?: string
  /** The generated function of the called workflow. */
  readonly workflow: (input: never) => Effect.Effect<WorkflowResult<O2, S2, E2>, WorkflowError, HttpClient.HttpClient>
  /** Its inputs, from the step's parameters; the called workflow decodes them against its schema. */
  readonly inputs: unknown
  /** The step's outputs, from the called workflow's outputs (`$outputs.name`). */
  readonly outputs: (outputs: O2) => S
  /** Conditions on the called workflow's outputs that must hold for the step to succeed. */
  readonly successCriteria?: ReadonlyArray<CallCriterion<O2>>
  /** What to do when the called workflow fails or a criterion does not hold (actions without criteria). */
  readonly onFailure?: ReadonlyArray<FailureAction>
}

/** A success criterion of a step that runs a workflow: a test of that workflow's outputs. */
export interface CallCriterion<O> {
  readonly condition: string
  readonly test: (outputs: O) => boolean
}

/** A failure action chose the step to go on with (`goto`, or a `retry` that goes to a step first). */
export interface Goto {
  readonly goto: string
  readonly action: string
}

export interface CallResult<S, O2, S2, E2 extends EndPoint> {
  readonly outputs: S
  readonly result: WorkflowResult<O2, S2, E2>
}

export interface StepResult<S> {
  readonly response: StepResponse
  readonly outputs: S
}

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

export class Run<I, Steps, O, E extends EndPoint> {
  /** Outputs of the steps that have completed, by stepId. */
  readonly gathered: Partial<Steps> = {}
  private stepsRun = 0
  /** Retries used by failure actions that go to a step first, by step and action. */
  private readonly jumpRetries = new Map<string, number>()

  constructor(
    readonly definition: WorkflowDefinition<I, Steps, O, E>,
    readonly inputs: I,
    private readonly client: HttpClient.HttpClient,
    private readonly secrets: Secrets
  ) {}

  /** Runs a step: request, success criteria, outputs; on failure, its failure actions. */
  step<K extends keyof Steps & string>(
    spec: StepSpec<K, Steps[K]>
  ): Effect.Effect<StepResult<Steps[K]>, WorkflowError | WorkflowEnded> {
    return this.noGoto(this.attempted(spec))
  }

  /** `step`, for a step whose failure actions can go to another step: the result says where. */
  stepOrGoto<K extends keyof Steps & string>(
    spec: StepSpec<K, Steps[K]>
  ): Effect.Effect<StepResult<Steps[K]> | Goto, WorkflowError | WorkflowEnded> {
    return this.toGoto(this.attempted(spec))
  }

  /** `poll`, for a step whose failure actions can go to another step: the result says where. */
  pollOrGoto<K extends keyof Steps & string>(
    spec: PollSpec<K, Steps[K]>
  ): Effect.Effect<StepResult<Steps[K]> | Goto, WorkflowError | WorkflowEnded> {
    return this.toGoto(this.polled(spec))
  }

  private attempted<K extends keyof Steps & string>(spec: StepSpec<K, Steps[K]>) {
    return Effect.flatMap(
      forStep(this.definition.workflowId, spec.stepId),
      (policy) => this.withFailureActions(spec, policy, 1)
    )
  }

  private toGoto<A>(effect: Effect.Effect<A, WorkflowError | WorkflowEnded | GotoSignal>) {
    return Effect.catchTag(
      effect,
      "GotoSignal",
      ({ stepId, action }): Effect.Effect<Goto> => Effect.succeed({ goto: stepId, action })
    )
  }

  /** The generator uses the `…OrGoto` methods wherever a failure action can go to a step, so this cannot happen. */
  private noGoto<A>(effect: Effect.Effect<A, WorkflowError | WorkflowEnded | GotoSignal>) {
    return Effect.catchTag(
      effect,
      "GotoSignal",
      ({ stepId }) => Effect.dieMessage(`a failure action went to step ${stepId} outside a state machine`)
    )
  }

  /**
   * Runs a step, then again on the poll schedule while `pollWhile` holds. The schedule running
   * out while it still holds is `PollExhausted`, never a response that is still in progress.
   */
  poll<K extends keyof Steps & string>(
    spec: PollSpec<K, Steps[K]>
  ): Effect.Effect<StepResult<Steps[K]>, WorkflowError | WorkflowEnded> {
    return this.noGoto(this.polled(spec))
  }

  private polled<K extends keyof Steps & string>(
    spec: PollSpec<K, Steps[K]>
  ): Effect.Effect<StepResult<Steps[K]>, WorkflowError | WorkflowEnded | GotoSignal> {
    return Effect.gen(this, function*() {
      const policy = yield* forStep(this.definition.workflowId, spec.stepId)
      let attempts = 0
      const once: Effect.Effect<StepResult<Steps[K]>, WorkflowError | WorkflowEnded | GotoSignal> = Effect.suspend(() =>
        this.withFailureActions(spec, policy, ++attempts)
      )
      const schedule: Schedule.Schedule<unknown, StepResult<Steps[K]>> = policy.poll
      const last = yield* Effect.repeat(once, {
        schedule: Schedule.passthrough(schedule),
        while: (result) => spec.pollWhile.test(result.response)
      })
      if (spec.pollWhile.test(last.response)) {
        return yield* new PollExhausted({
          ...this.where(spec.stepId, this.summary(spec.operation, undefined)),
          attempts,
          status: last.response.status,
          condition: spec.pollWhile.condition,
          lastBody: this.secrets.value(last.response.body)
        })
      }
      return last
    })
  }

  /**
   * Counts a step about to run in a workflow whose gotos can loop; past the policy's
   * `maxSteps` the run fails with `StepLimitExceeded` instead of going round for ever.
   */
  guard(stepId: keyof Steps & string): Effect.Effect<void, StepLimitExceeded> {
    return Effect.flatMap(forStep(this.definition.workflowId, stepId), (policy) =>
      ++this.stepsRun <= policy.maxSteps
        ? Effect.void
        : Effect.fail(
          new StepLimitExceeded({
            workflowId: this.definition.workflowId,
            stepId,
            limit: policy.maxSteps,
            stepOutputs: { ...this.gathered }
          })
        ))
  }

  /**
   * Runs another workflow as a step. It succeeds when the called workflow completes (or an
   * `end` success action stops it) and the step's success criteria hold for its outputs.
   * Otherwise the step's failure actions decide; without one that applies, the called
   * workflow's error passes through unchanged (it names that workflow), and an unmet criterion
   * or a failure `end` in the called workflow is a `CallFailed`.
   */
  call<K extends keyof Steps & string, O2, S2, E2 extends EndPoint>(
    spec: CallSpec<K, Steps[K], O2, S2, E2>
  ): Effect.Effect<CallResult<Steps[K], O2, S2, E2>, WorkflowError | WorkflowEnded> {
    return this.noGoto(this.called(spec))
  }

  /** `call`, for a step whose failure actions can go to another step: the result says where. */
  callOrGoto<K extends keyof Steps & string, O2, S2, E2 extends EndPoint>(
    spec: CallSpec<K, Steps[K], O2, S2, E2>
  ): Effect.Effect<CallResult<Steps[K], O2, S2, E2> | Goto, WorkflowError | WorkflowEnded> {
    return this.toGoto(this.called(spec))
  }

  private called<K extends keyof Steps & string, O2, S2, E2 extends EndPoint>(
    spec: CallSpec<K, Steps[K], O2, S2, E2>
  ): Effect.Effect<CallResult<Steps[K], O2, S2, E2>, WorkflowError | WorkflowEnded | GotoSignal> {
    const calledWorkflowId = spec.workflowId ?? "workflow"
    const failed = (fields: { criterion?: string; cause?: WorkflowError }) =>
      new CallFailed({
        workflowId: this.definition.workflowId,
        stepId: spec.stepId,
        calledWorkflowId,
        criterion: fields.criterion,
        cause: fields.cause,
        stepOutputs: { ...this.gathered }
      })
    // `failure` is what failure actions see; `passThrough`, the called workflow's own error, is
    // what the step fails with when no action applies (it names that workflow).
    type Failed = { readonly failure: CallFailed; readonly passThrough?: WorkflowError }
    const once = this.provideClient(spec.workflow(spec.inputs as never)).pipe(
      Effect.mapError((cause): Failed => ({ failure: failed({ cause }), passThrough: cause })),
      Effect.flatMap((result) => {
        if (result._tag === "Ended" && result.via === "onFailure") {
          return Effect.fail<Failed>({ failure: failed({ cause: result.failure as unknown as WorkflowError }) })
        }
        const unmet = spec.successCriteria?.find((criterion) => !criterion.test(result.outputs))
        if (unmet !== undefined) return Effect.fail<Failed>({ failure: failed({ criterion: unmet.condition }) })
        const outputs = spec.outputs(result.outputs)
        this.gathered[spec.stepId] = outputs
        return Effect.succeed({ outputs, result })
      }),
      Effect.withSpan(`arazzo.step ${spec.stepId}`, {
        attributes: { "arazzo.workflow.id": this.definition.workflowId, "arazzo.step.id": spec.stepId },
        captureStackTrace: false
      })
    )
    const actions = spec.onFailure ?? []
    const used = new Map<number, number>()
    const attempt = (): Effect.Effect<CallResult<Steps[K], O2, S2, E2>, WorkflowError | WorkflowEnded | GotoSignal> =>
      Effect.catchAll(once, ({ failure, passThrough }) => {
        for (const [index, action] of actions.entries()) {
          const decided = this.decide(spec.stepId, action, index, used, failure, undefined)
          if (decided === "pass") continue
          return "retry" in decided ? Effect.zipRight(decided.retry, Effect.suspend(attempt)) : decided.stop
        }
        return Effect.fail(passThrough ?? failure)
      })
    return attempt()
  }

  /**
   * What a failure action does with a failure: `pass` when it does not apply (or has no retries
   * left); `retry`, what to do before the step runs again (wait, then go to a step or run a
   * workflow); or `stop`, an effect that ends the run, jumps, or hands over to another workflow.
   */
  private decide(
    stepId: string,
    action: FailureAction,
    index: number,
    used: Map<number, number>,
    failure: StepFailed | CallFailed,
    response: StepResponse | undefined,
    delayFor?: (action: FailureAction & { readonly _tag: "Retry" }) => Duration.Duration
  ):
    | "pass"
    | { readonly retry: Effect.Effect<void, WorkflowError | GotoSignal> }
    | { readonly stop: Effect.Effect<never, WorkflowError | WorkflowEnded | GotoSignal> }
  {
    if (action.when !== undefined && (response === undefined || !action.when.test(response))) return "pass"
    switch (action._tag) {
      case "End":
        return { stop: Effect.fail(new WorkflowEnded({ stepId, action: action.name, via: "onFailure", failure })) }
      case "Goto":
        return { stop: Effect.fail(new GotoSignal({ stepId: action.stepId, action: action.name })) }
      case "GotoWorkflow":
        return {
          stop: Effect.flatMap(this.runOther(action.workflow), (result) =>
            Effect.fail(
              new WorkflowEnded({
                stepId,
                action: action.name,
                via: "onFailure",
                failure,
                transfer: { workflowId: action.workflow.workflowId, result }
              })
            ))
        }
      case "Retry": {
        // A retry that goes to a step leaves this step, so its count lives as long as the run.
        const key = `${stepId}\u0000${index}`
        const retries = action.stepId !== undefined ? this.jumpRetries.get(key) ?? 0 : used.get(index) ?? 0
        if (retries >= action.retryLimit) return "pass"
        if (action.stepId !== undefined) this.jumpRetries.set(key, retries + 1)
        else used.set(index, retries + 1)
        const delay = delayFor?.(action) ?? action.retryAfter
        const before: Effect.Effect<void, WorkflowError | GotoSignal> = action.stepId !== undefined
          ? Effect.fail(new GotoSignal({ stepId: action.stepId, action: action.name }))
          : action.workflow !== undefined
          ? Effect.asVoid(this.runOther(action.workflow))
          : Effect.void
        return { retry: Effect.zipRight(Effect.sleep(delay), before) }
      }
    }
  }

  /**
   * A workflow that a `goto` hands over to: it runs with this run's inputs (it decodes what it
   * needs), and this workflow ends, its result carrying the other's.
   */
  transfer(
    end: Extract<E, { readonly via: "onSuccess" }>,
    workflow: WorkflowTarget
  ): Effect.Effect<WorkflowResult<O, Steps, E>, WorkflowError> {
    return Effect.map(
      this.runOther(workflow),
      (result) =>
        this.endedBy(
          new WorkflowEnded({ ...end, failure: undefined, transfer: { workflowId: workflow.workflowId, result } })
        )
    )
  }

  /**
   * A workflow this one `dependsOn`, run first with this run's inputs. Its result is available
   * as `$workflows.<id>…`; a dependency that ends through a failure action fails this workflow.
   */
  dependency<R extends WorkflowResult<unknown, unknown, EndPoint>>(
    workflowId: string,
    workflow: (input: never) => Effect.Effect<R, WorkflowError, HttpClient.HttpClient>
  ): Effect.Effect<R, WorkflowError> {
    return Effect.flatMap(
      this.provideClient(workflow(this.inputs as never)),
      (result) =>
        result._tag === "Ended" && result.via === "onFailure"
          ? Effect.fail(
            new CallFailed({
              workflowId: this.definition.workflowId,
              stepId: `dependsOn ${workflowId}`,
              calledWorkflowId: workflowId,
              criterion: undefined,
              cause: result.failure as unknown as WorkflowError,
              stepOutputs: {}
            })
          )
          : Effect.succeed(result)
    )
  }

  private runOther(workflow: WorkflowTarget) {
    return this.provideClient(workflow.run(this.inputs as never))
  }

  private provideClient<A, Err>(effect: Effect.Effect<A, Err, HttpClient.HttpClient>): Effect.Effect<A, Err> {
    return Effect.provideService(effect, HttpClient.HttpClient, this.client)
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
    } as WorkflowResult<O, Steps, E>
  }

  /**
   * Runs a step; when its success criteria fail, the first failure action whose criterion
   * holds decides. Each retry action counts its own retries; one that has run out passes on.
   */
  private withFailureActions<K extends keyof Steps & string>(
    spec: StepSpec<K, Steps[K]>,
    policy: Policy,
    firstAttempt: number
  ): Effect.Effect<StepResult<Steps[K]>, WorkflowError | WorkflowEnded | GotoSignal> {
    const actions = spec.onFailure ?? []
    const used = new Map<number, number>()
    const maxRetryAfter = Duration.decode(policy.maxRetryAfter)
    const attempt = (n: number): Effect.Effect<StepResult<Steps[K]>, WorkflowError | WorkflowEnded | GotoSignal> =>
      this.execute(spec, policy, n).pipe(
        Effect.catchTag("CriteriaUnmet", ({ response, error }) => {
          // A Retry-After header overrules the action's retryAfter, within the policy's bound.
          const header = retryAfterMillis(response.headers["retry-after"], Date.now())
          const delayFor = (action: { readonly retryAfter: Duration.Duration }) =>
            header === undefined ? action.retryAfter : Duration.min(Duration.millis(header), maxRetryAfter)
          for (const [index, action] of actions.entries()) {
            const decided = this.decide(spec.stepId, action, index, used, error, response, delayFor)
            if (decided === "pass") continue
            return "retry" in decided
              ? Effect.zipRight(decided.retry, Effect.suspend(() => attempt(n + 1)))
              : decided.stop
          }
          return Effect.fail(error)
        })
      )
    return attempt(firstAttempt)
  }

  private outputs(): O {
    return this.definition.outputs(this.inputs, this.gathered)
  }

  private where(stepId: string, request: RequestSummary) {
    return { workflowId: this.definition.workflowId, stepId, request, stepOutputs: { ...this.gathered } }
  }

  private summary(operation: Operation, url: string | undefined): RequestSummary {
    return { method: operation.method, url: this.secrets.text(url ?? operation.source.defaultUrl + operation.path) }
  }

  private execute<K extends keyof Steps & string>(
    spec: StepSpec<K, Steps[K]>,
    policy: Policy,
    attempt: number
  ): Effect.Effect<StepResult<Steps[K]>, WorkflowError | CriteriaUnmet> {
    const { stepId, operation } = spec
    return Effect.gen(this, function*() {
      const base = yield* baseUrl(operation.source)
      const invalid = (detail: string) =>
        new RequestInvalid({ ...this.where(stepId, this.summary(operation, base + operation.path)), detail })
      const body = yield* Effect.mapError(replaced(spec), invalid)
      const built = yield* build(base, operation, spec.parameters ?? {}, body).pipe(
        Effect.mapError((detail) =>
          new RequestInvalid({ ...this.where(stepId, this.summary(operation, base + operation.path)), detail })
        )
      )
      // Where the step failed, for its errors: built only when one is (the step's own outputs are
      // gathered after every error below, so the outputs it carries are the same either way).
      const where = () => this.where(stepId, this.summary(operation, built.url))
      const timeout = Duration.decode(policy.stepTimeout)
      const raw = yield* this.sendQuietly(built, policy).pipe(
        Effect.mapError((failure) =>
          failure._tag === "BodyTooLarge"
            ? new ResponseInvalid({ ...where(), status: failure.status, reason: "TooLarge", detail: failure.detail })
            : new RequestFailed({
              ...where(),
              reason: failure.reason,
              detail: this.secrets.text(failure.detail),
              attempts: failure.attempts
            })
        ),
        (sent) => timeoutFail(sent, timeout, () => new StepTimeout({ ...where(), timeout }))
      )
      yield* Effect.annotateCurrentSpan("http.response.status_code", raw.status)
      const decoded = decodeBody(raw.bytes, raw.headers["content-type"] ?? "")
      if ("error" in decoded) {
        return yield* new ResponseInvalid({
          ...where(),
          status: raw.status,
          reason: "InvalidJson",
          detail: `${decoded.error}; the body begins ${JSON.stringify(this.secrets.excerpt(decoded.text, 200))}`
        })
      }
      const response: StepResponse = {
        request: sentRequest(operation, built.url, spec.parameters, body),
        status: raw.status,
        headers: raw.headers,
        body: decoded.body
      }
      for (const criterion of spec.successCriteria) {
        if (!criterion.test(response)) {
          const error = new StepFailed({
            ...where(),
            status: response.status,
            criterion: criterion.condition,
            body: this.secrets.value(response.body)
          })
          return yield* new CriteriaUnmet({ response, error })
        }
      }
      const read = readOutputs(spec.outputs, response)
      if ("error" in read) {
        return yield* new ResponseInvalid({
          ...where(),
          status: raw.status,
          reason: "Output",
          output: read.output,
          detail: this.secrets.excerpt(read.error, 1000)
        })
      }
      const outputs = read.outputs as Steps[K]
      this.gathered[stepId] = outputs
      return { response, outputs }
    }).pipe(Effect.withSpan(`arazzo.step ${stepId}`, {
      attributes: {
        "arazzo.workflow.id": this.definition.workflowId,
        "arazzo.step.id": stepId,
        "arazzo.operation.id": operation.operationId ?? "",
        "arazzo.step.attempt": attempt,
        "http.request.method": operation.method,
        "url.template": operation.path
      },
      // The stack here would name this method, not the document's step; the span names the step.
      captureStackTrace: false
    }))
  }

  /**
   * Sends with secrets kept out of the platform's client span: headers that carry a secret are
   * redacted by name, and a request whose URL carries one is not traced by the client at all.
   */
  private sendQuietly(built: BuiltRequest, policy: Policy) {
    const secretHeaders = Object.entries(built.request.headers)
      .filter(([, value]) => this.secrets.appearsIn(value))
      .map(([name]) => name)
    const client = this.secrets.appearsIn(built.url)
      ? HttpClient.withTracerDisabledWhen(this.client, () => true)
      : this.client
    const sent = send(client, built, policy)
    if (secretHeaders.length === 0) return sent
    // Most secret headers (`authorization`) are redacted by default: set the names only when one is not.
    return Effect.flatMap(FiberRef.get(Headers.currentRedactedNames), (names) => {
      const missing = secretHeaders.filter((name) =>
        !names.some((redacted) => typeof redacted === "string" && redacted.toLowerCase() === name.toLowerCase())
      )
      return missing.length === 0 ? sent : Effect.locally(sent, Headers.currentRedactedNames, [...names, ...missing])
    })
  }
}

/** The step's body with its replacements applied (XML bodies through the step's `replaceXml`). */
const replaced = <K extends string, S>(spec: StepSpec<K, S>): Effect.Effect<Body | undefined, string> => {
  const { body, replacements, replaceXml } = spec
  if (body === undefined || replacements === undefined || replacements.length === 0) return Effect.succeed(body)
  if (body._tag === "Text" && replaceXml !== undefined) {
    const result = replaceXml(body.text, replacements)
    return typeof result === "string" ? Effect.succeed({ ...body, text: result }) : Effect.fail(result.error)
  }
  const result = replace(body, replacements)
  return "error" in result ? Effect.fail(result.error) : Effect.succeed(result)
}

const lowerCaseKeys = (record: Readonly<Record<string, unknown>> | undefined) =>
  Object.fromEntries(Object.entries(record ?? {}).map(([name, value]) => [name.toLowerCase(), value]))

const payload = (body: Body | undefined): unknown => {
  switch (body?._tag) {
    case undefined:
      return undefined
    case "Json":
      return body.value
    case "Text":
      return body.text
    case "Form":
      return body.fields
    case "Multipart":
      return body.parts
  }
}

/** What `$url`, `$method` and `$request…` read: the request as the step gave it. */
const sentRequest = (
  operation: Operation,
  url: string,
  parameters: Parameters | undefined,
  body: Body | undefined
): SentRequest => ({
  url,
  method: operation.method,
  header: lowerCaseKeys(parameters?.header),
  query: parameters?.query ?? {},
  path: parameters?.path ?? {},
  body: payload(body)
})

/** The success criterion of a step that declares none: a 2xx status. */
export const successfulStatus: Criterion = criterion(
  "2xx status (the step declares no successCriteria)",
  (response) => response.status >= 200 && response.status < 300
)
