import { defaultPolicy, forStep, forWorkflow, Policies } from "#runtime"
import { it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { describe, expect } from "vitest"

describe("Policies", () => {
  it.effect("defaults without any layer", () =>
    Effect.gen(function*() {
      const policy = yield* forStep("wf", "step")
      expect(policy).toMatchObject(defaultPolicy)
      expect(Duration.toMillis(policy.stepTimeoutDuration)).toBe(30_000)
      expect(policy.maxRetryAfterMillis).toBe(60_000)
    }))

  it.effect("step overrides workflow overrides global, and layers stack", () =>
    Effect.gen(function*() {
      const global = Policies.layer({ stepTimeout: "1 second" })
      const perWorkflow = Policies.layer({
        workflows: { wf: { stepTimeout: "2 seconds", steps: { poll: { stepTimeout: "3 seconds" } } } }
      })
      const policies = Effect.all([
        forStep("wf", "poll"),
        forStep("wf", "other"),
        forStep("another", "poll"),
        forWorkflow("wf")
      ])
      const [poll, other, elsewhere, workflow] = yield* policies.pipe(
        Effect.provide(Layer.provide(perWorkflow, global))
      )
      expect(Duration.toMillis(poll.stepTimeout)).toBe(3_000)
      expect(Duration.toMillis(other.stepTimeout)).toBe(2_000)
      expect(Duration.toMillis(elsewhere.stepTimeout)).toBe(1_000)
      expect(Duration.toMillis(workflow.stepTimeout)).toBe(2_000)
      expect(poll.workflowTimeout).toBe(defaultPolicy.workflowTimeout)
    }))
})
