/**
 * Test files outside this directory that also run on the Effect 4 line, as globs relative to the
 * repository. A suite qualifies when it imports what differs between the lines through `#line`
 * (test/support/line-effect3.ts ↔ ./line-effect4.ts), generated modules through `#generated/…`
 * and the runtime through a line-neutral name (see README.md). Add its directory to `include` in
 * ./tsconfig.json too.
 */
export const sharedSuites: ReadonlyArray<string> = [
  "test/lines/**/*.test.ts"
]
