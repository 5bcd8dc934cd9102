import type { MessagingClient } from "@phobos/client";
import { emptyFilter } from "@phobos/core";

export interface ReadyOptions {
  /** Give up after this long. Default 120 s. */
  timeoutMs?: number;
  /** The first round waits this long for replies; each later one twice as long as the last, up to 30 s. Default 2 s. */
  roundSeconds?: number;
}

/**
 * Broadcasts discovery pings until every identity has answered one: proof
 * that each node is subscribed, which a resolved connect() alone is not
 * (SUBSCRIBE frames are not acknowledged). Returns those still silent.
 */
export async function waitUntilAnswering(
  client: MessagingClient,
  identities: readonly string[],
  options: ReadyOptions = {},
): Promise<string[]> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  const silent = new Set(identities);
  // Every round reaches every node: on a busy machine short rounds at a fixed
  // pace would queue pings faster than thousands of nodes answer them.
  let round = options.roundSeconds ?? 2;
  while (silent.size > 0 && Date.now() < deadline) {
    const timeout = Math.min(round, Math.max(1, Math.ceil((deadline - Date.now()) / 1000)));
    round = Math.min(30, round * 2);
    await client.request({
      agent: "discovery",
      body: "ping",
      filter: emptyFilter(),
      timeout,
      expect: [...silent],
      onReply: (reply) => {
        silent.delete(reply.senderid);
        return undefined;
      },
    });
  }
  return [...silent];
}
