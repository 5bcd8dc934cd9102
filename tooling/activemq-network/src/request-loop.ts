/**
 * A steady stream of `rpcutil ping` requests from one long-lived client
 * (MCollective's Client: one connection, its own pool and reconnects), the
 * load a broker is restarted under. Requests alternate between a broadcast to
 * the agent's topic and directed copies to `<collective>.nodes`, one every
 * `intervalMs`; each collects replies for its full timeout (it does not stop at
 * the last expected node), so a node answering twice is counted twice.
 */
import type { MessagingClient } from "@phobos/client";
import { emptyFilter, rpcReplyFromRuby, rpcRequestToRuby } from "@phobos/core";

export type RoundKind = "broadcast" | "directed";

export interface Round {
  readonly index: number;
  readonly kind: RoundKind;
  /** Epoch ms at which the request was handed to the client. */
  readonly sentAt: number;
  /** Replies per sender, failed ones included. */
  readonly replies: Map<string, number>;
  /** Senders whose reply was not `statuscode 0`, with its message. */
  readonly failed: Map<string, string>;
  /** Why the request could not be sent (no broker within publish_timeout…). */
  error?: string;
}

export interface RequestLoopOptions {
  readonly nodes: readonly string[];
  /** A request every this many ms. */
  readonly intervalMs: number;
  /** Each request's timeout: replies are counted this long. */
  readonly collectSeconds: number;
}

export interface RequestLoop {
  /** Every round sent so far (the live array). */
  readonly rounds: readonly Round[];
  /** Resolves once `count` more rounds have been sent. */
  sent(count: number): Promise<void>;
  /** Sends no more, waits for the rounds under way, returns them all. */
  stop(): Promise<Round[]>;
}

export function startRequestLoop(client: MessagingClient, options: RequestLoopOptions): RequestLoop {
  const rounds: Round[] = [];
  const pending = new Set<Promise<void>>();
  const waiters: { until: number; done: () => void }[] = [];
  const callerId = client.security.callerId();

  const send = () => {
    const index = rounds.length;
    const kind: RoundKind = index % 2 === 0 ? "broadcast" : "directed";
    const round: Round = { index, kind, sentAt: Date.now(), replies: new Map(), failed: new Map() };
    rounds.push(round);
    const request = client
      .request({
        agent: "rpcutil",
        body: rpcRequestToRuby({
          agent: "rpcutil",
          action: "ping",
          caller: callerId,
          data: { process_results: true },
        }),
        filter: { ...emptyFilter(), agent: ["rpcutil"] },
        timeout: options.collectSeconds,
        ...(kind === "directed" ? { nodes: [...options.nodes] } : {}),
        onReply: (reply) => {
          round.replies.set(reply.senderid, (round.replies.get(reply.senderid) ?? 0) + 1);
          try {
            const rpc = rpcReplyFromRuby(reply.body);
            if (rpc.statuscode !== 0) round.failed.set(reply.senderid, rpc.statusmsg);
          } catch (error) {
            round.failed.set(reply.senderid, (error as Error).message);
          }
          return undefined;
        },
      })
      .then(
        () => undefined,
        (error: unknown) => {
          round.error = (error as Error).message;
        },
      );
    pending.add(request);
    void request.finally(() => pending.delete(request));
    for (const w of [...waiters]) {
      if (rounds.length >= w.until) {
        waiters.splice(waiters.indexOf(w), 1);
        w.done();
      }
    }
  };

  send();
  const timer = setInterval(send, options.intervalMs);
  return {
    rounds,
    sent(count) {
      return new Promise((done) => waiters.push({ until: rounds.length + count, done }));
    },
    async stop() {
      clearInterval(timer);
      for (const w of waiters.splice(0)) w.done();
      while (pending.size > 0) await Promise.all([...pending]);
      return rounds;
    },
  };
}
