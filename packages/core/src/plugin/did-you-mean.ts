/**
 * Optimal-string-alignment distance (Damerau-Levenshtein restricted to
 * adjacent transpositions), the measure typo suggestions want: `rabitmq`,
 * `rabbtimq` and `RabbitMQ` are all one edit or less from `rabbitmq`.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  // Three rolling rows: a transposition looks two rows back.
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, before[j - 2]! + 1);
      }
      current[j] = best;
    }
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length]!;
}

/**
 * The candidates close enough to `word` to be what was meant, best first,
 * compared case-insensitively. "Close enough" grows with the word (a third
 * of its length, at least one edit) so `psk` does not suggest `ssl`.
 */
export function didYouMean(word: string, candidates: Iterable<string>): string[] {
  const wanted = word.toLowerCase();
  const limit = Math.max(1, Math.floor(wanted.length / 3));
  const scored: { candidate: string; distance: number }[] = [];
  for (const candidate of new Set(candidates)) {
    const distance = editDistance(wanted, candidate.toLowerCase());
    if (distance <= limit) scored.push({ candidate, distance });
  }
  return scored
    .sort((x, y) => x.distance - y.distance || x.candidate.localeCompare(y.candidate))
    .map((s) => s.candidate);
}

/**
 * `did you mean 'a' or 'b'?`, or nothing when no candidate is close. Three
 * at most unless `limit` says otherwise (an ambiguous option lists all it matches).
 */
export function formatDidYouMean(suggestions: readonly string[], limit = 3): string {
  if (suggestions.length === 0) return "";
  const quoted = suggestions.slice(0, limit).map((s) => `'${s}'`);
  const last = quoted.pop();
  return `did you mean ${quoted.length > 0 ? `${quoted.join(", ")} or ${last}` : last}?`;
}
