/**
 * The frame reader in front of stompjs: whatever the chunking, stompjs gets
 * whole frames and heart-beats, MESSAGE frames are parsed once and delivered
 * beside it, and a body over the limit is counted and skipped as it arrives,
 * with the stream read on.
 */

import { FrameImpl } from "@stomp/stompjs";
import { describe, expect, it } from "vitest";
import { type DroppedFrame, MAX_HEADER_BYTES, StompFrameReader, StompFramingError } from "./frame-reader.js";

/** A reader recording what it forwards to stompjs and the messages it delivers. */
function harness(maxBodyBytes: number) {
  const forwarded: string[] = [];
  const messages: { headers: Record<string, string>; body: string }[] = [];
  const dropped: DroppedFrame[] = [];
  const reader: StompFrameReader = new StompFrameReader({
    maxBodyBytes,
    forward: (bytes) => forwarded.push(Buffer.from(bytes).toString("latin1")),
    message: (headers, body) => messages.push({ headers, body: Buffer.from(body).toString("latin1") }),
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
      expect(messages[0]?.headers["content-length"]).toBe(String(Buffer.byteLength(body, "latin1")));
    }
  });

  it("reads many frames from one chunk, and frames split anywhere across chunks, heart-beats between", () => {
    const frames = Array.from({ length: 50 }, (_, i) => message(`/queue/q${i}`, `body ${i}\0x`));
    const stream = frames.join("\n");
    for (const size of [1, 5, 13, 100, stream.length]) {
      const { reader, messages, forwarded } = harness(1024);
      feed(reader, stream, size);
      expect(
        messages.map((m) => m.headers.destination),
        `chunks of ${size}`,
      ).toEqual(frames.map((_, i) => `/queue/q${i}`));
      expect(messages.every((m, i) => m.body === `body ${i}\0x`)).toBe(true);
      // stompjs parses no MESSAGE: it only sees heart-beats, which keep it knowing the broker is alive.
      expect(forwarded.every((f) => /^[\r\n]+$/.test(f))).toBe(true);
    }
  });

  it("ends a head at a blank line however CRs and chunk borders fall", () => {
    const stream =
      "MESSAGE\r\ndestination:/queue/a\r\ncontent-length:2\r\n\r\nab\0MESSAGE\ndestination:/queue/b\n\r\ncd\0";
    for (let size = 1; size <= stream.length; size++) {
      const { reader, messages } = harness(1024);
      feed(reader, stream, size);
      expect(
        messages.map((m) => [m.headers.destination, m.body]),
        `chunks of ${size}`,
      ).toEqual([
        ["/queue/a", "ab"],
        ["/queue/b", "cd"],
      ]);
    }
  });

  it("makes a MESSAGE's headers as stompjs does: first wins, trimmed, CRs dropped, unescaped only under 1.2", () => {
    const head =
      "MESSAGE\nsubscription:s\ndestination: /queue/a\\c1 \nx-a:b:c\nx-r:a\rb\r\ndestination:/queue/second\nx-é:ü\nno colon\n";
    const frame = `${head}content-length:0\n\n\0`;
    const stompjs = (escaped: boolean) => {
      const lines = head
        .split("\n")
        .slice(1, -1)
        .filter((l) => l.includes(":"));
      const raw = lines.map((l) => [
        l.slice(0, l.indexOf(":")),
        l.slice(l.indexOf(":") + 1).replaceAll("\r", ""),
      ]);
      raw.push(["content-length", "0"]);
      return FrameImpl.fromRawFrame(
        { command: "MESSAGE", headers: raw as [string, string][], binaryBody: new Uint8Array() },
        escaped,
      ).headers;
    };
    for (const version of ["1.1", "1.2"]) {
      const { reader, messages } = harness(1024);
      reader.push(Buffer.from(`CONNECTED\nversion:${version}\n\n\0${frame}`));
      expect(messages[0]?.headers, version).toEqual(stompjs(version === "1.2"));
    }
    const { reader, messages } = harness(1024);
    reader.push(Buffer.from(`CONNECTED\nversion:1.2\n\n\0${frame}`));
    expect(messages[0]?.headers.destination).toBe("/queue/a:1");
    expect(messages[0]?.headers["x-a"]).toBe("b:c");
    expect(messages[0]?.headers["x-r"]).toBe("ab");
    expect(messages[0]?.headers["x-é"]).toBe("ü");
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
