/** Workflow graphs from the IR: the model, and its renderings as Mermaid, DOT, Markdown and SVG. */
export { toDot, toDotDocument } from "./dot.js"
export { graphsMarkdown } from "./markdown.js"
export { toMermaid, toMermaidDocument } from "./mermaid.js"
export * from "./model.js"
export { type Highlight, toSvg } from "./svg.js"
