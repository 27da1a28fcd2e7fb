/**
 * Unknown keys by what they can do. A key the document schema does not know in the document's
 * own metadata (its top level or `info`: `contact`, `license`, `tags` copied from an OpenAPI
 * description) cannot change what a workflow does, so it is a warning and the document compiles.
 * Anywhere else, or when it is close to a key that is known (`stepid`, `infos`: the finding
 * says "did you mean"), it stays an error: the key the author meant was not given.
 */
import type { Path } from "../load/yaml.js"

interface Finding {
  readonly path: Path
  readonly code: string
  readonly message: string
}

/**
 * Top-level keys a later Arazzo line defines: in an earlier-line document they are not metadata
 * but a feature asked of the wrong version (`$self` sets the base URI in 1.1), so they stay errors.
 */
const laterLineKeys: Readonly<Record<string, string>> = { $self: "1.1" }

/** Where an unknown key is only metadata: the document itself, and its Info object. */
const isMetadata = (container: Path): boolean =>
  container.length === 0 || (container.length === 1 && container[0] === "info")

/** The severity and code of a structural finding: unknown metadata keys are warnings of their own code. */
export const unknownKeySeverity = (
  finding: Finding
): { readonly severity: "error" | "warning"; readonly code: string; readonly message: string } => {
  const typo = finding.message.includes("(did you mean")
  const key = String(finding.path[finding.path.length - 1])
  const laterLine = finding.path.length === 1 && Object.hasOwn(laterLineKeys, key) ? laterLineKeys[key] : undefined
  if (laterLine !== undefined) {
    return {
      severity: "error",
      code: finding.code,
      message: `${finding.message}: \`${key}\` is Arazzo ${laterLine}; declare \`arazzo: ${laterLine}.0\` to use it`
    }
  }
  if (finding.code !== "structure-additional-property" || typo || !isMetadata(finding.path.slice(0, -1))) {
    return { severity: "error", code: finding.code, message: finding.message }
  }
  return {
    severity: "warning",
    code: "unknown-metadata-key",
    message: `${finding.message}; it cannot change what the workflows do, so it is ignored. Spec form: \`x-${
      key.replace(/^x[-_]/i, "")
    }\`, or leave it out`
  }
}
