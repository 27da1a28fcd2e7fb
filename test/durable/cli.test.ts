/**
 * The durable commands with real processes: an `arazzo-effect worker` hosting the img2img
 * document on a SQLite store, `run --durable` starting an execution and following it, the worker
 * killed with SIGKILL mid-poll and started again, and `status <id>` reading the result from the
 * store. The mock's counts show that no finished step ran twice.
 */
import { randomBytes } from "node:crypto"
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { outputOf, root, runCli, startCli } from "../cli/support.js"
import { startCivitaiMock } from "../mock/civitai-orchestration.js"
import { randomImage } from "../support/image.js"
import { TOKEN } from "./img2img-inputs.js"
import { until } from "./worker-process.js"

const scratch = mkdtempSync(path.join(tmpdir(), "arazzo-durable-cli-"))
/** Every command on the store gets the same store key: the store is sealed (docs/durable.md). */
const sealed = { env: { ARAZZO_DURABLE_KEY: randomBytes(32).toString("base64") } }
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

const document = path.join(root, "specs/civitai/arazzo/civitai-blob-upload-img2img-workflow.yml")

const inputs = () => {
  const image = path.join(scratch, "source.png")
  writeFileSync(image, randomImage(48 * 1024))
  return [
    `--input`,
    `apiKey=${TOKEN}`,
    `--input`,
    `file=@${image}`,
    `--input`,
    `engine=flux2`,
    `--input`,
    `prompt=a lighthouse at dusk, oil painting`,
    `--input`,
    `moderate=true`
  ]
}

describe("arazzo-effect worker, run --durable, status", () => {
  it(
    "a worker killed with SIGKILL mid-poll and restarted finishes the run; status reports Done with the outputs",
    async () => {
      const pollsUntilDone = 5
      const mock = await startCivitaiMock({ token: TOKEN, pollsUntilDone })
      const store = `sqlite:${path.join(scratch, "cli.sqlite")}`
      const workerArgs = [
        "worker",
        document,
        "--store",
        store,
        "--server",
        `civitaiOrchestrationApi=${mock.url}`,
        "--poll-every",
        "300 millis"
      ]
      const children: Array<ReturnType<typeof startCli>> = []
      try {
        const first = startCli(workerArgs, sealed)
        children.push(first)
        const firstErr = outputOf(first.stderr)
        await firstErr.waitFor(/hosting civitai-blob-upload-img2img-workflow\/blob-upload-img2img/, 90_000, true)

        const run = startCli(["run", document, "--durable", "--store", store, ...inputs()], sealed)
        children.push(run)
        const runErr = outputOf(run.stderr)
        const runOut = outputOf(run.stdout)
        const runExit = new Promise<number | null>((resolve) => run.on("exit", (code) => resolve(code)))
        const executionId = /execution (\S+) of/.exec(await runErr.waitFor(/execution \S+ of/, 90_000, true))![1]!

        // Mid-poll: the upload and the submission done, the workflow polled and still running.
        await until(() => mock.calls("getWorkflow") >= 2, 90_000, "polls")
        first.kill("SIGKILL")
        await new Promise((resolve) => first.on("exit", resolve))
        const atKill = { upload: mock.calls("uploadBlob"), submit: mock.calls("submitWorkflow") }
        expect(atKill).toEqual({ upload: 1, submit: 1 })
        expect(mock.calls("getWorkflow")).toBeLessThan(pollsUntilDone + 1)

        const second = startCli(workerArgs, sealed)
        children.push(second)
        const secondErr = outputOf(second.stderr)
        const resumed = await secondErr.waitFor(/resumed at step/, 90_000, true)
        expect(resumed).toContain(`${executionId}: resumed at step pollWorkflow`)

        expect(await runExit).toBe(0)
        const outputs = JSON.parse(runOut.text) as Record<string, unknown>
        expect(outputs).toMatchObject({ workflowId: expect.any(String) })
        // The follower printed the journaled steps as they completed.
        expect(runErr.text).toMatch(/uploadSource attempt 1 {2}-> 201/)
        expect(runErr.text).toMatch(/submitImg2Img attempt 1 {2}-> 202/)
        expect(runErr.text).toMatch(/readResult attempt 1 {2}-> 200/)
        expect(runErr.text).toContain("workflow blob-upload-img2img completed")
        // The API key never reaches the trace, nor the store in the clear; with a key, no warning.
        expect(runErr.text + runOut.text).not.toContain(TOKEN)
        expect(runErr.text).not.toContain("warning")
        const file = store.slice("sqlite:".length)
        const stored = readdirSync(scratch).filter((f) => f.startsWith(path.basename(file)))
        expect(stored.length).toBeGreaterThan(0)
        for (const f of stored) expect(readFileSync(path.join(scratch, f)).toString("latin1")).not.toContain(TOKEN)

        const status = await runCli(["status", executionId, "--store", store], sealed)
        expect(status.code).toBe(0)
        const reported = JSON.parse(status.stdout) as {
          status: string
          workflow: string
          result: { end: string; outputs: unknown }
        }
        expect(reported).toMatchObject({
          status: "Done",
          workflow: "civitai-blob-upload-img2img-workflow/blob-upload-img2img",
          result: { end: "Completed" }
        })
        expect(reported.result.outputs).toEqual(outputs)

        // No finished step repeated: one upload, one submission; the polls of one run, plus at most
        // the one in flight at the kill.
        expect(mock.calls("uploadBlob")).toBe(1)
        expect(mock.calls("submitWorkflow")).toBe(1)
        expect(mock.calls("getWorkflow")).toBeGreaterThanOrEqual(pollsUntilDone + 1)
        expect(mock.calls("getWorkflow")).toBeLessThanOrEqual(pollsUntilDone + 2)

        // The same command again finds the same execution, already done: nothing is sent.
        const requestsBefore = mock.requests.length
        const again = await runCli(["run", document, "--durable", "--store", store, ...inputs()], sealed)
        expect(again.code).toBe(0)
        expect(again.stderr).toContain(`execution ${executionId} of`)
        expect(JSON.parse(again.stdout)).toEqual(outputs)
        expect(mock.requests.length).toBe(requestsBefore)

        second.kill("SIGTERM")
        await new Promise((resolve) => second.on("exit", resolve))
      } finally {
        for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
        await mock.close()
      }
    },
    240_000
  )

  it("run --durable without ARAZZO_DURABLE_KEY warns that the secret input is stored in the clear", async () => {
    const store = `sqlite:${path.join(scratch, "clear.sqlite")}`
    // No worker: the command starts the execution, warns, then waits; it is stopped here.
    const run = startCli(["run", document, "--durable", "--store", store, ...inputs()], {
      env: { ARAZZO_DURABLE_KEY: "" }
    })
    try {
      const warning = await outputOf(run.stderr).waitFor(/warning: .*\n/, 90_000, true)
      expect(warning).toContain("ARAZZO_DURABLE_KEY is not set, so the secret input apiKey")
      expect(warning).toContain("stored in the clear")
    } finally {
      run.kill("SIGKILL")
    }
  }, 120_000)

  it("status of an execution the store does not have: exit 2", async () => {
    const status = await runCli(["status", "no-such-id", "--store", `sqlite:${path.join(scratch, "empty.sqlite")}`])
    expect(status.code).toBe(2)
    expect(status.stderr).toContain("has no execution no-such-id")
  }, 60_000)
})
