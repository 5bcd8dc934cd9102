/**
 * Runs one of the Ruby oracle scripts beside this file, once, with all its
 * input on stdin. Fails loudly (never skips) when Ruby or Debian's
 * MCollective library is missing.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const PROVISION = "run `sh tooling/scripts/provision.sh` (Ruby and Debian's MCollective 2.12.5 are needed)";

export function runOracle<T>(script: string, input: unknown): T {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const result = spawnSync("ruby", [path], {
    input: JSON.stringify(input),
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    timeout: 300_000,
  });
  if (result.error) throw new Error(`cannot run ruby (${result.error.message}): ${PROVISION}`);
  if (result.status === 3) throw new Error(`the mcollective Ruby library is missing: ${PROVISION}`);
  if (result.status !== 0) {
    throw new Error(
      `${script} failed (exit ${result.status}): ${result.stderr.slice(0, 2000)}\n${PROVISION}`,
    );
  }
  return JSON.parse(result.stdout) as T;
}

/**
 * `runOracle` run once, on first use, then remembered; a failure is rethrown
 * to every caller, so each test that needs Ruby fails (none is skipped).
 */
export function oracleOnce<T>(script: string, input: () => unknown): () => T {
  let outcome: { value: T } | { error: unknown } | undefined;
  return () => {
    if (!outcome) {
      try {
        outcome = { value: runOracle<T>(script, input()) };
      } catch (error) {
        outcome = { error };
      }
    }
    if ("error" in outcome) throw outcome.error;
    return outcome.value;
  };
}
