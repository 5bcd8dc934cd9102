/**
 * One STOMP frame as the codec sees it. Headers keep their wire order and
 * repeats, because STOMP says the first occurrence of a repeated header wins
 * and RabbitMQ's MESSAGE header order is part of what clients observe.
 */
export type Header = readonly [name: string, value: string];

export interface Frame {
  readonly command: string;
  readonly headers: readonly Header[];
  readonly body: Buffer;
}

/** The first value of `name`: STOMP 1.1+ say repeated headers resolve to the first. */
export function getHeader(frame: Pick<Frame, "headers">, name: string): string | undefined {
  for (const [key, value] of frame.headers) {
    if (key === name) return value;
  }
  return undefined;
}
