/**
 * `connect()` with a deadline, shared by every transport: resolves with the
 * connection, or rejects with `giveUp(reason)` when `timeoutMs` passes first
 * and then stops trying (`stop`). Without a deadline (daemons) it waits as
 * long as the connection takes.
 */
export function connectWithin(
  connected: Promise<void>,
  timeoutMs: number | undefined,
  giveUp: (reason: string) => Error,
  stop: () => Promise<void>,
): Promise<void> {
  if (timeoutMs === undefined || timeoutMs <= 0) return connected;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(giveUp(`no connection within ${(timeoutMs / 1000).toFixed(1)}s`));
      void stop();
    }, timeoutMs);
  });
  return Promise.race([connected, timeout]).finally(() => clearTimeout(timer));
}
