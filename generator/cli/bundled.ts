/** Whether the CLI runs bundled (dist/cli/, as installed) or from source (tsx). */

/** Replaced by `true` when scripts/bundle-cli.ts bundles the CLI; absent under tsx. */
declare const __ARAZZO_BUNDLE__: boolean | undefined

export const bundled: boolean = typeof __ARAZZO_BUNDLE__ !== "undefined" && __ARAZZO_BUNDLE__
