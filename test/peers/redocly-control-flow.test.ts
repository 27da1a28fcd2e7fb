/**
 * Redocly Respect e2e cases about control flow: the first matching failure action wins, failure
 * gotos into a workflow of this document, maxSteps, and gotos/retries that run a workflow of
 * another (arazzo-type) document.
 */
import { itLive } from "#line"
import { describe, expect } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { against, cafeApi, emptyMenuPage, peer, peerServer } from "./support.js"

const cafe = { "cafe-api": cafeApi }
const menu = { status: 200, body: emptyMenuPage }
const search = "GET /menu?search=mermaid-treasure-latte"
describe("Redocly Respect e2e cases: failure actions, gotos to workflows, maxSteps", () => {
  itLive(
    "step-on-failure-type-end-action: the first matching failure action (end) wins over a later goto and retry",
    () =>
      Effect.gen(function*() {
        // Needs: failure `goto` (unsupported-goto at 29:13).
        const mod = yield* peer(
          "redocly/step-on-failure-type-end-action/step-on-failure-type-end-action.arazzo.yaml",
          cafe
        )
        const server = yield* peerServer({
          "GET /menu": menu,
          "POST /oauth2/register": { status: 201, body: { name: "x" } }
        })
        const run = against({ "cafe-api": server.url })
        const registration = yield* mod["clientRegistration"]!({}).pipe(run)
        expect(registration).toMatchObject({
          _tag: "Ended",
          stepId: "list-menu-items",
          action: "step-onFailure-action-end",
          via: "onFailure"
        })
        if (registration._tag === "Ended" && registration.via === "onFailure") {
          expect(registration.failure).toMatchObject({ status: 200, criterion: "$statusCode == 201" })
        }
        expect((yield* mod["getMenuItems"]!({}).pipe(run))._tag).toBe("Completed")
        expect(server.log()).toEqual(["GET /menu", "GET /menu"]) // no create-client, no retry
      })
  )

  itLive(
    "max-steps: failure gotos into a nested workflow and then a self-loop are stopped by maxSteps",
    () =>
      Effect.gen(function*() {
        // Needs: failure `goto` (unsupported-goto at 17:13, 33:13, 43:13) and onFailure on a step
        // calling a workflow (unsupported-call-step-actions at 25:11). Respect's server is
        // unreachable (ENOTFOUND); here /ping answers 500, which fails the steps the same way
        // (no successCriteria: a 2xx is required).
        const mod = yield* peer("redocly/max-steps/arazzo.yaml")
        const server = yield* peerServer({ "GET /api/ping": { status: 500, body: { error: "down" } } })
        const error = yield* mod["infinite"]!({}).pipe(
          against({ oas: `${server.url}/api` }, { maxSteps: 10 }),
          Effect.flip
        )
        // pre-step → with-nested (step-1 → goto step-2 → end: the call step fails) → ping → ping …
        expect(error).toMatchObject({ _tag: "StepLimitExceeded", stepId: "ping", limit: 10 })
        expect(server.received.length).toBeGreaterThanOrEqual(4)
        expect(server.received.length).toBeLessThanOrEqual(11)
      })
  )

  itLive(
    "workflow-success-actions: a goto to a workflow of another document runs it and ends this one",
    () =>
      Effect.gen(function*() {
        // Needs: arazzo sources (unsupported-source-type at 12:11) and `goto` a workflow
        // (unsupported-goto-workflow at 18:9, 23:9, 50:13). The nested document's own `cafe-api`
        // source must resolve to the same local copy and server.
        const mod = yield* peer("redocly/workflow-success-actions/workflow-success-actions.arazzo.yaml", cafe)
        const server = yield* peerServer({
          "GET /menu": menu,
          "POST /oauth2/register": { status: 201, body: { name: "respect-e2e-client" } }
        })
        const run = against({ "cafe-api": server.url })
        yield* mod["getMenuItems"]!({}).pipe(run)
        // the first of two workflow-level actions with the same criteria runs (not client-registration)
        expect(server.log()).toEqual(["GET /menu", search])
        yield* mod["clientRegistration"]!({}).pipe(run)
        expect(server.log()).toEqual(["GET /menu", search, "GET /menu", search]) // create-client never runs
      })
  )

  itLive(
    "workflow-failure-actions: a workflow-level retry that first runs another document's workflow",
    () =>
      Effect.gen(function*() {
        // Needs: arazzo sources (unsupported-source-type at 12:11), retry with workflowId
        // (unsupported-retry-target at 18:9), failure goto (unsupported-goto at 24:9).
        // Respect: get-menu-items fails (200 ≠ 201), runs search-menu-items, retries once, fails,
        // then goes on to get-menu-items-2. Arazzo 1.0.1: when the retries run out the step has
        // failed; our runtime passes on to the next matching action, here repeated-failure-action-2
        // (goto search-menu-items), which transfers the run: get-menu-items-2 never runs.
        const mod = yield* peer("redocly/workflow-failure-actions/workflow-failure-actions.arazzo.yaml", cafe)
        const server = yield* peerServer({ "GET /menu": menu })
        yield* mod["getMenuItems"]!({}).pipe(against({ "cafe-api": server.url }), Effect.exit)
        expect(server.log()).toEqual(["GET /menu", search, "GET /menu", search])
      })
  )
})
