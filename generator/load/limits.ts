/**
 * How much of a file the loader accepts, so that a hostile or runaway document is refused with a
 * diagnostic instead of exhausting memory or time. Each limit has a name, used by the option
 * (`limits: { descriptionBytes: … }`), the CLI flag (`--limit descriptionBytes=64MiB`) and the
 * diagnostic that reports it. Defaults are far above real documents: the largest Arazzo document
 * in the project's corpus has ~5,700 YAML nodes and nesting depth 11; the largest OpenAPI
 * description 2.8 MB, ~133,000 nodes, depth 28.
 */

export interface Limits {
  /** Bytes of an Arazzo document. */
  readonly documentBytes: number
  /** YAML/JSON nodes of an Arazzo document, aliases counted as the nodes they stand for. */
  readonly documentNodes: number
  /** Bytes of each OpenAPI file (a description, or a file its `$ref`s name). */
  readonly descriptionBytes: number
  /** YAML/JSON nodes of each OpenAPI file, aliases counted as the nodes they stand for. */
  readonly descriptionNodes: number
  /** Nesting depth of collections, in any file. */
  readonly depth: number
}

export const defaultLimits: Limits = {
  documentBytes: 4 * 1024 * 1024,
  documentNodes: 50_000,
  descriptionBytes: 32 * 1024 * 1024,
  descriptionNodes: 2_000_000,
  depth: 128
}

export type LimitName = keyof Limits

export const limitNames = Object.keys(defaultLimits) as ReadonlyArray<LimitName>

export const isLimitName = (name: string): name is LimitName => (limitNames as ReadonlyArray<string>).includes(name)

/** The limits in force: the defaults with the given ones over them. */
export const limitsFrom = (given: Partial<Limits> | undefined): Limits => ({ ...defaultLimits, ...given })

const UNITS: Readonly<Record<string, number>> = {
  "": 1,
  k: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3
}

/** `65536`, `64KiB`, `32MiB`, `1GiB` (binary units), or `undefined` when it is none of those. */
export const parseLimitValue = (text: string): number | undefined => {
  const match = /^(\d+)\s*([a-z]*)$/i.exec(text.trim())
  const unit = match === null ? undefined : UNITS[match[2]!.toLowerCase()]
  if (match === null || unit === undefined) return undefined
  const value = Number(match[1]) * unit
  return Number.isSafeInteger(value) && value > 0 ? value : undefined
}

const showBytes = (n: number) =>
  n % 1024 ** 2 === 0 ? `${n / 1024 ** 2} MiB` : n % 1024 === 0 ? `${n / 1024} KiB` : `${n} bytes`

/** A limit's value as people read it. */
export const showLimit = (name: LimitName, value: number): string =>
  name.endsWith("Bytes") ? showBytes(value) : value.toLocaleString("en-US")

/** How to raise a limit, for the end of a diagnostic. */
export const howToRaise = (name: LimitName): string =>
  `raise it with --limit ${name}=<n> (library: limits.${name}) if the file is trusted`
