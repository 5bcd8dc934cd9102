/**
 * AMQP topic-exchange matching: keys are `.`-separated words, `*` in a
 * binding matches exactly one word and `#` zero or more. The empty key is
 * zero words, so binding `#` matches it and binding `` matches only it.
 */
export function compileTopicPattern(binding: string): (routingKey: string) => boolean {
  if (binding === "#") return () => true;
  if (!binding.includes("*") && !binding.includes("#")) return (key) => key === binding;
  const pattern = splitWords(binding);
  return (key) => matchWords(pattern, splitWords(key));
}

function splitWords(key: string): string[] {
  return key === "" ? [] : key.split(".");
}

/**
 * Dynamic programming over (pattern word, key word) rather than
 * backtracking: bindings come from clients, and `#.a.#.a.#…` against a long
 * key would otherwise take exponential time.
 */
function matchWords(pattern: readonly string[], words: readonly string[]): boolean {
  // reach[w]: the pattern words seen so far can match the first w key words.
  let reach = new Uint8Array(words.length + 1);
  reach[0] = 1;
  for (const part of pattern) {
    const next = new Uint8Array(words.length + 1);
    if (part === "#") {
      let reachable = 0;
      for (let w = 0; w <= words.length; w++) {
        reachable |= reach[w] ?? 0;
        next[w] = reachable;
      }
    } else {
      for (let w = 0; w < words.length; w++) {
        if (reach[w] && (part === "*" || part === words[w])) next[w + 1] = 1;
      }
    }
    reach = next;
  }
  return reach[words.length] === 1;
}
