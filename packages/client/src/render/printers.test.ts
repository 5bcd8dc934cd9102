/**
 * The printers against what the real mco printed (wire/cli-outputs and the
 * rabbitmq-psk scenario captures): printrpc then printrpcstats, byte for byte.
 */

import type { AggregateResult } from "@phobos/core";
import { type RubyValue, rubyFloat, sym } from "@phobos/core";
import { describe, expect, it } from "vitest";
import { RpcStats } from "../rpc-stats.js";
import { afterProgress, goldenStdout, result, rpcutilDdl } from "./__fixtures__/golden.js";
import { colorizer } from "./color.js";
import { Progress } from "./progress.js";
import { printrpcText, rpcResults } from "./rpc-results.js";
import { aggregateText, printrpcstatsText, statsReport } from "./stats-report.js";

function stats(
  nodes: string[],
  responded: string[],
  blockMs: number,
  extra: Partial<Pick<RpcStats, "okcount" | "failcount" | "aggregateSummary" | "action">> = {},
): RpcStats {
  const s = new RpcStats();
  s.discoveredAgents(nodes);
  for (const n of responded) s.nodeResponded(n);
  s.responses = responded.length;
  s.blocktime = blockMs / 1000;
  s.okcount = extra.okcount ?? responded.length;
  s.failcount = extra.failcount ?? 0;
  s.aggregateSummary = extra.aggregateSummary ?? [];
  s.action = extra.action;
  s.finishRequest();
  return s;
}

const summary = (output: string, pairs: [unknown, number][], width: number): AggregateResult => ({
  type: "collection",
  value: new Map(pairs),
  output,
  format: `%${width}s = %s`,
});

describe("printrpc + printrpcstats", () => {
  it("get_fact with a summary (09-rpc-get_fact.txt)", () => {
    const results = [
      result("node4", "get_fact", [
        ["fact", "role"],
        ["value", "cache"],
      ]),
      result("node2", "get_fact", [
        ["fact", "role"],
        ["value", "db"],
      ]),
      result("node3", "get_fact", [
        ["fact", "role"],
        ["value", "app"],
      ]),
      result("node1", "get_fact", [
        ["fact", "role"],
        ["value", "web"],
      ]),
    ];
    const nodes = ["node4", "node2", "node3", "node1"];
    const s = stats(nodes, nodes, 9.72, {
      action: "get_fact",
      aggregateSummary: [
        summary(
          "value",
          [
            ["cache", 1],
            ["db", 1],
            ["app", 1],
            ["web", 1],
          ],
          5,
        ),
      ],
    });
    const text =
      printrpcText(results, { ddl: rpcutilDdl }) +
      printrpcstatsText(s, { caption: "rpcutil#get_fact call stats", summarize: true, ddl: rpcutilDdl });
    expect(`\n${text}`).toBe(afterProgress(goldenStdout("09-rpc-get_fact.txt")));
  });

  it("daemon_stats: Arrays and Hashes through pretty_inspect (16-rpc-daemon_stats-I.txt)", () => {
    const raw: [string, import("@phobos/core").RubyValue][] = [
      [
        "threads",
        [
          "#<Thread:0x00007fe8fcf1bc78 sleep>",
          "#<Thread:0x00007fe8f9788040 /usr/lib/ruby/vendor_ruby/mcollective/runner.rb:140 sleep>",
          "#<Thread:0x00007fe8f9706860 /usr/lib/ruby/vendor_ruby/mcollective/agents.rb:121 run>",
          "#<Thread:0x00007fe8f9705208 /usr/lib/ruby/3.1.0/timeout.rb:97 run>",
        ],
      ],
      ["agents", ["discovery", "rpcutil"]],
      ["pid", 21651],
      [
        "times",
        new Map<RubyValue, RubyValue>([
          [sym("utime"), 0.049476],
          [sym("stime"), 0.007068],
          [sym("cutime"), rubyFloat(0)],
          [sym("cstime"), rubyFloat(0)],
        ]),
      ],
      ["validated", 25],
      ["unvalidated", 0],
      ["passed", 24],
      ["filtered", 1],
      ["starttime", 1795531353],
      ["total", 25],
      ["replies", 23],
      ["configfile", "STATE/nodes/node1/server.cfg"],
      ["version", "2.12.5"],
      ["ttlexpired", 0],
    ];
    const s = stats(["node1"], ["node1"], 3.79, {
      action: "daemon_stats",
      aggregateSummary: [
        summary(
          "agents",
          [
            ["discovery", 1],
            ["rpcutil", 1],
          ],
          9,
        ),
        summary("version", [["2.12.5", 1]], 6),
      ],
    });
    const text =
      printrpcText([result("node1", "daemon_stats", raw)], { ddl: rpcutilDdl, columns: 80 }) +
      printrpcstatsText(s, { summarize: true, ddl: rpcutilDdl });
    expect(`\n${text}`).toBe(afterProgress(goldenStdout("16-rpc-daemon_stats-I.txt")));
  });

  it("an error reply and an empty summary (rabbitmq-psk/08-rpc-error-reply.out)", () => {
    const r = result(
      "node1",
      "get_config_item",
      [
        ["item", null],
        ["value", null],
      ],
      [1, "Unknown config property no_such_item"],
    );
    const s = stats(["node1"], ["node1"], 5.96, {
      okcount: 0,
      failcount: 1,
      action: "get_config_item",
      aggregateSummary: [summary("value", [], 0)],
    });
    const text = printrpcText([r], { ddl: rpcutilDdl }) + printrpcstatsText(s, { ddl: rpcutilDdl });
    expect(`\n${text}`).toBe(afterProgress(goldenStdout("08-rpc-error-reply.out")));
  });

  it("get_data: outputs the DDL does not declare are labelled by key (rabbitmq-psk/09-rpc-get_data.out)", () => {
    const keys: [string, string | number][] = [
      ["atime", "2026-11-24 14:34:03"],
      ["atime_age", 740],
      ["atime_seconds", 1795530843],
      ["ctime", "2026-11-24 13:31:03"],
      ["ctime_age", 4520],
      ["ctime_seconds", 1795527063],
      ["gid", 0],
      ["md5", "6520213d3695a344f306efffa2523807"],
      ["mode", "100755"],
      ["mtime", "2026-11-24 13:31:03"],
      ["mtime_age", 4520],
      ["mtime_seconds", 1795527063],
      ["name", "/etc/hostname"],
      ["output", "present"],
      ["present", 1],
      ["size", 3],
      ["type", "file"],
      ["uid", 0],
    ];
    const text =
      printrpcText([result("node1", "get_data", [...keys].reverse())], { ddl: rpcutilDdl }) +
      printrpcstatsText(stats(["node1"], ["node1"], 7.27), { ddl: rpcutilDdl });
    expect(`\n${text}`).toBe(afterProgress(goldenStdout("09-rpc-get_data.out")));
  });

  it("--limit 50%: 2 of 4 discovered (14-rpc-limit-50pct.txt)", () => {
    const s = stats(["node1", "node4"], ["node1", "node4"], 5.61);
    s.discoveredAgents(["node1", "node2", "node3", "node4"]);
    const results = [
      result("node1", "ping", [["pong", 1795531390]]),
      result("node4", "ping", [["pong", 1795531390]]),
    ];
    const text = printrpcText(results, { ddl: rpcutilDdl }) + printrpcstatsText(s, { ddl: rpcutilDdl });
    expect(`\n${text}`).toBe(afterProgress(goldenStdout("14-rpc-limit-50pct.txt")));
  });

  it("--batch: the progress bar ends with one newline (15-rpc-batch-1.txt)", () => {
    const nodes = ["node3", "node2", "node4", "node1"];
    const results = nodes.map((n) => result(n, "ping", [["pong", 1795531392]]));
    const text =
      printrpcText(results, { ddl: rpcutilDdl }) +
      printrpcstatsText(stats(nodes, nodes, 9.92), { ddl: rpcutilDdl });
    expect(text).toBe(afterProgress(goldenStdout("15-rpc-batch-1.txt")));
  });

  it("facts' stats line (06-facts-operatingsystem.txt)", () => {
    const nodes = ["node1", "node2", "node3", "node4"];
    expect(printrpcstatsText(stats(nodes, nodes, 8.88), { summarize: false })).toBe(
      "\nFinished processing 4 / 4 hosts in 8.88 ms\n\n",
    );
  });

  it("-j: compact JSON off a terminal, Ruby's float and symbol forms (10-rpc-inventory-json.txt)", () => {
    const golden = goldenStdout("10-rpc-inventory-json.txt");
    const parsed = JSON.parse(golden) as { sender: string; data: Record<string, unknown> }[];
    const results = parsed.map((p) =>
      result(
        p.sender,
        "inventory",
        Object.entries(p.data).map(([k, v]) => [
          k,
          v !== null && typeof v === "object" && !Array.isArray(v)
            ? new Map(Object.entries(v as Record<string, string>))
            : (v as string),
        ]),
      ),
    );
    expect(printrpcText(results, { format: "json" })).toBe(golden);
    const floats = result("n", "x", [
      [
        "times",
        new Map<RubyValue, RubyValue>([
          [sym("utime"), 0.5],
          [sym("cutime"), rubyFloat(0)],
        ]),
      ],
      ["big", rubyFloat(1e20)],
      ["s", sym("sym")],
    ]);
    expect(rpcResults([floats], { format: "json" })).toBe(
      '[{"agent":"rpcutil","action":"x","sender":"n","statuscode":0,"statusmsg":"OK","data":{"times":{"utime":0.5,"cutime":0.0},"big":1.0e+20,"s":"sym"}}]',
    );
    expect(
      rpcResults(
        [
          result("n", "x", [
            ["a", [1]],
            ["e", []],
          ]),
        ],
        { format: "json", prettyJson: true },
      ),
    ).toBe(
      [
        "[",
        "  {",
        '    "agent": "rpcutil",',
        '    "action": "x",',
        '    "sender": "n",',
        '    "statuscode": 0,',
        '    "statusmsg": "OK",',
        '    "data": {',
        '      "a": [',
        "        1",
        "      ],",
        '      "e": []',
        "    }",
        "  }",
        "]",
      ].join("\n"),
    );
  });

  it("-v: old_rpcresults and the statistics block with the nodes that did not answer", () => {
    const results = [
      result(
        "node3",
        "get_config_item",
        [
          ["item", null],
          ["value", null],
        ],
        [1, "Unknown config property no_such"],
      ),
      result(
        "node1",
        "get_config_item",
        [
          ["item", null],
          ["value", null],
        ],
        [1, "Unknown config property no_such"],
      ),
    ];
    expect(printrpcText(results, { ddl: rpcutilDdl, verbose: true })).toBe(
      [
        "",
        "node3                                   : Unknown config property no_such",
        "    {:item=>nil, :value=>nil}",
        "",
        "node1                                   : Unknown config property no_such",
        "    {:item=>nil, :value=>nil}",
        "",
        "",
        "",
      ].join("\n"),
    );
    const s = stats(["node3", "node1", "nodeX"], ["node3", "node1"], 11010.45);
    s.starttime = Date.UTC(2026, 10, 24, 16, 8, 6);
    const report = statsReport(s, { caption: "rpcutil#ping call stats", verbose: true });
    const lines = report.split("\n");
    expect(lines.slice(0, 3)).toEqual(["", "---- rpcutil#ping call stats ----", "           Nodes: 3 / 2"]);
    expect(lines[3]).toBe("     Pass / Fail: 2 / 0");
    expect(lines[4]).toMatch(/^ {6}Start Time: 2026-11-2[45] \d\d:\d\d:06 [+-]\d{4}$/);
    expect(lines.slice(5)).toEqual([
      "  Discovery Time: 0.00ms",
      "      Agent Time: 11010.45ms",
      "      Total Time: 11010.45ms",
      "",
      "",
      "No response from:",
      "",
      `    ${"nodeX".padEnd(30)} ${"".padEnd(30)} ${"".padEnd(30)}`,
      "",
      "",
    ]);
  });

  it("colors only what MCollective colors, with its codes", () => {
    const color = colorizer(true);
    const r = result("node1", "ping", [], [1, "failed"]);
    expect(rpcResults([r], { ddl: rpcutilDdl, color })).toBe(
      `${"node1".padEnd(40)} \x1b[31mRequest Aborted\x1b[0m\n   \x1b[33mfailed\x1b[0m\n\n`,
    );
    expect(statsReport(stats(["a", "b"], ["a"], 1), { color })).toContain(
      "Finished processing \x1b[31m1\x1b[0m / \x1b[31m2\x1b[0m hosts in 1.00 ms",
    );
  });

  it("display policy and --display", () => {
    const ok = result("a", "ping", [["pong", 1]]);
    const bad = result("b", "ping", [], [4, "bad input"]);
    const ddl = structuredClone(rpcutilDdl);
    (ddl.actions.ping as { display: string }).display = "failed";
    expect(rpcResults([ok, bad], { ddl })).toBe(`${"b".padEnd(40)} Invalid Request Data\n   bad input\n\n`);
    expect(rpcResults([ok, bad], { ddl, forceDisplayMode: "ok" })).toBe(
      `${"a".padEnd(40)} \n   Timestamp: 1\n\n`,
    );
    expect(rpcResults([ok, bad], { ddl, forceDisplayMode: "always" }).split("\n\n")).toHaveLength(3);
  });

  it("multi-line and empty strings align under their label", () => {
    const r = result("n", "x", [
      ["motd", "line one\nline two\n"],
      ["e", ""],
      ["much_longer_key", 1],
    ]);
    const ddl = structuredClone(rpcutilDdl);
    ddl.actions.x = { action: "x", description: "x", display: "always", input: {}, output: {} };
    expect(rpcResults([r], { ddl })).toBe(
      [
        `${"n".padEnd(40)} `,
        "                 e:",
        "              motd: line one",
        "                    line two",
        "   much_longer_key: 1",
        "",
        "",
      ].join("\n"),
    );
  });
});

describe("aggregateText", () => {
  it("most frequent first; for equal counts the reverse of arrival", () => {
    expect(
      aggregateText(
        summary(
          "v",
          [
            ["a", 2],
            ["b", 1],
            ["c", 2],
          ],
          1,
        ),
      ),
    ).toBe("c = 2\na = 2\nb = 1");
  });

  it("numeric results through their format, nothing for no value", () => {
    expect(aggregateText({ type: "numeric", value: 2.5, output: "x", format: "Average of x: %f" })).toBe(
      "Average of x: 2.500000",
    );
    expect(aggregateText({ type: "numeric", value: Number.NaN, output: "x", format: "%f" })).toBe("");
  });
});

describe("Progress", () => {
  it("writes `N / M` off a terminal", () => {
    const p = new Progress(0, colorizer(false));
    expect([0, 1, 2].map((i) => p.twirl(i, 2)).join("")).toBe("\r0 / 2\r1 / 2\r2 / 2");
  });

  it("draws the twirl bar on a terminal, at most 60 wide", () => {
    const p = new Progress(42, colorizer(false));
    expect(p.twirl(0, 4)).toBe(`\r | [ >${" ".repeat(20)} ] 0 / 4`);
    expect(p.twirl(2, 4)).toBe(`\r / [ ${"=".repeat(10)}>${" ".repeat(10)} ] 2 / 4`);
    expect(p.twirl(4, 4)).toBe(`\r * [ ${"=".repeat(20)}> ] 4 / 4`);
    expect(new Progress(200, colorizer(false)).twirl(1, 1)).toBe(`\r * [ ${"=".repeat(60)}> ] 1 / 1`);
  });
});
