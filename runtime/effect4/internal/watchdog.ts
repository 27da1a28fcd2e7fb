/**
 * The workflow and step timeouts of one run, with one fiber and one timer for the whole run.
 *
 * A timeout has to interrupt what it bounds, so the run's body runs in a child fiber while the
 * caller's fiber waits for it. The watchdog is that waiting fiber: it holds the workflow's timer
 * and, while a step's request is in flight, the step's timer (re-armed per request instead of a
 * fiber forked per request). Whichever fires interrupts the body and fails the run with its
 * error: nothing inside a run catches a step timeout (failure actions judge responses, not
 * timeouts), so ending the run is what a step timeout does anyway. A workflow a step runs has a
 * watchdog of its own, so its timeout is that workflow's failure, as its caller sees it.
 *
 * Under any clock but the live one (a `TestClock`) the same is done with `Effect.timeoutOrElse`,
 * whose sleeps that clock controls.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"

export interface Watchdog {
  /** `effect`, failing the run with `onTimeout()` when it takes longer than `duration`. */
  readonly bound: <A, E, E2>(
    effect: Effect.Effect<A, E>,
    duration: Duration.Duration,
    onTimeout: () => E2
  ) => Effect.Effect<A, E | E2>
}

/** The clock every Effect runtime uses unless one is provided (its `sleep` is `setTimeout`). */
const liveClock = Effect.runSync(Effect.clockWith(Effect.succeed))

/** The longest delay `setTimeout` keeps; Effect's live clock treats longer ones as never firing. */
const MAX_TIMER_MILLIS = 2 ** 31 - 1

const underTestClock: Watchdog = {
  bound: (effect, duration, onTimeout) =>
    Effect.timeoutOrElse(effect, { duration, orElse: () => Effect.fail(onTimeout()) })
}

/** Runs `body` under a watchdog; the whole run fails with `onTimeout()` after `timeout`. */
export const watched = <A, E, R, E2>(
  body: (watchdog: Watchdog) => Effect.Effect<A, E, R>,
  timeout: Duration.Duration,
  onTimeout: () => E2
): Effect.Effect<A, E | E2, R> =>
  Effect.clockWith((clock) => {
    if (clock !== liveClock) {
      return Effect.timeoutOrElse(body(underTestClock), { duration: timeout, orElse: () => Effect.fail(onTimeout()) })
    }
    // Set once the body runs; a step armed before then cannot exist.
    let fire: ((timedOut: () => unknown) => void) | undefined
    const watchdog: Watchdog = {
      bound: <A2, E3, E4>(effect: Effect.Effect<A2, E3>, duration: Duration.Duration, onStepTimeout: () => E4) =>
        Effect.suspend(() => {
          const millis = Duration.toMillis(duration)
          if (millis > MAX_TIMER_MILLIS || fire === undefined) return effect
          const trigger = fire
          const timer = setTimeout(() => trigger(onStepTimeout), millis)
          return Effect.ensuring(effect, Effect.sync(() => clearTimeout(timer)))
        })
    }
    return Effect.flatMap(Effect.forkChild(body(watchdog)), (child) =>
      Effect.callback<A, E | E2>((resume) => {
        let done = false
        let workflowTimer: ReturnType<typeof setTimeout> | undefined
        const finish = (effect: Effect.Effect<A, E | E2>) => {
          if (done) return
          done = true
          if (workflowTimer !== undefined) clearTimeout(workflowTimer)
          resume(effect)
        }
        fire = (timedOut) => finish(Effect.andThen(Fiber.interrupt(child), Effect.fail(timedOut() as E2)))
        const millis = Duration.toMillis(timeout)
        if (millis <= MAX_TIMER_MILLIS) workflowTimer = setTimeout(() => fire!(onTimeout), millis)
        child.addObserver((exit) => finish(exit))
        // The caller interrupted (its own timeout, or its caller): stop the body too.
        return Effect.suspend(() => {
          done = true
          if (workflowTimer !== undefined) clearTimeout(workflowTimer)
          return Fiber.interrupt(child)
        })
      }))
  })
