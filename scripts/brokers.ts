/**
 * Starts real message brokers for the AsyncAPI tests: Debian's `mosquitto` (MQTT) and
 * `nats-server` (NATS), installed by ./ensure-brokers.sh on first use. Each listens on 127.0.0.1
 * on a free port with a configuration in a fresh temporary directory, and is removed by `stop()`.
 *
 *   npx tsx scripts/brokers.ts     starts both, prints their URLs, stops on Ctrl-C
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { connect, createServer } from "node:net"
import { tmpdir } from "node:os"
import * as path from "node:path"

export type BrokerProtocol = "mqtt" | "nats"

export interface RunningBroker {
  readonly protocol: BrokerProtocol
  /** `mqtt://127.0.0.1:port` or `nats://127.0.0.1:port` */
  readonly url: string
  readonly port: number
  readonly stop: () => Promise<void>
}

const BINARIES: Record<BrokerProtocol, string> = {
  mqtt: "/usr/sbin/mosquitto",
  nats: "/usr/sbin/nats-server"
}

let installed: { readonly ok: true } | { readonly ok: false; readonly reason: string } | undefined

/**
 * Installs the brokers when missing (apt-get, once per process). Returns `undefined` when they are
 * there, or why they cannot be (no apt-get: the tests skip, saying so); throws when the install fails.
 */
export const ensureBrokers = (): string | undefined => {
  if (installed === undefined) {
    try {
      execFileSync("sh", [path.join(import.meta.dirname, "ensure-brokers.sh")], { stdio: ["ignore", "ignore", "pipe"] })
      installed = { ok: true }
    } catch (cause) {
      const status = (cause as { status?: number }).status
      const stderr = String((cause as { stderr?: Buffer }).stderr ?? "").trim()
      // Only a machine without apt-get skips the broker tests; an install that fails is a failure.
      if (status !== 3) throw new Error(`installing the brokers failed: ${stderr}`)
      installed = { ok: false, reason: stderr }
    }
  }
  return installed.ok ? undefined : installed.reason
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => typeof address === "object" && address !== null ? resolve(address.port) : reject())
    })
  })

/** Resolves once something accepts connections on the port; rejects when the process exits first or after 10 s. */
const listening = (port: number, child: ChildProcess, output: () => string): Promise<void> =>
  new Promise((resolve, reject) => {
    const deadline = Date.now() + 10_000
    let exited = false
    child.once("exit", (code) => {
      exited = true
      reject(new Error(`the broker exited (${code}) before it listened: ${output()}`))
    })
    const attempt = () => {
      if (exited) return
      const socket = connect(port, "127.0.0.1")
      socket.once("connect", () => {
        socket.destroy()
        resolve()
      })
      socket.once("error", () => {
        socket.destroy()
        if (Date.now() > deadline) reject(new Error(`the broker did not listen on ${port}: ${output()}`))
        else setTimeout(attempt, 50)
      })
    }
    attempt()
  })

const argumentsFor = (protocol: BrokerProtocol, dir: string, port: number): Array<string> => {
  if (protocol === "nats") return ["--addr", "127.0.0.1", "--port", String(port), "--no_advertise"]
  const config = path.join(dir, "mosquitto.conf")
  // Anonymous clients on loopback only, nothing kept on disk.
  writeFileSync(
    config,
    [`listener ${port} 127.0.0.1`, "allow_anonymous true", "persistence false", "log_dest stderr", ""].join("\n")
  )
  return ["-c", config]
}

export const startBroker = async (protocol: BrokerProtocol): Promise<RunningBroker> => {
  const missing = ensureBrokers()
  if (missing !== undefined) throw new Error(missing)
  const dir = mkdtempSync(path.join(tmpdir(), `arazzo-${protocol}-`))
  const port = await freePort()
  const child = spawn(BINARIES[protocol], argumentsFor(protocol, dir, port), {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"]
  })
  let output = ""
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000)
  }
  child.stdout?.on("data", keep)
  child.stderr?.on("data", keep)
  try {
    await listening(port, child, () => output)
  } catch (cause) {
    child.kill("SIGKILL")
    rmSync(dir, { recursive: true, force: true })
    throw cause
  }
  return {
    protocol,
    port,
    url: `${protocol}://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        const done = () => {
          rmSync(dir, { recursive: true, force: true })
          resolve()
        }
        if (child.exitCode !== null || child.signalCode !== null) return done()
        child.once("exit", done)
        child.kill("SIGTERM")
      })
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const running = await Promise.all([startBroker("mqtt"), startBroker("nats")])
  for (const broker of running) console.log(broker.url)
  process.once("SIGINT", () => void Promise.all(running.map((b) => b.stop())).then(() => process.exit(0)))
}
