/**
 * A failure the broker reports to the client as an ERROR frame before it
 * closes the connection (STOMP 1.2: the server MUST close after ERROR).
 * `summary` becomes the `message` header (RabbitMQ's short names, e.g.
 * `not_found`, `Bad CONNECT`), `detail` the text body that says what was
 * wrong and, where it helps, what to do.
 */
export class StompError extends Error {
  constructor(
    readonly summary: string,
    readonly detail: string,
  ) {
    super(`${summary}: ${detail.trimEnd()}`);
    this.name = "StompError";
  }
}

export type ProtocolErrorCode =
  | "bad-command"
  | "bad-header"
  | "bad-escape"
  | "bad-content-length"
  | "missing-nul"
  | "frame-too-large"
  | "headers-too-large"
  | "too-many-headers"
  | "bad-eol";

/** The byte stream could not be read as STOMP frames: the parser cannot resynchronise. */
export class StompProtocolError extends StompError {
  constructor(
    readonly code: ProtocolErrorCode,
    detail: string,
  ) {
    super("Malformed frame", detail);
    this.name = "StompProtocolError";
  }
}

/** A broker configuration file line that cannot be used, named by `file:line` (line 0: the whole file). */
export class BrokerConfigError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    detail: string,
  ) {
    super(`${line > 0 ? `${file}:${line}` : file}: ${detail}`);
    this.name = "BrokerConfigError";
  }
}
