/**
 * Run-time policies: how polls wait, how transient failures are retried, how long steps and
 * workflows may take. Defaults live in a `Context.Reference`, so generated workflows do not
 * list the policy in their requirements; a `Layer` overrides it globally, per workflow or per
 * step, without regenerating code.
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"

export interface Policy {
  /** Delays between polls of a polling step; when it ends the poll fails with `PollExhausted`. */
  readonly poll: Schedule.Schedule<unknown, unknown>
  /** Retries of transient failures (connection refused, 429, 503); `Retry-After` overrides its delay. */
  readonly retry: Schedule.Schedule<unknown, unknown>
  /** The longest `Retry-After` honoured; a server asking for more is not retried. */
  readonly maxRetryAfter: Duration.Input
  /** Bound on one step: its request and retries (for a poll, each poll request). */
  readonly stepTimeout: Duration.Input
  /** Bound on a whole workflow run. */
  readonly workflowTimeout: Duration.Input
  /** Bound on the steps one run may execute when its gotos can loop (a poll counts once). */
  readonly maxSteps: number
  /**
   * The largest response body read, in bytes. A larger body is `ResponseInvalid` (reason
   * `TooLarge`): reading stops at the limit, so the body is never buffered whole.
   */
  readonly maxResponseBytes: number
  /**
   * Which redirects the runtime follows (it never lets the client follow them itself):
   * `same-origin` (default) follows 301/302/303/307/308 to the same scheme, host and port, at
   * most 5 in a row; `none` follows none. A redirect to another origin is never followed, so a
   * step's credentials never reach it: the 3xx response is the step's response, for its
   * criteria to judge.
   */
  readonly redirects: "same-origin" | "none"
}

/** Exponential back-off from 500 ms capped at 10 s, jittered, for at most 5 minutes. */
export const defaultPoll: Schedule.Schedule<unknown, unknown> = Schedule.min([
  Schedule.exponential("500 millis", 1.5),
  Schedule.spaced("10 seconds")
]).pipe(
  Schedule.jittered,
  Schedule.upTo({ duration: "5 minutes" })
)

/** Three retries with exponential back-off from 200 ms. */
export const defaultRetry: Schedule.Schedule<unknown, unknown> = Schedule.max([
  Schedule.exponential("200 millis"),
  Schedule.recurs(3)
])

export const defaultPolicy: Policy = {
  poll: defaultPoll,
  retry: defaultRetry,
  maxRetryAfter: Duration.minutes(1),
  stepTimeout: Duration.seconds(30),
  workflowTimeout: Duration.minutes(10),
  maxSteps: 1000,
  maxResponseBytes: 32 * 1024 * 1024,
  redirects: "same-origin"
}

/** An override for one step of a workflow. */
export type StepPolicy = Partial<Policy>

/** An override for one workflow, and for its steps by stepId. */
export interface WorkflowPolicy extends Partial<Policy> {
  readonly steps?: Readonly<Record<string, StepPolicy>>
}

export interface PolicySettings extends Partial<Policy> {
  readonly workflows?: Readonly<Record<string, WorkflowPolicy>>
}

export interface PolicyTable {
  readonly base: Policy
  readonly workflows: Readonly<Record<string, WorkflowPolicy>>
}

/**
 * The policy service. Read it with `Policies.forWorkflow` / `Policies.forStep`; change it with
 * `Policies.layer`, which merges onto whatever policy is already in the context.
 */
export class Policies extends Context.Reference<PolicyTable>("arazzo-effect/Policies", {
  defaultValue: () => ({ base: defaultPolicy, workflows: {} })
}) {
  /**
   * Overrides policies. Settings at the top level apply to every workflow; `workflows` applies
   * to one workflow by workflowId, and its `steps` to single steps.
   *
   * @example
   * Policies.layer({ poll: Schedule.spaced("2 seconds"), workflows: { "blob-upload-img2img": { steps: { pollWorkflow: { stepTimeout: "5 seconds" } } } } })
   */
  static layer(settings: PolicySettings): Layer.Layer<never> {
    return Layer.effect(Policies, Effect.map(Policies, (table) => mergeSettings(table, settings)))
  }
}

const definedOnly = <A extends object>(a: A): Partial<A> =>
  Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined)) as Partial<A>

const withoutNested = ({ steps: _steps, ...rest }: WorkflowPolicy): Partial<Policy> => definedOnly(rest)

const mergeSettings = (table: PolicyTable, { workflows = {}, ...base }: PolicySettings): PolicyTable => {
  const merged: Record<string, WorkflowPolicy> = { ...table.workflows }
  for (const [workflowId, patch] of Object.entries(workflows)) {
    const current = merged[workflowId] ?? {}
    merged[workflowId] = {
      ...current,
      ...withoutNested(patch),
      steps: mergeSteps(current.steps ?? {}, patch.steps ?? {})
    }
  }
  return { base: { ...table.base, ...definedOnly(base) }, workflows: merged }
}

const mergeSteps = (
  current: Readonly<Record<string, StepPolicy>>,
  patch: Readonly<Record<string, StepPolicy>>
): Record<string, StepPolicy> => {
  const merged: Record<string, StepPolicy> = { ...current }
  for (const [stepId, step] of Object.entries(patch)) merged[stepId] = { ...merged[stepId], ...definedOnly(step) }
  return merged
}

/** A policy with its durations decoded, as the runtime reads it on every step. */
export interface ResolvedPolicy extends Policy {
  readonly stepTimeoutDuration: Duration.Duration
  readonly workflowTimeoutDuration: Duration.Duration
  readonly maxRetryAfterMillis: number
}

const resolve = (policy: Policy): ResolvedPolicy => ({
  ...policy,
  stepTimeoutDuration: Duration.fromInputUnsafe(policy.stepTimeout),
  workflowTimeoutDuration: Duration.fromInputUnsafe(policy.workflowTimeout),
  maxRetryAfterMillis: Duration.toMillis(Duration.fromInputUnsafe(policy.maxRetryAfter))
})

/**
 * Merged policies by table, then by workflow (and step): a table never changes once made
 * (`Policies.layer` makes a new one), so each merge is done once, not on every step of every run.
 */
const merged = new WeakMap<PolicyTable, Map<string, ResolvedPolicy>>()

const cached = (table: PolicyTable, key: string, merge: () => Policy): ResolvedPolicy => {
  let byKey = merged.get(table)
  if (byKey === undefined) merged.set(table, byKey = new Map())
  let policy = byKey.get(key)
  if (policy === undefined) byKey.set(key, policy = resolve(merge()))
  return policy
}

/** The policy in force for a workflow of a table: its own override over the base. */
export const workflowPolicy = (table: PolicyTable, workflowId: string): ResolvedPolicy =>
  cached(table, workflowId, () => ({ ...table.base, ...withoutNested(table.workflows[workflowId] ?? {}) }))

/** The policy in force for a step of a table: step override over workflow override over the base. */
export const stepPolicy = (table: PolicyTable, workflowId: string, stepId: string): ResolvedPolicy =>
  cached(table, `${workflowId}\u0000${stepId}`, () => {
    const workflow = table.workflows[workflowId] ?? {}
    return { ...table.base, ...withoutNested(workflow), ...workflow.steps?.[stepId] }
  })

/** The policy in force for a workflow. */
export const forWorkflow = (workflowId: string): Effect.Effect<ResolvedPolicy> =>
  Effect.map(Policies, (table) => workflowPolicy(table, workflowId))

/** The policy in force for a step. */
export const forStep = (workflowId: string, stepId: string): Effect.Effect<ResolvedPolicy> =>
  Effect.map(Policies, (table) => stepPolicy(table, workflowId, stepId))
