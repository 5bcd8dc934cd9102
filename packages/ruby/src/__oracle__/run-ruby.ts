/**
 * Runs a Ruby oracle script once with all its input as JSON on stdin and
 * reads JSON from its stdout. Fails loudly (never skips) when Ruby is missing.
 */
import { spawnSync } from "node:child_process";

const PROVISION = "run `sh tooling/scripts/provision.sh` (Ruby and Debian's MCollective 2.12.5 are needed)";

/**
 * @param script path of a Ruby file
 * @param env extra environment (e.g. TZ) for the Ruby process
 */
export function runRuby<T>(script: string, input: unknown, env: Record<string, string> = {}): T {
  const result = spawnSync("ruby", [script], {
    input: JSON.stringify(input),
    encoding: "utf8",
    env: { ...process.env, ...env },
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
 * `runRuby` run once, on first use, then remembered; a failure is rethrown
 * to every caller, so each test that needs Ruby fails (none is skipped).
 */
export function rubyOnce<T>(script: string, input: () => unknown, env?: Record<string, string>): () => T {
  let outcome: { value: T } | { error: unknown } | undefined;
  return () => {
    if (!outcome) {
      try {
        outcome = { value: runRuby<T>(script, input(), env) };
      } catch (error) {
        outcome = { error };
      }
    }
    if ("error" in outcome) throw outcome.error;
    return outcome.value;
  };
}
