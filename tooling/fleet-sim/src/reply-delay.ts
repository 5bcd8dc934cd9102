import type { Connector, PluginDefinition } from "@phobos/core";

/** `--reply-delay MIN-MAX` (seconds) and `--delay-seed N`: how long each node holds its replies. */
export interface ReplyDelaySpec {
  minSeconds: number;
  maxSeconds: number;
  seed: number;
}

export class ReplyDelaySpecError extends Error {}

/** `"1.5"` (0 to 1.5 s) or `"0.2-1.5"`. */
export function parseReplyDelay(text: string, seed: number): ReplyDelaySpec {
  const m = /^(?:(\d+(?:\.\d+)?)-)?(\d+(?:\.\d+)?)$/.exec(text.trim());
  if (!m)
    throw new ReplyDelaySpecError(`--reply-delay '${text}': expected MAX or MIN-MAX in seconds, e.g. 0-1.5`);
  const minSeconds = Number(m[1] ?? 0);
  const maxSeconds = Number(m[2]);
  if (minSeconds > maxSeconds) {
    throw new ReplyDelaySpecError(`--reply-delay '${text}': the minimum ${minSeconds} is above the maximum`);
  }
  if (!Number.isInteger(seed)) throw new ReplyDelaySpecError(`--delay-seed must be an integer, not ${seed}`);
  return { minSeconds, maxSeconds, seed };
}

/** FNV-1a over the text, then a round of splitmix32: a well spread 32-bit hash. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The delay of the node called `identity`: uniform in [min, max], a pure
 * function of the seed and the identity, so a test knows every node's delay
 * before the fleet starts, in any process that runs it.
 */
export function replyDelaySeconds(spec: ReplyDelaySpec, identity: string): number {
  const unit = hash32(`${spec.seed}:${identity}`) / 2 ** 32;
  return spec.minSeconds + unit * (spec.maxSeconds - spec.minSeconds);
}

/** A connector that publishes each reply `seconds` late; requests and everything else go through at once. */
export function delayReplies(connector: Connector, seconds: number): Connector {
  if (seconds <= 0) return connector;
  const onStateChange = connector.onStateChange?.bind(connector);
  return {
    connect: (options) => connector.connect(options),
    disconnect: () => connector.disconnect(),
    subscribe: (subscription) => connector.subscribe(subscription),
    unsubscribe: (subscription) => connector.unsubscribe(subscription),
    onMessage: (handler) => connector.onMessage(handler),
    ...(onStateChange ? { onStateChange } : {}),
    describe: () => connector.describe(),
    publish: async (message) => {
      if (message.kind === "reply") await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      return connector.publish(message);
    },
  };
}

/** The connector plugin, each daemon-side instance delaying its replies by its node's delay. */
export function delayingConnector(
  definition: PluginDefinition<"connector">,
  spec: ReplyDelaySpec,
): PluginDefinition<"connector"> {
  return {
    ...definition,
    create: async (ctx) => {
      const connector = await definition.create(ctx);
      return ctx.mode === "server"
        ? delayReplies(connector, replyDelaySeconds(spec, ctx.identity))
        : connector;
    },
  };
}
