/**
 * The bare specifiers a module generated for Effect 3 may import, which `arazzo-effect run`
 * serves from the CLI's own copies: the emitter's imports (generator/emit/module.ts), the runtime
 * under each of its names, and `effect` for good measure. The build makes each one an entry point
 * of the CLI bundle (dist/cli/modules/<specifier>.js) sharing the CLI's chunks, so a loaded
 * module runs on the very Effect, platform and runtime the CLI runs on (its spans reach the
 * CLI's tracer, its `Servers` tag is the CLI's). Anything else is reported, never looked up in
 * the user's node_modules: that copy could be another Effect.
 */
export const runModuleSpecifiers = [
  "effect",
  "effect/Effect",
  "effect/Schema",
  "@effect/platform/HttpClient",
  "arazzo-effect/runtime",
  "arazzo-effect/effect3",
  "arazzo-effect/runtime/xml",
  "arazzo-effect/xml"
] as const

/** Where the bundle keeps a specifier's entry point, relative to dist/cli/. */
export const runModuleFile = (specifier: string): string => `modules/${specifier}.js`
