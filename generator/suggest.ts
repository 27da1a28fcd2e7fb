/** "Did you mean …?": the closest of some candidates to a word that matched none of them. */

/** Levenshtein distance: insertions, deletions and substitutions to turn `a` into `b`. */
export const editDistance = (a: string, b: string): number => {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution))
    }
    previous = current
  }
  return previous[b.length]!
}

/**
 * The candidate closest to `word`, ignoring case, when it is at most `allowed` edits away (the
 * first of equally close ones); `skip` passes over candidates that are not typos of it.
 */
export const closest = (
  word: string,
  candidates: ReadonlyArray<string>,
  allowed: number,
  skip: (candidate: string) => boolean = () => false
): string | undefined => {
  const lower = word.toLowerCase()
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of candidates) {
    if (skip(candidate)) continue
    const d = editDistance(lower, candidate.toLowerCase())
    if (d < bestDistance) [best, bestDistance] = [candidate, d]
  }
  return bestDistance <= allowed ? best : undefined
}
