import { it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { describe, expect } from "vitest"
import { defaultPolicy, forStep, forWorkflow, Policies } from "../../runtime/effect3/internal/policy.js"

describe("Policies", () => {
  it.effect("defaults without any layer", () =>
    Effect.gen(function*() {
      const policy = yield* forStep("wf", "step")
      expect(policy).toMatchObject(defaultPolicy)
      expect(policy.stepTimeoutDuration).toEqual(Duration.seconds(30))
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
      expect(Duration.decode(poll.stepTimeout)).toEqual(Duration.seconds(3))
      expect(Duration.decode(other.stepTimeout)).toEqual(Duration.seconds(2))
      expect(Duration.decode(elsewhere.stepTimeout)).toEqual(Duration.seconds(1))
      expect(Duration.decode(workflow.stepTimeout)).toEqual(Duration.seconds(2))
      expect(poll.workflowTimeout).toBe(defaultPolicy.workflowTimeout)
    }))
})
