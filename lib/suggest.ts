/**
 * "Did you mean …?" for misspelt keys, enum values and topic names. A suggestion that is wrong is worse
 * than none, so only close candidates are offered.
 */

export function editDistance(a: string, b: string): number {
  // Two rows of the classic Levenshtein table are enough.
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

// `replication_factor`, `Replication-Factor` and `replicationfactor` all mean replicationFactor.
const fold = (s: string): string => s.toLowerCase().replace(/[-_.\s]/g, '');

/** The known value closest to `input`, or undefined when none is close enough to be a likely typo. */
export function closest(input: string, known: Iterable<string>): string | undefined {
  const folded = fold(input);
  let best: { value: string; distance: number } | undefined;
  for (const candidate of known) {
    if (candidate === input) continue;
    const c = fold(candidate);
    if (c === folded) return candidate;
    // A truncated key (`replication`) is a typo of the long one.
    const distance = folded.length >= 4 && c.startsWith(folded) ? 1 : editDistance(folded, c);
    // One typo per three characters; short names get no fuzzy match ('a' is not a typo of 'x').
    const limit = Math.floor(Math.max(folded.length, c.length) / 3);
    if (distance <= limit && (!best || distance < best.distance)) best = { value: candidate, distance };
  }
  return best?.value;
}
