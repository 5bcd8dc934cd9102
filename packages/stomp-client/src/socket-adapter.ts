import { connect as netConnect, type Socket } from "node:net";
import type { ConnectionOptions } from "node:tls";
import { type DroppedFrame, StompFrameReader } from "./frame-reader.js";

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

export interface SocketTarget {
  host: string;
  port: number;
  /** TLS options when the pool entry has `ssl = 1`. */
  tls?: ConnectionOptions;
  /**
   * Frame the bytes before stompjs sees them: bodies over `maxBodyBytes` are
   * skipped as they arrive and reported to `dropped`; MESSAGE frames go to
   * `message`, not through stompjs. Without it, bytes go through untouched.
   */
  frames?: {
    maxBodyBytes: number;
    dropped(frame: DroppedFrame): void;
    message(headers: Record<string, string>, body: Uint8Array): void;
  };
}

/** stompjs wants an ArrayBuffer holding exactly the bytes: a view on a shared pool is copied. */
function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return (
    whole ? bytes.buffer : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
  ) as ArrayBuffer;
}

/**
 * The WebSocket-shaped object @stomp/stompjs drives, over a plain TCP (or TLS)
 * socket: STOMP brokers speak raw STOMP on 61613, not STOMP-over-WebSocket.
 * Bytes go through untouched, as ArrayBuffers, so binary bodies (Ruby Marshal
 * is full of NULs) survive; stompjs's parser honours content-length.
 */
export class TcpStompSocket {
  url: string;
  binaryType = "arraybuffer";
  readyState = CONNECTING;
  onopen: ((ev?: unknown) => unknown) | null | undefined = null;
  onclose: ((ev?: unknown) => unknown) | null | undefined = null;
  onerror: ((ev: unknown) => unknown) | null | undefined = null;
  onmessage: ((ev: { data: ArrayBuffer }) => unknown) | null | undefined = null;
  /** The last socket error, for the caller's log line. */
  lastError: Error | undefined;
  readonly #socket: Socket;
  readonly #reader: StompFrameReader | undefined;
  #corked = false;

  constructor(target: SocketTarget) {
    this.url = `${target.tls ? "stomp+ssl" : "stomp"}://${target.host}:${target.port}`;
    // node:tls costs ~7 ms to load (a tenth of a short mco run) and ~1.2 MiB of RSS: only a pool entry with ssl = 1 loads it.
    const socket = target.tls
      ? process.getBuiltinModule("node:tls").connect({ host: target.host, port: target.port, ...target.tls })
      : netConnect({ host: target.host, port: target.port });
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.once(target.tls ? "secureConnect" : "connect", () => {
      this.readyState = OPEN;
      this.onopen?.();
    });
    const frames = target.frames;
    this.#reader = frames
      ? new StompFrameReader({
          maxBodyBytes: frames.maxBodyBytes,
          forward: (bytes) => this.onmessage?.({ data: arrayBufferOf(bytes) }),
          // stompjs stops listening (onmessage becomes a no-op) only right before it
          // closes the socket: past that, a MESSAGE must not be delivered either.
          message: (headers, body) => {
            if (this.readyState === OPEN && this.onmessage) frames.message(headers, body);
          },
          dropped: (frame) => frames.dropped(frame),
        })
      : undefined;
    socket.on("data", (chunk: Buffer) => {
      if (!this.#reader) {
        this.onmessage?.({ data: arrayBufferOf(chunk) });
        return;
      }
      try {
        this.#reader.push(chunk);
      } catch (err) {
        // Framing lost: nothing after this point can be trusted to start a frame.
        this.lastError = err as Error;
        socket.destroy();
      }
    });
    socket.on("error", (err) => {
      this.lastError = err;
      this.onerror?.(err);
    });
    socket.on("close", () => {
      this.readyState = CLOSED;
      this.onclose?.({ code: 1006, reason: this.lastError?.message ?? "connection closed", wasClean: false });
    });
  }

  send(data: string | ArrayBufferLike | ArrayBufferView): void {
    if (this.readyState !== OPEN) return;
    this.#batch();
    if (typeof data === "string") this.#socket.write(data, "utf8");
    else if (data instanceof Uint8Array) this.#socket.write(data);
    else if (ArrayBuffer.isView(data))
      this.#socket.write(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    else this.#socket.write(new Uint8Array(data as ArrayBuffer));
  }

  /**
   * Frames sent in one tick (a subscription burst, an outbox flush, a request
   * to many nodes) leave in one write: each write costs a system call and, on
   * the broker's side, a read.
   */
  #batch(): void {
    if (this.#corked) return;
    this.#corked = true;
    this.#socket.cork();
    process.nextTick(() => {
      this.#corked = false;
      this.#socket.uncork();
    });
  }

  close(): void {
    if (this.readyState === CLOSED || this.readyState === CLOSING) return;
    this.readyState = CLOSING;
    this.#socket.end();
    // A peer that never answers our FIN must not keep us waiting forever.
    setTimeout(() => this.#socket.destroy(), 1000).unref();
  }

  /**
   * Writes `data` as the last bytes and closes this side (FIN); resolves
   * once every byte written so far is handed to the kernel, without waiting
   * for the peer to close its side.
   */
  closeWith(data: string): Promise<void> {
    if (this.readyState !== OPEN) return Promise.resolve();
    this.readyState = CLOSING;
    const flushed = new Promise<void>((resolve) => {
      this.#socket.end(data, "utf8", () => resolve());
      this.#socket.once("close", () => resolve());
    });
    // A peer that never answers our FIN must not keep the socket open forever.
    setTimeout(() => this.#socket.destroy(), 1000).unref();
    return flushed;
  }

  terminate(): void {
    this.readyState = CLOSING;
    this.#socket.destroy();
  }
}
