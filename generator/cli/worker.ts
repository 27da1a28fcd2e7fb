/**
 * What `arazzo-effect worker` does (the command is in worker-command.ts): declares every workflow
 * of the given documents or modules durable, registers them with the engine on the store, and
 * runs until SIGINT/SIGTERM. The engine resumes the executions the store has unfinished as soon
 * as the worker is up; each resumption is printed (`<id>: resumed at step X`). Loaded only when
 * `worker` runs.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Arazzo from "../../runtime/effect3/index.js"
import { engineOn, parseStore, showStore } from "./durable-store.js"
import { hostedWorkflows } from "./durable-workflows.js"
import { exitOnInterruptWith, UsageError } from "./exit.js"
import { parsePairs } from "./pairs.js"
import type { WorkerOptions } from "./worker-command.js"

/** `stepId#visit.attempt` → `stepId` (the call path of a nested workflow stays in front). */
export const stepOfActivity = (activity: string): string => activity.replace(/#[^#]*$/, "")

const parseRunner = (text: string) => {
  const match = /^(.+):(\d+)$/.exec(text)
  const port = match === null ? NaN : Number(match[2])
  if (match === null || !(port > 0 && port < 65536)) {
    return Effect.fail(new UsageError({ message: `--runner ${text}: use host:port, e.g. 10.0.0.5:34431` }))
  }
  return Effect.succeed({ host: match[1]!, port })
}

const pollPolicy = (text: string) =>
  Effect.try({
    try: () => Duration.decode(text as Duration.DurationInput),
    catch: () => new UsageError({ message: `--poll-every ${text}: not a duration (e.g. "2 seconds", "500 millis")` })
  }).pipe(Effect.map((every) => Schedule.spaced(every).pipe(Schedule.upTo("5 minutes"))))

export const runWorker = (options: WorkerOptions) =>
  Effect.scoped(
    Effect.gen(function*() {
      const store = yield* parseStore(options.store)
      const runner = Option.isSome(options.runner) ? yield* parseRunner(options.runner.value) : undefined
      const poll = Option.isSome(options.pollEvery) ? yield* pollPolicy(options.pollEvery.value) : undefined
      const hosted = yield* hostedWorkflows(options.files, options)
      if (hosted.length === 0) return yield* new UsageError({ message: "the given files have no workflows to host" })
      // One per name: a document and the module generated from it declare the same source.
      const declared = [...new Map(hosted.flatMap((h) => h.sources).map((s) => [s.name, s])).values()]
      const sources = declared.map((s) => s.name)
      const servers = yield* parsePairs({ option: "server", shape: "source=url" }, options.server)
      for (const [name, url] of Object.entries(servers)) {
        if (!sources.includes(name)) {
          return yield* new UsageError({
            message: `--server ${name}=…: no workflow here has a source \`${name}\`; the sources: ${sources.join(", ")}`
          })
        }
        if (!URL.canParse(url)) {
          return yield* new UsageError({ message: `--server ${name}=${url}: not an absolute URL` })
        }
      }
      const { Durable, engine } = yield* engineOn(store, { client: false, runner })
      const say = (line: string) => Effect.sync(() => void process.stderr.write(`${line}\n`))
      const workflows = hosted.map((h) =>
        Durable.make(h.run as never, {
          name: h.name,
          onResume: (executionId, activity) =>
            say(`${executionId}: resumed at step ${stepOfActivity(activity)} (${activity}) of ${h.name}`)
        }).layer
      )
      const worker = workflows.reduce((all, one) => Layer.merge(all, one)).pipe(
        Layer.provide(Arazzo.Servers.layer(servers).pipe(Layer.provide(Arazzo.Servers.layerConfig(sources)))),
        // The worker sends the requests, so it holds the credentials: ARAZZO_CREDENTIAL_<SOURCE>_<SCHEME>.
        Layer.provide(Arazzo.Credentials.layerConfig(declared)),
        Layer.provide(poll === undefined ? Layer.empty : Arazzo.Policies.layer({ poll })),
        Layer.provide(NodeHttpClient.layerUndici),
        Layer.provideMerge(engine)
      )
      // Ctrl-C or SIGTERM is how a worker is meant to stop: the engine hands its shards back, exit 0.
      yield* exitOnInterruptWith(0)
      yield* Layer.launch(
        Layer.effectDiscard(say(
          `worker ${process.pid}: hosting ${hosted.map((h) => h.name).join(", ")} on ${showStore(store)}` +
            `${runner === undefined ? "" : ` as runner ${runner.host}:${runner.port}`}; Ctrl-C stops it`
        )).pipe(Layer.provide(worker))
      ).pipe(
        Effect.catchAllCause((cause) =>
          Effect.flatMap(say(`worker: the engine stopped: ${String(cause)}`), () => Effect.failCause(cause))
        )
      )
    })
  )
