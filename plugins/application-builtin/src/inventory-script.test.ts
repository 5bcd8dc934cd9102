import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  type InventoryNode,
  loadInventoryScript,
  parseRubyInventoryScript,
  runInventoryScript,
} from "./inventory-script.js";

const dir = mkdtempSync(join(tmpdir(), "inventory-script-test-"));
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
    expect(runInventoryScript(await loadInventoryScript(file), node)).toBe("web1:\tSN1 (1)");
  });

  it("a JavaScript module with named exports", async () => {
    const file = join(dir, "named.js");
    writeFileSync(
      file,
      'export const format = "%-6s|%s";\nexport function fields(n) { return [n.identity, n.classes.join(",")]; }\n',
    );
    expect(runInventoryScript(await loadInventoryScript(file), node)).toBe("web1  |base,role::web");
  });

  it("MCollective's Ruby form, as existing scripts are written", async () => {
    const file = join(dir, "report.rb");
    writeFileSync(
      file,
      [
        "inventory do",
        '    format "%s:\\t\\t%s\\t\\t%s %s"',
        "",
        '    fields { [ identity, facts["serialnumber"], facts[\'productname\'], facts["networking"]["ip"] ] }',
        "end",
        "",
      ].join("\n"),
    );
    expect(runInventoryScript(await loadInventoryScript(file), node)).toBe("web1:\t\tSN1\t\tBox 10.0.0.1");
  });

  it("says what is wrong with a script", async () => {
    await expect(loadInventoryScript(join(dir, "missing.rb"))).rejects.toThrow(
      /Could not find script to run: /,
    );
    expect(() => parseRubyInventoryScript("inventory do\nend\n", "x.rb")).toThrow(
      "x.rb: Need to define a format",
    );
    expect(() => parseRubyInventoryScript('inventory do\n format "%s"\nend', "x.rb")).toThrow(
      "x.rb: Need to define inventory fields",
    );
    expect(() => parseRubyInventoryScript('inventory { format "%s"; fields { [ `id` ] } }', "x.rb")).toThrow(
      /cannot read the field '`id`'/,
    );
    expect(() => parseRubyInventoryScript("formatted_inventory do\nend", "x.rb")).toThrow(/not supported/);
    const bad = join(dir, "bad.mjs");
    writeFileSync(bad, "export const format = 1;\n");
    await expect(loadInventoryScript(bad)).rejects.toThrow(/exports \{ format: string, fields\(node\) \}/);
  });
});
