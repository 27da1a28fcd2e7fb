/** The options of `run` that ask for a recording, a replay or reports (kept apart so the command parses without loading them). */
import * as Options from "@effect/cli/Options"

export const recordOption = Options.file("record").pipe(
  Options.withPseudoName("run.json"),
  Options.withDescription(
    "write the run's requests and responses, in order, per step and attempt, to this file (secret inputs and credential headers redacted)"
  ),
  Options.optional
)
export const replayOption = Options.file("replay", { exists: "yes" }).pipe(
  Options.withPseudoName("run.json"),
  Options.withDescription(
    "answer every request from a recording instead of the network; a request it does not have fails the run (exit 1) saying which step sent what"
  ),
  Options.optional
)
export const reportOption = Options.file("report").pipe(
  Options.withPseudoName("file.html|file.xml"),
  Options.withDescription(
    "write a report of the run (repeatable): .html for a self-contained page (graph, timeline, requests, outputs), .xml for JUnit"
  ),
  Options.repeated
)
