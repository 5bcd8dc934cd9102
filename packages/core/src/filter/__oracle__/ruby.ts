/**
 * Runs one of the Ruby oracle scripts beside this file, once, with all its
 * input on stdin (see @phobos/ruby/oracle).
 */
import { fileURLToPath } from "node:url";
import { rubyOnce, runRuby } from "@phobos/ruby/oracle";

const here = (script: string) => fileURLToPath(new URL(script, import.meta.url));

export function runOracle<T>(script: string, input: unknown): T {
  return runRuby<T>(here(script), input);
}

/** `runOracle` run once, on first use, then remembered (failures rethrown to every caller). */
export function oracleOnce<T>(script: string, input: () => unknown): () => T {
  return rubyOnce<T>(here(script), input);
}
