import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dump, type RubyValue, rubyFloat, sym } from "@phobos/core";
import { describe, expect, it } from "vitest";
import { prettyInspect } from "./pretty-inspect.js";

const m = (...pairs: [RubyValue, RubyValue][]) => new Map<RubyValue, RubyValue>(pairs);
const threads = [
  "#<Thread:0x00007fe8fcf1bc78 sleep>",
  "#<Thread:0x00007fe8f9788040 /usr/lib/ruby/vendor_ruby/mcollective/runner.rb:140 sleep>",
  "#<Thread:0x00007fe8f9706860 /usr/lib/ruby/vendor_ruby/mcollective/agents.rb:121 run>",
  "#<Thread:0x00007fe8f9705208 /usr/lib/ruby/3.1.0/timeout.rb:97 run>",
];

/** Values a reply can carry, short and long, nested, at and around the 79-column edge. */
const TABLE: RubyValue[] = [
  1795531375,
  -12,
  12345678901234567890n,
  rubyFloat(0),
  0.049476,
  1e20,
  1.5e-7,
  null,
  true,
  false,
  "plain",
  "",
  "two\nlines",
  "ends with newline\n",
  "a\nb\nc\n",
  `${"x".repeat(50)}\n${"y".repeat(50)}`,
  'tab\tand "quotes" and \u00e9',
  sym("running"),
  sym("with space"),
  [],
  m(),
  ["discovery", "rpcutil"],
  threads,
  m(
    [sym("utime"), 0.049476],
    [sym("stime"), 0.007068],
    [sym("cutime"), rubyFloat(0)],
    [sym("cstime"), rubyFloat(0)],
  ),
  Array.from({ length: 30 }, (_, i) => i * 1000),
  Array.from({ length: 12 }, (_, i) => `element-${i}`),
  m(...Array.from({ length: 8 }, (_, i): [RubyValue, RubyValue] => [`key${i}`, `value number ${i}`])),
  m([sym("nested"), m([sym("deeper"), Array.from({ length: 10 }, (_, i) => `item${i}`)])], [sym("x"), 1]),
  [m([sym("a"), 1], [sym("b"), [1, 2, 3]]), m([sym("c"), "x".repeat(70)])],
  m(["a".repeat(40), "b".repeat(40)]),
  ["x".repeat(77)],
  ["x".repeat(76)],
  [["x".repeat(36), "y".repeat(36)], "z"],
  m([sym("multi"), "line one\nline two"], [sym("list"), ["p\nq", "r"]]),
  [null, true, false, sym("s"), 1.25, "str"],
];

function rubyPrettyInspect(values: RubyValue[], columns: number): string[] {
  const input = JSON.stringify(values.map((v) => Buffer.from(dump(v)).toString("base64")));
  const script = fileURLToPath(new URL("./__fixtures__/pretty-inspect.rb", import.meta.url));
  const result = spawnSync("ruby", ["-EUTF-8", script], {
    input,
    encoding: "utf8",
    env: { ...process.env, LANG: "C.UTF-8", LC_ALL: "C.UTF-8", RUBYOPT: "", COLUMNS: String(columns) },
  });
  if (result.error && (result.error as NodeJS.ErrnoException).code === "ENOENT") {
    throw new Error("ruby not found: run `sh tooling/scripts/provision.sh`");
  }
  if (result.status !== 0) throw new Error(`ruby exited ${result.status}: ${result.stderr}`);
  return JSON.parse(result.stdout) as string[];
}

describe("prettyInspect", () => {
  for (const columns of [80, 40]) {
    it(`lays every value out as Ruby 3.1's pretty_inspect does at ${columns} columns`, () => {
      const expected = rubyPrettyInspect(TABLE, columns);
      const actual = TABLE.map((v) => prettyInspect(v, columns));
      for (let i = 0; i < TABLE.length; i++) expect(actual[i], `value #${i}`).toBe(expected[i]);
    });
  }

  it("breaks daemon_stats' thread list as 16-rpc-daemon_stats-I.txt shows", () => {
    expect(prettyInspect(threads, 80)).toBe(
      [
        '["#<Thread:0x00007fe8fcf1bc78 sleep>",',
        ' "#<Thread:0x00007fe8f9788040 /usr/lib/ruby/vendor_ruby/mcollective/runner.rb:140 sleep>",',
        ' "#<Thread:0x00007fe8f9706860 /usr/lib/ruby/vendor_ruby/mcollective/agents.rb:121 run>",',
        ' "#<Thread:0x00007fe8f9705208 /usr/lib/ruby/3.1.0/timeout.rb:97 run>"]\n',
      ].join("\n"),
    );
  });
});
