/**
 * Polls `probe` until it returns something other than undefined, and
 * returns that. A probe that throws is retried (a daemon not listening yet,
 * a file not written yet); the last error is part of the failure, which names
 * `what`. The timeout bounds a hang on a shared machine — it is not a speed
 * check, so keep it generous.
 */
export async function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 10_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const cause =
        last instanceof Error
          ? ` (last error: ${last.message})`
          : last
            ? ` (last error: ${String(last)})`
            : "";
      throw new Error(`${what}: not within ${timeoutMs} ms${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
