import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RubyFloat, sym } from "@phobos/core";
import { describe, expect, it } from "vitest";
import {
  type InventoryNode,
  type InventoryReply,
  type InventoryScript,
  loadInventoryScript,
  parseRubyInventoryScript,
  runInventoryScript,
} from "./inventory-script.js";

const dir = mkdtempSync(join(tmpdir(), "inventory-script-test-"));

/** Two replies as they come off the wire: Symbol keys outside, String keys in facts. */
const REPLIES: InventoryReply[] = [
  {
    identity: "web1",
    data: new Map<unknown, unknown>([
      [
        sym("facts"),
        new Map<unknown, unknown>([
          ["serialnumber", "SN1"],
          ["productname", "Box"],
          ["operatingsystem", "CentOS"],
          ["load", 0.25],
          ["networking", new Map([["ip", "10.0.0.1"]])],
        ]),
      ],
      [sym("classes"), ["role::web", "base"]],
      [sym("agents"), ["rpcutil"]],
      [sym("collectives"), ["mcollective"]],
    ]) as InventoryReply["data"],
  },
  {
    identity: "web2",
    data: new Map<unknown, unknown>([
      [
        sym("facts"),
        new Map<unknown, unknown>([
          ["serialnumber", "SN2"],
          ["productname", "VM"],
          ["operatingsystem", "Debian"],
          ["load", new RubyFloat(1.5)],
          ["networking", new Map([["ip", "10.0.0.2"]])],
        ]),
      ],
      [sym("classes"), ["base"]],
      [sym("agents"), []],
      [sym("collectives"), ["dc1", "mcollective"]],
    ]) as InventoryReply["data"],
  },
];

function report(source: string, now = new Date()): string {
  let out = "";
  parseRubyInventoryScript(source, "x.rb").run(
    REPLIES,
    (text) => {
      out += text;
    },
    now,
  );
  return out;
}
const node: InventoryNode = {
  identity: "web1",
  facts: { serialnumber: "SN1", productname: "Box", networking: { ip: "10.0.0.1" } },
  classes: ["base", "role::web"],
  agents: ["rpcutil"],
};

describe("inventory scripts", () => {
  it("a JavaScript module with a default export", async () => {
    const file = join(dir, "report.mjs");
    writeFileSync(
      file,
      'export default { format: "%s:\\t%s (%s)", fields: (n) => [n.identity, n.facts.serialnumber, n.agents.length] };\n',
    );
    expect(runInventoryScript((await loadInventoryScript(file)) as InventoryScript, node)).toBe(
      "web1:\tSN1 (1)",
    );
  });

  it("a JavaScript module with named exports", async () => {
    const file = join(dir, "named.js");
    writeFileSync(
      file,
      'export const format = "%-6s|%s";\nexport function fields(n) { return [n.identity, n.classes.join(",")]; }\n',
    );
    expect(runInventoryScript((await loadInventoryScript(file)) as InventoryScript, node)).toBe(
      "web1  |base,role::web",
    );
  });

  it("MCollective's Ruby form, as existing scripts are written", () => {
    const script = [
      "inventory do",
      '    format "%s:\\t\\t%s\\t\\t%s %s"',
      "",
      '    fields { [ identity, facts["serialnumber"], facts[\'productname\'], facts["networking"]["ip"] ] }',
      "end",
      "",
    ].join("\n");
    expect(report(script)).toBe("web1:\t\tSN1\t\tBox 10.0.0.1\nweb2:\t\tSN2\t\tVM 10.0.0.2\n");
  });

  it("the Ruby people write in fields: methods, interpolation, arithmetic, ternaries", () => {
    const script = `
      inventory do
        format "%s %s %s %d %s %s"
        fields do
          [ identity.upcase,
            facts["operatingsystem"].downcase,
            classes.sort.join(","),
            agents.size + facts.size,
            "#{facts["productname"][0..1]}/#{collectives.first}",
            facts["load"] > 1 ? "busy" : "idle" ]
        end
      end
    `;
    expect(report(script)).toBe(
      "WEB1 centos base,role::web 6 Bo/mcollective idle\nWEB2 debian base 5 VM/dc1 busy\n",
    );
  });

  it("a fields block giving one value, puts around the report", () => {
    const script = 'puts "Report"\ninventory { format "[%s]"; fields { identity } }\nputs "done", 2\n';
    expect(report(script)).toBe("Report\n[web1]\n[web2]\ndone\n2\n");
  });

  it("formatted_inventory: the page heading, then each node's body", () => {
    const script = [
      "formatted_inventory do",
      "  page_length 5",
      "  page_heading <<TOP",
      "Node report @<<<<<<<<<<<<<<<<<<<<<<<<<<<",
      "            time",
      "Host      OS       Load",
      "TOP",
      "  page_body <<BODY",
      "@<<<<<<< @>>>>>> @#.##",
      'identity, facts["operatingsystem"], facts["load"]',
      "BODY",
      "end",
    ].join("\n");
    const now = new Date(2026, 11, 5, 22, 20, 34);
    const offset = -now.getTimezoneOffset();
    const zone = `${offset < 0 ? "-" : "+"}${String(Math.trunc(Math.abs(offset) / 60)).padStart(2, "0")}${String(Math.abs(offset) % 60).padStart(2, "0")}`;
    expect(report(script, now)).toBe(
      [
        `Node report 2026-12-05 22:20:34 ${zone}`,
        "Host      OS       Load",
        "web1      CentOS  0.25",
        "web2      Debian  1.50",
        "",
      ].join("\n"),
    );
  });

  it("formatted_inventory starts a new page, after a form feed, when the page is full", () => {
    const script =
      'formatted_inventory do\n page_length 2\n page_heading "== @|||| ==\\nidentity\\n"\n page_body "@<<<<< ~\\nidentity\\n@<<<<<<<<< ~\\nfacts[\\"missing\\"]\\n"\nend\n';
    expect(report(script)).toBe("== web1  ==\nweb1\n\f== web2  ==\nweb2\n");
  });

  it("says what is wrong with a script", async () => {
    await expect(loadInventoryScript(join(dir, "missing.rb"))).rejects.toThrow(
      /Could not find script to run: /,
    );
    expect(() => report("inventory do\nend\n")).toThrow(
      "x.rb:1:1: `inventory do …`: Need to define a format",
    );
    expect(() => report('inventory do\n format "%s"\nend')).toThrow(/Need to define inventory fields/);
    expect(() => report('inventory { format "%s"; fields { [ `id` ] } }')).toThrow(
      "x.rb:1:37: command literals (`…`) are not part of what an inventory script may use",
    );
    expect(() => report('inventory do\n  format "%s"\n  fields { [ facts["os"].frobnicate ] }\nend')).toThrow(
      'x.rb:3:14: `facts["os"].frobnicate`: undefined method `frobnicate\' for nil:NilClass',
    );
    expect(() => report('inventory do\n  format "%s"\n  fields { [ hostname ] }\nend')).toThrow(
      /^x\.rb:3:14: `hostname`: undefined local variable or method `hostname' \(an inventory script may call identity, facts/,
    );
    expect(() => report('inventory { format "%s %s"; fields { [ identity ] } }')).toThrow(
      'x.rb:1:1: `inventory { format "%s %s"; fields { [ identity ] } }`: too few arguments',
    );
    expect(() => report("puts identity")).toThrow(
      "x.rb:1:6: `identity`: undefined method `[]' for nil:NilClass",
    );
    const bad = join(dir, "bad.mjs");
    writeFileSync(bad, "export const format = 1;\n");
    await expect(loadInventoryScript(bad)).rejects.toThrow(/exports \{ format: string, fields\(node\) \}/);
  });
});
