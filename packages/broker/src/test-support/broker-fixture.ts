import { afterEach } from "vitest";
import { type RunningBroker, startBroker } from "../broker.js";
import type { BrokerOptions } from "../options.js";
import { RawClient, type RawClientOptions } from "./raw-client.js";

/**
 * Brokers and clients a test opens, closed after each test whatever the
 * outcome, so no socket or timer outlives its test.
 */
export function useBrokers() {
  const brokers: RunningBroker[] = [];
  const clients: RawClient[] = [];
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    for (const cleanup of cleanups.splice(0)) await cleanup();
    await Promise.all(brokers.splice(0).map((broker) => broker.close()));
  });
  return {
    async broker(options: BrokerOptions = {}): Promise<RunningBroker> {
      const broker = await startBroker({ port: 0, ...options });
      brokers.push(broker);
      return broker;
    },
    async client(port: number, options?: RawClientOptions): Promise<RawClient> {
      const client = await RawClient.open(port, options);
      clients.push(client);
      return client;
    },
    /** Runs `cleanup` after the test, before the brokers close. */
    defer(cleanup: () => unknown): void {
      cleanups.push(cleanup);
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls until `check` is true or fails after `timeoutMs`. */
export async function eventually(check: () => boolean, timeoutMs = 5000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}
