/** ANSI colour codes, kept only for a terminal (./plain-console.ts); without Effect, for the `check` fast path. */

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g

export const stripAnsi = (text: string): string => text.replace(ANSI, "")

export const wantsColour = (stream: { readonly isTTY?: boolean }): boolean =>
  stream.isTTY === true && process.env["NO_COLOR"] === undefined
