/**
 * Deterministic image bytes for uploads. Kept apart from ./img2img.ts, which imports the test
 * framework through `#line`: child processes (the durable worker) import this without vitest.
 */
export const randomImage = (size = 64 * 1024): Uint8Array => {
  const bytes = new Uint8Array(size)
  for (let i = 0; i < size; i++) bytes[i] = (i * 7919 + (i >> 8) * 31) & 0xff
  return bytes
}
