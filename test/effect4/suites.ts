/**
 * Test files outside this directory that also run on the Effect 4 line, as globs relative to the
 * repository. A suite qualifies when it imports what differs between the lines through `#line`
 * (test/support/line-effect3.ts ↔ ./line-effect4.ts), generated modules through `#generated/…`
 * and the runtime through a line-neutral name (see README.md). Add its directory to `include` in
 * ./tsconfig.json too.
 */
export const sharedSuites: ReadonlyArray<string> = [
  "test/lines/**/*.test.ts",
  // img2img end to end: upload, poll (real clock and TestClock), secrets redacted, spans, timeouts, retries
  "test/e2e/img2img.test.ts",
  "test/e2e/control-flow.test.ts",
  "test/e2e/failure-actions.test.ts",
  // Arazzo 1.1 constructs (step timeout, querystring, action parameters, …) generated for the line
  "test/e2e/arazzo-1.1.test.ts",
  // Arazzo 1.1 Selector Objects and JSONPath replacement targets (specs/behaviour/catalog-selectors)
  "test/e2e/arazzo-1.1-selectors.test.ts",
  // documents of other Arazzo tools (Redocly, Jentic), generated for the line and run against local servers
  "test/peers/*.test.ts",
  // MockApi and polls under the TestClock
  "test/runtime/testing.test.ts",
  // Policies: global, per workflow, per step
  "test/runtime/policy.test.ts",
  // Credentials from the OpenAPI's security schemes, against a server that enforces each
  "test/credentials/schemes.test.ts"
]
