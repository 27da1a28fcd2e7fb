/** How a request body's media type is encoded: the one reading validation and lowering share. */
export type Encoding = "json" | "form" | "multipart" | "text" | "binary"

export const encodingOf = (contentType: string): Encoding => {
  const type = contentType.split(";")[0]!.trim().toLowerCase()
  if (type === "multipart/form-data") return "multipart"
  if (type === "application/x-www-form-urlencoded") return "form"
  if (type === "application/json" || type.endsWith("+json")) return "json"
  if (/^text\//.test(type) || /[/+]xml$/.test(type) || type === "application/javascript") return "text"
  return "binary"
}

/** Whether a media type is XML (replacement targets are XPath expressions then). */
export const isXml = (contentType: string): boolean => /[/+]xml\b/i.test(contentType)

/** A step's body media type: as the step says, else the operation's first, else JSON. */
export const bodyContentType = (
  requestBody: Record<string, unknown>,
  operation: { readonly requestBody?: { readonly content: Record<string, unknown> } | undefined } | undefined
): string => {
  const declared = Object.keys(operation?.requestBody?.content ?? {})
  const contentType = requestBody["contentType"]
  return typeof contentType === "string" ? contentType : declared[0] ?? "application/json"
}
