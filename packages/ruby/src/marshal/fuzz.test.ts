import { readFileSync } from "node:fs";
import { MarshalError } from "@phobos/errors";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dump } from "./dump.js";
import { inspect } from "./inspect.js";
import { load } from "./load.js";
import { fromNatural, toNatural } from "./natural.js";
import {
  RubyClassRef,
  RubyData,
  RubyExtended,
  RubyFloat,
  RubyHash,
  RubyObject,
  RubyRegexp,
  RubyString,
  RubyStruct,
  RubySymbol,
  RubyUserClass,
  RubyUserDefined,
  RubyUserMarshal,
  type RubyValue,
  RubyWithIvars,
} from "./types.js";

/** `PHOBOS_FUZZ_SCALE=50` for a long run; the default keeps the suite to a second or two. */
const SCALE = Number(process.env.PHOBOS_FUZZ_SCALE ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));
const TIMEOUT = 20_000 * Math.max(1, SCALE);

const vectorBytes = (
  JSON.parse(readFileSync(new URL("./__fixtures__/vectors.json", import.meta.url), "utf8")) as {
    body_base64: string;
    inner_base64: string;
  }[]
)
  .flatMap((v) => [Buffer.from(v.body_base64, "base64"), Buffer.from(v.inner_base64, "base64")])
  .filter((b) => b[0] === 4 && b[1] === 8);

/**
 * Load must return or throw MarshalError whatever the bytes. Runaway input
 * (a length of 2^40, deep nesting) would hang rather than fail: the test
 * timeout catches that; speed is measured in bench/, not asserted here.
 */
function loadsSafely(bytes: Uint8Array): void {
  for (const strings of ["js", "ruby"] as const) {
    try {
      load(bytes, { strings });
    } catch (err) {
      if (!(err instanceof MarshalError)) throw err;
      expect(err.offset).toBeGreaterThanOrEqual(0);
      expect(err.offset).toBeLessThanOrEqual(bytes.length);
    }
  }
}

describe("load on arbitrary bytes", () => {
  it(
    "random bytes",
    () => {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), loadsSafely), { numRuns: runs(1500) });
    },
    TIMEOUT,
  );

  it(
    "random bytes after a 04 08 header, biased to type codes",
    () => {
      const codes = [...'0TFilf":;[{}/ouUSeCIcmMd@'].map((c) => c.charCodeAt(0));
      const byte = fc.oneof(
        fc.constantFrom(...codes),
        fc.integer({ min: 0, max: 255 }),
        fc.constantFrom(0, 4, 5, 6, 0xfa, 0xff),
      );
      fc.assert(
        fc.property(fc.array(byte, { maxLength: 300 }), (body) =>
          loadsSafely(Uint8Array.from([4, 8, ...body])),
        ),
        { numRuns: runs(2500) },
      );
    },
    TIMEOUT,
  );

  it(
    "mutated and truncated captured vectors",
    () => {
      const mutation = fc.oneof(
        fc.record({
          kind: fc.constant("set" as const),
          at: fc.nat(),
          value: fc.integer({ min: 0, max: 255 }),
        }),
        fc.record({
          kind: fc.constant("insert" as const),
          at: fc.nat(),
          value: fc.integer({ min: 0, max: 255 }),
        }),
        fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), value: fc.constant(0) }),
        fc.record({ kind: fc.constant("truncate" as const), at: fc.nat(), value: fc.constant(0) }),
      );
      fc.assert(
        fc.property(
          fc.constantFrom(...vectorBytes),
          fc.array(mutation, { minLength: 1, maxLength: 6 }),
          (base, muts) => {
            const b = [...base];
            for (const mu of muts) {
              const at = b.length === 0 ? 0 : mu.at % b.length;
              if (mu.kind === "set" && b.length > 0) b[at] = mu.value;
              else if (mu.kind === "insert") b.splice(at, 0, mu.value);
              else if (mu.kind === "delete") b.splice(at, 1);
              else if (mu.kind === "truncate") b.length = at;
            }
            loadsSafely(Uint8Array.from(b));
          },
        ),
        { numRuns: runs(2500) },
      );
    },
    TIMEOUT,
  );

  it(
    "every prefix of every vector",
    () => {
      for (const v of vectorBytes) for (let n = 0; n < v.length; n++) loadsSafely(v.subarray(0, n));
    },
    TIMEOUT,
  );
});

// ---- arbitrary Ruby values -------------------------------------------------

const text = fc.string({ unit: "binary", maxLength: 12 }).filter((s) => !/[\uD800-\uDFFF]/u.test(s));
const name = fc.stringMatching(/^[A-Z][A-Za-z0-9_]{0,8}(::[A-Z][a-z]{0,4})?$/);
const ivarName = fc.stringMatching(/^@[a-z_][a-z0-9_]{0,6}$/);
const bytesArb = fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b));
const encodingArb = fc.constantFrom(
  "UTF-8",
  "US-ASCII",
  "ASCII-8BIT",
  "Shift_JIS",
  "EUC-JP",
  "ISO-8859-1",
  "UTF-16LE",
);

const leaf: fc.Arbitrary<RubyValue> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 }),
  fc.maxSafeInteger(),
  fc.bigInt({ min: -(2n ** 130n), max: 2n ** 130n }),
  fc.double(),
  fc.double().map((x) => new RubyFloat(x)),
  text,
  bytesArb,
  fc.tuple(bytesArb, encodingArb).map(([b, e]) => new RubyString(b, e)),
  text.map((s) => RubyString.utf8(s)),
  text.map((s) => Symbol.for(s)),
  fc
    .tuple(
      fc.uint8Array({ minLength: 1, maxLength: 6 }),
      fc.constantFrom("ASCII-8BIT", "Shift_JIS", "EUC-JP"),
    )
    .filter(([b]) => b.some((x) => x >= 0x80))
    .map(([b, e]) => new RubySymbol(Buffer.from(b), e)),
  fc.tuple(text, fc.integer({ min: 0, max: 255 })).map(([s, o]) => new RubyRegexp(s, o)),
  fc
    .tuple(fc.constantFrom("class", "module", "old-module") as fc.Arbitrary<RubyClassRef["kind"]>, name)
    .map(([k, n]) => new RubyClassRef(k, n)),
  fc.tuple(name, bytesArb).map(([n, b]) => new RubyUserDefined(n, b)),
  fc.tuple(name, bytesArb, fc.boolean()).map(([n, b, e]) => new RubyUserDefined(n, b, new Map([["E", e]]))),
);

const { value: valueArb } = fc.letrec<{ value: RubyValue; container: RubyValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    tie("container"),
    tie("container").map((c) => [c, c]),
  ),
  container: fc.oneof(
    fc.array(tie("value"), { maxLength: 5 }),
    fc.array(fc.tuple(tie("value"), tie("value")), { maxLength: 4 }).map((es) => new Map(es)),
    fc
      .tuple(fc.array(fc.tuple(leaf, tie("value")), { maxLength: 3 }), tie("value"))
      .map(([es, d]) => new RubyHash(es, d)),
    fc
      .tuple(name, fc.array(fc.tuple(ivarName, tie("value")), { maxLength: 3 }))
      .map(([n, iv]) => new RubyObject(n, new Map(iv))),
    fc
      .tuple(name, fc.array(fc.tuple(text, tie("value")), { maxLength: 3 }))
      .map(([n, m]) => new RubyStruct(n, new Map(m))),
    fc.tuple(name, tie("value")).map(([n, d]) => new RubyUserMarshal(n, d)),
    fc.tuple(name, tie("value")).map(([n, d]) => new RubyData(n, d)),
    fc.array(tie("value"), { maxLength: 3 }).map((a) => {
      const cyclic: RubyValue[] = [...a];
      cyclic.push(cyclic);
      return cyclic;
    }),
    fc
      .tuple(
        fc.oneof(text, fc.array(tie("value"), { maxLength: 3 }), bytesArb),
        fc.array(fc.tuple(ivarName, tie("value")), { maxLength: 2 }),
      )
      .map(([v, iv]) => new RubyWithIvars(v, new Map(iv))),
    fc
      .tuple(
        fc.array(name, { minLength: 1, maxLength: 2 }),
        fc.oneof(text, fc.array(tie("value"), { maxLength: 2 })),
      )
      .map(([mods, v]) => new RubyExtended(mods, v)),
    fc
      .tuple(name, fc.oneof(text, bytesArb, fc.array(tie("value"), { maxLength: 2 })))
      .map(([n, v]) => new RubyUserClass(n, v)),
  ),
}));

describe("dump → faithful load → dump", () => {
  it(
    "gives identical bytes for arbitrary values",
    () => {
      fc.assert(
        fc.property(valueArb, (v) => {
          const first = dump(v);
          const again = dump(load(first, { strings: "ruby" }));
          expect(again.toString("hex")).toBe(first.toString("hex"));
          expect(typeof inspect(v)).toBe("string");
          expect(() => toNatural(v)).not.toThrow();
          expect(() => load(first)).not.toThrow();
        }),
        { numRuns: runs(600) },
      );
    },
    TIMEOUT,
  );
});

// ---- natural conversions ----------------------------------------------------

const jsonLike = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small" },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e15, max: 1e15 }),
    fc.string({ unit: "grapheme", maxLength: 10 }),
    fc.array(tie("v"), { maxLength: 4 }),
    fc.dictionary(fc.string({ unit: "grapheme", maxLength: 6 }), tie("v"), { maxKeys: 4 }),
  ),
})).v;

/** JSON's view of a value: -0 is 0. */
const normal = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

describe("fromNatural / toNatural", () => {
  it(
    "round-trip JSON-like values",
    () => {
      fc.assert(
        fc.property(
          jsonLike,
          fc.constantFrom("symbol", "string") as fc.Arbitrary<"symbol" | "string">,
          (v, keys) => {
            expect(toNatural(fromNatural(v, { keys }))).toEqual(v);
          },
        ),
        { numRuns: runs(500) },
      );
    },
    TIMEOUT,
  );

  it(
    "round-trip JSON-like values through Marshal, in both modes",
    () => {
      fc.assert(
        fc.property(jsonLike, (v) => {
          const bytes = dump(fromNatural(v));
          expect(normal(toNatural(load(bytes)))).toEqual(normal(v));
          expect(normal(toNatural(load(bytes, { strings: "ruby" })))).toEqual(normal(v));
        }),
        { numRuns: runs(500) },
      );
    },
    TIMEOUT,
  );
});
