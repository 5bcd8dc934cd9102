/**
 * The port of did_you_mean against the real thing: every figure below is
 * asked of Ruby 3.1's DidYouMean in one `ruby` run, for MCollective's
 * option names against typos of them, and for pseudo-random strings over a
 * small alphabet (where matches, transpositions and ties are frequent).
 */
import { spawnSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { jaroWinklerDistance, levenshteinDistance, optionSuggestions, spellCheck } from "./spell-checker.js";

/** The long names of `mco rpc`'s parser, in Ruby's definition order (its "Did you mean?" dictionary). */
const RPC_NAMES = [
  "no-results", "nr", "agent", "action", "arg", "argument", "np", "no-progress", "one", "batch",
  "batch-sleep", "limit-seed", "limit-nodes", "ln", "limit", "json", "display", "config", "verbose",
  "help", "target", "dt", "discovery-timeout", "timeout", "quiet", "ttl", "reply-to", "dm",
  "disc-method", "do", "disc-option", "nodes", "publish-timeout", "threaded", "sort",
  "connection-timeout", "with", "select", "wf", "with-fact", "wc", "with-class", "wa", "with-agent",
  "wi", "with-identity",
]; // biome-ignore format: one list, as Ruby builds it

const TYPOS = [
  "with-identoty", "with-idnetity", "wiht-identity", "with-fct", "with-clas", "with-agnet", "agnt",
  "agen", "actoin", "argumnet", "no-progrss", "no-reslts", "nodes-", "noeds", "bach", "batch-slep",
  "limt", "limit-node", "lmit-seed", "jsn", "dispaly", "confg", "config-file", "verbos", "verbse",
  "helo", "hlep", "targt", "discovery-timout", "timout", "timeuot", "quite", "tl", "reply", "reply-too",
  "disc-methd", "disc-opton", "publish-timout", "threded", "srt", "connetion-timeout", "connection",
  "wit", "selec", "w", "x", "zzzzz", "WITH-IDENTITY", "With-Fact", "with@identity", "", "dtt",
  "ttl-", "wi-", "identity", "fact", "class", "one-", "n", "d", "ln-", "progress", "results",
]; // biome-ignore format: a table

/** A deterministic stream of strings over `alphabet` (a linear congruential generator). */
function randomWords(count: number, alphabet: string, seed: number): string[] {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state;
  };
  return Array.from({ length: count }, () =>
    Array.from({ length: next() % 9 }, () => alphabet[next() % alphabet.length]).join(""),
  );
}

const PAIRS: [string, string][] = [
  ...TYPOS.flatMap((typo) => RPC_NAMES.map((name): [string, string] => [name, typo])),
  ...randomWords(600, "abcd-", 7).map((w, i, all): [string, string] => [w, all[(i * 7 + 3) % all.length] as string]),
  ["é", "e"], ["naïve", "naive"], ["😀ab", "ab"], ["ab😀", "ba😀"], ["a", "a"], ["a", "b"], ["", "a"],
]; // biome-ignore format: a table

const DICTIONARIES: [string, string[]][] = [
  ...TYPOS.map((typo): [string, string[]] => [typo, RPC_NAMES]),
  ...randomWords(200, "abc", 11).map((w, i): [string, string[]] => [w, randomWords(12, "abc", 100 + i)]),
];

interface RubyAnswers {
  jw: number[];
  lev: number[];
  correct: string[][];
  suggestions: string[][];
}

let ruby: RubyAnswers;

beforeAll(() => {
  const program = `
    require "json"; require "did_you_mean"
    input = JSON.parse($stdin.read)
    out = {
      jw: input["pairs"].map { |a, b| DidYouMean::JaroWinkler.distance(a, b) },
      lev: input["pairs"].map { |a, b| DidYouMean::Levenshtein.distance(a, b) },
      correct: input["dictionaries"].map { |w, d| DidYouMean::SpellChecker.new(dictionary: d).correct(w) },
      suggestions: input["dictionaries"].map { |w, d| d.uniq & DidYouMean::SpellChecker.new(dictionary: d).correct(w) },
    }
    puts JSON.generate(out)`;
  const r = spawnSync("ruby", ["-e", program], {
    input: JSON.stringify({ pairs: PAIRS, dictionaries: DICTIONARIES }),
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error || r.status !== 0) {
    throw new Error(
      `ruby is needed for this test: run \`sh tooling/scripts/provision.sh\` (${r.error?.message ?? r.stderr})`,
    );
  }
  ruby = JSON.parse(r.stdout) as RubyAnswers;
});

describe("the did_you_mean port", () => {
  it("computes Ruby's Jaro-Winkler figure for every pair", () => {
    const mismatches = PAIRS.flatMap(([a, b], i) => {
      const ours = jaroWinklerDistance(a, b);
      return Math.abs(ours - (ruby.jw[i] as number)) < 1e-12 ? [] : [{ a, b, ours, ruby: ruby.jw[i] }];
    });
    expect(mismatches).toEqual([]);
    expect(PAIRS.length).toBeGreaterThan(3000);
  });

  it("computes Ruby's Levenshtein distance for every pair, in code points", () => {
    expect(PAIRS.map(([a, b]) => levenshteinDistance(a, b))).toEqual(ruby.lev);
  });

  it("corrects every typo as SpellChecker#correct does", () => {
    expect(DICTIONARIES.map(([word, dictionary]) => spellCheck(word, dictionary))).toEqual(ruby.correct);
  });

  it("offers OptionParser's suggestions, in the dictionary's order", () => {
    expect(DICTIONARIES.map(([word, dictionary]) => optionSuggestions(word, dictionary))).toEqual(
      ruby.suggestions,
    );
    expect(optionSuggestions("with-identoty", RPC_NAMES)).toEqual(["with-identity"]);
    expect(optionSuggestions("w", RPC_NAMES)).toEqual(["wf", "wc", "wa", "wi"]);
  });
});
