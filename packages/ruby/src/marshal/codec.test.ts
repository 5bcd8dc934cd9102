import { MarshalEncodeError, MarshalError } from "@phobos/errors";
import { describe, expect, it } from "vitest";
import { dump } from "./dump.js";
import { inspect } from "./inspect.js";
import { MAX_NESTING } from "./limits.js";
import { load } from "./load.js";
import {
  RubyClassRef,
  RubyData,
  RubyFloat,
  RubyHash,
  RubyObject,
  RubyRegexp,
  RubyString,
  RubySymbol,
  RubyUserDefined,
  type RubyValue,
  RubyWithIvars,
  rubyFloat,
  sym,
} from "./types.js";

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : Buffer.from(p))));
const m = (...parts: (string | number[])[]) => bytes([4, 8], ...parts);

function marshalError(fn: () => unknown): MarshalError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MarshalError);
    return err as MarshalError;
  }
  throw new Error("expected a MarshalError");
}

function encodeError(fn: () => unknown): MarshalEncodeError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MarshalEncodeError);
    return err as MarshalEncodeError;
  }
  throw new Error("expected a MarshalEncodeError");
}

describe("dump: the mapping from JS values", () => {
  it("writes JS strings as UTF-8 with :E true and binary bytes bare", () => {
    expect(dump("ping")).toEqual(m('I"\tping', [6], ":", [6], "ET"));
    expect(dump(Buffer.from("ping"))).toEqual(m('"\tping'));
    expect(dump(new Uint8Array([1, 2]))).toEqual(m('"', [7, 1, 2]));
  });

  it("writes a RubyString in exactly its encoding", () => {
    expect(dump(RubyString.utf8("é"))).toEqual(m('I"', [7, 0xc3, 0xa9, 6], ":", [6], "ET"));
    expect(dump(RubyString.ascii("ab"))).toEqual(m('I"', [7], "ab", [6], ":", [6], "EF"));
    expect(dump(RubyString.binary(Buffer.from("ab")))).toEqual(m('"', [7], "ab"));
    expect(dump(new RubyString(Buffer.from([0x82, 0xa0]), "Shift_JIS"))).toEqual(
      m('I"', [7, 0x82, 0xa0, 6], ":", [0x0d], 'encoding"', [0x0e], "Shift_JIS"),
    );
  });

  it("chooses Fixnum, Bignum or Float from the number", () => {
    expect(dump(0)).toEqual(m("i", [0]));
    expect(dump(-0)).toEqual(m("i", [0]));
    expect(dump(2 ** 30 - 1)).toEqual(m("i", [4, 0xff, 0xff, 0xff, 0x3f]));
    expect(dump(-(2 ** 30))).toEqual(m("i", [0xfc, 0, 0, 0, 0xc0]));
    expect(dump(2 ** 30)).toEqual(m("l+", [7, 0, 0, 0, 0x40]));
    expect(dump(1795531566)).toEqual(m("l+", [7, 0x2e, 0xa3, 0x05, 0x6b]));
    expect(dump(2n ** 64n)).toEqual(m("l+", [0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]));
    expect(dump(-5n)).toEqual(m("i", [0xf6]));
    expect(dump(1.5)).toEqual(m("f", [8], "1.5"));
    expect(dump(Number.NaN)).toEqual(m("f", [8], "nan"));
    expect(dump(Number.NEGATIVE_INFINITY)).toEqual(m("f", [9], "-inf"));
    expect(dump(rubyFloat(0))).toEqual(m("f", [6], "0"));
    expect(dump(rubyFloat(-0))).toEqual(m("f", [7], "-0"));
  });

  it("formats Floats as Ruby's Marshal does", () => {
    const text = (x: number) => (dump(rubyFloat(x)).subarray(4) as Buffer).toString("latin1");
    expect(text(1e20)).toBe("1e20");
    expect(text(100)).toBe("1e2");
    expect(text(1e-5)).toBe("1e-5");
    expect(text(0.0001)).toBe("0.0001");
    expect(text(0.1 + 0.2)).toBe("0.30000000000000004");
    expect(text(123456789.123)).toBe("123456789.123");
    expect(text(-2.5e-300)).toBe("-2.5e-300");
  });

  it("links a repeated object and repeated symbols, numbering as Ruby does", () => {
    const a: RubyValue[] = [1];
    expect(dump([a, a])).toEqual(m("[", [7], "[", [6], "i", [6], "@", [6]));
    const s = RubyString.utf8("x");
    expect(dump([s, "y", s])).toEqual(
      m("[", [8], 'I"', [6], "x", [6], ":", [6], 'ET I"', [6], "y", [6], ";", [0], "T@", [6]).filter(
        (b) => b !== 0x20,
      ),
    );
    expect(dump([sym("a"), sym("b"), sym("a")])).toEqual(m("[", [8], ":", [6], "a:", [6], "b;", [0]));
    expect(dump(sym("café"))).toEqual(m("I:", [0x0a], "caf", [0xc3, 0xa9, 6], ":", [6], "ET"));
  });

  it("writes a Hash default with }", () => {
    expect(dump(new RubyHash([[1, 2]], 5))).toEqual(m("}", [6], "i", [6], "i", [7], "i", [0x0a]));
    expect(dump(new RubyHash([], null))).toEqual(m("{", [0]));
  });

  it("handles cycles through links", () => {
    const a: RubyValue[] = [];
    a.push(a);
    expect(dump(a)).toEqual(m("[", [6], "@", [0]));
    const back = load(dump(a)) as RubyValue[];
    expect(back[0]).toBe(back);
  });

  it("names the JS type and the path of what it cannot encode", () => {
    const env = new Map<RubyValue, RubyValue>([
      [sym("data"), new Map<RubyValue, RubyValue>([["list", [1, undefined as unknown as RubyValue]]])],
    ]);
    expect(encodeError(() => dump(env)).message).toBe('cannot dump undefined at $[:data]["list"][1]');
    expect(encodeError(() => dump([{ a: 1 } as unknown as RubyValue])).message).toMatch(
      /plain object .*fromNatural.* at \$\[0\]$/,
    );
    expect(encodeError(() => dump(new Map([[sym("t"), new Date() as unknown as RubyValue]]))).message).toBe(
      "cannot dump an instance of Date at $[:t]",
    );
    expect(encodeError(() => dump((() => 1) as unknown as RubyValue)).message).toBe(
      "cannot dump a function at $",
    );
    const obj = new RubyObject("Foo", new Map([["@x", Symbol() as unknown as RubyValue]]));
    expect(encodeError(() => dump(obj)).message).toBe(
      "cannot dump a JS symbol without a description at $.@x",
    );
  });

  it("reports a malformed wrapper as an encode error with its path", () => {
    const bad = new RubyString(null as unknown as Uint8Array, "UTF-8");
    expect(encodeError(() => dump([1, bad])).message).toMatch(
      /^cannot dump a malformed value \(.*\) at \$\[1\]$/,
    );
    let deep: RubyValue = "x";
    for (let i = 0; i < MAX_NESTING + 5; i++) deep = new RubyWithIvars(deep);
    expect(encodeError(() => dump(deep)).message).toMatch(/nested deeper/);
  });

  it("refuses nesting deeper than the limit", () => {
    let deep: RubyValue = [];
    for (let i = 0; i < MAX_NESTING + 5; i++) deep = [deep];
    expect(encodeError(() => dump(deep)).message).toMatch(/nested deeper/);
  });

  it("is usable again after a failed dump", () => {
    expect(() => dump([undefined as unknown as RubyValue])).toThrow(MarshalEncodeError);
    expect(dump([1])).toEqual(m("[", [6], "i", [6]));
  });

  it("grows its buffer for large values", () => {
    const big = "x".repeat(100_000);
    const out = dump([big, big, Buffer.alloc(70_000, 1)]);
    const back = load(out) as RubyValue[];
    expect(back[0]).toBe(big);
    expect((back[2] as Buffer).length).toBe(70_000);
  });
});

describe("load: every type code", () => {
  it("reads nil, booleans, Fixnums in all widths", () => {
    expect(load(m("0"))).toBe(null);
    expect(load(m("T"))).toBe(true);
    expect(load(m("F"))).toBe(false);
    expect(load(m("i", [0xff, 0x7f]))).toBe(-129);
    expect(load(m("i", [0x02, 0x00, 0x01]))).toBe(256);
    expect(load(m("i", [0x04, 0xff, 0xff, 0xff, 0xff]))).toBe(2 ** 32 - 1);
    expect(load(m("i", [0xfd, 0x00, 0x00, 0x80]))).toBe(-(2 ** 23));
  });

  it("reads Bignums as numbers when exact, bigint beyond", () => {
    expect(load(m("l-", [7, 1, 0, 0, 0x40]))).toBe(-(2 ** 30) - 1);
    expect(load(m("l+", [9, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0]))).toBe(2 ** 53 - 1);
    expect(load(m("l+", [9, 0, 0, 0, 0, 0, 0, 0x20, 0]))).toBe(2n ** 53n);
    expect(load(m("l-", [0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]))).toBe(-(2n ** 64n));
  });

  it("reads Floats: text forms, integral ones as RubyFloat", () => {
    expect(load(m("f", [8], "1.5"))).toBe(1.5);
    expect(load(m("f", [8], "nan"))).toBeNaN();
    expect(load(m("f", [8], "inf"))).toBe(Number.POSITIVE_INFINITY);
    expect(load(m("f", [9], "-inf"))).toBe(Number.NEGATIVE_INFINITY);
    const negZero = load(m("f", [7], "-0"));
    expect(negZero).toBeInstanceOf(RubyFloat);
    expect(Object.is((negZero as RubyFloat).value, -0)).toBe(true);
    expect(load(m("f", [9], "1e20"))).toEqual(new RubyFloat(1e20));
    expect(load(m("f", [6], "1"))).toEqual(new RubyFloat(1));
  });

  it("reads Ruby 1.8 Floats with a binary mantissa after a NUL, and strtod prefixes", () => {
    // Expected doubles from Ruby 3.1's Marshal.load of the same bytes.
    const f = (...parts: (string | number[])[]) => {
      const body = bytes(...parts);
      return load(Buffer.concat([m("f", [body.length + 5]), body]));
    };
    const bits = (x: RubyValue) =>
      Buffer.from(new Float64Array([Number(x)]).buffer)
        .reverse()
        .toString("hex");
    expect(bits(f("0.333333333333333", [0, 0x55, 0x55, 0x55]))).toBe("3fd5555555555555");
    expect(bits(f("-1.5", [0, 1, 2, 3, 4, 5]))).toBe("bff8000000000102");
    expect(bits(f("1e-300", [0, 0xff, 0xff]))).toBe("01a56e1fc2f8ffff");
    expect(f("12", [0])).toEqual(new RubyFloat(12));
    expect(f("  7.25xyz")).toBe(7.25);
    expect(f("")).toEqual(new RubyFloat(0));
  });

  it("reads strings with :E true/false, :encoding, and none", () => {
    expect(load(m('I"', [7], "ab", [6], ":", [6], "ET"))).toBe("ab");
    expect(load(m('I"', [7], "ab", [6], ":", [6], "EF"))).toBe("ab");
    expect(load(m('"', [7], "ab"))).toEqual(Buffer.from("ab"));
    expect(load(m('I"', [7, 0x82, 0xa0, 6], ":", [0x0d], 'encoding"', [0x0e], "Shift_JIS"))).toBe("あ");
    const faithful = load(m('I"', [7, 0x82, 0xa0, 6], ":", [0x0d], 'encoding"', [0x0e], "Shift_JIS"), {
      strings: "ruby",
    });
    expect(faithful).toEqual(new RubyString(Buffer.from([0x82, 0xa0]), "Shift_JIS"));
  });

  it("keeps extra ivars on a string, and a string ivar linking back to it", () => {
    const v = load(m('I"', [7], "ab", [7], ":", [6], "ET:", [0x0a], "@self@", [0]), { strings: "ruby" });
    expect(v).toBeInstanceOf(RubyWithIvars);
    const w = v as RubyWithIvars;
    expect(w.value).toEqual(RubyString.utf8("ab"));
    expect(w.ivars.get("@self")).toBe(w.value);
    expect(dump(v)).toEqual(m('I"', [7], "ab", [7], ":", [6], "ET:", [0x0a], "@self@", [0]));
  });

  it("reads M (old module), d (data), and U/o/S cycles", () => {
    expect(load(m("M", [8], "Foo"))).toEqual(new RubyClassRef("old-module", "Foo"));
    const d = load(m("d:", [8], "Foo[", [6], "i", [6]));
    expect(d).toEqual(new RubyData("Foo", [1]));
    const o = load(m("o:", [8], "Foo", [6], ":", [7], "@a@", [0])) as RubyObject;
    expect(o.ivars.get("@a")).toBe(o);
    expect(dump(d)).toEqual(m("d:", [8], "Foo[", [6], "i", [6]));
    expect(dump(load(m("M", [8], "Foo")))).toEqual(m("M", [8], "Foo"));
  });

  it("reads non-ASCII symbols in any encoding, faithfully in ruby mode", () => {
    expect(load(m("I:", [7, 0xc3, 0xa9, 6], ":", [6], "ET"))).toBe(sym("é"));
    expect(load(m(":", [6, 0xff]))).toBe(sym("ÿ"));
    const faithful = load(m(":", [6, 0xff]), { strings: "ruby" });
    expect(faithful).toEqual(new RubySymbol(Buffer.from([0xff]), "ASCII-8BIT"));
    expect(inspect(faithful)).toBe(':"\\xFF"');
    expect(dump(faithful)).toEqual(m(":", [6, 0xff]));
  });

  it("accepts older 4.x minors and ignores trailing bytes, as Ruby does", () => {
    expect(load(bytes([4, 7], "T"))).toBe(true);
    expect(load(m("T", "garbage"))).toBe(true);
  });
});

describe("load: hostile input is a MarshalError with an offset", () => {
  it("refuses other formats and empty input", () => {
    expect(marshalError(() => load(Buffer.alloc(0))).offset).toBe(0);
    expect(marshalError(() => load(bytes([4, 9], "0"))).message).toMatch(/incompatible marshal format 4\.9/);
    expect(marshalError(() => load(Buffer.from("---\n:a: 1\n"))).offset).toBe(0);
    expect(marshalError(() => load("not bytes" as unknown as Uint8Array)).message).toMatch(/not a Buffer/);
  });

  it("refuses lengths beyond the data without allocating them", () => {
    const huge = [4, 0xff, 0xff, 0xff, 0x7f];
    expect(marshalError(() => load(m('"', huge))).message).toMatch(/length 2147483647 exceeds/);
    expect(marshalError(() => load(m("[", huge))).message).toMatch(/exceeds/);
    expect(marshalError(() => load(m("{", huge))).message).toMatch(/exceeds/);
    expect(marshalError(() => load(m("l+", huge))).message).toMatch(/exceeds/);
    expect(marshalError(() => load(m("o:", [6], "A", huge))).message).toMatch(/exceeds/);
    expect(marshalError(() => load(m('"', [0xfa]))).message).toMatch(/negative length/);
  });

  it("refuses truncation, unknown codes, dangling links", () => {
    expect(marshalError(() => load(m('I"', [8], "ab"))).offset).toBe(4);
    expect(marshalError(() => load(m("i", [2, 1]))).offset).toBe(3);
    expect(marshalError(() => load(m("Z"))).message).toBe("unknown type code 0x5a at byte 2");
    expect(marshalError(() => load(m("[", [7], "@", [6]))).message).toMatch(/link to unknown object 1/);
    expect(marshalError(() => load(m(";", [0]))).message).toMatch(/symbol link 0/);
    expect(marshalError(() => load(m("o", [6]))).message).toMatch(/expected a Symbol/);
    expect(marshalError(() => load(m("Ii", [6], [6], ":", [6], "@a0"))).message).toMatch(/immediate/);
  });

  it("bounds nesting", () => {
    const deep = Buffer.alloc(2 + 2 * (MAX_NESTING + 10));
    deep[0] = 4;
    deep[1] = 8;
    for (let i = 2; i < deep.length; i += 2) {
      deep[i] = 0x5b;
      deep[i + 1] = 6;
    }
    expect(marshalError(() => load(deep)).message).toMatch(/nesting deeper than 1000/);
    let ok: Buffer = Buffer.from("0");
    for (let i = 0; i < MAX_NESTING - 1; i++) ok = Buffer.concat([Buffer.from([0x5b, 6]), ok]);
    expect(() => load(Buffer.concat([Buffer.from([4, 8]), ok]))).not.toThrow();
  });
});

describe("wrappers round-trip through dump", () => {
  it("builds the same bytes as Ruby for I/e/C combinations", () => {
    // Marshal.dump(MyString.new("abc").extend(Mod)) in Ruby 3.1
    const wire = m("Ie:", [6], "MC:", [8], 'MyS"', [8], "abc", [6], ":", [6], "ET");
    const v = load(wire, { strings: "ruby" });
    expect(dump(v)).toEqual(wire);
    expect(inspect(v)).toBe('"abc"');
    expect(dump(load(wire))).toEqual(wire);
  });

  it("writes a _dump object with its string's encoding after the data", () => {
    const u = new RubyUserDefined("UDef", Buffer.from("abc"), new Map([["E", true]]));
    expect(dump(u)).toEqual(m("Iu:", [9], "UDef", [8], "abc", [6], ":", [6], "ET"));
    expect(dump([u, u])).toEqual(m("[", [7], "Iu:", [9], "UDef", [8], "abc", [6], ":", [6], "ET@", [6]));
  });

  it("keeps a regexp's explicit encoding and options", () => {
    expect(dump(new RubyRegexp("a.b", 1))).toEqual(m("I/", [8], "a.b", [1, 6], ":", [6], "EF"));
    expect(dump(new RubyRegexp("café"))).toEqual(
      m("I/", [0x0a], "caf", [0xc3, 0xa9, 0x10, 6], ":", [6], "ET"),
    );
    expect(dump(new RubyRegexp("\\xff", 48))).toEqual(m("/", [9], "\\xff", [0x30]));
  });
});

describe("inspect on shared structure", () => {
  it("stops at maxLength: a 200-byte message can describe 2^40 elements", () => {
    let v: RubyValue = [1, 1];
    for (let i = 0; i < 40; i++) v = [v, v];
    expect(dump(v).length).toBeLessThan(200);
    // Walking all 2^40 elements would never return: finishing at all is the check.
    const text = inspect(v, { maxLength: 500 });
    expect(text).toHaveLength(500);
    expect(text.endsWith("...")).toBe(true);
    expect(text.startsWith("[[[[")).toBe(true);
    expect(inspect([1, [2]], { maxLength: 500 })).toBe("[1, [2]]");
  });

  it("cuts a long string as the full inspect would, without escaping the rest of it", () => {
    const long = `é"\u0001${"é".repeat(400_000)}`;
    const values: RubyValue[] = [
      new Map<RubyValue, RubyValue>([["msg", long]]),
      [new RubyString(Buffer.from(long), "UTF-8")],
    ];
    for (const value of values) {
      const full = inspect(value);
      for (const limit of [1, 9, 10, 11, 500]) {
        expect(inspect(value, { maxLength: limit })).toBe(`${full.slice(0, Math.max(0, limit - 3))}...`);
      }
      // What the debug line of a large request builds: nothing near the string's size
      // (escaping it all takes tens of bytes a character).
      const before = process.memoryUsage().heapUsed;
      inspect(value, { maxLength: 500 });
      expect(process.memoryUsage().heapUsed - before).toBeLessThan(1_000_000);
    }
  });
});
