/** Where an operation step's parameter can go. */
import type { StepParameterLocation } from "../lower/ir.js"

/** `querystring` (Arazzo 1.1) is the whole query string as one value; the 1.0 schema refuses it. */
export const PARAMETER_LOCATIONS: ReadonlySet<string> = new Set<StepParameterLocation>([
  "path",
  "query",
  "querystring",
  "header",
  "cookie"
])

export const isParameterLocation = (location: string | undefined): location is StepParameterLocation =>
  location !== undefined && PARAMETER_LOCATIONS.has(location)
