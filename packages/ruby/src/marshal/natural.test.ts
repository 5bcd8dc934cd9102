import { readFileSync } from "node:fs";
import { MarshalEncodeError } from "@phobos/errors";
import { describe, expect, it } from "vitest";
import { dump } from "./dump.js";
import { load } from "./load.js";
import { asString, fromNatural, hashGet, toNatural } from "./natural.js";
import {
  RubyClassRef,
  RubyFloat,
  RubyHash,
  RubyObject,
  RubyRegexp,
  RubyString,
  RubyStruct,
  RubyUserDefined,
  type RubyValue,
  sym,
} from "./types.js";

const inventory = (
  JSON.parse(readFileSync(new URL("./__fixtures__/vectors.json", import.meta.url), "utf8")) as {
    name: string;
    inner_base64: string;
  }[]
).find((v) => v.name === "psk-inventory-reply") as { inner_base64: string };

describe("toNatural", () => {
  it("turns an RPC reply into plain data, in either load mode", () => {
    const expected = {
      statuscode: 0,
      statusmsg: "OK",
      data: {
        agents: ["discovery", "rpcutil"],
        facts: {
          mcollective: "1",
          fqdn: "node2.example.net",
          hostname: "node2",
          operatingsystem: "RedHat",
          osfamily: "RedHat",
          role: "db",
          datacenter: "dc2",
          node_index: "2",
        },
        classes: ["base", "role::db", "os::redhat"],
        version: "2.12.5",
        main_collective: "mcollective",
        collectives: ["mcollective"],
        data_plugins: ["agent_data", "collective_data", "fact_data", "fstat_data"],
      },
    };
    const bytes = Buffer.from(inventory.inner_base64, "base64");
    expect(toNatural(load(bytes))).toEqual(expected);
    expect(toNatural(load(bytes, { strings: "ruby" }))).toEqual(expected);
  });

  it("maps scalars: symbols, floats, bignums, binary strings", () => {
    expect(toNatural(sym("x"))).toBe("x");
    expect(toNatural(new RubyFloat(2))).toBe(2);
    expect(toNatural(2n ** 40n)).toBe(2 ** 40);
    expect(toNatural(2n ** 64n)).toBe("18446744073709551616");
    expect(toNatural(-(2n ** 64n))).toBe("-18446744073709551616");
    expect(toNatural(RubyString.binary(Buffer.from([1, 2])))).toEqual(Buffer.from([1, 2]));
    expect(toNatural(new RubyString(Buffer.from([0x82, 0xa0]), "Shift_JIS"))).toBe("あ");
    expect(toNatural(new Uint8Array([3]))).toEqual(Buffer.from([3]));
  });

  it("gives other Ruby objects a readable plain form", () => {
    expect(toNatural(new RubyObject("Foo", new Map<string, RubyValue>([["@a", 1]])))).toEqual({
      "@class": "Foo",
      "@a": 1,
    });
    expect(toNatural(new RubyStruct("Point", new Map<string, RubyValue>([["x", 1]])))).toEqual({
      "@class": "Point",
      x: 1,
    });
    expect(toNatural(new RubyRegexp("w.b", 5))).toBe("/w.b/mi");
    expect(toNatural(new RubyClassRef("class", "String"))).toBe("String");
    expect(toNatural(new RubyUserDefined("U", Buffer.from("x")))).toEqual({
      "@class": "U",
      "@data": Buffer.from("x"),
    });
    expect(toNatural(new RubyHash([[sym("a"), 1]], 0))).toEqual({ a: 1 });
  });

  it("names keys that are not Strings or Symbols", () => {
    const m = new Map<RubyValue, RubyValue>([
      [1, "one"],
      [null, "nil"],
      [[1, 2], "pair"],
      [RubyString.utf8("s"), "rs"],
    ]);
    expect(toNatural(m)).toEqual({ "1": "one", null: "nil", "[1, 2]": "pair", s: "rs" });
  });

  it("makes a __proto__ key an own property, never a prototype", () => {
    const out = toNatural(
      new Map<RubyValue, RubyValue>([["__proto__", new Map([[sym("polluted"), true]])]]),
    ) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("keeps shared and cyclic structure", () => {
    const a: RubyValue[] = [1];
    a.push(a);
    const out = toNatural(a) as unknown[];
    expect(out[1]).toBe(out);
  });
});

describe("fromNatural", () => {
  it("turns plain objects into Symbol-keyed Maps at every depth", () => {
    expect(fromNatural({ fact: "os", nested: { deep: [1, { x: true }] }, gone: undefined })).toEqual(
      new Map<RubyValue, RubyValue>([
        [sym("fact"), "os"],
        [sym("nested"), new Map<RubyValue, RubyValue>([[sym("deep"), [1, new Map([[sym("x"), true]])]]])],
        [sym("gone"), null],
      ]),
    );
  });

  it("uses String keys on request", () => {
    expect(fromNatural({ agent: ["rpcutil"] }, { keys: "string" })).toEqual(
      new Map([["agent", ["rpcutil"]]]),
    );
  });

  it("passes Maps, symbols, Buffers and Ruby wrappers through unchanged", () => {
    const filter = new Map<RubyValue, RubyValue>([["agent", []]]);
    const f = new RubyFloat(1);
    const buf = Buffer.from("x");
    const out = fromNatural({ filter, f, buf, s: sym("y"), big: 2n ** 70n }) as Map<RubyValue, RubyValue>;
    expect(out.get(sym("filter"))).toBe(filter);
    expect(out.get(sym("f"))).toBe(f);
    expect(out.get(sym("buf"))).toBe(buf);
    expect(out.get(sym("s"))).toBe(sym("y"));
    expect(dump(out)).toBeInstanceOf(Buffer);
  });

  it("keeps shared plain objects shared and converts cycles", () => {
    const shared = { x: 1 };
    const out = fromNatural({ a: shared, b: shared }) as Map<RubyValue, RubyValue>;
    expect(out.get(sym("a"))).toBe(out.get(sym("b")));
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const c = fromNatural(cyclic) as Map<RubyValue, RubyValue>;
    expect(c.get(sym("self"))).toBe(c);
    expect(toNatural(load(dump(c)))).toEqual(cyclic);
  });

  it("refuses Dates, class instances and functions, naming the path", () => {
    const err = (v: unknown) => {
      try {
        fromNatural(v);
      } catch (e) {
        expect(e).toBeInstanceOf(MarshalEncodeError);
        return (e as Error).message;
      }
      throw new Error("expected an error");
    };
    expect(err({ when: new Date(0) })).toBe(
      "cannot convert an instance of Date at $[:when]: use a plain value",
    );
    expect(err({ a: [1, new (class Thing {})()] })).toMatch(/instance of Thing at \$\[:a\]\[1\]/);
    expect(err({ f: () => 1 })).toBe("cannot convert a function at $[:f]");
    expect(() => fromNatural({ k: new Map([["x", new Date()]]) })).not.toThrow();
  });
});

describe("hashGet and asString", () => {
  it('finds :key first, then "key", also as a faithful RubyString key', () => {
    const both = new Map<RubyValue, RubyValue>([
      ["agent", "string-key"],
      [sym("agent"), "symbol-key"],
    ]);
    expect(hashGet(both, "agent")).toBe("symbol-key");
    expect(hashGet(new Map([["agent", 1]]), "agent")).toBe(1);
    expect(hashGet(new Map([[RubyString.utf8("agent"), 2]]), "agent")).toBe(2);
    expect(hashGet(new Map([[Buffer.from("agent"), 3]]), "agent")).toBe(3);
    expect(hashGet(new Map(), "agent")).toBeUndefined();
    expect(hashGet(null, "agent")).toBeUndefined();
    expect(hashGet(["agent"], "agent")).toBeUndefined();
  });

  it("reads text from every String form", () => {
    expect(asString("x")).toBe("x");
    expect(asString(RubyString.utf8("é"))).toBe("é");
    expect(asString(RubyString.ascii("abc"))).toBe("abc");
    expect(asString(RubyString.binary(Buffer.from("é")))).toBe("é");
    expect(asString(RubyString.binary(Buffer.from([0xff, 0x41])))).toBe("ÿA");
    expect(asString(Buffer.from("pong"))).toBe("pong");
    expect(asString(new RubyString(Buffer.from([0x82, 0xa0]), "Shift_JIS"))).toBe("あ");
    expect(asString(1)).toBeUndefined();
    expect(asString(sym("x"))).toBeUndefined();
    expect(asString(undefined)).toBeUndefined();
  });
});
