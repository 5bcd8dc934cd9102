import { defineAgent, type RubyValue, rubyToS } from "@phobos/core";

/**
 * The `discovery` agent answers mc discovery's `"ping"` with `"pong"`. It is
 * not a SimpleRPC agent: its payload is a bare String, so it handles the raw
 * payload instead of declaring actions.
 */
export default defineAgent({
  name: "discovery",
  description: "MCollective Discovery Agent",
  create: () => ({
    actions: {},
    handleRaw(payload: RubyValue): RubyValue {
      // Ruby interpolates whatever came: a Hash as its inspect, not "[object Map]".
      const text = rubyToS(payload);
      return text === "ping" ? "pong" : `Unknown Request: ${text}`;
    },
  }),
});
