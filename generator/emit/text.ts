/** Document text placed into generated code, escaped so that it can never become code. */

/** A string literal; JSON's escaping is valid TypeScript. */
export const stringLiteral = (text: string): string => JSON.stringify(text)

/** Text for a template literal's literal part. */
export const templateText = (text: string): string => text.replace(/\\/g, "\\\\").replace(/`/g, "\\`").replace(/\$\{/g, "\\${")

/** Text for a JSDoc block: a `*\/` inside would close the comment. */
export const docText = (text: string): string => text.trim().replace(/\*\//g, "*\\/").replace(/\r\n?/g, "\n")

/** Text for a `//` comment: one line. */
export const lineComment = (text: string): string => text.replace(/[\r\n\u2028\u2029]+/g, " ").replace(/\s+/g, " ").trim()
