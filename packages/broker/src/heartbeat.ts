import { StompError } from "./errors.js";

/** Heart-beat periods agreed with one client, in ms; 0 is "none". */
export interface HeartbeatPlan {
  /** How often the broker sends (CONNECTED `heart-beat` first value). */
  readonly send: number;
  /** How often the broker expects to hear from the client (second value). */
  readonly receive: number;
}

const HEART_BEAT = /^\s*([0-9]+)\s*,\s*([0-9]+)\s*$/;

/**
 * STOMP 1.1 negotiation from the client's `heart-beat: cx,cy` (cx: it can
 * send, cy: it wants to receive). Like RabbitMQ the broker takes the
 * client's wishes, but never faster than `minMs`, so a client cannot make
 * the broker spin writing heart-beats.
 */
export function negotiateHeartbeat(header: string | undefined, minMs: number): HeartbeatPlan {
  if (header === undefined) return { send: 0, receive: 0 };
  const match = HEART_BEAT.exec(header);
  if (!match) {
    throw new StompError(
      "Invalid header",
      `heart-beat '${header}' must be two comma-separated millisecond counts, e.g. heart-beat:10000,10000\n`,
    );
  }
  const clientSends = Number(match[1]);
  const clientWants = Number(match[2]);
  return {
    send: clientWants > 0 ? Math.max(clientWants, minMs) : 0,
    receive: clientSends > 0 ? Math.max(clientSends, minMs) : 0,
  };
}
