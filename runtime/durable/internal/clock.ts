/**
 * The clock a durable workflow body reads, so that every decision it takes on replay is the one
 * it took the first time. Its time is journaled, never the wall clock's: it starts at the
 * execution's start (an activity), moves to each exchange's journaled completion time, and on
 * by each wait's duration. A poll schedule's budget (`Schedule.upTo`) therefore counts the
 * time the execution has really been running, across crashes, and is not restarted on resume.
 *
 * Its `sleep` ends when the real clock reaches this clock's time plus the duration, so the
 * workflow timeout (a sleep the runtime starts when the body starts) is a deadline stored with
 * the execution: after a resume it fires at the same moment it would have without the crash.
 * The exchanges themselves (step timeouts, transient retries) run on the real clock.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

export interface JournaledClock extends Clock.Clock {
  /** The journal says time reached `millis` (a journaled exchange's completion, or start). */
  readonly reached: (millis: number) => void
  /** A wait of `duration` ended. */
  readonly waited: (duration: Duration.Duration) => void
}

export const journaledClock = (startedAt: number, real: Clock.Clock): JournaledClock => {
  let now = startedAt
  return {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: () => now,
    unsafeCurrentTimeNanos: () => BigInt(Math.round(now * 1_000_000)),
    currentTimeMillis: Effect.sync(() => now),
    currentTimeNanos: Effect.sync(() => BigInt(Math.round(now * 1_000_000))),
    sleep: (duration) =>
      Effect.suspend(() => {
        const due = now + Duration.toMillis(duration)
        return real.sleep(Duration.millis(Math.max(0, due - real.unsafeCurrentTimeMillis())))
      }),
    reached: (millis) => {
      if (millis > now) now = millis
    },
    waited: (duration) => {
      now += Duration.toMillis(duration)
    }
  }
}
