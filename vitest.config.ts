import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

const source = (file: string) => fileURLToPath(new URL(file, import.meta.url))

export default defineConfig({
  resolve: {
    // Generated modules import the runtime by its package name; inside this repo that is the source.
    // Exact matches: a plain string key would also rewrite `arazzo-effect/runtime/xml` as a prefix.
    alias: [
      { find: /^arazzo-effect\/runtime$/, replacement: source("./runtime/index.ts") },
      { find: /^arazzo-effect\/runtime\/xml$/, replacement: source("./runtime/xml.ts") },
      { find: /^arazzo-effect\/testing$/, replacement: source("./runtime/testing.ts") }
    ]
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000
  }
})
