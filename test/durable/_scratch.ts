import { spawn } from "node:child_process"
import { startCivitaiMock } from "../mock/civitai-orchestration.js"
import { TOKEN } from "./img2img-inputs.js"
const mock = await startCivitaiMock({ token: TOKEN, pollsUntilDone: 5 })
const db = `/tmp/durable-scratch-${Date.now()}.db`
const t0 = Date.now()
const child = spawn(process.execPath, ["--import", "tsx", "test/durable/img2img-worker.ts", mock.url, db], { stdio: ["ignore", "pipe", "inherit"] })
child.stdout.on("data", (d) => console.log(Date.now() - t0, "ms", String(d).slice(0, 600)))
const timer = setInterval(() => console.log(Date.now() - t0, "ms", mock.requests.map((r) => r.operation + ":" + r.status).join(" ")), 1000)
child.on("exit", async (code) => { clearInterval(timer); console.log("exit", code, Date.now() - t0, mock.requests.map((r) => r.operation).join(" ")); console.log(db); await mock.close() })
