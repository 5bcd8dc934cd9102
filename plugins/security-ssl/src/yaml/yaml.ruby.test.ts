/**
 * The YAML serializer against Ruby's own Psych, both directions, in one
 * ruby process: for every case Ruby dumps the value (Phobos must write the
 * same bytes) and safe_loads Phobos's text (it must read back equal), and
 * Phobos loads Ruby's text (it must read back the same value). Hand-picked
 * cases cover each quoting and block rule; generated ones mix the
 * characters those rules look at.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dump, RubyFloat, RubyRegexp, RubyString, type RubyValue, sym } from "@phobos/core";
import { describe, expect, it } from "vitest";
import { dumpYaml, loadYaml } from "./index.js";

interface Oracle {
  dump?: string;
  dump_error?: string;
  loaded?: string;
  equal?: boolean;
  load_error?: string;
  /** Psych itself cannot safe_load its own dump of this value (a String that looks like a Date). */
  self_load_error?: string;
}

const h = (...pairs: [RubyValue, RubyValue][]) => new Map<RubyValue, RubyValue>(pairs);

const STRINGS = [
  "plain",
  "",
  "true",
  "123",
  "1.5",
  ":sym",
  "null",
  "~",
  "yes",
  "no",
  "Yes",
  "NULL",
  "off",
  "y",
  "n",
  "a: b",
  "- x",
  "-",
  ":",
  "?",
  "#c",
  "a#b",
  "a #b",
  " lead",
  "trail ",
  "multi\nline\n",
  "multi\nline",
  "multi\n\n",
  "x\n",
  "\n",
  "\n\n",
  "x\n\n\n",
  " x\ny",
  "x\n  y",
  "\nx\ny",
  "a\nb\n\n",
  "tab\there",
  "quote'single",
  'dq"x',
  "é unicode",
  "中文",
  "emoji 😀",
  "nul\u0000byte",
  "ctrl\u0007",
  "\r\n",
  "cr\rlf",
  "nel\u0085",
  "ls\u2028ps\u2029",
  "bom\ufeff",
  "del\u007f",
  "nbsp\u00a0",
  "0x1F",
  "1_000",
  "2020-01-01",
  "2020-02-30",
  "2020-13-01",
  "2001-12-14t21:59:43.10-05:00",
  "2001-13-14 21:59:43",
  "@at",
  "`bt",
  "!bang",
  "&amp",
  "*star",
  "%pct",
  "{x",
  "[x",
  "x,y",
  "?q",
  "|p",
  ">g",
  "'",
  '"',
  "=",
  "<<",
  "1e3",
  ".5",
  "+1",
  "-1",
  "0o17",
  "08",
  "0b101",
  "0b",
  "1:30",
  "1:30.5",
  "190:20:30",
  ".inf",
  "-.inf",
  ".NaN",
  "---",
  "...",
  "--- x",
  "cert=refclient",
  "rpcutil",
  "/node\\d/",
  "==",
  "=~",
  "<=",
  "fact('role').value=web",
  "Could not find a public key for x in /etc/mcollective/ssl/clients/x.pem",
  `${"word ".repeat(25).trim()}`,
  "x".repeat(100),
  "it's ".repeat(20),
  `tab\t${"w ".repeat(50)}`,
  `${"a".repeat(79)} b`,
  `${"a".repeat(81)}  b c`,
  `"${"q ".repeat(45)}"`,
  `long\n${"word ".repeat(30)}\n`,
  "k".repeat(129),
];

function handPicked(): RubyValue[] {
  const values: RubyValue[] = [...STRINGS];
  values.push(
    null,
    true,
    false,
    0,
    -7,
    60,
    1795531612,
    2n ** 70n,
    -(2n ** 64n),
    1.5,
    new RubyFloat(1),
    new RubyFloat(100),
    1e20,
    1e-5,
    12345678.9,
    -0.5,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    sym("sym"),
    sym("with space"),
    sym("a:b"),
    sym("ssl_msg"),
    new RubyRegexp("re+", 1),
    new RubyRegexp("node\\d", 0),
    Buffer.from([0xff, 0xfe, 0x00]),
    Buffer.from("ascii"),
    RubyString.binary(Buffer.from("é", "utf8")),
    [],
    new Map(),
    [1, [2, 3], h([sym("h"), null])],
    [h(["a", 1], ["b", 2])],
    [[], [[]], h()],
    h([sym("e"), []], [sym("f"), h()]),
    h(["k y", 1], ["1", 2], [3, 4], [sym("sym"), sym("value")], [null, "nil key"], [true, "t"]),
    h(["x".repeat(129), "long key"], ["multi\nline key", 1]),
  );
  STRINGS.forEach((s, i) => {
    values.push(h([sym(`k${i}`), s]));
    values.push([s]);
    values.push(h([s, i]));
  });
  // The payloads MCollective messages carry.
  values.push(
    h(
      [
        sym("ssl_msg"),
        h(
          [sym("agent"), "rpcutil"],
          [sym("action"), "ping"],
          [sym("caller"), "cert=refclient"],
          [sym("data"), h([sym("process_results"), true])],
        ),
      ],
      [sym("ssl_ttl"), 60],
      [sym("ssl_msgtime"), 1795531655],
    ),
    h([sym("statuscode"), 0], [sym("statusmsg"), "OK"], [sym("data"), h([sym("pong"), 1795531655])]),
    h(
      ["fact", [h([sym("fact"), "role"], [sym("value"), "/w.b/"], [sym("operator"), "=~"])]],
      ["cf_class", ["base"]],
      ["agent", ["rpcutil"]],
      ["identity", []],
      [
        "compound",
        [
          [
            h(["statement", "operatingsystem=Debian"]),
            h(["or", "or"]),
            h([
              "fstatement",
              h(
                ["r_compare", "web"],
                ["operator", "=="],
                ["value", "value"],
                ["name", "fact"],
                ["params", "role"],
              ),
            ]),
          ],
        ],
      ],
    ),
  );
  return values;
}

/** xorshift32: the same cases every run. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

const ALPHABET = [
  ..."abcxyzABC019_ ",
  ..."    ",
  ..."\n\n\t",
  ..."#:-?,[]{}&*!|>'\"%@`~=<./\\+",
  "é",
  "中",
  "😀",
  "\u0085",
  "\u2028",
  "\ufeff",
  "\u0000",
  "\u007f",
  "\r",
  "\u00a0",
];

function generated(count: number): RubyValue[] {
  const next = random(0x5eed1);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)] as T;
  const text = (max: number) => {
    const length = Math.floor(next() * max);
    let s = "";
    for (let i = 0; i < length; i++) s += pick(ALPHABET);
    return s;
  };
  const words = ["true", "no", "~", "null", "12", "0x1f", "1.5", ":x", "y", "-", "--- ", "..."];
  const values: RubyValue[] = [];
  for (let i = 0; i < count; i++) {
    const r = next();
    const s = r < 0.2 ? pick(words) + text(4) : r < 0.3 ? text(120) : text(14);
    values.push(i % 3 === 0 ? h([sym("v"), s], [s, [s]]) : s);
  }
  return values;
}

function askRuby(cases: { marshal: string; yaml?: string }[]): Oracle[] {
  const script = fileURLToPath(new URL("./__fixtures__/psych-oracle.rb", import.meta.url));
  const result = spawnSync("ruby", ["-EUTF-8", script], {
    input: `${cases.map((c) => JSON.stringify(c)).join("\n")}\n`,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, LANG: "C.UTF-8", LC_ALL: "C.UTF-8", RUBYOPT: "" },
  });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT") {
    throw new Error("ruby not found: run `sh tooling/scripts/provision.sh`");
  }
  if (result.status !== 0) throw new Error(`the Psych oracle failed: ${result.stderr}`);
  return result.stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Oracle);
}

const values = [...handPicked(), ...generated(1500)];
const ours = values.map((v) => {
  try {
    return { yaml: dumpYaml(v) };
  } catch (error) {
    return { error: (error as Error).message };
  }
});
const oracle = askRuby(
  values.map((v, i) => ({
    marshal: Buffer.from(dump(v)).toString("base64"),
    ...(ours[i]?.yaml === undefined ? {} : { yaml: ours[i]?.yaml }),
  })),
);

const show = (v: RubyValue) =>
  JSON.stringify(v, (_k, x) =>
    typeof x === "bigint"
      ? `${x}n`
      : typeof x === "symbol"
        ? `:${Symbol.keyFor(x)}`
        : x instanceof Map
          ? [...x]
          : x,
  );

describe("YAML.dump, reproduced", () => {
  it(`writes the same bytes as Ruby's Psych for ${values.length} values`, () => {
    const mismatches: string[] = [];
    values.forEach((v, i) => {
      const ruby = oracle[i] as Oracle;
      const mine = ours[i] as { yaml?: string; error?: string };
      if (ruby.dump_error !== undefined) {
        if (mine.error === undefined)
          mismatches.push(
            `${show(v)}: Ruby raised ${ruby.dump_error}, Phobos wrote ${JSON.stringify(mine.yaml)}`,
          );
      } else if (mine.yaml !== ruby.dump) {
        mismatches.push(
          `${show(v)}:\n  ruby:   ${JSON.stringify(ruby.dump)}\n  phobos: ${JSON.stringify(mine.yaml ?? mine.error)}`,
        );
      }
    });
    expect(mismatches.slice(0, 20).join("\n")).toBe("");
  });

  it("writes YAML that Ruby's safe_load reads back as the same value", () => {
    const problems: string[] = [];
    values.forEach((v, i) => {
      const ruby = oracle[i] as Oracle;
      if (ours[i]?.yaml === undefined) return;
      if (ruby.load_error !== undefined) {
        if (ruby.self_load_error === undefined)
          problems.push(`${show(v)}: safe_load raised ${ruby.load_error}`);
      } else if (ruby.loaded !== Buffer.from(dump(v)).toString("base64") && ruby.equal !== true) {
        problems.push(`${show(v)}: read back differently`);
      }
    });
    expect(problems.slice(0, 20).join("\n")).toBe("");
  });
});

describe("YAML.safe_load, reproduced", () => {
  it("reads what Ruby's YAML.dump wrote as the value Ruby dumped", () => {
    const problems: string[] = [];
    values.forEach((v, i) => {
      const ruby = oracle[i] as Oracle;
      if (ruby.dump === undefined) return;
      if (ruby.self_load_error !== undefined) {
        if (!throws(() => loadYaml(ruby.dump as string))) {
          problems.push(`${show(v)}: safe_load raises ${ruby.self_load_error}, Phobos read it`);
        }
        return;
      }
      try {
        const back = loadYaml(ruby.dump);
        if (Buffer.compare(Buffer.from(dump(back)), Buffer.from(dump(normalized(v)))) !== 0) {
          problems.push(`${show(v)}: read ${show(back)}`);
        }
      } catch (error) {
        problems.push(`${show(v)}: ${(error as Error).message}`);
      }
    });
    expect(problems.slice(0, 20).join("\n")).toBe("");
  });

  it("refuses what safe_load refuses: aliases, objects, times", () => {
    expect(() => loadYaml("--- &a [1]\n--- *a\n")).toThrow();
    expect(() => loadYaml("---\na: &x 1\nb: *x\n")).toThrow(/Alias/);
    expect(() => loadYaml("--- !ruby/object:Foo\na: 1\n")).toThrow(/unspecified class/);
    expect(() => loadYaml("--- 2020-01-01\n")).toThrow(/Date/);
    expect(() => loadYaml("--- 2020-01-01 10:00:00\n")).toThrow(/Time/);
    expect(() => loadYaml("---\n- [unclosed\n")).toThrow(/not YAML/);
  });

  it("reads Psych's meanings of plain scalars", () => {
    expect(loadYaml("--- yes\n")).toBe(true);
    expect(loadYaml("--- '123'\n")).toBe("123");
    expect(loadYaml("--- 0x1F\n")).toBe(31);
    expect(loadYaml("--- 1_000\n")).toBe(1000);
    expect(loadYaml("--- :senderid\n")).toBe(sym("senderid"));
    expect(loadYaml("--- 1:30\n")).toBe(5400);
    expect(loadYaml("--- ~\n")).toBe(null);
    expect(loadYaml("")).toBe(null);
  });
});

function throws(fn: () => unknown): boolean {
  try {
    fn();
    return false;
  } catch {
    return true;
  }
}

/** What a value is after a YAML round trip in Ruby: binary ASCII text becomes a UTF-8 String. */
function normalized(v: RubyValue): RubyValue {
  if (v instanceof Uint8Array && v.every((b) => b < 0x80)) return Buffer.from(v).toString("latin1");
  if (v instanceof RubyString && v.encoding === "ASCII-8BIT" && v.bytes.every((b) => b < 0x80))
    return v.toString();
  if (Array.isArray(v)) return v.map(normalized);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [normalized(k), normalized(x)]));
  return v;
}
