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
      { find: /^arazzo-effect\/(effect3\/)?testing$/, replacement: source("./runtime/effect3/testing.ts") }
    ]
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000
  }
})
