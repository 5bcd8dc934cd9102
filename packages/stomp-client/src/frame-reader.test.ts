/**
 * The frame reader in front of stompjs: whatever the chunking, stompjs gets
 * whole frames and heart-beats, MESSAGE bodies travel beside it, and a body
 * over the limit is counted and skipped as it arrives, with the stream read on.
 */
import { describe, expect, it } from "vitest";
import {
  BODY_REF_HEADER,
  type DroppedFrame,
  MAX_HEADER_BYTES,
  StompFrameReader,
  StompFramingError,
} from "./frame-reader.js";

/** A reader whose forwarded frames are taken apart as stompjs would, bodies taken as the transport does. */
function harness(maxBodyBytes: number) {
  const forwarded: string[] = [];
  const messages: { headers: Record<string, string>; body: string }[] = [];
  const dropped: DroppedFrame[] = [];
  const reader: StompFrameReader = new StompFrameReader({
    maxBodyBytes,
    forward(bytes) {
      const text = Buffer.from(bytes).toString("latin1");
      forwarded.push(text);
      if (!text.startsWith("MESSAGE\n")) return;
      const [head = ""] = text.split("\n\n");
      const headers: Record<string, string> = {};
      for (const line of head.split("\n").slice(1)) {
        const colon = line.indexOf(":");
        headers[line.slice(0, colon)] ??= line.slice(colon + 1);
      }
      const body = reader.takeBody(headers);
      messages.push({ headers, body: Buffer.from(body ?? new Uint8Array()).toString("latin1") });
    },
    dropped: (frame) => dropped.push(frame),
  });
  return { reader, forwarded, messages, dropped };
}

const message = (destination: string, body: string, contentLength = true) =>
  `MESSAGE\ndestination:${destination}\nmessage-id:m-1\n${contentLength ? `content-length:${Buffer.byteLength(body, "latin1")}\n` : ""}\n${body}\0`;

/** Feeds `bytes` in pieces of `size` bytes. */
function feed(reader: StompFrameReader, bytes: string, size: number): void {
  const all = Buffer.from(bytes, "latin1");
  for (let i = 0; i < all.length; i += size) reader.push(all.subarray(i, i + size));
}

describe("StompFrameReader", () => {
  it("hands every MESSAGE body over whole, NULs included, whatever the chunking", () => {
    const body = "\x04\x08{\x00\x06:\x06a\x00\x00binary\x00";
    const stream = `${message("/exchange/x/a", body)}\n${message("/queue/q", "second")}`;
    for (const size of [1, 2, 3, 7, 64, stream.length]) {
      const { reader, messages, dropped } = harness(1024);
      feed(reader, stream, size);
      expect(
        messages.map((m) => [m.headers.destination, m.body]),
        `chunks of ${size}`,
      ).toEqual([
        ["/exchange/x/a", body],
        ["/queue/q", "second"],
      ]);
      expect(dropped).toEqual([]);
      // stompjs sees an empty body; the reference header is gone once taken.
      expect(messages[0]?.headers["content-length"]).toBe("0");
      expect(messages[0]?.headers).not.toHaveProperty(BODY_REF_HEADER);
    }
  });

  it("reads a body without content-length up to its NUL", () => {
    const { reader, messages } = harness(1024);
    feed(reader, message("/queue/q", "no length here", false), 5);
    expect(messages.map((m) => m.body)).toEqual(["no length here"]);
  });

  it("passes CONNECTED, RECEIPT and ERROR frames and heart-beats through as they came", () => {
    const { reader, forwarded } = harness(1024);
    const connected = "CONNECTED\nversion:1.1\nheart-beat:0,0\n\n\0";
    const error = "ERROR\nmessage:not_found\ncontent-length:5\n\nno ex\0";
    const receipt = "RECEIPT\nreceipt-id:1\n\n\0";
    feed(reader, `${connected}\n\r\n${error}${receipt}`, 4);
    // Chunks that end no frame forward a heart-beat of their own (see below): frames come whole.
    expect(forwarded.filter((f) => !/^[\r\n]+$/.test(f))).toEqual([connected, error, receipt]);
    forwarded.length = 0;
    reader.push(Buffer.from("\n\r\n"));
    expect(forwarded).toEqual(["\n\r\n"]);
  });

  it("skips a body over the limit as it arrives, reports it once, and reads the next frame", () => {
    const { reader, messages, dropped, forwarded } = harness(100);
    const big = "x".repeat(5000);
    feed(
      reader,
      `${message("/exchange/mcollective_broadcast/rpcutil", big)}${message("/queue/q", "after")}`,
      512,
    );
    expect(dropped).toEqual([
      { command: "MESSAGE", destination: "/exchange/mcollective_broadcast/rpcutil", size: 5000 },
    ]);
    expect(messages.map((m) => m.body)).toEqual(["after"]);
    // None of the big body reached stompjs: only heart-beats while it streamed past.
    expect(forwarded.filter((f) => f.includes("xxx"))).toEqual([]);
  });

  it("a body at the limit is delivered, one byte over is dropped", () => {
    const { reader, messages, dropped } = harness(10);
    feed(reader, message("/queue/q", "0123456789") + message("/queue/q", "0123456789A"), 3);
    expect(messages.map((m) => m.body)).toEqual(["0123456789"]);
    expect(dropped.map((d) => d.size)).toEqual([11]);
  });

  it("drops an over-long body without content-length once it passes the limit, counting it to its NUL", () => {
    const { reader, messages, dropped } = harness(100);
    feed(reader, message("/queue/q", "y".repeat(1000), false) + message("/queue/q", "next", false), 64);
    expect(dropped).toEqual([{ command: "MESSAGE", destination: "/queue/q", size: 1000 }]);
    expect(messages.map((m) => m.body)).toEqual(["next"]);
  });

  it("never holds more than a chunk of a dropped body", () => {
    const { reader, dropped } = harness(1024);
    const head = Buffer.from(`MESSAGE\ndestination:/queue/q\ncontent-length:${64 * 1024 * 1024}\n\n`);
    reader.push(head);
    const piece = Buffer.alloc(1024 * 1024, 0x41);
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 64; i++) reader.push(piece);
    reader.push(Buffer.from([0]));
    expect(dropped.map((d) => d.size)).toEqual([64 * 1024 * 1024]);
    // The reader kept no piece: what is allocated since is far below the 64 MiB that went past.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 1024 * 1024);
  });

  it("forwards a heart-beat for a chunk that only carried body bytes, so stompjs sees the broker alive", () => {
    const { reader, forwarded } = harness(1024);
    reader.push(Buffer.from("MESSAGE\ndestination:/queue/q\ncontent-length:6\n\nab"));
    reader.push(Buffer.from("cd"));
    expect(forwarded).toEqual(["\n", "\n"]);
  });

  it("gives up on a stream it cannot frame: a missing NUL, a bad content-length, endless headers", () => {
    expect(() => harness(100).reader.push(Buffer.from("MESSAGE\ncontent-length:2\n\nabX"))).toThrow(
      new StompFramingError("a MESSAGE frame's 2-byte body is not followed by NUL"),
    );
    expect(() => harness(100).reader.push(Buffer.from("MESSAGE\ncontent-length:12x\n\n"))).toThrow(
      'a MESSAGE frame has content-length "12x"',
    );
    const { reader } = harness(100);
    expect(() => feed(reader, `MESSAGE\nx:${"h".repeat(MAX_HEADER_BYTES)}`, 4096)).toThrow(
      `a frame's command and headers ran past ${MAX_HEADER_BYTES} bytes without ending`,
    );
  });
});
