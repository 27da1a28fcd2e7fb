/** The img2img inputs every durable test run uses: the same bytes each time, so runs compare. */
import { randomImage } from "../support/image.js"

export const TOKEN = "durable-token"

export const img2imgInputs = (apiKey: string) => ({
  apiKey,
  file: randomImage(48 * 1024),
  engine: "flux2",
  prompt: "a lighthouse at dusk, oil painting",
  moderate: true
})
