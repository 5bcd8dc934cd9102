/**
 * Ruby 3.1's did_you_mean as OptionParser uses it for "Did you mean?"
 * after an invalid or ambiguous option: `DidYouMean::SpellChecker#correct`
 * with its Jaro-Winkler and Levenshtein, ported line by line
 * (did_you_mean/spell_checker.rb, jaro_winkler.rb, levenshtein.rb) so the
 * same typo gets the same suggestions from both mcos.
 *
 * Hand-written because no npm package computes Ruby's numbers: `jaro-winkler`
 * halves the transpositions without rounding down (Ruby floors them),
 * `@skyra/jaro-winkler` widens the match window and boosts the prefix below
 * 0.7, and the Levenshtein packages count UTF-16 units where Ruby counts
 * code points. spell-checker.test.ts checks every figure against real Ruby.
 */

/** Ruby strings are sequences of code points; JS strings of UTF-16 units. */
const codepoints = (s: string): number[] => Array.from(s, (c) => c.codePointAt(0) as number);

/** `DidYouMean::Jaro.distance` (a similarity: 1 is identical). */
export function jaroDistance(a: string, b: string): number {
  let s1 = codepoints(a);
  let s2 = codepoints(b);
  if (s1.length > s2.length) [s1, s2] = [s2, s1];
  const length1 = s1.length;
  const length2 = s2.length;
  let m = 0;
  let t = 0;
  const range = Math.max(0, Math.floor(length2 / 2) - 1);
  const flags1 = new Array<boolean>(length1).fill(false);
  const flags2 = new Array<boolean>(length2 + range + 1).fill(false);
  for (let i = 0; i < length1; i++) {
    const last = i + range;
    for (let j = i >= range ? i - range : 0; j <= last; j++) {
      if (!flags2[j] && s1[i] === s2[j]) {
        flags2[j] = true;
        flags1[i] = true;
        m += 1;
        break;
      }
    }
  }
  let k = 0;
  for (let i = 0; i < length1; i++) {
    if (!flags1[i]) continue;
    let index = k;
    for (let j = k; j < length2; j++) {
      index = j;
      if (flags2[j]) {
        k = j + 1;
        break;
      }
    }
    if (s1[i] !== s2[index]) t += 1;
  }
  t = Math.floor(t / 2);
  return m === 0 ? 0 : (m / length1 + m / length2 + (m - t) / m) / 3;
}

/** `DidYouMean::JaroWinkler.distance`: Jaro plus 0.1 per common leading code point (at most 4) above 0.7. */
export function jaroWinklerDistance(a: string, b: string): number {
  const jaro = jaroDistance(a, b);
  if (jaro <= 0.7) return jaro;
  const s1 = codepoints(a);
  const s2 = codepoints(b);
  let prefix = 0;
  while (prefix < s1.length && prefix < 4 && s1[prefix] === s2[prefix]) prefix += 1;
  return jaro + prefix * 0.1 * (1 - jaro);
}

/** `DidYouMean::Levenshtein.distance`, over code points. */
export function levenshteinDistance(a: string, b: string): number {
  const s1 = codepoints(a);
  const s2 = codepoints(b);
  if (s1.length === 0) return s2.length;
  if (s2.length === 0) return s1.length;
  let previous = Array.from({ length: s2.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s1.length; i++) {
    const current = [i];
    for (let j = 1; j <= s2.length; j++) {
      const cost = s1[i - 1] === s2[j - 1] ? 0 : 1;
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
    }
    previous = current;
  }
  return previous[s2.length] as number;
}

const normalize = (s: string): string => s.toLowerCase().replaceAll("@", "");

/**
 * `DidYouMean::SpellChecker.new(dictionary:).correct(input)`: the words
 * close enough by Jaro-Winkler, best first, kept if a quarter of the
 * input's length in edits reaches them; failing that, the best one fewer
 * edits away than the shorter word is long.
 */
export function spellCheck(input: string, dictionary: readonly string[]): string[] {
  const normalizedInput = normalize(input);
  const inputLength = codepoints(normalizedInput).length;
  const threshold = inputLength > 3 ? 0.834 : 0.77;
  const words = dictionary
    .filter((word) => jaroWinklerDistance(normalize(word), normalizedInput) >= threshold)
    .filter((word) => word !== input)
    .map((word, order) => ({ word, order, score: jaroWinklerDistance(word, normalizedInput) }))
    // Ruby's sort_by then reverse!: best first, and among equal scores the later word first.
    .sort((x, y) => y.score - x.score || y.order - x.order)
    .map((w) => w.word);
  const mistypes = Math.ceil(inputLength * 0.25);
  const corrections = words.filter((c) => levenshteinDistance(normalize(c), normalizedInput) <= mistypes);
  if (corrections.length > 0) return corrections;
  return words
    .filter((word) => {
      const normalized = normalize(word);
      const length = Math.min(inputLength, codepoints(normalized).length);
      return levenshteinDistance(normalized, normalizedInput) < length;
    })
    .slice(0, 1);
}

/**
 * What `OptionParser#additional_message` shows: the corrections in the
 * dictionary's own order (`all_candidates & corrections`), each once.
 */
export function optionSuggestions(typed: string, dictionary: readonly string[]): string[] {
  const corrections = new Set(spellCheck(typed, dictionary));
  return [...new Set(dictionary)].filter((name) => corrections.has(name));
}
