/**
 * The generated signatures, pinned at the type level: `npm run typecheck` (tsc) fails when one
 * changes. The img2img, control-flow and failure-actions workflows: inputs (the Schema's Type
 * and Encoded forms), the result, the exact error union, and the requirements.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Arazzo from "arazzo-effect/effect3"
import * as Effect from "effect/Effect"
import { describe, expectTypeOf, it } from "vitest"
import * as Img2img from "../../generated/civitai-blob-upload-img2img-workflow.js"
import * as ControlFlow from "../../generated/order-control-flow.js"
import * as FailureActions from "../../generated/order-failure-actions.js"
import * as Search from "../../generated/order-search.js"

type Success<F> = F extends (input: never) => Effect.Effect<infer A, any, any> ? A : never
type Failure<F> = F extends (input: never) => Effect.Effect<any, infer E, any> ? E : never
type Requirements<F> = F extends (input: never) => Effect.Effect<any, any, infer R> ? R : never
type Input<F> = F extends (input: infer I) => any ? I : never

describe("generated signatures", () => {
  it("img2img: typed inputs, a poll's errors, only HttpClient required", () => {
    expectTypeOf<Input<typeof Img2img.blobUploadImg2img>>().toEqualTypeOf<{
      readonly apiKey: string
      readonly file: Blob | Uint8Array
      readonly engine: string
      readonly prompt: string
      readonly moderate?: boolean | undefined
    }>()
    expectTypeOf<Requirements<typeof Img2img.blobUploadImg2img>>().toEqualTypeOf<HttpClient.HttpClient>()
    expectTypeOf<Failure<typeof Img2img.blobUploadImg2img>["_tag"]>().toEqualTypeOf<
      | "InputsInvalid"
      | "RequestInvalid"
      | "RequestFailed"
      | "ResponseInvalid"
      | "StepFailed"
      | "StepTimeout"
      | "PollExhausted"
      | "WorkflowTimeout"
    >()
    // Errors name this workflow's steps, and carry its steps' outputs as typed.
    type StepFailure = Extract<Failure<typeof Img2img.blobUploadImg2img>, { readonly _tag: "StepFailed" }>
    expectTypeOf<StepFailure["stepId"]>().toEqualTypeOf<
      "uploadSource" | "submitImg2Img" | "pollWorkflow" | "readResult"
    >()
    expectTypeOf<StepFailure["stepOutputs"]["uploadSource"]>().toEqualTypeOf<
      { readonly blobId: string | undefined; readonly nsfwLevel: number | undefined } | undefined
    >()
    // The only end point: pollWorkflow's `failed` success action.
    type Result = Success<typeof Img2img.blobUploadImg2img>
    expectTypeOf<Extract<Result, { _tag: "Ended" }>["stepId"]>().toEqualTypeOf<"pollWorkflow">()
    expectTypeOf<Extract<Result, { _tag: "Ended" }>["failure"]>().toEqualTypeOf<undefined>()
    expectTypeOf<Extract<Result, { _tag: "Completed" }>["outputs"]>().toEqualTypeOf<Img2img.BlobUploadImg2imgOutputs>()
  })

  it("a state machine can exceed maxSteps; a linear workflow cannot", () => {
    expectTypeOf<"StepLimitExceeded">().toMatchTypeOf<Failure<typeof ControlFlow.findInvoice>["_tag"]>()
    expectTypeOf<Extract<Failure<typeof Img2img.blobUploadImg2img>, { _tag: "StepLimitExceeded" }>>().toBeNever()
    expectTypeOf<Extract<Failure<typeof Img2img.blobUploadImg2img>, { _tag: "CallFailed" }>>().toBeNever()
  })

  it("a workflow that hands over to another can raise that workflow's errors, with its steps", () => {
    // order-or-fallback hands over to invoice-of and list-open-orders: a StepFailed can name their steps too.
    type Failed = Extract<Failure<typeof ControlFlow.orderOrFallback>, { readonly _tag: "StepFailed" }>
    expectTypeOf<Failed["stepId"]>().toEqualTypeOf<"readOrder" | "listPaid" | "readInvoice" | "listOpen">()
    expectTypeOf<Failure<typeof ControlFlow.invoiceOfFirstOpen>["_tag"]>().toMatchTypeOf<Arazzo.WorkflowError["_tag"]>()
  })

  it("failure actions: failure end points carry the StepFailed that led there", () => {
    type Ended = Extract<Success<typeof FailureActions.orderStatus>, { _tag: "Ended" }>
    expectTypeOf<Ended["stepId"]>().toEqualTypeOf<"getOrder" | "getInvoice">()
    expectTypeOf<Ended["action"]>().toEqualTypeOf<"not_found" | "default_failure">()
    expectTypeOf<Ended["failure"]>().toEqualTypeOf<Arazzo.StepFailed>()
    expectTypeOf<Input<typeof FailureActions.orderStatus>>().toEqualTypeOf<FailureActions.OrderStatusInputs>()
  })

  it("inputs with defaults take the Schema's encoded form, so defaulted inputs may be left out", () => {
    expectTypeOf<Input<typeof ControlFlow.ordersByStatus>>().toEqualTypeOf<
      typeof ControlFlow.OrdersByStatusInputs.Encoded
    >()
    expectTypeOf<Input<typeof Search.findShippedOrder>>().toEqualTypeOf<Search.FindShippedOrderInputs>()
  })

  it("the README's result handling compiles for a workflow without end actions", () => {
    const handle = (result: Success<typeof ControlFlow.listOpenOrders>) => {
      if (result._tag === "Ended") return `${result.stepId} ${result.action}` // never, but it compiles
      return result.outputs
    }
    expectTypeOf(handle).returns.toMatchTypeOf<string | ControlFlow.ListOpenOrdersOutputs>()
    expectTypeOf<Extract<Success<typeof ControlFlow.listOpenOrders>, { _tag: "Ended" }>["stepId"]>().toBeNever()
  })

  it("catchTags is exact: handling every tag a workflow can raise leaves no error", () => {
    const handled = Img2img.blobUploadImg2img(null as never).pipe(
      Effect.catchTags({
        InputsInvalid: () => Effect.succeed("inputs"),
        RequestInvalid: () => Effect.succeed("request"),
        RequestFailed: () => Effect.succeed("transport"),
        ResponseInvalid: () => Effect.succeed("response"),
        StepFailed: (e) => Effect.succeed(e.stepId),
        StepTimeout: () => Effect.succeed("timeout"),
        PollExhausted: () => Effect.succeed("poll"),
        WorkflowTimeout: () => Effect.succeed("workflow")
      })
    )
    expectTypeOf<Effect.Effect.Error<typeof handled>>().toBeNever()
  })
})

describe("step outcomes", () => {
  it("a step's outcome has a Goto only when a failure action can go to a step", () => {
    type Steps = { readonly a: Record<string, never>; readonly b: Record<string, never> }
    const run = null as unknown as Arazzo.Run<{}, Steps, {}, never>
    const operation = null as unknown as Arazzo.Operation
    const retried = () =>
      run.step({
        stepId: "a",
        operation,
        successCriteria: [],
        outputs: {},
        onFailure: [Arazzo.endOn("stop"), Arazzo.retryOn("again", undefined, { retryAfter: 2, retryLimit: 3 })]
      })
    expectTypeOf<Effect.Effect.Success<ReturnType<typeof retried>>>().toEqualTypeOf<
      Arazzo.StepResult<Record<string, never>>
    >()
    const jumping = () =>
      run.step({
        stepId: "a",
        operation,
        successCriteria: [],
        outputs: {},
        onFailure: [Arazzo.retryOn("first", undefined, { stepId: "b" }), Arazzo.gotoOn("else", undefined, "a")]
      })
    expectTypeOf<Effect.Effect.Success<ReturnType<typeof jumping>>>().toEqualTypeOf<
      Arazzo.StepResult<Record<string, never>> | Arazzo.Goto<"a" | "b">
    >()
  })
})
