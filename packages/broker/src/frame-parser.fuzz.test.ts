import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { StompProtocolError } from "./errors.js";
import type { Frame } from "./frame.js";
import { encodeFrame } from "./frame-encoder.js";
import { FrameParser, type FrameParserLimits } from "./frame-parser.js";
import { STOMP_VERSIONS } from "./version.js";

const LIMITS: FrameParserLimits = { maxFrameSize: 4096, maxHeaders: 12, maxHeaderBytes: 512 };

/** Feeds `pieces` to a fresh parser; returns what it yielded, and fails on anything but frames or one protocol error. */
function feed(pieces: readonly Uint8Array[], version: (typeof STOMP_VERSIONS)[number] = "1.0") {
  const parser = new FrameParser(LIMITS);
  parser.version = version;
  const frames: Frame[] = [];
  const errors: StompProtocolError[] = [];
  let steps = 0;
  for (const piece of pieces) {
    parser.push(piece);
    for (let item = parser.next(); item; item = parser.next()) {
      // Every call consumes input or ends the loop; more results than bytes would mean a hang.
      if (++steps > 100_000) throw new Error("parser did not make progress");
      if (item instanceof StompProtocolError) errors.push(item);
      else frames.push(item);
    }
  }
  return { frames, errors, parser };
}

/** Splits `bytes` at the given (sorted, deduplicated) offsets. */
function split(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const point of points) {
    out.push(bytes.subarray(from, point));
    from = point;
  }
  out.push(bytes.subarray(from));
  return out;
}

// STOMP 1.1 has no escape for CR, so a value ending in CR would read back as a CRLF line end.
const headerText = fc.string({ unit: "grapheme", maxLength: 12 }).filter((text) => !text.includes("\r"));
const frameArb = fc.record({
  command: fc.constantFrom("SEND", "SUBSCRIBE", "ACK", "MESSAGE", "DISCONNECT"),
  headers: fc.array(
    fc.tuple(
      headerText.filter((name) => name !== "" && name !== "content-length"),
      headerText,
    ),
    { maxLength: 6 },
  ),
  body: fc.uint8Array({ maxLength: 300 }),
});

describe("FrameParser under fuzzing", () => {
  it("parses any sequence of well-formed frames, however the stream is split", () => {
    fc.assert(
      fc.property(
        fc.array(frameArb, { minLength: 1, maxLength: 5 }),
        fc.constantFrom("1.1", "1.2" as const),
        fc.array(fc.nat(), { maxLength: 20 }),
        fc.constantFrom("", "\n", "\r\n", "\n\n"),
        (frames, version, cuts, gap) => {
          const stream = Buffer.concat(
            frames.flatMap((f) => [
              encodeFrame(
                f.command,
                [...f.headers, ["content-length", String(f.body.length)]],
                Buffer.from(f.body),
                version,
              ),
              Buffer.from(gap),
            ]),
          );
          const { frames: parsed, errors } = feed(split(stream, cuts), version);
          expect(errors).toEqual([]);
          expect(parsed.map((f) => [f.command, f.headers.slice(0, -1), [...f.body]])).toEqual(
            frames.map((f) => [f.command, f.headers, [...f.body]]),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it("yields only frames or one typed protocol error for arbitrary bytes", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2000 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.constantFrom(...STOMP_VERSIONS),
        (bytes, cuts, version) => {
          const { errors, parser } = feed(split(bytes, cuts), version);
          expect(errors.length).toBeLessThanOrEqual(1);
          expect(parser.failed).toBe(errors.length === 1);
          // Nothing buffered beyond what the limits allow.
          expect(parser.bufferedBytes).toBeLessThanOrEqual(LIMITS.maxFrameSize + bytes.length);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("survives mutated STOMP streams (bit flips, truncation, duplication)", () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ kind: fc.constant("cut" as const), at: fc.nat() }),
      fc.record({
        kind: fc.constant("insert" as const),
        at: fc.nat(),
        byte: fc.constantFrom(0, 10, 13, 58, 92),
      }),
      fc.record({ kind: fc.constant("repeat" as const), at: fc.nat(), length: fc.nat({ max: 40 }) }),
    );
    fc.assert(
      fc.property(
        fc.array(frameArb, { minLength: 1, maxLength: 4 }),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.constantFrom(...STOMP_VERSIONS),
        (frames, mutations, cuts, version) => {
          let bytes: Buffer = Buffer.concat(
            frames.map((f) => encodeFrame(f.command, f.headers, Buffer.from(f.body), version)),
          );
          for (const m of mutations) {
            const at = m.at % (bytes.length + 1);
            if (m.kind === "flip" && at < bytes.length) {
              bytes = Buffer.from(bytes);
              bytes[at] = (bytes[at] ?? 0) ^ (1 << m.bit);
            } else if (m.kind === "cut") bytes = bytes.subarray(0, at);
            else if (m.kind === "insert") {
              bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([m.byte]), bytes.subarray(at)]);
            } else if (m.kind === "repeat") {
              bytes = Buffer.concat([
                bytes.subarray(0, at),
                bytes.subarray(at, at + m.length),
                bytes.subarray(at),
              ]);
            }
          }
          const { errors } = feed(split(bytes, cuts), version);
          expect(errors.length).toBeLessThanOrEqual(1);
          for (const error of errors) expect(error).toBeInstanceOf(StompProtocolError);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("bounds its buffer: an endless body without NUL is refused at the frame limit", () => {
    const parser = new FrameParser(LIMITS);
    parser.push(Buffer.from("SEND\n\n"));
    let result: Frame | StompProtocolError | undefined;
    for (let i = 0; i < 100 && result === undefined; i++) {
      parser.push(Buffer.alloc(100, 0x61));
      result = parser.next();
    }
    expect(result).toBeInstanceOf(StompProtocolError);
    expect((result as StompProtocolError).code).toBe("frame-too-large");
    expect(parser.bufferedBytes).toBe(0);
  });
});
