const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;

/**
 * A frame's command and header lines may take this much. Brokers cap their own
 * well below it (RabbitMQ: 100 KiB); past it the frame's end cannot be found
 * without trusting the rest of the stream, so the connection is given up.
 */
export const MAX_HEADER_BYTES = 128 * 1024;

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
  /** Bytes for stompjs's parser: always whole frames (never MESSAGE) or heart-beats. */
  forward(bytes: Uint8Array): void;
  /** A MESSAGE frame, its headers as stompjs would have made them. */
  message(headers: Record<string, string>, body: Uint8Array): void;
  dropped(frame: DroppedFrame): void;
}

interface Head {
  command: string;
  /** The header lines as received, decoded, trailing CR stripped. */
  lines: string[];
  destination: string;
  /** Whole bytes of the command and headers, blank line included. */
  raw: Buffer;
}

type State =
  | { kind: "between" }
  | { kind: "head"; parts: Buffer[]; length: number; lineEmpty: boolean; lines: number }
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
 * on. stompjs still parses CONNECTED, ERROR and RECEIPT frames whole. A MESSAGE
 * is parsed here only, once: stompjs's byte-at-a-time parser over its headers
 * again was a quarter of a simulated fleet's CPU. Its headers are made as
 * stompjs makes them (first occurrence wins, values trimmed, unescaped when
 * STOMP 1.2 was negotiated), so what the transport sees is unchanged.
 */
export class StompFrameReader {
  readonly #opts: StompFrameReaderOptions;
  #state: State = { kind: "between" };
  /** stompjs unescapes header values only when the broker's CONNECTED says 1.2. */
  #unescape = false;

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

  /** Consumes bytes from `at` for the current state; returns where it stopped. */
  #step(chunk: Buffer, at: number, forward: (bytes: Uint8Array) => void): number {
    const state = this.#state;
    const max = this.#opts.maxBodyBytes;
    switch (state.kind) {
      case "between": {
        let end = at;
        while (end < chunk.length && (chunk[end] === LF || chunk[end] === CR || chunk[end] === NUL)) end++;
        if (end > at) forward(Uint8Array.prototype.slice.call(chunk, at, end));
        if (end < chunk.length)
          this.#state = { kind: "head", parts: [], length: 0, lineEmpty: true, lines: 0 };
        return end;
      }
      case "head": {
        // The head ends at the first line holding nothing but CRs, after the command line.
        let lineStart = at;
        for (let i = chunk.indexOf(LF, at); i >= 0; i = chunk.indexOf(LF, i + 1)) {
          const empty = state.lineEmpty && onlyCR(chunk, lineStart, i);
          state.lineEmpty = true;
          lineStart = i + 1;
          if (!empty || state.lines === 0) {
            state.lines++;
            continue;
          }
          state.parts.push(chunk.subarray(at, i + 1));
          const raw = state.parts.length === 1 ? (state.parts[0] as Buffer) : Buffer.concat(state.parts);
          this.#startBody(parseHead(raw));
          return i + 1;
        }
        state.lineEmpty &&= onlyCR(chunk, lineStart, chunk.length);
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
    if (head.command === "MESSAGE") {
      this.#opts.message(messageHeaders(head.lines, this.#unescape), body);
      return;
    }
    if (head.command === "CONNECTED") this.#unescape = header(head, "version") === "1.2";
    forward(Buffer.concat([head.raw, body, Uint8Array.of(NUL)]));
  }
}

function missingNul(head: Head, size: number): StompFramingError {
  return new StompFramingError(`a ${head.command} frame's ${size}-byte body is not followed by NUL`);
}

function onlyCR(chunk: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (chunk[i] !== CR) return false;
  return true;
}

/** The first value of a header (STOMP 1.2: a repeated header's first occurrence counts). */
function header(head: Head, name: string): string | undefined {
  const prefix = `${name}:`;
  const line = head.lines.find((l) => l.startsWith(prefix));
  return line?.slice(prefix.length);
}

function contentLength(head: Head): number | undefined {
  const value = header(head, "content-length")?.trim();
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value))
    throw new StompFramingError(`a ${head.command} frame has content-length ${JSON.stringify(value)}`);
  return Number(value);
}

function parseHead(raw: Buffer): Head {
  // UTF-8 never uses the bytes of LF, CR or ':' inside a character, so decoding the
  // whole head at once splits where stompjs's byte parser would.
  const lines = raw.toString("utf8").split("\n");
  const command = (lines[0] ?? "").replaceAll("\r", "");
  const headerLines: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const end = line.endsWith("\r") ? line.length - 1 : line.length;
    if (end > 0) headerLines.push(end === line.length ? line : line.slice(0, end));
  }
  const head: Head = { command, lines: headerLines, destination: "", raw };
  head.destination = header(head, "destination") ?? "";
  return head;
}

/**
 * A MESSAGE's headers as stompjs's parser and FrameImpl.fromRawFrame make them:
 * the first occurrence of a name wins, CRs inside a value are dropped, name and
 * value are trimmed, and values are unescaped under STOMP 1.2.
 */
export function messageHeaders(lines: readonly string[], unescaping: boolean): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim();
    if (Object.hasOwn(headers, key)) continue;
    let value = line.slice(colon + 1);
    if (value.includes("\r")) value = value.replaceAll("\r", "");
    value = value.trim();
    headers[key] = unescaping && value.includes("\\") ? unescapeValue(value) : value;
  }
  return headers;
}

/** stompjs's FrameImpl.hdrValueUnEscape, replacement for replacement. */
function unescapeValue(value: string): string {
  return value.replace(/\\r/g, "\r").replace(/\\n/g, "\n").replace(/\\c/g, ":").replace(/\\\\/g, "\\");
}
