/**
 * Jentic fixture pet_coupons: reusable parameters and steps that call a workflow. The copy drops
 * the successCriteria of the steps that call a workflow (`$statusCode` there has no response:
 * `no-response` at 56:24, 91:24), and
 * names the path parameter `petId` as the OpenAPI does (the original says `pet_id`, which is
 * `missing-path-parameter` at 36:9; Jentic matched it loosely).
 *
 * Arazzo 1.0.1 note: `$statusCode == 200` on a step that runs a workflow has no response to
 * read (Jentic judges it on the called workflow's last response); criteria of such steps test the
 * called workflow's outputs (`$outputs.x`) here.
 */
import { itLive } from "#line"
import { describe, expect } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { against, peer, peerServer } from "./support.js"

/** The copy's OpenAPI secures its operations with `petstore_auth` (oauth2): an access token as it is. */
const petstoreAuth = { "pet-coupons": { petstore_auth: "peer-test-access-token" } }

const order = { id: 1001, petId: 123, quantity: 1, status: "placed", complete: false, couponCode: "DOG20" }

describe("Jentic pet_coupons", () => {
  itLive(
    "apply-coupon: find by tags, coupons for the pet, place the order through the place-order workflow; 3 calls",
    () =>
      Effect.gen(function*() {
        const mod = yield* peer("jentic/pet_coupons/pet-coupons.spec.arazzo.yaml")
        const server = yield* peerServer({
          "GET /pet/findByTags": {
            status: 200,
            body: [{ id: 123, name: "Golden Retriever", photoUrls: [], status: "available" }]
          },
          "GET /pet/123/coupons": {
            status: 200,
            body: { couponCode: "DOG20", id: 10, description: "Summer Sale - 20% off Dogs!" }
          },
          "POST /store/order": { status: 200, body: order }
        })
        const result = yield* mod["applyCoupon"]!({ my_pet_tags: ["golden", "friendly"], store_id: "pets.example.com" })
          .pipe(against({ "pet-coupons": server.url }, {}, petstoreAuth))
        expect(result.outputs).toEqual({ apply_coupon_pet_order_id: 1001 })
        expect(result.steps).toMatchObject({
          "find-pet": { my_pet_id: 123 },
          "find-coupons": { my_coupon_code: "DOG20" },
          "place-order": { my_order_id: 1001 }
        })
        expect(server.log()).toEqual([
          "GET /pet/findByTags?tags=golden&tags=friendly",
          "GET /pet/123/coupons",
          "POST /store/order"
        ])
        expect(server.received[2]!.json).toEqual({ petId: 123, couponCode: "DOG20", status: "placed", complete: false })
      })
  )

  itLive("buy-available-pet: reusable page/pageSize parameters with values; 2 calls", () =>
    Effect.gen(function*() {
      const mod = yield* peer("jentic/pet_coupons/pet-coupons.spec.arazzo.yaml")
      const server = yield* peerServer({
        "GET /pet/findByStatus": {
          status: 200,
          body: [{ id: 456, name: "Siamese Cat", photoUrls: [], status: "available" }]
        },
        "POST /store/order": { status: 200, body: order }
      })
      const result = yield* mod["buyAvailablePet"]!({ store_id: "pets.example.com" }).pipe(
        against({ "pet-coupons": server.url }, {}, petstoreAuth)
      )
      expect(result.outputs).toEqual({ buy_pet_order_id: 1001 })
      expect(server.to("GET /pet/findByStatus")[0]!.query).toMatchObject({ status: "available" })
      expect(server.to("POST /store/order")[0]!.json).toMatchObject({ petId: 456 })
    }))

  itLive("place-order alone, with and without a coupon code; 1 call each", () =>
    Effect.gen(function*() {
      const mod = yield* peer("jentic/pet_coupons/pet-coupons.spec.arazzo.yaml")
      const server = yield* peerServer({ "POST /store/order": { status: 200, body: order } })
      const run = against({ "pet-coupons": server.url }, {}, petstoreAuth)
      const withCoupon = yield* (mod["placeOrder"] ?? mod["placeOrder2"])!({
        pet_id: 123,
        quantity: 1,
        coupon_code: "DOG20"
      }).pipe(run)
      expect(withCoupon.outputs).toEqual({ workflow_order_id: 1001 })
      const without = yield* (mod["placeOrder"] ?? mod["placeOrder2"])!({ pet_id: 456, quantity: 2 }).pipe(run)
      expect(without.steps["place-order"]).toEqual({ step_order_id: 1001 })
      expect(server.received.map((r) => r.json)).toEqual([
        { petId: 123, quantity: 1, couponCode: "DOG20", status: "placed", complete: false },
        { petId: 456, quantity: 2, status: "placed", complete: false }
      ])
    }))
})
