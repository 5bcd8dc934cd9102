const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;

/**
 * A frame's command and header lines may take this much. Brokers cap their own
 * well below it (RabbitMQ: 100 KiB); past it the frame's end cannot be found
 * without trusting the rest of the stream, so the connection is given up.
 */
export const MAX_HEADER_BYTES = 128 * 1024;

/** The header that carries a MESSAGE frame's body past stompjs: see {@link StompFrameReader}. */
export const BODY_REF_HEADER = "phobos-body-ref";

/** A frame skipped for its size. */
export interface DroppedFrame {
  command: string;
  /** The frame's `destination` header as the broker sent it, or "" without one. */
  destination: string;
  /** Body bytes. */
  size: number;
}

/** The byte stream broke STOMP's framing: the connection cannot be read on. */
export class StompFramingError extends Error {
  override name = "StompFramingError";
}

export interface StompFrameReaderOptions {
  /** Frames whose body is larger are skipped as they arrive, never held. */
  maxBodyBytes: number;
  /** Bytes for stompjs's parser: always whole frames or heart-beats. */
  forward(bytes: Uint8Array): void;
  dropped(frame: DroppedFrame): void;
}

interface Head {
  command: string;
  /** The header lines as received (CR stripped), for the frame stompjs gets. */
  lines: Buffer[];
  destination: string;
  /** Whole bytes of the command and headers, blank line included. */
  raw: Buffer;
}

type State =
  | { kind: "between" }
  | { kind: "head"; parts: Buffer[]; length: number; lineLength: number; lines: number }
  | { kind: "body"; head: Head; body: Buffer; filled: number }
  | { kind: "body-to-nul"; head: Head; parts: Buffer[]; length: number }
  | { kind: "skip"; head: Head; size: number; remaining: number }
  | { kind: "skip-to-nul"; head: Head; size: number };

/**
 * Splits the bytes a STOMP broker sends into frames before @stomp/stompjs
 * sees them, because stompjs's parser keeps every body byte as a JS number in
 * an array — 10 to 30 bytes of memory per byte received, before anything can
 * look at the frame. Here a body is one Buffer of its own size, copied once;
 * a body larger than `maxBodyBytes` is counted and discarded as it arrives
 * (its content-length, or the missing NUL, says so), and the connection reads
 * on. stompjs still parses every frame's command and headers (CONNECTED,
 * ERROR, RECEIPT whole): a MESSAGE reaches it with an empty body and a
 * {@link BODY_REF_HEADER} header naming the body, which {@link takeBody}
 * hands out while stompjs delivers that frame.
 */
export class StompFrameReader {
  readonly #opts: StompFrameReaderOptions;
  #state: State = { kind: "between" };
  #nextRef = 0;
  readonly #bodies = new Map<string, Uint8Array>();

  constructor(options: StompFrameReaderOptions) {
    this.#opts = options;
  }

  /** Reads one chunk from the socket; throws StompFramingError when the stream cannot be framed. */
  push(chunk: Buffer): void {
    let forwarded = false;
    const forward = (bytes: Uint8Array) => {
      forwarded = true;
      this.#opts.forward(bytes);
    };
    let at = 0;
    while (at < chunk.length) at = this.#step(chunk, at, forward);
    // stompjs takes any bytes as a sign of life from the broker: a body it never
    // sees, arriving for longer than the heart-beat grace, must not look like a
    // dead connection. A lone EOL between frames is a heart-beat to it.
    if (!forwarded) this.#opts.forward(Uint8Array.of(LF));
  }

  /** The body of the MESSAGE frame whose headers stompjs is delivering now. */
  takeBody(headers: Record<string, string>): Uint8Array | undefined {
    const ref = headers[BODY_REF_HEADER];
    if (ref === undefined) return undefined;
    delete headers[BODY_REF_HEADER];
    const body = this.#bodies.get(ref);
    this.#bodies.delete(ref);
    return body;
  }

  /** Consumes bytes from `at` for the current state; returns where it stopped. */
  #step(chunk: Buffer, at: number, forward: (bytes: Uint8Array) => void): number {
    const state = this.#state;
    const max = this.#opts.maxBodyBytes;
    switch (state.kind) {
      case "between": {
        let end = at;
        while (end < chunk.length && (chunk[end] === LF || chunk[end] === CR || chunk[end] === NUL)) end++;
        if (end > at) forward(Uint8Array.prototype.slice.call(chunk, at, end));
        if (end < chunk.length) this.#state = { kind: "head", parts: [], length: 0, lineLength: 0, lines: 0 };
        return end;
      }
      case "head": {
        for (let i = at; i < chunk.length; i++) {
          const byte = chunk[i];
          if (byte === CR) continue;
          if (byte !== LF) {
            state.lineLength++;
            continue;
          }
          if (state.lineLength > 0 || state.lines === 0) {
            state.lines++;
            state.lineLength = 0;
            continue;
          }
          state.parts.push(chunk.subarray(at, i + 1));
          this.#startBody(parseHead(Buffer.concat(state.parts)));
          return i + 1;
        }
        state.parts.push(chunk.subarray(at));
        state.length += chunk.length - at;
        if (state.length > MAX_HEADER_BYTES) {
          throw new StompFramingError(
            `a frame's command and headers ran past ${MAX_HEADER_BYTES} bytes without ending`,
          );
        }
        return chunk.length;
      }
      case "body": {
        const want = state.body.length - state.filled;
        if (want === 0) {
          if (chunk[at] !== NUL) throw missingNul(state.head, state.body.length);
          this.#finish(state.head, state.body, forward);
          return at + 1;
        }
        const n = Math.min(want, chunk.length - at);
        chunk.copy(state.body, state.filled, at, at + n);
        state.filled += n;
        return at + n;
      }
      case "body-to-nul": {
        const nul = chunk.indexOf(NUL, at);
        const end = nul < 0 ? chunk.length : nul;
        state.length += end - at;
        if (state.length > max) {
          this.#state = { kind: "skip-to-nul", head: state.head, size: state.length };
          return end;
        }
        state.parts.push(chunk.subarray(at, end));
        if (nul < 0) return end;
        this.#finish(state.head, Buffer.concat(state.parts, state.length), forward);
        return nul + 1;
      }
      case "skip": {
        const n = Math.min(state.remaining, chunk.length - at);
        state.remaining -= n;
        if (state.remaining > 0) return at + n;
        // The last byte skipped is the frame's NUL.
        if (chunk[at + n - 1] !== NUL) throw missingNul(state.head, state.size);
        this.#drop(state.head, state.size);
        return at + n;
      }
      case "skip-to-nul": {
        const nul = chunk.indexOf(NUL, at);
        state.size += (nul < 0 ? chunk.length : nul) - at;
        if (nul < 0) return chunk.length;
        this.#drop(state.head, state.size);
        return nul + 1;
      }
    }
  }

  #startBody(head: Head): void {
    const length = contentLength(head);
    const max = this.#opts.maxBodyBytes;
    if (length === undefined) {
      this.#state = { kind: "body-to-nul", head, parts: [], length: 0 };
    } else if (length > max) {
      this.#state = { kind: "skip", head, size: length, remaining: length + 1 };
    } else {
      this.#state = { kind: "body", head, body: Buffer.allocUnsafe(length), filled: 0 };
    }
  }

  #drop(head: Head, size: number): void {
    this.#state = { kind: "between" };
    this.#opts.dropped({ command: head.command, destination: head.destination, size });
  }

  #finish(head: Head, body: Buffer, forward: (bytes: Uint8Array) => void): void {
    this.#state = { kind: "between" };
    if (head.command !== "MESSAGE") {
      forward(Buffer.concat([head.raw, body, Uint8Array.of(NUL)]));
      return;
    }
    const ref = String(this.#nextRef++);
    const lines = head.lines.filter((line) => !isHeader(line, "content-length"));
    const frame = Buffer.concat([
      Buffer.from(`${head.command}\n`),
      ...lines.flatMap((line) => [line, Uint8Array.of(LF)]),
      Buffer.from(`content-length:0\n${BODY_REF_HEADER}:${ref}\n\n\0`),
    ]);
    this.#bodies.set(ref, body);
    try {
      forward(frame);
    } finally {
      // stompjs delivers synchronously: a body not taken by now never will be.
      this.#bodies.delete(ref);
    }
  }
}

function missingNul(head: Head, size: number): StompFramingError {
  return new StompFramingError(`a ${head.command} frame's ${size}-byte body is not followed by NUL`);
}

function isHeader(line: Buffer, name: string): boolean {
  return (
    line.length > name.length &&
    line[name.length] === 0x3a &&
    line.toString("latin1", 0, name.length) === name
  );
}

/** The first value of a header (STOMP 1.2: a repeated header's first occurrence counts). */
function header(head: Head, name: string): string | undefined {
  const line = head.lines.find((l) => isHeader(l, name));
  return line?.toString("utf8", name.length + 1);
}

function contentLength(head: Head): number | undefined {
  const value = header(head, "content-length")?.trim();
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value))
    throw new StompFramingError(`a ${head.command} frame has content-length ${JSON.stringify(value)}`);
  return Number(value);
}

function parseHead(raw: Buffer): Head {
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = raw.indexOf(LF); i >= 0; i = raw.indexOf(LF, start)) {
    const end = i > start && raw[i - 1] === CR ? i - 1 : i;
    lines.push(raw.subarray(start, end));
    start = i + 1;
  }
  const command = (lines.shift() ?? Buffer.alloc(0)).toString("utf8");
  const headerLines = lines.filter((l) => l.length > 0);
  const head: Head = { command, lines: headerLines, destination: "", raw };
  head.destination = header(head, "destination") ?? "";
  return head;
}
