import type { InboundMessage, OutboundReply, OutboundRequest, Subscription } from "@phobos/core";

/**
 * An in-memory stand-in for the broker, shared by the loopback connector the
 * daemon loads and by the test that drives it: the test delivers frames as if
 * they came off the wire and sees what the daemon publishes.
 */
export const bus = {
  subscriptions: [] as Subscription[],
  published: [] as (OutboundRequest | OutboundReply)[],
  deliver: undefined as ((message: InboundMessage) => void) | undefined,
  connected: false,
  disconnects: 0,
  reset() {
    this.subscriptions = [];
    this.published = [];
    this.deliver = undefined;
    this.connected = false;
    this.disconnects = 0;
  },
};
