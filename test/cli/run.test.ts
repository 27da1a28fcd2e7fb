/**
 * `arazzo-effect run` as a process, against the local Civitai Orchestration mock on 127.0.0.1:
 * the img2img workflow end to end (outputs on stdout, one trace line per step attempt on stderr),
 * the NDJSON trace, a rejected token (exit 1, typed error, token nowhere), a missing input (exit 2,
 * no request sent), an `end` success action (exit 0) and a document with errors (exit 2).
 */
import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { type CivitaiMock, OUTPUT_IMAGE_PNG, startCivitaiMock } from "../mock/civitai-orchestration.js"
import { randomImage } from "../support/img2img.js"
import { outputOf, root, runCli, startCli } from "./support.js"

const DOCUMENT = path.join(root, "specs/civitai/arazzo/civitai-blob-upload-img2img-workflow.yml")
const TOKEN = "cli-test-token-5f1c"
const POLLS = 2

let mock: CivitaiMock | undefined
afterEach(async () => {
  await mock?.close()
  mock = undefined
})

const imageFile = async (bytes: Uint8Array) => {
  const dir = await mkdtemp(path.join(tmpdir(), "arazzo-cli-run-"))
  const file = path.join(dir, "source.bin")
  await writeFile(file, bytes)
  return file
}

const img2img = (server: CivitaiMock, image: string, extra: ReadonlyArray<string> = [], apiKey = TOKEN) =>
  runCli([
    "run",
    DOCUMENT,
    "--input",
    `apiKey=${apiKey}`,
    "--input",
    `file=@${image}`,
    "--input",
    "engine=flux2",
    "--input",
    "prompt=a lighthouse at dusk",
    "--input",
    "moderate=true",
    "--server",
    `civitaiOrchestrationApi=${server.url}`,
    ...extra
  ])

const STEP_LINE = /^(\w+) attempt (\d+) {2}(GET|POST) (\S+) -> (\d{3}) \((\d+) ms\)$/

describe("arazzo-effect run", () => {
  it("runs the img2img workflow: outputs as JSON on stdout, one trace line per step attempt on stderr", async () => {
    mock = await startCivitaiMock({ token: TOKEN, pollsUntilDone: POLLS })
    const image = randomImage(32 * 1024)
    const { code, stdout, stderr } = await img2img(mock, await imageFile(image))
    expect(stderr).not.toContain("error")
    expect(code).toBe(0)

    const outputs = JSON.parse(stdout) as { sourceBlobId: string; workflowId: string; outputBlobUrl: string }
    // The bytes of the file named by `@path` arrived unchanged, and the output URL serves the generated image.
    expect(mock.blobs.get(outputs.sourceBlobId)?.bytes).toEqual(image)
    expect(mock.workflows.get(outputs.workflowId)?.status).toBe("succeeded")
    const served = new Uint8Array(await (await fetch(outputs.outputBlobUrl)).arrayBuffer())
    expect(served).toEqual(OUTPUT_IMAGE_PNG)

    const steps = stderr.split("\n").filter((l) => STEP_LINE.test(l)).map((l) => STEP_LINE.exec(l)!.slice(1, 6))
    expect(steps).toEqual([
      ["uploadSource", "1", "POST", "/v2/consumer/blobs", "201"],
      ["submitImg2Img", "1", "POST", "/v2/consumer/workflows", "202"],
      // Polled until done: the mock answers `processing` POLLS times, then `succeeded`.
      ...Array.from(
        { length: POLLS + 1 },
        (_, i) => ["pollWorkflow", String(i + 1), "GET", "/v2/consumer/workflows/{workflowId}", "200"]
      ),
      ["readResult", "1", "GET", "/v2/consumer/workflows/{workflowId}", "200"]
    ])
    expect(mock.calls("getWorkflow")).toBe(POLLS + 2)
    expect(stderr).toMatch(/^workflow blob-upload-img2img completed in \d/m)
  }, 120_000)

  it("--trace-json writes parseable NDJSON: a start and an end per attempt, then how the workflow ended", async () => {
    mock = await startCivitaiMock({ token: TOKEN, pollsUntilDone: POLLS })
    const { code, stdout, stderr } = await img2img(mock, await imageFile(randomImage(1024)), ["--trace-json"])
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toHaveProperty("outputBlobUrl")
    const events = stderr.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>)
    const ends = events.filter((e) => e["event"] === "step.end")
    expect(events.filter((e) => e["event"] === "step.start")).toHaveLength(ends.length)
    expect(ends.filter((e) => e["stepId"] === "pollWorkflow").map((e) => e["attempt"])).toEqual([1, 2, 3])
    expect(ends[0]).toMatchObject({
      workflowId: "blob-upload-img2img",
      stepId: "uploadSource",
      operationId: "uploadBlob",
      method: "POST",
      urlTemplate: "/v2/consumer/blobs",
      attempt: 1,
      status: 201,
      outcome: "success"
    })
    expect(typeof ends[0]!["durationMs"]).toBe("number")
    expect(events.at(-1)).toMatchObject({
      event: "workflow.end",
      result: "Completed",
      workflowId: "blob-upload-img2img"
    })
  }, 120_000)

  it("a rejected token: exit 1 with the typed error, and the token appears nowhere", async () => {
    mock = await startCivitaiMock({ token: TOKEN })
    const wrong = "wrong-token-7c9d2e"
    const human = await img2img(mock, await imageFile(randomImage(1024)), [], wrong)
    expect(human.code).toBe(1)
    expect(human.stdout).toBe("")
    expect(human.stderr).toMatch(/^uploadSource attempt 1 {2}POST \/v2\/consumer\/blobs -> 401 /m)
    expect(human.stderr).toContain("StepFailed: Success criterion `$statusCode == 201` of step uploadSource")
    expect(human.stderr).toContain("unauthorized")

    const json = await img2img(mock, await imageFile(randomImage(1024)), ["--trace-json"], wrong)
    expect(json.code).toBe(1)
    const last = JSON.parse(json.stderr.trim().split("\n").at(-1)!) as {
      result: string
      error: { tag: string; status: number }
    }
    expect(last).toMatchObject({ result: "Failed", error: { tag: "StepFailed", status: 401 } })
    // The mock saw the token: it was sent, and kept out of everything printed.
    expect(mock.requests[0]?.headers["authorization"]).toBe(`Bearer ${wrong}`)
    for (const text of [human.stdout, human.stderr, json.stdout, json.stderr]) expect(text).not.toContain(wrong)
  }, 120_000)

  it("a missing required input: exit 2 naming it, before any request", async () => {
    mock = await startCivitaiMock({ token: TOKEN })
    const { code, stdout, stderr } = await runCli([
      "run",
      DOCUMENT,
      "--input",
      `file=@${await imageFile(randomImage(16))}`,
      "--input",
      "engine=flux2",
      "--input",
      "prompt=x",
      "--server",
      `civitaiOrchestrationApi=${mock.url}`
    ])
    expect(code).toBe(2)
    expect(stdout).toBe("")
    expect(stderr).toContain("missing or invalid inputs for workflow blob-upload-img2img")
    expect(stderr).toMatch(/^ {2}apiKey: is missing$/m)
    expect(mock.requests).toHaveLength(0)
  }, 120_000)

  it("a success `end` action (the generation failed) ends the run with exit 0 and says where it ended", async () => {
    mock = await startCivitaiMock({ token: TOKEN, pollsUntilDone: 1, outcome: "failed" })
    const { code, stdout, stderr } = await img2img(mock, await imageFile(randomImage(1024)))
    expect(code).toBe(0)
    expect(stderr).toContain(
      "workflow blob-upload-img2img ended at step pollWorkflow by its onSuccess end action `failed`"
    )
    // readResult never ran, so its output is null; the earlier outputs are there.
    expect(JSON.parse(stdout)).toMatchObject({ sourceBlobId: "blob_1", workflowId: "wf_1", outputBlobUrl: null })
  }, 120_000)

  it(
    "a document with errors: exit 2 with file:line:col diagnostics; an unknown input or workflow: exit 2",
    async () => {
      const dir = await mkdtemp(path.join(tmpdir(), "arazzo-cli-bad-"))
      await writeFile(
        path.join(dir, "flow.arazzo.yml"),
        `arazzo: 1.0.1
info: { title: t, version: "1" }
sourceDescriptions:
  - { name: api, url: ${path.join(root, "specs/civitai/openapi/civitai-orchestration-api-openapi.yml")}, type: openapi }
workflows:
  - workflowId: flow
    steps:
      - stepId: a
        operationId: getWorkflw
`
      )
      // The description lives outside the document's tree: allowed explicitly (docs/security.md).
      const bad = await runCli(["run", "flow.arazzo.yml", "--allow-root", path.join(root, "specs")], { cwd: dir })
      expect(bad.code).toBe(2)
      expect(bad.stderr).toMatch(/^flow\.arazzo\.yml:9:22: error unknown-operation .*getWorkflow/m)

      const unknownInput = await runCli(["run", DOCUMENT, "--input", "colour=red"])
      expect(unknownInput.code).toBe(2)
      expect(unknownInput.stderr).toContain(
        "workflow blob-upload-img2img has no input `colour`; its inputs: apiKey, file, engine, prompt, moderate"
      )

      const unknownWorkflow = await runCli(["run", DOCUMENT, "--workflow", "nope"])
      expect(unknownWorkflow.code).toBe(2)
      expect(unknownWorkflow.stderr).toContain("has no workflow `nope`; its workflows: blob-upload-img2img")
    },
    180_000
  )

  it("Ctrl-C while polling: exit 130 and says so; the server may also come from ARAZZO_SERVER_<SOURCE>", async () => {
    mock = await startCivitaiMock({ token: TOKEN, pollsUntilDone: 10_000 })
    const child = startCli([
      "run",
      DOCUMENT,
      "--input",
      `apiKey=${TOKEN}`,
      "--input",
      `file=@${await imageFile(randomImage(64))}`,
      "--input",
      "engine=flux2",
      "--input",
      "prompt=x"
    ], { env: { ARAZZO_SERVER_CIVITAI_ORCHESTRATION_API: mock.url } })
    const stderr = outputOf(child.stderr)
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    await stderr.waitFor(/^pollWorkflow attempt 2 /m, 120_000, true)
    child.kill("SIGINT")
    expect(await exited).toBe(130)
    expect(stderr.text).toMatch(/^workflow blob-upload-img2img interrupted after /m)
    expect(mock.calls("getWorkflow")).toBeGreaterThanOrEqual(2)
  }, 180_000)
})
