/** Where an operation step's parameter can go. */
import type { ParameterLocation } from "../lower/ir.js"

export const PARAMETER_LOCATIONS: ReadonlySet<string> = new Set<ParameterLocation>([
  "path",
  "query",
  "header",
  "cookie"
])

export const isParameterLocation = (location: string | undefined): location is ParameterLocation =>
  location !== undefined && PARAMETER_LOCATIONS.has(location)
