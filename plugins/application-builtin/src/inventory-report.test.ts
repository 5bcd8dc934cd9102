import { readFileSync } from "node:fs";
import { type RubyValue, rubyFloat, sym } from "@phobos/core";
import { beforeAll, describe, expect, it } from "vitest";
import { nodeReport } from "./inventory-report.js";

const hash = (entries: [string, RubyValue][], symbols = true) =>
  new Map<RubyValue, RubyValue>(entries.map(([k, v]) => [symbols ? sym(k) : k, v]));

/** 07-inventory-node1.txt: what Ruby's mco printed for this node's replies. */
function golden(): string {
  const lines = readFileSync(new URL("./__fixtures__/07-inventory-node1.txt", import.meta.url), "utf8").split(
    "\n",
  );
  return `${lines
    .slice(
      1,
      lines.findIndex((l) => l.startsWith("[exit ")),
    )
    .join("\n")}\n`;
}

const stats = hash([
  ["version", "2.12.5"],
  ["starttime", Date.UTC(2026, 10, 24, 14, 42, 33) / 1000],
  ["configfile", "STATE/nodes/node1/server.cfg"],
  ["pid", 21651],
  ["total", 9],
  ["passed", 8],
  ["filtered", 1],
  ["ttlexpired", 0],
  ["replies", 7],
  [
    "times",
    hash([
      ["utime", 0.026589],
      ["stime", rubyFloat(0)],
      ["cutime", rubyFloat(0)],
      ["cstime", rubyFloat(0)],
    ]),
  ],
]);

const inventory = hash([
  ["agents", ["discovery", "rpcutil"]],
  [
    "facts",
    hash(
      [
        ["mcollective", "1"],
        ["fqdn", "node1.example.net"],
        ["hostname", "node1"],
        ["operatingsystem", "Debian"],
        ["osfamily", "Debian"],
        ["role", "web"],
        ["datacenter", "dc1"],
        ["node_index", "1"],
      ],
      false,
    ),
  ],
  ["classes", ["base", "role::web", "os::debian"]],
  ["version", "2.12.5"],
  ["main_collective", "mcollective"],
  ["collectives", ["mcollective"]],
  ["data_plugins", ["agent_data", "collective_data", "fact_data", "fstat_data"]],
]);

describe("mco inventory <node>", () => {
  beforeAll(() => {
    process.env.TZ = "UTC";
  });

  it("lays the node out as 07-inventory-node1.txt shows", () => {
    expect(nodeReport("node1", stats, inventory)).toBe(golden());
  });

  it("says so when a node has no agents, data plugins, classes or facts", () => {
    const empty = hash([
      ["agents", []],
      ["facts", hash([], false)],
      ["classes", []],
      ["data_plugins", []],
    ]);
    const text = nodeReport("bare", stats, empty);
    expect(text).toContain("   Agents:\n      No agents installed\n");
    expect(text).toContain("   Data Plugins:\n      No data plugins installed\n");
    expect(text).toContain("   Configuration Management Classes:\n      No classes applied\n");
    expect(text.endsWith("   Facts:\n      No facts known\n")).toBe(true);
    expect(text).not.toContain("Collectives:");
  });

  it("puts long class names in fewer, wider columns", () => {
    const long = "profile::a_rather_long_class_name_for_the_web_tier";
    const text = nodeReport("n", stats, hash([["classes", [long, "base", "x"]]]));
    expect(text).toContain(`   Configuration Management Classes:\n    ${"base".padEnd(long.length)}\n`);
  });
});
