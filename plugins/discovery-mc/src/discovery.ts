import { defineDiscovery } from "@phobos/core";

/**
 * Broadcast discovery: a `"ping"` to the `discovery` agent carrying the
 * filter; every daemon that matches answers `"pong"`. Collects senders until
 * the discovery timeout, the limit when one is set, or the request's `end`
 * (a quiet sliding window, or every expected node answered).
 */
export default defineDiscovery({
  name: "mc",
  description: "MCollective Broadcast based discovery",
  create: () => ({
    async discover({ filter, timeout, limit, client, end }) {
      const found: string[] = [];
      const seen = new Set<string>();
      await client.broadcast("discovery", "ping", filter, {
        ...end,
        timeout,
        limit,
        onReply(sender) {
          if (seen.has(sender)) return;
          seen.add(sender);
          found.push(sender);
        },
      });
      return found;
    },
  }),
});
