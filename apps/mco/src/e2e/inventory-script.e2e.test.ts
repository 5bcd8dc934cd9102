/**
 * `mco inventory --script FILE` with the Ruby people write in inventory
 * scripts: every script of the table runs through Ruby's `mco` and Phobos's
 * against the same mixed fleet (two Ruby daemons, two Phobos ones), and both
 * print the same lines (in reply order, so compared sorted) and exit alike.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { RubyFleet } from "@phobos/interop";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { both, run, startMixedFleet } from "./harness.js";

const DT = ["--dt", "1"];

/** A script printing `[ fields ]` with `format`. */
const report = (format: string, fields: string) =>
  `inventory do\n  format ${JSON.stringify(format)}\n\n  fields { [ ${fields} ] }\nend\n`;

interface Case {
  name: string;
  script: string;
  /** Both exit with this; 0 unless told. */
  code?: number;
}

// Facts arrive as Strings (MCollective's yaml facts plugin makes every value one): arithmetic needs to_i.
const CASES: Case[] = [
  {
    name: "the issue's script: downcase, join, size",
    script: report(
      "%s %s %s %d",
      'identity, facts["operatingsystem"].downcase, classes.join(","), agents.size',
    ),
  },
  { name: "facts.size and upcase", script: report("%s %d %s", 'identity, facts.size, facts["role"].upcase') },
  { name: "sort and join with a separator", script: report("%s: %s", 'identity, classes.sort.join(" ")') },
  { name: "first and last", script: report("%s %s %s", "identity, classes.first, classes.last") },
  {
    name: "first(n) and last(n)",
    script: report("%s %s %s", "identity, classes.first(2), classes.last(2).join"),
  },
  {
    name: "include? in a ternary",
    script: report("%s %s", 'identity, classes.include?("role::web") ? "web" : "-"'),
  },
  {
    name: "arithmetic on an Integer fact",
    script: report(
      "%s %d %d %d",
      'identity, facts["node_index"].to_i * 10 + 1, facts["node_index"].to_i / 3, facts["node_index"].to_i % 3',
    ),
  },
  {
    name: "powers, negatives and Floats",
    script: report(
      "%s %s %s %s",
      'identity, facts["node_index"].to_i ** 2, -facts["node_index"].to_i / 3, facts["node_index"].to_i.to_f / 4',
    ),
  },
  {
    name: "[] with ranges and a start and length",
    script: report(
      "%s %s %s %s",
      'identity, facts["fqdn"][0..4], facts["fqdn"][-11..-1], facts["fqdn"][0, 4]',
    ),
  },
  {
    name: "string interpolation",
    script: report(
      "%s",
      '"#{identity}@#{facts["datacenter"]} (#{classes.size} classes, #{facts["node_index"].to_i + 1})"',
    ),
  },
  {
    name: "a fact no node has: nil prints as nothing, || gives a default",
    script: report("%s [%s] %s", 'identity, facts["missing"], facts["missing"] || "n/a"'),
  },
  {
    name: "keys and values",
    script: report("%s %s %d", 'identity, facts.keys.sort.first(3).join(","), facts.values.size'),
  },
  {
    name: "widths and precisions in the format",
    script: report(
      "%-8s|%10s|%5.1f|%03d",
      'identity, facts["operatingsystem"], facts["node_index"], facts["node_index"]',
    ),
  },
  {
    name: "%p prints inspect",
    script: report("%s %p %p %p", 'identity, classes, facts["node_index"], facts["node_index"].to_i'),
  },
  {
    name: "fields giving one value, not an Array",
    script: 'inventory do\n  format "node: %s"\n  fields { identity }\nend\n',
  },
  {
    name: "a do … end block over several lines, with a local variable",
    script:
      'inventory do\n  format "%s %s %d"\n  fields do\n    os = facts["operatingsystem"]\n    [ identity,\n      os.downcase,\n      os.size ]\n  end\nend\n',
  },
  {
    name: "map with a block",
    script: report("%s %s", 'identity, classes.map { |c| c.split("::").last }.join("/")'),
  },
  {
    name: "select, reject and grep",
    script: report(
      "%s %d %s %s",
      'identity, classes.select { |c| c.include?("::") }.size, classes.reject { |c| c == "base" }.join("+"), classes.grep(/^role/).first',
    ),
  },
  { name: "agents", script: report("%s %s %s", 'identity, agents.sort.first, agents.include?("rpcutil")') },
  {
    name: "== and a regexp match in ternaries",
    script: report(
      "%s %s %s",
      'identity, facts["osfamily"] == "Debian" ? "deb" : "rpm", facts["operatingsystem"] =~ /^Deb/ ? "yes" : "no"',
    ),
  },
  {
    name: "center, ljust and rjust",
    script: report(
      "%s|%s|%s|%s",
      'identity, facts["hostname"].center(11, "*"), facts["role"].ljust(6, "."), facts["role"].rjust(6)',
    ),
  },
  {
    name: "to_s and to_i",
    script: report(
      "%s %s %d",
      'identity, facts["node_index"].to_i.to_s + "x", "12abc".to_i + facts["node_index"].to_i',
    ),
  },
  { name: "inspect of an Array from a Hash", script: report("%s %s", "identity, facts.sort.first.inspect") },
  {
    name: "inspect of a Hash",
    script: report("%s %s", 'identity, facts.select { |k, v| k.start_with?("os") }.inspect'),
  },
  {
    name: "puts before and after the report",
    script: `puts "Report:"\n${report("%s", "identity")}puts "end of report"\n`,
  },
  {
    name: "String#% inside fields",
    script: report("%s", '"%s-%03d" % [identity, facts["node_index"].to_i]'),
  },
  {
    name: "comparisons",
    script: report(
      "%s %s %s",
      'identity, facts["node_index"].to_i >= 3 ? "hi" : "lo", facts["node_index"].to_i < 2',
    ),
  },
  { name: "split and first", script: report("%s %s", 'identity, facts["fqdn"].split(".").first') },
  {
    name: "sprintf",
    script: report("%s %s", 'identity, sprintf("%02d/%s", facts["node_index"].to_i, facts["role"])'),
  },
  {
    name: "fetch with a default and dig",
    script: report("%s %s %s", 'identity, facts.fetch("nothing", "dflt"), facts.dig("hostname")'),
  },
  {
    name: "even?, odd? and round",
    script: report(
      "%s %s %s",
      'identity, facts["node_index"].to_i.even? ? "even" : "odd", (facts["node_index"].to_i / 3.0).round(2)',
    ),
  },
  {
    name: "a method nil lacks fails on every node",
    script: report("%s", 'facts["missing"].downcase'),
    code: 1,
  },
  { name: "an unknown method fails", script: report("%s", "classes.frobnicate"), code: 1 },
  {
    name: "adding an Integer to a String fact fails",
    script: report("%s", 'facts["node_index"] + 1'),
    code: 1,
  },
  {
    name: "fewer values than the format wants",
    script: report("%s %s %s", "identity, agents.size"),
    code: 1,
  },
  { name: "no format", script: "inventory do\n  fields { [ identity ] }\nend\n", code: 1 },
  { name: "no fields", script: 'inventory do\n  format "%s"\nend\n', code: 1 },
  { name: "inventory without a block", script: "inventory\n", code: 1 },
  {
    name: "a script that is not Ruby",
    script: 'inventory do\n  format "%s"\n  fields { [ identity, ] ] }\nend\n',
    code: 1,
  },
];

let fleet: RubyFleet;

beforeAll(async () => {
  fleet = await startMixedFleet("phobos-inventory-script");
}, 180_000);

afterAll(async () => {
  await fleet?.dispose();
});

const sortedLines = (text: string) => text.split("\n").sort();

describe("inventory --script: Ruby's mco and Phobos's print the same report", () => {
  it("has at least 30 scripts", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
  });

  it.each(CASES.map((c, i) => [c.name, i] as const))(
    "%s",
    async (_name, i) => {
      const c = CASES[i] as Case;
      const file = join(fleet.dir, `script-${i}.rb`);
      await writeFile(file, c.script);
      const { ruby, phobos } = await both(fleet, ["inventory", "--script", file, ...DT]);
      const code = c.code ?? 0;
      expect({ code: ruby.code, stdout: ruby.stdout }, ruby.stderr).toMatchObject({ code });
      expect(phobos.code, phobos.stderr).toBe(code);
      expect(sortedLines(phobos.stdout)).toEqual(sortedLines(ruby.stdout));
      if (code === 0) expect(phobos.stdout.split("\n").filter((l) => /\bnode\d\b/.test(l))).toHaveLength(4);
      else expect(phobos.stderr).toMatch(/script-\d+\.rb:\d+:\d+: /);
    },
    120_000,
  );
});

describe("inventory --script: collectives, a Phobos addition", () => {
  it("Ruby's mco has no such name; Phobos's gives each node's collectives", async () => {
    const file = join(fleet.dir, "collectives.rb");
    await writeFile(file, report("%s %s %d", "identity, collectives, collectives.size"));
    const { ruby, phobos } = await both(fleet, ["inventory", "--script", file, ...DT]);
    expect(ruby.code).toBe(1);
    expect(ruby.stderr).toContain("undefined local variable or method `collectives'");
    expect(phobos.code, phobos.stderr).toBe(0);
    expect(sortedLines(phobos.stdout)).toEqual([
      "",
      'node1 ["mcollective"] 1',
      'node2 ["mcollective"] 1',
      'node3 ["mcollective"] 1',
      'node4 ["mcollective"] 1',
    ]);
  });
});

describe("inventory --script with formatted_inventory", () => {
  // Ruby needs the formatr gem here, which Debian does not package: Phobos's layout is checked on its own.
  it("prints the page heading once, then a body per node", async () => {
    const file = join(fleet.dir, "formatted.rb");
    await writeFile(
      file,
      [
        "formatted_inventory do",
        "  page_length 20",
        "  page_heading <<TOP",
        "Hostname:  Role:    Classes:",
        "----------------------------",
        "TOP",
        "  page_body <<BODY",
        "@<<<<<<<<< @<<<<<<< @>>>>>>>",
        'identity,  facts["role"], classes.size',
        "BODY",
        "end",
        "",
      ].join("\n"),
    );
    const phobos = await run(fleet, "phobos", ["inventory", "--script", file, ...DT]);
    expect(phobos.code, phobos.stderr).toBe(0);
    const lines = phobos.stdout.split("\n");
    expect(lines.slice(0, 2)).toEqual(["Hostname:  Role:    Classes:", "----------------------------"]);
    expect(lines.slice(2).sort()).toEqual([
      "",
      "node1      web             3",
      "node2      db              3",
      "node3      app             3",
      "node4      cache           3",
    ]);
  });
});
