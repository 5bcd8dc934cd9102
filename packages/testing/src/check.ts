import { inspect, isDeepStrictEqual } from "node:util";

/**
 * One conformance check: a name that reads as a test title and a run that
 * throws on failure. Suites are lists of these so they can run under any
 * runner; `describeChecks` registers them with vitest.
 */
export interface Check {
  name: string;
  run(): Promise<void>;
  /** Set when the check cannot run with the options given; the reason says what to pass. */
  skip?: string;
}

/** A plugin that does not do what its type promises. */
export class ConformanceError extends Error {
  override name = "ConformanceError";
}

export function fail(message: string, options?: { cause?: unknown }): never {
  throw new ConformanceError(message, options);
}

export function ensure(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) fail(typeof message === "function" ? message() : message);
}

export function ensureEqual(actual: unknown, expected: unknown, what: string): void {
  if (!isDeepStrictEqual(actual, expected)) {
    fail(`${what} differs:\n  expected ${show(expected)}\n  actual   ${show(actual)}`);
  }
}

/** Runs `fn` and returns what it threw (sync or async), or fails when it did not throw. */
export async function thrown(fn: () => unknown, what: string): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  return fail(`${what} did not throw`);
}

export function show(value: unknown): string {
  return inspect(value, { depth: 6, breakLength: Number.POSITIVE_INFINITY, maxArrayLength: 20 });
}

export function errorText(err: unknown): string {
  return err instanceof Error ? `${err.constructor.name}: ${err.message}` : show(err);
}
