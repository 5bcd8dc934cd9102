/**
 * Discovery over the real MCollective 2.12 install Debian ships (the
 * reference implementation): its Ruby DDLs become DDL-only entries, its Ruby
 * code is ignored, and nothing in it is an error. Skipped where the
 * mcollective package is not installed.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createLogger, memorySink } from "../log/logger.js";
import { discoverPlugins } from "./loader.js";

const VENDOR_RUBY = "/usr/lib/ruby/vendor_ruby";
const installed = existsSync(join(VENDOR_RUBY, "mcollective", "agent", "rpcutil.ddl"));

describe.skipIf(!installed)("Debian's MCollective libdir", () => {
  it("yields its agent, data and discovery DDLs as DDL-only entries, without errors", async () => {
    const registry = await discoverPlugins({
      libdirs: [VENDOR_RUBY, "/usr/share/mcollective/plugins"],
      appDir: VENDOR_RUBY,
      log: createLogger(memorySink()),
    });
    const found = registry.list().map((e) => `${e.source}:${e.type}/${e.name}`);
    expect(found).toEqual(
      expect.arrayContaining([
        "ddl-only:agent/rpcutil",
        "ddl-only:data/fstat",
        "ddl-only:data/agent",
        "ddl-only:discovery/mc",
        "ddl-only:discovery/flatfile",
      ]),
    );
    expect(registry.find("data", "fstat")?.ddlPath).toBe(
      join(VENDOR_RUBY, "mcollective", "data", "fstat_data.ddl"),
    );
    // The only complaint: vendor_ruby is not an app, so it has no package.json.
    expect(registry.errors.map((e) => e.path)).toEqual([join(VENDOR_RUBY, "package.json")]);
  });

  it("reads those DDLs, and refuses to run the Ruby code behind them", async () => {
    const registry = await discoverPlugins({
      libdirs: [VENDOR_RUBY],
      appDir: VENDOR_RUBY,
      log: createLogger(memorySink()),
    });
    const rpcutil = await registry.loadDdl("agent", "rpcutil");
    expect(Object.keys(rpcutil.actions)).toContain("ping");
    const fstat = await registry.loadDdl("data", "fstat");
    expect(Object.keys(fstat.dataquery.output)).toContain("size");
    const mc = await registry.loadDdl("discovery", "mc");
    expect(mc.discovery.capabilities).toContain("identity");
    const all = await Promise.allSettled(registry.list().map((e) => registry.loadDdl(e.type, e.name)));
    expect(all.filter((r) => r.status === "rejected")).toEqual([]);
    await expect(registry.load("agent", "rpcutil")).rejects.toThrow(
      /has only a DDL at .*rpcutil\.ddl: Phobos can call it but not run it/,
    );
  });
});
