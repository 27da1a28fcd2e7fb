/** Document text placed into generated code, escaped so that it can never become code. */

/** A string literal; JSON's escaping is valid TypeScript. */
export const stringLiteral = (text: string): string => JSON.stringify(text)

/** Text for a template literal's literal part. */
export const templateText = (text: string): string =>
  text.replace(/\\/g, "\\\\").replace(/`/g, "\\`").replace(/\$\{/g, "\\${")

/** Text for a JSDoc block: a `*\/` inside would close the comment. */
export const docText = (text: string): string => text.trim().replace(/\*\//g, "*\\/").replace(/\r\n?/g, "\n")

/** Text for a `//` comment: one line. */
export const lineComment = (text: string): string =>
  text.replace(/[\r\n\u2028\u2029]+/g, " ").replace(/\s+/g, " ").trim()

/** Splits text into lines of at most `width` characters at spaces (a longer word keeps its own line). */
export const wrapWords = (text: string, width: number): Array<string> => {
  const lines: Array<string> = []
  let line = ""
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else {
      line = line === "" ? word : `${line} ${word}`
    }
  }
  if (line !== "") lines.push(line)
  return lines
}

/** Paragraphs of a doc comment, each wrapped to `width`. */
export const wrapDoc = (text: string, width = 96): string =>
  docText(text).split(/\n\s*\n/).map((p) => wrapWords(p, width).join("\n")).join("\n\n")
