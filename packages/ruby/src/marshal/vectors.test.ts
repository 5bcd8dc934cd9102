import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { dump } from "./dump.js";
import { inspect } from "./inspect.js";
import { load } from "./load.js";
import { hashGet } from "./natural.js";
import { RubyString, type RubyValue, sym } from "./types.js";

/**
 * Captured MCollective 2.12.5 messages (a copy of shared/wire/vectors/vectors.json):
 * envelope bodies and their inner payloads, with Ruby's inspect of each.
 */
interface Vector {
  name: string;
  serializer: string;
  body_base64: string;
  inner_base64: string;
  envelope_inspect: string;
  inner_inspect: string;
}

const vectors = JSON.parse(
  readFileSync(new URL("./__fixtures__/vectors.json", import.meta.url), "utf8"),
) as Vector[];

// The two ssl+yaml captures carry YAML (Psych) bodies, not Marshal.
const YAML_VECTORS = new Set(["sslyaml-rpc-ping-request", "sslyaml-rpc-ping-reply"]);

const marshalCases = vectors
  .filter((v) => !YAML_VECTORS.has(v.name))
  .flatMap((v) => [
    { name: `${v.name} envelope`, bytes: Buffer.from(v.body_base64, "base64"), inspect: v.envelope_inspect },
    { name: `${v.name} payload`, bytes: Buffer.from(v.inner_base64, "base64"), inspect: v.inner_inspect },
  ]);

/** `pp` wraps long values over lines; the one-line `inspect` differs only in that whitespace. */
function normalise(s: string): string {
  return s.replace(/\s*\n\s*/g, " ").replace(/\s+/g, " ");
}

describe("captured MCollective vectors", () => {
  it("has the 36 Marshal bodies the brief expects, all starting 04 08", () => {
    expect(marshalCases).toHaveLength(36);
    for (const c of marshalCases) expect([...c.bytes.subarray(0, 2)], c.name).toEqual([4, 8]);
    for (const name of YAML_VECTORS)
      expect(vectors.some((v) => v.name === name && v.serializer === "yaml")).toBe(true);
  });

  for (const c of marshalCases) {
    it(`${c.name}: faithful load → dump gives the same bytes`, () => {
      const value = load(c.bytes, { strings: "ruby" });
      expect(dump(value).toString("hex")).toBe(c.bytes.toString("hex"));
    });

    it(`${c.name}: inspect matches Ruby`, () => {
      expect(normalise(inspect(load(c.bytes, { strings: "ruby" })))).toBe(normalise(c.inspect));
      expect(normalise(inspect(load(c.bytes)))).toBe(normalise(c.inspect));
    });
  }
});

describe("default-mode decoding of the vectors", () => {
  const byName = (name: string) => vectors.find((v) => v.name === name) as Vector;

  it("gives an envelope with symbol keys, natural strings, a numeric :msgtime and a binary :body", () => {
    const env = load(Buffer.from(byName("psk-rpc-ping-request").body_base64, "base64")) as Map<
      RubyValue,
      RubyValue
    >;
    expect([...env.keys()]).toEqual(
      [
        "body",
        "senderid",
        "requestid",
        "filter",
        "collective",
        "agent",
        "callerid",
        "ttl",
        "msgtime",
        "hash",
      ].map(sym),
    );
    expect(env.get(sym("senderid"))).toBe("refclient");
    expect(env.get(sym("requestid"))).toBe("58a0959a752f50e499d4f590b11f98c6");
    expect(env.get(sym("ttl"))).toBe(60);
    expect(env.get(sym("msgtime"))).toBe(1795531566);
    const body = env.get(sym("body"));
    expect(Buffer.isBuffer(body)).toBe(true);
    expect(load(body as Buffer)).toEqual(
      new Map<RubyValue, RubyValue>([
        [sym("agent"), "rpcutil"],
        [sym("action"), "ping"],
        [sym("caller"), "uid=0"],
        [sym("data"), new Map([[sym("process_results"), true]])],
      ]),
    );
    const filter = env.get(sym("filter")) as Map<RubyValue, RubyValue>;
    expect([...filter.keys()]).toEqual(["fact", "cf_class", "agent", "identity", "compound"]);
    expect(filter.get("agent")).toEqual(["rpcutil"]);
  });

  it("keeps the directed request's shared :agent String as one object in faithful mode", () => {
    const bytes = Buffer.from(byName("psk-rpc-ping-request").body_base64, "base64");
    expect(bytes.includes(Buffer.from([0x3a, 0x0a, 0x61, 0x67, 0x65, 0x6e, 0x74, 0x40, 0x10]))).toBe(true);
    const env = load(bytes, { strings: "ruby" }) as Map<RubyValue, RubyValue>;
    const agent = env.get(sym("agent"));
    expect(agent).toBeInstanceOf(RubyString);
    expect(hashGet(hashGet(env, "filter"), "agent")).toEqual([agent]);
    expect((hashGet(hashGet(env, "filter"), "agent") as RubyValue[])[0]).toBe(agent);
  });

  it("decodes reply payloads: status, Bignum :pong, facts Hash with String keys", () => {
    const ping = load(Buffer.from(byName("psk-rpc-ping-reply").inner_base64, "base64"));
    expect(hashGet(hashGet(ping, "data"), "pong")).toBe(1795531566);
    expect(hashGet(ping, "statuscode")).toBe(0);
    expect(hashGet(ping, "statusmsg")).toBe("OK");
    const inv = load(Buffer.from(byName("psk-inventory-reply").inner_base64, "base64"));
    const facts = hashGet(hashGet(inv, "data"), "facts") as Map<RubyValue, RubyValue>;
    expect(facts.get("fqdn")).toBe("node2.example.net");
    expect(facts.get("mcollective")).toBe("1");
  });
});
