import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

const source = (file: string) => fileURLToPath(new URL(file, import.meta.url))

export default defineConfig({
  resolve: {
    // Generated modules import the runtime by its package name; inside this repo that is the source.
    // Exact matches: a plain string key would also rewrite `arazzo-effect/runtime/xml` as a prefix.
    alias: [
      { find: /^arazzo-effect\/(runtime|effect3)$/, replacement: source("./runtime/effect3/index.ts") },
      { find: /^arazzo-effect\/(runtime\/)?xml$/, replacement: source("./runtime/core/xml.ts") },
      { find: /^arazzo-effect\/(effect3\/)?testing$/, replacement: source("./runtime/effect3/testing.ts") },
      // Line-neutral names for suites that run on both lines (test/effect4/vitest.config.ts has the Effect 4 side).
      { find: /^#runtime$/, replacement: source("./runtime/effect3/index.ts") },
      { find: /^#runtime\/testing$/, replacement: source("./runtime/effect3/testing.ts") },
      { find: /^#line$/, replacement: source("./test/support/line-effect3.ts") },
      { find: /^#generated\/(.*)\.js$/, replacement: source("./generated/$1.ts") }
    ]
  },
  test: {
    include: ["test/**/*.test.ts"],
    // The Effect 4 line runs in its own project, on its own vitest (npm test runs both).
    exclude: ["**/node_modules/**", "test/effect4/**"],
    testTimeout: 30_000
  }
})
