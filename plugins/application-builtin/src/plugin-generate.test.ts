/**
 * A generated plugin is a working Phobos plugin package: the loader finds
 * it in a libdir, its JSON DDL reads and its module loads and answers.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLogger, discoverPlugins, memorySink, renderDdlHelp } from "@phobos/core";
import { afterAll, describe, expect, it } from "vitest";
import { generatePlugin } from "./plugin-generate.js";
import { pluginInfo } from "./plugin-info.js";
import { packagePlugin } from "./plugin-package.js";

// Inside the package, so the generated modules resolve @phobos/core through its node_modules.
const packageDir = fileURLToPath(new URL("..", import.meta.url));
const libdir = mkdtempSync(join(packageDir, ".generate-test-"));

afterAll(() => rmSync(libdir, { recursive: true, force: true }));

describe("mco plugin generate", () => {
  it("writes an agent package that the loader finds, documents and runs", async () => {
    const lines = generatePlugin({
      kind: "agent",
      name: "weather",
      members: ["forecast", "now"],
      author: "Ops <ops@example.com>",
      cwd: libdir,
    });
    expect(lines).toEqual([
      `Created plugin directory : ${join(libdir, "weather")}`,
      `Created package file : ${join(libdir, "weather", "package.json")}`,
      `Created DDL file : ${join(libdir, "weather", "ddl.json")}`,
      `Created Agent file : ${join(libdir, "weather", "agent.js")}`,
    ]);
    const registry = await discoverPlugins({
      libdirs: [libdir],
      appDir: packageDir,
      log: createLogger(memorySink()),
    });
    const ddl = await registry.loadDdl("agent", "weather");
    expect(Object.keys(ddl.actions)).toEqual(["forecast", "now"]);
    expect(ddl.metadata.author).toBe("Ops <ops@example.com>");
    expect(renderDdlHelp(ddl)).toContain("   forecast, now\n");
    const definition = await registry.load("agent", "weather");
    const agent = await definition.create({} as never);
    const reply = { data: {} as Record<string, unknown>, statuscode: 0, statusmsg: "OK", fail() {} };
    await agent.actions.now?.({ data: { name: "x" } } as never, reply);
    expect(reply.data.message).toBe("now x");
    expect(registry.errorsFor("agent", "weather")).toEqual([]);
  });

  it("writes a data plugin package", async () => {
    generatePlugin({ kind: "data", name: "temp", members: ["celsius", "kelvin"], cwd: libdir });
    const registry = await discoverPlugins({
      libdirs: [libdir],
      appDir: packageDir,
      log: createLogger(memorySink()),
    });
    const ddl = await registry.loadDdl("data", "temp");
    expect(Object.keys(ddl.dataquery.output)).toEqual(["celsius", "kelvin"]);
    const data = await (await registry.load("data", "temp")).create({} as never);
    expect(await data.query("x")).toEqual({ celsius: null, kelvin: null });
  });

  it("refuses to overwrite, bad names, and data without outputs", () => {
    expect(() => generatePlugin({ kind: "agent", name: "weather", members: [], cwd: libdir })).toThrow(
      "cannot generate 'weather' : plugin directory already exists.",
    );
    expect(() => generatePlugin({ kind: "agent", name: "Bad-Name", members: [], cwd: libdir })).toThrow(
      /plugin names are lower case/,
    );
    expect(() => generatePlugin({ kind: "data", name: "empty", members: [], cwd: libdir })).toThrow(
      "data plugin must have at least one output",
    );
  });
});

describe("mco plugin info", () => {
  it("describes a plugin package from its manifest", () => {
    const text = pluginInfo(join(libdir, "weather"));
    expect(text).toContain("         Plugin information : phobos-agent-weather\n");
    expect(text).toContain("                Plugin Type : Agent\n");
    expect(text).toContain("         Identified Plugins : agent/weather (./agent.js, DDL ./ddl.json)\n");
    expect(JSON.parse(readFileSync(join(libdir, "weather", "package.json"), "utf8")).author).toBe(
      "Ops <ops@example.com>",
    );
  });

  it("refuses a directory that is not a plugin package, saying what one is", () => {
    expect(() => pluginInfo(libdir)).toThrow(
      /is not a valid Phobos plugin package \(a directory with a package.json that has an "mcollective" manifest\)$/,
    );
  });
});

describe("mco plugin info/package on a Ruby MCollective plugin", () => {
  const ruby = join(libdir, "ruby-weather");
  mkdirSync(join(ruby, "agent"), { recursive: true });
  mkdirSync(join(ruby, "application"), { recursive: true });
  writeFileSync(join(ruby, "agent", "weather.ddl"), 'metadata :name => "weather"\n');
  writeFileSync(join(ruby, "agent", "weather.rb"), "module MCollective; end\n");
  writeFileSync(join(ruby, "application", "weather.rb"), "module MCollective; end\n");
  const ddlOnly = join(libdir, "ruby-util");
  mkdirSync(join(ddlOnly, "util"), { recursive: true });
  writeFileSync(join(ddlOnly, "util", "helper.rb"), "module MCollective; end\n");

  it("says what it expects and how to put the DDLs in the configured libdir", () => {
    const message = (() => {
      try {
        packagePlugin(ruby, libdir, ["/srv/mco-libdir", "/other"]);
      } catch (err) {
        return (err as Error).message;
      }
      return "no error";
    })();
    expect(message).toContain(
      `${ruby} is a Ruby MCollective plugin (agent/weather.ddl, agent/weather.rb, application/weather.rb): `,
    );
    expect(message).toContain('an npm package whose package.json has an "mcollective" manifest');
    expect(message).toMatch(
      /put its DDLs in a libdir as DDL-only entries: mkdir -p \/srv\/mco-libdir\/mcollective\/agent && cp \S*agent\/weather\.ddl \/srv\/mco-libdir\/mcollective\/agent\/$/,
    );
    expect(message).not.toContain("\n");
  });

  it("asks for a libdir when the config names none, and says so when there is no DDL to use", () => {
    expect(() => pluginInfo(ruby)).toThrow(
      /LIBDIR\/mcollective\/agent\/ \(and add libdir = LIBDIR to the client config, which names none\)$/,
    );
    expect(() => pluginInfo(ddlOnly)).toThrow(
      /is a Ruby MCollective plugin \(util\/helper\.rb\): .* and this plugin has no agent, data or discovery DDL mco could use$/,
    );
  });
});
