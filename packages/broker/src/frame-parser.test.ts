import { describe, expect, it } from "vitest";
import { StompProtocolError } from "./errors.js";
import { type Frame, getHeader } from "./frame.js";
import { encodeFrame } from "./frame-encoder.js";
import { FrameParser, type FrameParserLimits } from "./frame-parser.js";
import type { StompVersion } from "./version.js";

const LIMITS: FrameParserLimits = { maxFrameSize: 64 * 1024, maxHeaders: 16, maxHeaderBytes: 1024 };

function parseAll(
  input: string | Buffer,
  options: { version?: StompVersion; limits?: FrameParserLimits } = {},
) {
  const parser = new FrameParser(options.limits ?? LIMITS);
  if (options.version) parser.version = options.version;
  parser.push(typeof input === "string" ? Buffer.from(input, "binary") : input);
  const out: Array<Frame | StompProtocolError> = [];
  for (let item = parser.next(); item; item = parser.next()) out.push(item);
  return { out, parser };
}

function onlyFrames(input: string | Buffer, version?: StompVersion): Frame[] {
  const { out } = parseAll(input, version ? { version } : {});
  for (const item of out) if (item instanceof StompProtocolError) throw item;
  return out as Frame[];
}

function onlyError(
  input: string | Buffer,
  options: { version?: StompVersion; limits?: FrameParserLimits } = {},
) {
  const { out } = parseAll(input, options);
  const last = out.at(-1);
  if (!(last instanceof StompProtocolError))
    throw new Error(`expected a protocol error, got ${JSON.stringify(out)}`);
  return last;
}

describe("FrameParser", () => {
  it("reads a frame without content-length up to the NUL", () => {
    const [frame] = onlyFrames("SEND\ndestination:/queue/a\n\nhello\0");
    expect(frame?.command).toBe("SEND");
    expect(frame?.headers).toEqual([["destination", "/queue/a"]]);
    expect(frame?.body.toString()).toBe("hello");
  });

  it("honours content-length so bodies may contain NULs (Ruby Marshal)", () => {
    const body = Buffer.from([0x04, 0x08, 0x00, 0x49, 0x00, 0x00, 0x22]);
    const frames = onlyFrames(
      Buffer.concat([
        Buffer.from(`SEND\ncontent-length:${body.length}\n\n`),
        body,
        Buffer.from("\0\nSEND\n\nx\0"),
      ]),
    );
    expect(frames).toHaveLength(2);
    expect(frames[0]?.body).toEqual(body);
    expect(frames[1]?.body.toString()).toBe("x");
  });

  it("accepts CRLF line ends and skips EOL heart-beats between frames", () => {
    const frames = onlyFrames("\n\r\n\nCONNECT\r\nlogin:a\r\n\r\n\0\r\n\n\nDISCONNECT\n\n\0\n");
    expect(frames.map((f) => f.command)).toEqual(["CONNECT", "DISCONNECT"]);
    expect(frames[0]?.headers).toEqual([["login", "a"]]);
  });

  it("keeps repeated headers in order; the first one wins", () => {
    const [frame] = onlyFrames("SEND\nfoo:1\nfoo:2\n\n\0");
    expect(frame?.headers).toEqual([
      ["foo", "1"],
      ["foo", "2"],
    ]);
    expect(frame && getHeader(frame, "foo")).toBe("1");
  });

  it("splits header lines at the first colon only", () => {
    const [frame] = onlyFrames("SEND\nreply-to:a:b:c\n\n\0");
    expect(frame?.headers).toEqual([["reply-to", "a:b:c"]]);
  });

  it("uses the first content-length when repeated", () => {
    const [frame] = onlyFrames("SEND\ncontent-length:2\ncontent-length:5\n\nab\0");
    expect(frame?.body.toString()).toBe("ab");
  });

  it("unescapes per version: none in 1.0, \\\\ \\n \\c in 1.1, plus \\r in 1.2", () => {
    const raw = "SEND\nk\\cx:a\\\\b\\nc\\cd\n\n\0";
    expect(onlyFrames(raw, "1.0")[0]?.headers).toEqual([["k\\cx", "a\\\\b\\nc\\cd"]]);
    expect(onlyFrames(raw, "1.1")[0]?.headers).toEqual([["k:x", "a\\b\nc:d"]]);
    expect(onlyFrames("SEND\nk:a\\rb\n\n\0", "1.2")[0]?.headers).toEqual([["k", "a\rb"]]);
    expect(onlyError("SEND\nk:a\\rb\n\n\0", { version: "1.1" }).code).toBe("bad-escape");
    expect(onlyError("SEND\nk:a\\tb\n\n\0", { version: "1.2" }).code).toBe("bad-escape");
  });

  it("never unescapes CONNECT, whatever the version (STOMP 1.2 keeps it 1.0-compatible)", () => {
    expect(onlyFrames("CONNECT\npasscode:a\\tb\n\n\0", "1.2")[0]?.headers).toEqual([["passcode", "a\\tb"]]);
  });

  it("lets the caller switch version between frames that arrived together", () => {
    const parser = new FrameParser(LIMITS);
    parser.push(Buffer.from("CONNECT\n\n\0SEND\nk:a\\cb\n\n\0"));
    expect((parser.next() as Frame).command).toBe("CONNECT");
    parser.version = "1.1";
    expect((parser.next() as Frame).headers).toEqual([["k", "a:b"]]);
  });

  it("assembles frames from any split of the byte stream", () => {
    const stream = Buffer.concat([
      encodeFrame(
        "SEND",
        [
          ["a", "1"],
          ["content-length", "3"],
        ],
        Buffer.from([0, 1, 0]),
        "1.0",
      ),
      Buffer.from("SUBSCRIBE\r\nid:0\r\ndestination:/topic/x\r\n\r\n\0"),
      encodeFrame("DISCONNECT", [], undefined, "1.0"),
    ]);
    const whole = onlyFrames(stream);
    expect(whole).toHaveLength(3);
    for (let cut = 0; cut <= stream.length; cut++) {
      for (const step of [1, 2, 7]) {
        const parser = new FrameParser(LIMITS);
        const frames: Frame[] = [];
        const pieces = [stream.subarray(0, cut), ...chunks(stream.subarray(cut), step)];
        for (const piece of pieces) {
          parser.push(piece);
          for (let item = parser.next(); item; item = parser.next()) frames.push(item as Frame);
        }
        expect(frames).toEqual(whole);
      }
    }
  });

  it("returns nothing until a frame is complete", () => {
    const parser = new FrameParser(LIMITS);
    parser.push(Buffer.from("SEND\ncontent-length:4\n\nab"));
    expect(parser.next()).toBeUndefined();
    parser.push(Buffer.from("cd"));
    expect(parser.next()).toBeUndefined();
    parser.push(Buffer.from([0]));
    expect((parser.next() as Frame).body.toString()).toBe("abcd");
    expect(parser.bufferedBytes).toBe(0);
  });

  it.each([
    ["a lower-case command", "send\n\n\0", "bad-command"],
    ["a header line without a colon", "SEND\nnocolon\n\n\0", "bad-header"],
    ["a header with an empty name", "SEND\n:v\n\n\0", "bad-header"],
    ["a content-length that is not a number", "SEND\ncontent-length:12a\n\n\0", "bad-content-length"],
    ["a negative content-length", "SEND\ncontent-length:-1\n\n\0", "bad-content-length"],
    ["no NUL after content-length bytes", "SEND\ncontent-length:2\n\nabc\0", "missing-nul"],
    ["a CR not followed by LF between frames", "\rSEND\n\n\0", "bad-eol"],
  ])("rejects %s", (_what, input, code) => {
    expect(onlyError(input).code).toBe(code);
  });

  it("enforces the frame size limit from content-length before reading the body", () => {
    const limits = { ...LIMITS, maxFrameSize: 100 };
    const error = onlyError("SEND\ncontent-length:1000\n\n", { limits });
    expect(error.code).toBe("frame-too-large");
    expect(error.detail).toContain("100 bytes");
  });

  it("enforces the frame size limit on bodies without content-length", () => {
    const limits = { ...LIMITS, maxFrameSize: 100 };
    expect(onlyError(`SEND\n\n${"x".repeat(200)}`, { limits }).code).toBe("frame-too-large");
  });

  it("enforces the header count and header block size", () => {
    const many = Array.from({ length: 17 }, (_, i) => `h${i}:v\n`).join("");
    expect(onlyError(`SEND\n${many}\n\0`).code).toBe("too-many-headers");
    expect(onlyError(`SEND\nh:${"v".repeat(2000)}`).code).toBe("headers-too-large");
    expect(onlyError(`SEND\nh:${"v".repeat(2000)}\n\n\0`).code).toBe("headers-too-large");
  });

  it("keeps a frame whose headers end a large read exactly, when the big buffer is let go", () => {
    // A read of more than 64 KiB that ends right after a frame's blank line:
    // the parser gives its buffer back while that frame waits for its body.
    const limits = { ...LIMITS, maxFrameSize: 1 << 20 };
    const big = Buffer.alloc(100_000, 0x41);
    const parser = new FrameParser(limits);
    parser.push(
      Buffer.concat([
        Buffer.from(`SEND\ncontent-length:${big.length}\n\n`),
        big,
        Buffer.from("\0SEND\ncontent-length:5\n\n"),
      ]),
    );
    expect((parser.next() as Frame).body).toEqual(big);
    expect(parser.next()).toBeUndefined();
    parser.push(Buffer.from("hello\0SEND\n\nworld\0"));
    expect((parser.next() as Frame).body.toString()).toBe("hello");
    expect((parser.next() as Frame).body.toString()).toBe("world");
  });

  it("stays failed after an error", () => {
    const { parser } = parseAll("SEND\nbad\n\n\0");
    parser.push(Buffer.from("SEND\n\n\0"));
    expect(parser.next()).toBeUndefined();
    expect(parser.failed).toBe(true);
  });
});

describe("encodeFrame", () => {
  it("ends frames with NUL and LF like RabbitMQ", () => {
    expect(encodeFrame("RECEIPT", [["receipt-id", "r1"]], undefined, "1.2").toString()).toBe(
      "RECEIPT\nreceipt-id:r1\n\n\0\n",
    );
  });

  it("escapes per version and never for CONNECTED", () => {
    const headers = [["k:1", "a\\b\nc:d\re"]] as const;
    expect(encodeFrame("MESSAGE", headers, undefined, "1.2").toString()).toContain(
      "k\\c1:a\\\\b\\nc\\cd\\re\n",
    );
    expect(encodeFrame("MESSAGE", headers, undefined, "1.1").toString()).toContain(
      "k\\c1:a\\\\b\\nc\\cd\re\n",
    );
    // 1.0 has no escaping; only CR/LF are written escaped so the frame stays well-formed.
    expect(encodeFrame("MESSAGE", headers, undefined, "1.0").toString()).toContain("k:1:a\\b\\nc:d\\re\n");
    expect(encodeFrame("CONNECTED", [["version", "1.2"]], undefined, "raw").toString()).toBe(
      "CONNECTED\nversion:1.2\n\n\0\n",
    );
  });

  it("round-trips through the parser for every version", () => {
    const headers: Array<[string, string]> = [
      ["destination", "/exchange/x/y"],
      ["odd", "a:b\\c\nd"],
    ];
    const body = Buffer.from([0, 1, 2, 0]);
    for (const version of ["1.1", "1.2"] as const) {
      const bytes = encodeFrame("SEND", [...headers, ["content-length", "4"]], body, version);
      const [frame] = onlyFrames(bytes, version);
      expect(frame?.headers).toEqual([...headers, ["content-length", "4"]]);
      expect(frame?.body).toEqual(body);
    }
  });
});

function chunks(buffer: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buffer.length; i += size) out.push(buffer.subarray(i, i + size));
  return out;
}
