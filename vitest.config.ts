import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

export default defineConfig({
  resolve: {
    // Generated modules import the runtime by its package name; inside this repo that is the source.
    alias: { "arazzo-effect/runtime": fileURLToPath(new URL("./runtime/index.ts", import.meta.url)) }
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000
  }
})
