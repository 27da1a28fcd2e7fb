/** Pieces of help text shared by the commands: examples and the exit-code table. */
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Span from "@effect/cli/HelpDoc/Span"

/** An "EXAMPLES" section: each command line with what it does. */
export const examples = (list: ReadonlyArray<readonly [command: string, what: string]>): HelpDoc.HelpDoc =>
  HelpDoc.blocks([
    HelpDoc.h1("EXAMPLES"),
    HelpDoc.descriptionList(list.map(([command, what]) => [Span.code(`$ ${command}`), HelpDoc.p(what)] as const) as [
      [Span.Span, HelpDoc.HelpDoc],
      ...Array<[Span.Span, HelpDoc.HelpDoc]>
    ])
  ])

/** Exit codes, the same table as in docs/cli.md. */
export const exitCodes: HelpDoc.HelpDoc = HelpDoc.blocks([
  HelpDoc.h1("EXIT CODES"),
  HelpDoc.descriptionList([
    [
      Span.code("0"),
      HelpDoc.p(
        "clean: generated or up to date, no errors (warnings allowed); `run`: the workflow completed, or a success `end` action ended it"
      )
    ],
    [
      Span.code("1"),
      HelpDoc.p(
        "documents have errors, `generate --check` found stale output, or `run`: the workflow failed (a typed WorkflowError) or a failure `end` action ended it"
      )
    ],
    [
      Span.code("2"),
      HelpDoc.p(
        "usage error: unknown command or option, missing argument; `run`: an invalid document, unknown workflow, missing or invalid inputs"
      )
    ],
    [Span.code("70"), HelpDoc.p("internal error in arazzo-effect (please report it)")],
    [Span.code("130"), HelpDoc.p("interrupted by SIGINT (Ctrl-C); `generate --watch` exits 0 on Ctrl-C")],
    [Span.code("143"), HelpDoc.p("stopped by SIGTERM")]
  ]),
  HelpDoc.p("Every command takes -h/--help; --version prints the version.")
])
