/**
 * Jentic arazzo-engine's fixtures (fixtures/*: an Arazzo document, its OpenAPI and a
 * test_config.yaml of mocked responses and expected outputs; test_data/*: documents for its
 * source resolver), ported. The server answers like the custom_mocks; the assertions are the
 * expected_outputs, expected_api_calls and expect_success.
 *
 * Most Jentic documents are written in Jentic's own expression dialect: `$response.body.token`
 * (Arazzo 1.0.1: `$response.body#/token`) and `$steps.loginStep.token` (Arazzo:
 * `$steps.loginStep.outputs.token`). `$response.body.token` has one reading a careful reader
 * agrees with, so it compiles with an `expression-shorthand` warning that shows the spec form;
 * `$steps.loginStep.token` stays an error at its exact place. The `*.spec.*` copies, rewritten
 * to the spec form (see fixtures/README.md), run against the mocks with Jentic's expected outputs.
 */
import { itLive } from "#line"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { against, generatePeer, peer, peerServer } from "./support.js"

const places = (errors: ReadonlyArray<{ code: string; line: number; column: number }>) =>
  errors.map((d) => `${d.code} ${d.line}:${d.column}`)

/** Where `$response.body.x` (and the like) was read as `$response.body#/x`, with a warning. */
const shorthands = (diagnostics: ReadonlyArray<{ code: string; severity: string; line: number; column: number }>) =>
  diagnostics.filter((d) => d.code === "expression-shorthand" && d.severity === "warning").map((d) =>
    `${d.line}:${d.column}`
  )

describe("Jentic fixtures: sample_test", () => {
  it("the original document: `$response.body.message` is read as meant (warned), `$steps.simpleStep.message` is rejected", async () => {
    const { errors, diagnostics } = await generatePeer("jentic/sample_test/example_workflow.yaml")
    expect(shorthands(diagnostics)).toEqual(["36:34", "37:36"])
    expect(places(errors)).toEqual(["expression-syntax 39:32"])
  })

  itLive(
    "exampleWorkflow (spec form): posts the inputs and outputs the echoed message; 1 API call",
    () =>
      Effect.gen(function*() {
        const mod = yield* peer("jentic/sample_test/example_workflow.spec.yaml")
        const server = yield* peerServer({
          "POST /v1/echo": {
            status: 200,
            body: { message: "Hello, test-123", timestamp: "2023-01-01T12:00:00Z", input: { name: "test", id: "123" } }
          }
        })
        const result = yield* mod["exampleWorkflow"]!({ name: "test", id: "123" }).pipe(
          against({ exampleApi: `${server.url}/v1` })
        )
        expect(result._tag).toBe("Completed")
        expect(result.outputs).toEqual({ result: "Hello, test-123" })
        expect(result.steps["simpleStep"]).toEqual({ message: "Hello, test-123", timestamp: "2023-01-01T12:00:00Z" })
        expect(server.log()).toEqual(["POST /v1/echo"])
        expect(server.received[0]!.json).toEqual({ name: "test", id: "123" })
        expect(server.received[0]!.headers["content-type"]).toMatch(/^application\/json/)
      })
  )

  itLive("exampleWorkflow: a missing required input is refused before any request", () =>
    Effect.gen(function*() {
      const mod = yield* peer("jentic/sample_test/example_workflow.spec.yaml")
      const server = yield* peerServer({})
      const error = yield* mod["exampleWorkflow"]!({ name: "test" }).pipe(
        against({ exampleApi: server.url }),
        Effect.flip
      )
      expect(error._tag).toBe("InputsInvalid")
      expect(server.received).toEqual([])
    }))
})

describe("Jentic fixtures: sample_login_workflow", () => {
  it("the original document: 8 response reads taken as meant (warned), 5 `$steps.x.y` reads rejected", async () => {
    const { errors, diagnostics } = await generatePeer("jentic/sample_login_workflow/login_workflow.yaml")
    expect(shorthands(diagnostics)).toEqual(["36:32", "37:33", "38:36", "49:31", "50:32", "51:33", "52:36", "83:32"])
    expect(places(errors)).toEqual([
      "expression-syntax 45:43",
      "expression-syntax 54:30",
      "expression-syntax 55:33",
      "expression-syntax 56:31",
      "expression-syntax 57:32"
    ])
  })

  const login = {
    token: "test-token-123",
    user_id: "user-456",
    expires_at: "2025-12-31T23:59:59Z"
  }
  const profile = {
    user_id: "user-456",
    name: "Test User",
    email: "test@example.com",
    created_at: "2023-01-01T00:00:00Z"
  }

  itLive(
    "loginWorkflow (spec form): logs in, sends the token as a Bearer header, outputs the profile; 2 API calls",
    () =>
      Effect.gen(function*() {
        const mod = yield* peer("jentic/sample_login_workflow/login_workflow.spec.yaml")
        const server = yield* peerServer({
          "POST /v1/login": { status: 200, body: login },
          "GET /v1/profile": (request) =>
            request.headers["authorization"] === "Bearer test-token-123"
              ? { status: 200, body: profile }
              : { status: 401, body: { error: "unauthorized" } }
        })
        const result = yield* mod["loginWorkflow"]!({ username: "testuser", password: "password123" })
          .pipe(against({ loginApi: `${server.url}/v1` }))
        expect(result._tag).toBe("Completed")
        expect(result.outputs).toEqual({
          token: "test-token-123",
          userId: "user-456",
          name: "Test User",
          email: "test@example.com"
        })
        expect(result.steps["loginStep"]).toMatchObject({ token: "test-token-123" })
        expect(result.steps["profileStep"]).toMatchObject({
          userId: "user-456",
          name: "Test User",
          email: "test@example.com"
        })
        expect(server.log()).toEqual(["POST /v1/login", "GET /v1/profile"])
        expect(server.received[0]!.json).toEqual({ username: "testuser", password: "password123" })
        expect(server.received[1]!.headers["authorization"]).toBe("Bearer test-token-123")
      })
  )

  itLive(
    "failedLoginWorkflow: a 401 fails the workflow at loginStep (expect_success: false); 1 API call",
    () =>
      Effect.gen(function*() {
        const mod = yield* peer("jentic/sample_login_workflow/login_workflow.spec.yaml")
        const server = yield* peerServer({
          "POST /v1/login": { status: 401, body: { error: "Invalid username or password" } }
        })
        const error = yield* mod["failedLoginWorkflow"]!({ username: "invaliduser", password: "wrongpassword" })
          .pipe(against({ loginApi: `${server.url}/v1` }), Effect.flip)
        expect(error).toMatchObject({
          _tag: "StepFailed",
          stepId: "loginStep",
          status: 401,
          criterion: "$statusCode == 200"
        })
        expect(server.log()).toEqual(["POST /v1/login"])
      })
  )
})

describe("Jentic fixtures: xkcd", () => {
  it("the original document is rejected: a workflow output must be a runtime expression, not null", async () => {
    const { errors } = await generatePeer("jentic/xkcd/xkcd.arazzo.yaml")
    expect(places(errors)).toEqual(["structure-type 39:13", "structure-type 75:13"])
  })

  const comic = (num: number, title: string, img: string, year: string, month: string, day: string) => ({
    num,
    title,
    safe_title: title,
    alt: "alt text",
    img,
    year,
    month,
    day,
    link: "",
    news: "",
    transcript: ""
  })

  itLive(
    "getCurrentComic and getComicById (spec form, without `date`): outputs from the mocked comics; 1 API call each",
    () =>
      Effect.gen(function*() {
        const mod = yield* peer("jentic/xkcd/xkcd.spec.arazzo.yaml")
        const server = yield* peerServer({
          "GET /info.0.json": {
            status: 200,
            body: comic(
              2639,
              "Medical Terminology",
              "https://imgs.xkcd.com/comics/medical_terminology.png",
              "2022",
              "10",
              "10"
            )
          },
          "GET /614/info.0.json": {
            status: 200,
            body: comic(614, "Woodpecker", "https://imgs.xkcd.com/comics/woodpecker.png", "2009", "7", "3")
          }
        })
        // The OpenAPI server URL ends in a slash (http://xkcd.com/); so does the override.
        const run = against({ xkcdApi: `${server.url}/` })
        const current = yield* mod["getCurrentComic"]!({}).pipe(run)
        expect(current.outputs).toEqual({
          comicId: 2639,
          title: "Medical Terminology",
          imageUrl: "https://imgs.xkcd.com/comics/medical_terminology.png",
          alt: "alt text"
        })
        const byId = yield* mod["getComicById"]!({ comicId: 614 }).pipe(run)
        expect(byId.outputs).toMatchObject({
          comicId: 614,
          title: "Woodpecker",
          imageUrl: "https://imgs.xkcd.com/comics/woodpecker.png"
        })
        expect(byId.steps["getSpecificComicStep"]).toMatchObject({ year: "2009", month: "7", day: "3" })
        expect(server.log()).toEqual(["GET /info.0.json", "GET /614/info.0.json"])
      })
  )
})

describe("Jentic fixtures: documents with expressions outside Arazzo 1.0.1", () => {
  it("spotify: 15 `$response.body.access_token` reads taken as meant, 15 `$steps.tokenRequest.accessToken` rejected", async () => {
    const { errors, diagnostics } = await generatePeer("jentic/spotify/spotify.arazzo.yaml")
    expect(shorthands(diagnostics)).toHaveLength(15)
    expect(errors.length).toBe(15)
    expect(new Set(errors.map((d) => d.code))).toEqual(new Set(["expression-syntax"]))
  })

  it("newyork_times: step ids with spaces cannot be referenced by `$steps.<id>` (4 places)", async () => {
    // Arazzo 1.0.1: ids SHOULD match [A-Za-z0-9_\-]+ (a warning); a reference
    // `$steps.Search Articles by Keyword_Search Articles_0.outputs…` stops at the first space.
    const { errors, diagnostics } = await generatePeer("jentic/newyork_times/newyork_times.arazzo.yaml")
    expect(places(errors)).toEqual([
      "expression-syntax 77:44",
      "expression-syntax 144:49",
      "expression-syntax 211:48",
      "expression-syntax 278:56"
    ])
    expect(diagnostics.filter((d) => d.code === "id-format").length).toBeGreaterThan(0)
  })

  it("train: step ids with spaces, and bodies from inputs the workflows do not declare", async () => {
    const { errors } = await generatePeer("jentic/train/train.arazzo.yaml")
    const codes = errors.map((d) => d.code)
    expect(codes.filter((c) => c === "unknown-input")).toHaveLength(5)
    expect(codes.filter((c) => c === "expression-syntax")).toHaveLength(10)
  })

  it("discord: a step output given as the number 2 instead of a runtime expression", async () => {
    const { errors } = await generatePeer("jentic/discord/discord.arazzo.yaml")
    expect(places(errors)).toEqual(["structure-type 96:23"])
  })

  it("bnpl (the OAI example): a step reading its own output, `$response.header` singular, outputs a step does not have", async () => {
    const { errors, diagnostics } = await generatePeer("jentic/bnpl/bnpl-arazzo.yaml")
    // `$response.headers.Location` (plural) is read as `$response.header.Location`; the rest stays an error.
    expect(shorthands(diagnostics)).toEqual(["235:30"])
    expect(places(errors)).toEqual([
      "step-not-run 231:16",
      "unknown-output 242:16",
      "unknown-output 253:16",
      "expression-syntax 260:62"
    ])
  })
})

describe("Jentic test_data: source resolution", () => {
  const pets = [{ id: 7, name: "Rex" }, { id: 8, name: "Tom" }]
  const petstoreRoutes = {
    "GET /v1/pets": { status: 200, body: pets },
    "GET /v1/pets/7": { status: 200, body: { id: 7, name: "Rex", tag: "dog" } }
  }

  for (
    const [document, fn] of [
      ["jentic/test_data/petstore/single_source.arazzo.yaml", "listThenFetchPet"],
      ["jentic/test_data/petstore/operation_id.arazzo.yaml", "operationIdWorkflow"]
    ] as const
  ) {
    itLive(
      `${document.split("/").pop()}: the first pet's id, chained into the path of the second step`,
      () =>
        Effect.gen(function*() {
          const mod = yield* peer(document, { petstore: "jentic/test_data/petstore/petstore.openapi.yaml" })
          const server = yield* peerServer(petstoreRoutes)
          const result = yield* mod[fn]!({}).pipe(against({ petstore: `${server.url}/v1` }))
          expect(result.outputs).toEqual({ petName: "Rex", petTag: "dog" })
          expect(server.log()).toEqual(["GET /v1/pets", "GET /v1/pets/7"])
        })
    )
  }

  itLive(
    "cross_source: steps of two sources go to their own servers; an output of one feeds the other",
    () =>
      Effect.gen(function*() {
        const mod = yield* peer("jentic/test_data/cross_source/cross_source.arazzo.yaml", {
          petstore: "jentic/test_data/petstore/petstore.openapi.yaml",
          users: "jentic/test_data/mock_apis/users.openapi.yaml"
        })
        const petstore = yield* peerServer(petstoreRoutes)
        const users = yield* peerServer({ "GET /v1/users/7": { status: 200, body: { id: 7, username: "rex-owner" } } })
        const result = yield* mod["crossSourceWorkflow"]!({}).pipe(
          against({ petstore: `${petstore.url}/v1`, users: `${users.url}/v1` })
        )
        expect(result.outputs).toEqual({ petName: "Rex", username: "rex-owner" })
        expect(petstore.log()).toEqual(["GET /v1/pets", "GET /v1/pets/7"])
        expect(users.log()).toEqual(["GET /v1/users/7"])
      })
  )
})
