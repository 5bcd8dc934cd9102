import net from "node:net";
import tls from "node:tls";
import { StompProtocolError } from "../errors.js";
import type { Frame } from "../frame.js";
import { FrameParser } from "../frame-parser.js";

const RAW_KEEP_BYTES = 1024 * 1024;

export type HeaderInput = ReadonlyArray<readonly [string, string]> | Record<string, string>;

export interface RawClientOptions {
  readonly host?: string;
  /** Source address, e.g. 127.0.0.2 to look like another host on loopback. */
  readonly localAddress?: string;
  readonly tls?: tls.ConnectionOptions;
}

/**
 * A STOMP client that writes exactly the bytes a test gives it and hands
 * back frames as they were on the wire (header values not unescaped), for
 * tests where header order and encoding matter.
 */
export class RawClient {
  private readonly parser = new FrameParser({
    maxFrameSize: 256 * 1024 * 1024,
    maxHeaders: 10_000,
    maxHeaderBytes: 1024 * 1024,
  });
  private readonly frames: Frame[] = [];
  private readonly chunks: Buffer[] = [];
  private keptBytes = 0;
  private waiter: (() => void) | undefined;
  private isClosed = false;
  readonly closed: Promise<void>;

  private constructor(readonly socket: net.Socket) {
    socket.on("data", (chunk: Buffer) => {
      // Tests read the raw bytes of small exchanges; load tests must not hoard megabytes.
      if (this.keptBytes < RAW_KEEP_BYTES) {
        this.chunks.push(chunk);
        this.keptBytes += chunk.length;
      }
      this.parser.push(chunk);
      for (let item = this.parser.next(); item; item = this.parser.next()) {
        if (item instanceof StompProtocolError) throw item;
        this.frames.push(item);
      }
      this.wake();
    });
    socket.on("error", () => {});
    this.closed = new Promise((resolve) =>
      socket.on("close", () => {
        this.isClosed = true;
        this.wake();
        resolve();
      }),
    );
  }

  static open(port: number, options: RawClientOptions = {}): Promise<RawClient> {
    const host = options.host ?? "127.0.0.1";
    return new Promise((resolve, reject) => {
      const local = options.localAddress !== undefined ? { localAddress: options.localAddress } : {};
      const socket = options.tls
        ? tls.connect({ host, port, ...local, ...options.tls }, () => resolve(new RawClient(socket)))
        : net.connect({ host, port, ...local }, () => resolve(new RawClient(socket)));
      socket.once("error", reject);
    });
  }

  get isOpen(): boolean {
    return !this.isClosed;
  }

  /** Everything received so far (the first MiB of it), as bytes. */
  received(): Buffer {
    return Buffer.concat(this.chunks);
  }

  write(data: string | Uint8Array): void {
    this.socket.write(typeof data === "string" ? Buffer.from(data, "utf8") : data);
  }

  /** Writes a frame; `body` gets a content-length header unless `headers` has one or `contentLength` is false. */
  send(command: string, headers: HeaderInput = [], body?: string | Uint8Array, contentLength = true): void {
    this.write(encode(command, headers, body, contentLength));
  }

  async connect(
    headers: HeaderInput = { "accept-version": "1.0", login: "guest", passcode: "guest" },
  ): Promise<Frame> {
    this.send("CONNECT", headers);
    const frame = await this.next();
    if (frame.command !== "CONNECTED") {
      throw new Error(`expected CONNECTED, got ${frame.command}: ${frame.body.toString()}`);
    }
    return frame;
  }

  /** The next frame, or an error naming what did arrive when none comes within `timeoutMs`. */
  async next(timeoutMs = 5000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = this.frames.shift();
      if (frame) return frame;
      if (this.isClosed) throw new Error("connection closed while waiting for a frame");
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no frame within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Resolves if no frame arrives within `ms`; rejects with the frame otherwise. */
  async expectNothing(ms = 300): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    const frame = this.frames.shift();
    if (frame) throw new Error(`expected no frame, got ${frame.command} ${JSON.stringify(frame.headers)}`);
  }

  /** Frames received and not yet taken. */
  drain(): Frame[] {
    return this.frames.splice(0);
  }

  async close(): Promise<void> {
    if (!this.isClosed) this.socket.destroy();
    await this.closed;
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }
}

export function encode(
  command: string,
  headers: HeaderInput,
  body?: string | Uint8Array,
  contentLength = true,
): Buffer {
  const list = Array.isArray(headers)
    ? (headers as ReadonlyArray<readonly [string, string]>)
    : Object.entries(headers as Record<string, string>);
  const bytes = body === undefined ? Buffer.alloc(0) : Buffer.from(body);
  const lines = list.map(([k, v]) => `${k}:${v}\n`);
  if (body !== undefined && contentLength && !list.some(([k]) => k === "content-length")) {
    lines.push(`content-length:${bytes.length}\n`);
  }
  return Buffer.concat([Buffer.from(`${command}\n${lines.join("")}\n`, "utf8"), bytes, Buffer.from([0])]);
}

export function headerNames(frame: Frame): string[] {
  return frame.headers.map(([name]) => name);
}

export function headerMap(frame: Frame): Record<string, string> {
  const map: Record<string, string> = {};
  for (const [name, value] of frame.headers) if (!(name in map)) map[name] = value;
  return map;
}
