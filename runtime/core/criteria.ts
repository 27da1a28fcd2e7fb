/**
 * Criteria as the generator compiles them, and the response they are tested against: the
 * status, lower-cased headers and decoded body, with a view of the request that got it for
 * `$url`, `$method` and `$request…` (built only when a criterion or output reads it).
 */
import type { Body } from "./body.js"
import type { SentRequest, StepResponse } from "./response.js"

/** A criterion compiled by the generator: its text as written, and the test it compiles to. */
export interface Criterion {
  readonly condition: string
  readonly test: (response: StepResponse) => boolean
}

export const criterion = (condition: string, test: (response: StepResponse) => boolean): Criterion => ({
  condition,
  test
})

/**
 * Why an Arazzo 1.1 criterion could not be evaluated (a pattern that substitution made invalid, a
 * body that is not XML): 1.1 makes that a failed criterion that is reported, so the 1.1 helpers
 * throw this and the run turns it into the failure's `detail`.
 */
export class CriterionError extends Error {
  override readonly name = "CriterionError"
}

/** A criterion's verdict: whether it holds, and, when it could not be evaluated, why. */
export type Verdict = { readonly holds: true } | { readonly holds: false; readonly error?: string }

const HOLDS: Verdict = { holds: true }
const FAILS: Verdict = { holds: false }

/** Tests a criterion; a `CriterionError` is a verdict that does not hold and says why. */
export const judge = <R>(criterion: { readonly test: (value: R) => boolean }, value: R): Verdict => {
  try {
    return criterion.test(value) ? HOLDS : FAILS
  } catch (cause) {
    if (cause instanceof CriterionError) return { holds: false, error: cause.message }
    throw cause
  }
}

/** Whether a criterion holds (one that cannot be evaluated does not). */
export const holds = <R>(criterion: { readonly test: (value: R) => boolean }, value: R): boolean =>
  judge(criterion, value).holds

/** The success criterion of a step that declares none: a 2xx status. */
export const successfulStatus: Criterion = criterion(
  "2xx status (the step declares no successCriteria)",
  (response) => response.status >= 200 && response.status < 300
)

/** A success criterion of a step that runs a workflow: a test of that workflow's outputs. */
export interface CallCriterion<O> {
  readonly condition: string
  readonly test: (outputs: O) => boolean
}

/** What the step gave to build its request, kept so that `$request…` can be read afterwards. */
export interface RequestGiven {
  readonly url: string
  readonly method: string
  readonly parameters:
    | {
      readonly header?: Readonly<Record<string, unknown>>
      readonly query?: Readonly<Record<string, unknown>>
      readonly path?: Readonly<Record<string, unknown>>
    }
    | undefined
  readonly body: Body | undefined
}

const lowerCaseKeys = (record: Readonly<Record<string, unknown>> | undefined) => {
  const out: Record<string, unknown> = {}
  if (record !== undefined) { for (const name of Object.keys(record)) out[name.toLowerCase()] = record[name] }
  return out
}

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
    case "Binary":
      return body.value
  }
}

/** A response whose `request` view is computed on first read: most criteria never read it. */
class Response implements StepResponse {
  private view: SentRequest | undefined
  constructor(
    private readonly given: RequestGiven,
    readonly status: number,
    readonly headers: Readonly<Record<string, string>>,
    readonly body: unknown
  ) {}

  get request(): SentRequest {
    if (this.view === undefined) {
      const { url, method, parameters, body } = this.given
      this.view = {
        url,
        method,
        header: lowerCaseKeys(parameters?.header),
        query: parameters?.query ?? {},
        path: parameters?.path ?? {},
        body: payload(body)
      }
    }
    return this.view
  }
}

export const stepResponse = (
  given: RequestGiven,
  status: number,
  headers: Readonly<Record<string, string>>,
  body: unknown
): StepResponse => new Response(given, status, headers, body)
