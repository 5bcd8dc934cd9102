/** Whole `mco` processes, Phobos's and Ruby's, measured with GNU time. */
import { MCO, phobosCommand, rubyEnv } from "@phobos/interop";
import { type RunResult, runMeasured } from "./run.js";

export type Impl = "phobos" | "ruby";

export const IMPLS: readonly Impl[] = ["phobos", "ruby"];

export function runMco(
  impl: Impl,
  args: readonly string[],
  options: { timeoutMs?: number } = {},
): Promise<RunResult> {
  const env = rubyEnv();
  if (impl === "ruby") return runMeasured(MCO, args, { env, ...options });
  // PHOBOS_UNDER_TEST=shipped measures the shipped executable instead of the workspace bin.
  const mco = phobosCommand("mco", args);
  return runMeasured(mco.command, mco.args, { env, ...options });
}

/** `N replies max: X min: … avg: …` of `mco ping`. */
export function parsePing(stdout: string): { replies: number; maxMs: number } | undefined {
  const m = /(\d+) replies max: ([\d.]+)/.exec(stdout);
  return m ? { replies: Number(m[1]), maxMs: Number(m[2]) } : undefined;
}

/** `Finished processing X / Y hosts in Z ms` of `mco rpc`. */
export function parseFinished(stdout: string): { done: number; of: number; ms: number } | undefined {
  const m = /Finished processing (\d+) \/ (\d+) hosts in ([\d.]+) ms/.exec(stdout);
  return m ? { done: Number(m[1]), of: Number(m[2]), ms: Number(m[3]) } : undefined;
}

/** Throws with the output when a run failed: a figure from a failed run would mislead. */
export function check(result: RunResult, what: string): RunResult {
  if (result.code !== 0) {
    throw new Error(
      `${what} exited with ${result.code}\n--- stdout ---\n${result.stdout.slice(-2000)}\n--- stderr ---\n${result.stderr.slice(-2000)}`,
    );
  }
  return result;
}
