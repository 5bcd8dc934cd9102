/**
 * MCollective 2.12's ActiveMQ naming and headers (connector/activemq.rb,
 * make_target and headers_for), as observed on the wire (WIRE.md §3):
 *
 * - broadcast requests: the topic `/topic/<c>.<agent>.agent`
 *   (`/topic/<c>.agents` with `agents_multiplex`);
 * - directed requests: one SEND per node to the queue `/queue/<c>.nodes`
 *   with an `mc_identity` header; each daemon consumes that queue with the
 *   selector `mc_identity = '<identity>'`;
 * - replies: a queue per request, `/queue/<c>.reply.<identity>_<pid>.<seq>`,
 *   which the client subscribes before it sends.
 */
export interface ActiveMqNaming {
  agentsMultiplex: boolean;
  /** The configured identity of this client or daemon. */
  identity: string;
  pid: number;
}

export function broadcastDestination(naming: ActiveMqNaming, collective: string, agent: string): string {
  return naming.agentsMultiplex ? `/topic/${collective}.agents` : `/topic/${collective}.${agent}.agent`;
}

export function directedDestination(collective: string): string {
  return `/queue/${collective}.nodes`;
}

/** The JMS selector a daemon consumes the directed queue with. */
export function directedSelector(identity: string): string {
  return `mc_identity = '${identity}'`;
}

/** The reply queue of the client's `requestSeq`th request. */
export function replyDestination(naming: ActiveMqNaming, collective: string, requestSeq: number): string {
  return `/queue/${collective}.reply.${naming.identity}_${naming.pid}.${requestSeq}`;
}

export interface HeaderOptions {
  /** `plugin.activemq.priority`: sent only when above 0. */
  priority: number;
  /** The message ttl in seconds. */
  ttl: number;
  /** Sender identity (`mc_sender`). */
  sender: string;
  /** Requests only: where replies go. */
  replyTo?: string;
  /** Directed requests only: the node this copy is for. */
  node?: string;
  /** Epoch ms; default now. */
  now?: number;
}

/**
 * The headers Ruby's `headers_for` sends, in its order: `priority` (if set),
 * `timestamp` and `expires` (epoch ms, whole seconds: expires = now + ttl +
 * 10 s), then `reply-to` and `mc_identity` on requests, then `mc_sender`.
 */
export function messageHeaders(options: HeaderOptions): Record<string, string> {
  const seconds = Math.floor((options.now ?? Date.now()) / 1000);
  const headers: Record<string, string> = {};
  if (options.priority > 0) headers.priority = String(options.priority);
  headers.timestamp = String(seconds * 1000);
  headers.expires = String((seconds + options.ttl + 10) * 1000);
  if (options.replyTo !== undefined) headers["reply-to"] = options.replyTo;
  if (options.node !== undefined) headers.mc_identity = options.node;
  headers.mc_sender = options.sender;
  return headers;
}

/** Ruby's `Base64.encode64` (RFC 2045): lines of 60 characters, each ending in a newline. */
export function encode64(bytes: Uint8Array): Buffer {
  const text = Buffer.from(bytes).toString("base64");
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += 60) lines.push(`${text.slice(i, i + 60)}\n`);
  return Buffer.from(lines.join(""), "latin1");
}

/** Ruby's `Base64.decode64`: newlines and other stray characters are skipped. */
export function decode64(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(Buffer.from(Buffer.from(bytes).toString("latin1"), "base64"));
}
