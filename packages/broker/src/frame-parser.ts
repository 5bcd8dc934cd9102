import { StompProtocolError } from "./errors.js";
import type { Frame, Header } from "./frame.js";
import { unescapeHeader } from "./header-escape.js";
import type { StompVersion } from "./version.js";

export interface FrameParserLimits {
  /** Largest frame, header block plus body, in bytes. */
  readonly maxFrameSize: number;
  /** Most header lines in one frame. */
  readonly maxHeaders: number;
  /** Largest header block (command line and header lines) in bytes. */
  readonly maxHeaderBytes: number;
}

const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;
const COMMAND = /^[A-Z]+$/;
const DIGITS = /^[0-9]+$/;
/** Frames CONNECT/CONNECTED keep 1.0 header syntax in every version. */
const UNESCAPED_COMMANDS = new Set(["CONNECT", "STOMP", "CONNECTED"]);
/** Memory held after a large frame is given back once the buffer is empty. */
const KEEP_CAPACITY = 64 * 1024;

interface PendingFrame {
  command: string | undefined;
  headers: Header[];
  contentLength: number | undefined;
  frameStart: number;
  bodyStart: number;
}

/**
 * Incremental STOMP frame reader. Bytes go in with `push` in whatever pieces
 * the socket delivers; `next` returns one complete frame at a time, so the
 * caller can switch `version` (header escaping) after CONNECT before the
 * frames that follow it in the same read are decoded.
 *
 * The buffer grows geometrically, so a frame that trickles in byte by byte
 * costs linear time; limits are checked as bytes arrive, so an oversized
 * frame is refused before it is buffered. After an error the parser stays
 * failed: a STOMP stream cannot be resynchronised.
 */
export class FrameParser {
  /** Escaping rules for the frames still to be decoded. */
  version: StompVersion = "1.0";

  private data: Buffer = Buffer.alloc(0);
  private start = 0;
  private end = 0;
  /** Where the search for the next line end or NUL resumes. */
  private scan = 0;
  private pending: PendingFrame | undefined;
  private failure: StompProtocolError | undefined;

  /** May be swapped between frames, e.g. tighter ones until a connection has logged in. */
  constructor(public limits: FrameParserLimits) {}

  /** Bytes received and not yet returned as frames. */
  get bufferedBytes(): number {
    return this.end - this.start;
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  push(chunk: Uint8Array): void {
    if (this.failure || chunk.length === 0) return;
    const live = this.end - this.start;
    if (this.end + chunk.length > this.data.length) {
      if (live + chunk.length <= this.data.length) {
        // Buffer#copy is memmove: overlapping ranges are fine.
        this.data.copy(this.data, 0, this.start, this.end);
      } else {
        const grown = Buffer.allocUnsafe(Math.max(live + chunk.length, this.data.length * 2, 4096));
        this.data.copy(grown, 0, this.start, this.end);
        this.data = grown;
      }
      this.shift(this.start);
    }
    this.data.set(chunk, this.end);
    this.end += chunk.length;
  }

  /**
   * The next complete frame, a protocol error (returned once, then the
   * parser yields nothing), or `undefined` when more bytes are needed.
   * EOLs between frames (heart-beats) are consumed silently.
   */
  next(): Frame | StompProtocolError | undefined {
    if (this.failure) return undefined;
    try {
      const frame = this.pending ? this.continueFrame(this.pending) : this.startFrame();
      if (this.start === this.end && this.data.length > KEEP_CAPACITY) {
        // A frame may be pending (its headers read, no body byte yet): its
        // offsets move with the buffer, or its body would be read from stale ones.
        this.shift(this.start);
        this.data = Buffer.alloc(0);
      }
      return frame;
    } catch (error) {
      if (!(error instanceof StompProtocolError)) throw error;
      this.failure = error;
      this.pending = undefined;
      this.data = Buffer.alloc(0);
      this.start = this.end = this.scan = 0;
      return error;
    }
  }

  private shift(by: number): void {
    this.start -= by;
    this.end -= by;
    this.scan -= by;
    if (this.pending) {
      this.pending.frameStart -= by;
      this.pending.bodyStart -= by;
    }
  }

  private startFrame(): Frame | undefined {
    const { data } = this;
    while (this.start < this.end) {
      const byte = data[this.start];
      if (byte === LF) {
        this.start++;
      } else if (byte === CR) {
        if (this.start + 1 >= this.end) return undefined;
        if (data[this.start + 1] !== LF) {
          throw new StompProtocolError("bad-eol", "a CR between frames must be followed by LF");
        }
        this.start += 2;
      } else {
        this.pending = {
          command: undefined,
          headers: [],
          contentLength: undefined,
          frameStart: this.start,
          bodyStart: -1,
        };
        this.scan = this.start;
        return this.continueFrame(this.pending);
      }
    }
    return undefined;
  }

  private continueFrame(frame: PendingFrame): Frame | undefined {
    if (frame.bodyStart < 0 && !this.readHeaders(frame)) return undefined;
    return this.readBody(frame);
  }

  /** Consumes complete header lines; true once the blank line ending the block was read. */
  private readHeaders(frame: PendingFrame): boolean {
    const { data, limits } = this;
    const view = data.subarray(0, this.end);
    for (;;) {
      const lf = view.indexOf(LF, this.scan);
      if (lf < 0) {
        this.scan = this.end;
        if (this.end - frame.frameStart > limits.maxHeaderBytes) {
          throw new StompProtocolError(
            "headers-too-large",
            `the command and headers exceed ${limits.maxHeaderBytes} bytes`,
          );
        }
        return false;
      }
      if (lf + 1 - frame.frameStart > limits.maxHeaderBytes) {
        throw new StompProtocolError(
          "headers-too-large",
          `the command and headers exceed ${limits.maxHeaderBytes} bytes`,
        );
      }
      const lineEnd = lf > this.start && data[lf - 1] === CR ? lf - 1 : lf;
      const line = data.toString("utf8", this.start, lineEnd);
      this.start = this.scan = lf + 1;
      if (frame.command === undefined) {
        if (!COMMAND.test(line)) {
          throw new StompProtocolError("bad-command", `'${printable(line)}' is not a STOMP command`);
        }
        frame.command = line;
        continue;
      }
      if (line === "") {
        frame.bodyStart = this.start;
        this.scan = this.start;
        return true;
      }
      this.addHeader(frame, line);
    }
  }

  private addHeader(frame: PendingFrame, line: string): void {
    if (frame.headers.length >= this.limits.maxHeaders) {
      throw new StompProtocolError(
        "too-many-headers",
        `a frame may carry at most ${this.limits.maxHeaders} headers`,
      );
    }
    const colon = line.indexOf(":");
    if (colon <= 0) {
      throw new StompProtocolError(
        "bad-header",
        `header line '${printable(line)}' is not of the form name:value`,
      );
    }
    const version = UNESCAPED_COMMANDS.has(frame.command ?? "") ? "1.0" : this.version;
    const name = unescapeHeader(line.slice(0, colon), version);
    const value = unescapeHeader(line.slice(colon + 1), version);
    if (name === undefined || value === undefined) {
      throw new StompProtocolError(
        "bad-escape",
        `header line '${printable(line)}' holds an escape sequence STOMP ${version} does not define (only \\\\ \\n \\c${version === "1.2" ? " \\r" : ""})`,
      );
    }
    if (name === "content-length" && frame.contentLength === undefined) {
      if (!DIGITS.test(value)) {
        throw new StompProtocolError(
          "bad-content-length",
          `content-length '${printable(value)}' is not a byte count`,
        );
      }
      frame.contentLength = Number(value);
      if (frame.contentLength > this.limits.maxFrameSize) {
        throw new StompProtocolError(
          "frame-too-large",
          `content-length ${value} exceeds the broker's maximum frame size of ${this.limits.maxFrameSize} bytes`,
        );
      }
    }
    frame.headers.push([name, value]);
  }

  private readBody(frame: PendingFrame): Frame | undefined {
    const { data } = this;
    let bodyEnd: number;
    if (frame.contentLength !== undefined) {
      bodyEnd = frame.bodyStart + frame.contentLength;
      this.checkSize(frame, frame.contentLength);
      if (this.end <= bodyEnd) return undefined;
      if (data[bodyEnd] !== NUL) {
        throw new StompProtocolError(
          "missing-nul",
          `the body is not followed by a NUL byte after content-length ${frame.contentLength} bytes`,
        );
      }
    } else {
      bodyEnd = data.subarray(0, this.end).indexOf(NUL, this.scan);
      if (bodyEnd < 0) {
        this.scan = this.end;
        this.checkSize(frame, this.end - frame.bodyStart);
        return undefined;
      }
      this.checkSize(frame, bodyEnd - frame.bodyStart);
    }
    const body = Buffer.from(data.subarray(frame.bodyStart, bodyEnd));
    this.start = this.scan = bodyEnd + 1;
    this.pending = undefined;
    return { command: frame.command ?? "", headers: frame.headers, body };
  }

  private checkSize(frame: PendingFrame, bodyBytes: number): void {
    const size = frame.bodyStart - frame.frameStart + bodyBytes;
    if (size > this.limits.maxFrameSize) {
      throw new StompProtocolError(
        "frame-too-large",
        `the frame exceeds the broker's maximum frame size of ${this.limits.maxFrameSize} bytes`,
      );
    }
  }
}

/** Error texts quote client input; keep them one short printable line. */
function printable(text: string): string {
  const cut = text.length > 60 ? `${text.slice(0, 60)}…` : text;
  return cut.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
