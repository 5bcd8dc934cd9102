import { UsageError } from "@phobos/core";
import { RubyRandom } from "./mersenne.js";

/**
 * `--limit N`, `--limit N%`, `-1`: which discovered nodes get the request
 * (RPC::Client#pick_nodes_from_discovered). `first` takes them in discovery
 * order; `random` draws without replacement, reproducibly with a seed (the
 * list is sorted first, as MCollective did).
 */
export function pickNodes(
  discovered: string[],
  limit: number | string,
  method: "first" | "random",
  seed?: number,
): string[] {
  const text = String(limit);
  if (!/^\d+%?$/.test(text))
    throw new UsageError(`Invalid limit specified: ${text} valid limits are /^\\d+%*$/`);
  let count: number;
  if (text.endsWith("%")) {
    const pct = Math.trunc(discovered.length * (Number(text.slice(0, -1)) / 100));
    count = pct === 0 ? 1 : pct;
  } else {
    count = Number(text);
  }
  if (discovered.length <= count) return [...discovered];
  if (method === "first") return discovered.slice(0, count);
  const haystack = [...discovered];
  let draw: (n: number) => number = (n) => Math.floor(Math.random() * n);
  if (seed !== undefined) {
    haystack.sort();
    const rng = new RubyRandom(seed);
    draw = (n) => rng.int(n);
  }
  const picked: string[] = [];
  for (let i = 0; i < count; i++) picked.push(...haystack.splice(draw(haystack.length), 1));
  return picked;
}
