/**
 * The step and workflow timeouts. `Effect.timeoutFail` races the effect against a sleeping
 * fiber: two forked fibers, a timer, and the winner's FiberRefs merged back, on every step.
 * With the live clock this does the same with one fork and a plain timer: the effect runs in a
 * child fiber, the caller waits for whichever comes first, its exit or the timer, and on the
 * timer interrupts the child (waiting for it to stop) before failing. Any other clock (a
 * `TestClock`) keeps `Effect.timeoutFail`, whose sleep that clock controls.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"

/** The clock every Effect runtime uses unless one is provided (its `sleep` is `setTimeout`). */
const liveClock = Effect.runSync(Effect.clock)

/** The longest delay `setTimeout` keeps; Effect's live clock treats longer ones as never firing. */
const MAX_TIMER_MILLIS = 2 ** 31 - 1

/** `Effect.timeoutFail(self, { duration, onTimeout })`, with one fiber fewer under the live clock. */
export const timeoutFail = <A, E, R, E2>(
  self: Effect.Effect<A, E, R>,
  duration: Duration.Duration,
  onTimeout: () => E2
): Effect.Effect<A, E | E2, R> =>
  Effect.clockWith((clock) => {
    if (clock !== liveClock) return Effect.timeoutFail(self, { duration, onTimeout })
    const millis = Duration.toMillis(duration)
    if (millis > MAX_TIMER_MILLIS) return self
    return Effect.flatMap(Effect.fork(self), (child) =>
      Effect.async<A, E | E2>((resume) => {
        const timer = setTimeout(
          () => resume(Effect.zipRight(Fiber.interrupt(child), Effect.fail(onTimeout()))),
          millis
        )
        child.addObserver((exit) => {
          clearTimeout(timer)
          resume(exit)
        })
        // The caller interrupted (the workflow timeout, or its own caller): stop the child too.
        return Effect.suspend(() => {
          clearTimeout(timer)
          return Fiber.interrupt(child)
        })
      }))
  })
