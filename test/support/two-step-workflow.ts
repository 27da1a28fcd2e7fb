/**
 * A small two-step workflow written exactly as the generator writes workflows, for driving
 * the runtime against servers that misbehave: `createJob` (a POST on the jobs API) succeeds
 * and produces `jobId`; `readResult` (a GET on the results API) reads the route named by the
 * `scenario` input, which is where the server misbehaves.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Arazzo from "arazzo-effect/runtime"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

export const jobsApi = Arazzo.source("jobsApi", "https://jobs.invalid")
export const resultsApi = Arazzo.source("resultsApi", "https://results.invalid")

const createJobOperation = Arazzo.operation(jobsApi, "POST", "/jobs", { operationId: "createJob" })
const getResult = Arazzo.operation(resultsApi, "GET", "/results/{scenario}", { operationId: "getResult" })

export const TwoStepInputs = Schema.Struct({
  apiKey: Schema.String,
  scenario: Schema.String
})

export type TwoStepInputs = typeof TwoStepInputs.Type

export interface TwoStepSteps {
  readonly createJob: { readonly jobId: string | undefined }
  readonly readResult: { readonly title: string | undefined; readonly pages: number | undefined }
}

export interface TwoStepOutputs {
  readonly jobId: string | undefined
  readonly title: string | undefined
}

export type TwoStepResult = Arazzo.WorkflowResult<TwoStepOutputs, TwoStepSteps>

const twoStepWorkflow: Arazzo.WorkflowDefinition<TwoStepInputs, TwoStepSteps, TwoStepOutputs> = {
  workflowId: "two-step",
  inputs: TwoStepInputs,
  secrets: ["apiKey"],
  outputs: (_inputs, steps) => ({
    jobId: steps.createJob?.jobId,
    title: steps.readResult?.title
  })
}

export const twoStep = (
  input: TwoStepInputs
): Effect.Effect<TwoStepResult, Arazzo.WorkflowError, HttpClient.HttpClient> =>
  Arazzo.runWorkflow(twoStepWorkflow, input, (run, inputs) =>
    Effect.gen(function*() {
      const createJob = yield* run.step({
        stepId: "createJob",
        operation: createJobOperation,
        parameters: {
          header: { Authorization: `Bearer ${inputs.apiKey}` }
        },
        body: Arazzo.json({ scenario: inputs.scenario }),
        successCriteria: [Arazzo.criterion("$statusCode == 201", (response) => response.status === 201)],
        outputs: {
          jobId: Arazzo.body(["id"], Schema.String)
        }
      })

      yield* run.step({
        stepId: "readResult",
        operation: getResult,
        parameters: {
          path: { scenario: inputs.scenario },
          query: { job: createJob.outputs.jobId },
          header: { Authorization: `Bearer ${inputs.apiKey}` }
        },
        successCriteria: [Arazzo.criterion("$statusCode == 200", (response) => response.status === 200)],
        outputs: {
          title: Arazzo.body(["result", "title"], Schema.String),
          pages: Arazzo.body(["result", "pages"], Schema.Number)
        }
      })
      return run.completed()
    }))
