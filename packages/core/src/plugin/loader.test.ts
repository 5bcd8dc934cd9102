import { cp, mkdtemp, readdir, realpath, rename, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError, PluginLoadError } from "@phobos/errors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger, memorySink } from "../log/logger.js";
import { buildPluginContext } from "./context.js";
import { createPlugin } from "./create.js";
import { discoverPlugins } from "./loader.js";
import type { PluginRegistry } from "./registry.js";

const FIXTURES = fileURLToPath(new URL("./__fixtures__", import.meta.url));

/**
 * The fixtures are copied to a temporary directory because git ignores
 * node_modules: in the repository those directories are named _node_modules.
 */
async function copyFixtures(): Promise<string> {
  const root = await realpath(await mkdtemp(join(tmpdir(), "phobos-plugins-")));
  await cp(FIXTURES, root, { recursive: true });
  const renameAll = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const path = join(dir, entry.name);
      if (entry.name === "_node_modules") {
        await rename(path, join(dir, "node_modules"));
        await renameAll(join(dir, "node_modules"));
      } else {
        await renameAll(path);
      }
    }
  };
  await renameAll(root);
  return root;
}

let root: string;
let registry: PluginRegistry;
let sink: ReturnType<typeof memorySink>;
const lib = (...parts: string[]) => join(root, "libdir-a", ...parts);

beforeAll(async () => {
  root = await copyFixtures();
  // The same package reached a second time through a symlink (as pnpm links them) is one copy, not a duplicate.
  await symlink(join(root, "libdir-a", "good-agent"), join(root, "libdir-b", "echo-link"));
  sink = memorySink("debug");
  registry = await discoverPlugins({
    libdirs: [join(root, "libdir-a"), join(root, "libdir-b"), join(root, "no-such-libdir")],
    appDir: join(root, "app", "inner"),
    log: createLogger(sink),
  });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The errors discovery recorded for one fixture package, by the path they name. */
function errorsUnder(dir: string): PluginLoadError[] {
  return registry.errors.filter((e) => e.path.startsWith(`${dir}/`) || e.path === dir);
}

function only<T>(items: T[]): T {
  expect(items).toHaveLength(1);
  return items[0]!;
}

async function rejection(promise: Promise<unknown>): Promise<PluginLoadError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PluginLoadError);
  return err as PluginLoadError;
}

describe("discovery", () => {
  it("finds packages in libdirs, scoped ones, a libdir's node_modules, DDL-only files and app dependencies", () => {
    const found = registry.list().map((e) => `${e.source}:${e.type}/${e.name}`);
    expect(found).toEqual(
      expect.arrayContaining([
        "libdir:agent/echo",
        "libdir:application/echo",
        "libdir:data/sysinfo",
        "libdir:agent/dup",
        "libdir:facts/scoped",
        "libdir:audit/nmaudit",
        "ddl-only:agent/legacy",
        "ddl-only:data/legacy",
        "dependency:agent/depagent",
      ]),
    );
  });

  it("describes each entry: package, version, paths, description, source", () => {
    const echo = registry.find("agent", "echo");
    expect(echo).toMatchObject({
      type: "agent",
      name: "echo",
      packageName: "phobos-agent-echo",
      version: "1.2.3",
      packageDir: lib("good-agent"),
      entryPath: lib("good-agent", "agent.js"),
      ddlPath: lib("good-agent", "ddl.js"),
      description: "Echoes its input",
      source: "libdir",
      libdir: lib(),
      shadowed: [],
      error: undefined,
    });
    expect(registry.list("application").map((e) => e.name)).toContain("echo");
    expect(registry.list("agent").every((e) => e.type === "agent")).toBe(true);
  });

  it("ignores a package without an mcollective field, and dependencies that are not plugins", () => {
    expect(
      registry.list().some((e) => e.packageName === "not-a-plugin" || e.packageName === "plain-dep"),
    ).toBe(false);
    expect(errorsUnder(lib("not-a-plugin"))).toEqual([]);
    expect(registry.errors.some((e) => e.path.includes("plain-dep"))).toBe(false);
  });

  it("logs a missing libdir at debug level, not as an error", () => {
    const line = sink.lines.find((l) => l.message.includes("no-such-libdir"));
    expect(line?.level).toBe("debug");
    expect(registry.errors.some((e) => e.path.includes("no-such-libdir"))).toBe(false);
  });

  it("logs dependencies that are not installed at debug level only", () => {
    const lines = sink.lines.filter((l) => l.message.includes("not-installed"));
    expect(lines.map((l) => l.level)).toEqual(["debug", "debug"]);
  });

  it("finds a dependency by walking up node_modules even when its exports hide package.json", () => {
    expect(registry.find("agent", "depagent")).toMatchObject({
      source: "dependency",
      packageName: "phobos-agent-dep",
      packageDir: join(root, "app", "node_modules", "phobos-agent-dep"),
      entryPath: join(root, "app", "node_modules", "phobos-agent-dep", "dist", "agent.js"),
    });
  });

  it("keeps the first copy of a duplicate and logs the shadowed one once with both paths", () => {
    const dup = registry.find("agent", "dup");
    expect(dup?.version).toBe("1.0.0");
    expect(dup?.packageDir).toBe(lib("dup"));
    expect(dup?.shadowed.map((s) => [s.version, s.packageDir])).toEqual([
      ["2.0.0", join(root, "libdir-b", "dup")],
    ]);
    const lines = sink.lines.filter((l) => l.message.includes("'dup'") && l.message.includes("shadowed"));
    const line = only(lines);
    expect(line.level).toBe("warn");
    expect(line.message).toContain(lib("dup"));
    expect(line.message).toContain(join(root, "libdir-b", "dup"));
  });

  it("treats a package reached twice through a symlink as one copy", () => {
    expect(registry.find("agent", "echo")?.shadowed).toEqual([]);
    expect(sink.lines.some((l) => l.message.includes("'echo'") && l.message.includes("shadowed"))).toBe(
      false,
    );
  });

  it("never lets a DDL-only entry hide a plugin with code", () => {
    const dep = registry.find("agent", "depagent");
    expect(dep?.source).toBe("dependency");
    expect(dep?.shadowed.map((s) => [s.source, s.ddlPath])).toEqual([
      ["ddl-only", lib("mcollective", "agent", "depagent.json")],
    ]);
  });

  it("collects errors instead of throwing, and logs each once as a warning", () => {
    expect(registry.errors.length).toBeGreaterThan(0);
    for (const error of registry.errors) {
      expect(error).toBeInstanceOf(PluginLoadError);
      expect(sink.lines.filter((l) => l.level === "warn" && l.message === error.message)).toHaveLength(1);
    }
  });
});

describe("manifest fixtures: each way a manifest can be wrong", () => {
  it("invalid JSON package.json", () => {
    const error = only(errorsUnder(lib("bad-json")));
    expect(error).toMatchObject({ stage: "manifest", path: lib("bad-json", "package.json") });
    expect(error.pluginType).toBeUndefined();
    expect(error.message).toMatch(/not valid JSON/);
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it("missing type, name and entry: one error each, naming what is known", () => {
    const errors = errorsUnder(lib("missing-fields"));
    expect(errors.map((e) => [e.stage, e.packageName, e.path, e.pluginType, e.pluginName])).toEqual([
      ["manifest", "missing-fields", lib("missing-fields", "package.json"), undefined, "nameonly"],
      ["manifest", "missing-fields", lib("missing-fields", "package.json"), "application", undefined],
      ["manifest", "missing-fields", lib("missing-fields", "package.json"), "application", "noentry"],
    ]);
    expect(errors[0]?.message).toMatch(/"type" is missing/);
    expect(errors[1]?.message).toMatch(/"name" is missing/);
    expect(errors[2]?.message).toMatch(/"entry" is missing \(is "entrypoint" a typo\?\)/);
  });

  it("bad type, with a suggestion", () => {
    const error = only(errorsUnder(lib("bad-type")));
    expect(error).toMatchObject({
      stage: "manifest",
      packageName: "bad-type",
      path: lib("bad-type", "package.json"),
      pluginType: "agnet",
      pluginName: "typo",
    });
    expect(error.message).toMatch(/did you mean 'agent'\?/);
  });

  it("bad name", () => {
    const error = only(errorsUnder(lib("bad-name")));
    expect(error).toMatchObject({
      stage: "manifest",
      packageName: "bad-name",
      path: lib("bad-name", "package.json"),
      pluginType: "application",
      pluginName: "Bad-Name",
    });
    expect(error.message).toMatch(/lower case letters, digits and _.*"bad_name"/);
  });

  it("wrong api number: what it needs, what we support, what to do", () => {
    const error = only(errorsUnder(lib("wrong-api")));
    expect(error).toMatchObject({
      stage: "api-version",
      packageName: "wrong-api",
      path: lib("wrong-api", "package.json"),
      pluginType: "connector",
      pluginName: "future",
    });
    expect(error.message).toMatch(/needs plugin API 2, but this Phobos supports plugin API 1/);
    expect(error.message).toMatch(
      /Upgrade Phobos .* or install a release of wrong-api written for plugin API 1/,
    );
    expect(registry.find("connector", "future")).toBeUndefined();
  });

  it("entry file missing: reported, and the entry is skipped", () => {
    const error = only(errorsUnder(lib("entry-missing")));
    expect(error).toMatchObject({
      stage: "import",
      packageName: "entry-missing",
      path: lib("entry-missing", "dist", "application.js"),
      pluginType: "application",
      pluginName: "unbuilt",
    });
    expect(error.message).toMatch(/does not exist: build the package/);
    expect(registry.find("application", "unbuilt")).toBeUndefined();
  });

  it("DDL file missing: reported, and the entry is skipped", () => {
    const error = only(errorsUnder(lib("ddl-missing")));
    expect(error).toMatchObject({
      stage: "ddl",
      packageName: "ddl-missing",
      path: lib("ddl-missing", "dist", "ddl.js"),
      pluginType: "agent",
      pluginName: "noddl",
    });
    expect(registry.find("agent", "noddl")).toBeUndefined();
  });

  it("a DDL-only file whose name is not a plugin name", () => {
    const error = only(errorsUnder(lib("mcollective", "agent", "Bad-Name.json")));
    expect(error).toMatchObject({ stage: "manifest", pluginType: "agent", pluginName: "Bad-Name" });
    expect(error.message).toMatch(/rename it to bad_name\.json/);
  });
});

describe("load: each way an entry module can be wrong", () => {
  const cases = [
    {
      name: "explodes",
      pkg: "import-throws",
      file: "application.js",
      stage: "import",
      message: /boom at import/,
    },
    {
      name: "nodefault",
      pkg: "no-default",
      file: "application.js",
      stage: "export",
      message: /export 'plugin'/,
    },
    {
      name: "unbranded",
      pkg: "not-branded",
      file: "application.js",
      stage: "export",
      message: /wrap it in defineApplication\(\)/,
    },
    {
      name: "wrongtype",
      pkg: "other-type",
      file: "plugin.js",
      stage: "export",
      message: /is a agent plugin .* lists it as application/,
    },
    {
      name: "listed",
      pkg: "other-name",
      file: "application.js",
      stage: "export",
      message: /named 'actual'.* lists 'listed'/,
    },
    {
      name: "oldapi",
      pkg: "brand-api",
      file: "application.js",
      stage: "api-version",
      message: /plugin API 2, but this Phobos supports plugin API 1\. Upgrade Phobos/,
    },
  ] as const;

  for (const c of cases) {
    it(`${c.pkg}: stage ${c.stage}`, async () => {
      const error = await rejection(registry.load("application", c.name));
      expect(error).toMatchObject({
        stage: c.stage,
        packageName: c.pkg,
        path: lib(c.pkg, c.file),
        pluginType: "application",
        pluginName: c.name,
      });
      expect(error.message).toMatch(c.message);
      if (c.stage === "import") expect((error.cause as Error).message).toBe("boom at import");
      // Remembered on the entry and the registry, and not retried.
      expect(registry.find("application", c.name)?.error).toBe(error);
      expect(registry.errors).toContain(error);
      expect(await rejection(registry.load("application", c.name))).toBe(error);
      expect(registry.errors.filter((e) => e === error)).toHaveLength(1);
    });
  }

  it("create() that throws: stage create, keeping the cause", async () => {
    const definition = await registry.load("application", "badcreate");
    const entry = registry.find("application", "badcreate")!;
    const ctx = buildPluginContext({
      type: "application",
      name: "badcreate",
      log: createLogger(memorySink()),
      identity: "node1",
      mode: "client",
    });
    const error = await rejection(createPlugin(definition, ctx, entry));
    expect(error).toMatchObject({
      stage: "create",
      packageName: "create-throws",
      path: lib("create-throws", "application.js"),
      pluginType: "application",
      pluginName: "badcreate",
    });
    expect((error.cause as Error).message).toBe("missing plugin.badcreate.token");
  });

  it("a DDL module that is not a DDL: stage ddl", async () => {
    const error = await rejection(registry.loadDdl("agent", "badddl"));
    expect(error).toMatchObject({
      stage: "ddl",
      packageName: "ddl-invalid",
      path: lib("ddl-invalid", "ddl.js"),
      pluginType: "agent",
      pluginName: "badddl",
    });
    expect(error.message).toMatch(/has no metadata/);
    expect(registry.find("agent", "badddl")?.error).toBe(error);
  });

  it("a DDL-only entry cannot be loaded, and says why", async () => {
    const error = await rejection(registry.load("agent", "legacy"));
    expect(error).toMatchObject({
      stage: "import",
      packageName: undefined,
      path: lib("mcollective", "agent", "legacy.json"),
      pluginType: "agent",
      pluginName: "legacy",
    });
    expect(error.message).toContain(
      `agent 'legacy' has only a DDL at ${lib("mcollective", "agent", "legacy.json")}: Phobos can call it but not run it`,
    );
  });
});

describe("load: good plugins", () => {
  it("loads a definition once, from a file URL, and checks it", async () => {
    const first = registry.load("agent", "echo");
    expect(registry.load("agent", "echo")).toBe(first);
    const definition = await first;
    expect(definition.type).toBe("agent");
    expect(definition.name).toBe("echo");
  });

  it("loads a JS-module DDL", async () => {
    const ddl = await registry.loadDdl("agent", "echo");
    expect(ddl.kind).toBe("agent");
    expect(ddl.kind === "agent" && Object.keys(ddl.actions)).toEqual(["echo"]);
    const data = await registry.loadDdl("data", "sysinfo");
    expect(data.kind).toBe("data");
  });

  it("loads plugins found in scoped directories, node_modules and dependencies", async () => {
    expect((await registry.load("facts", "scoped")).name).toBe("scoped");
    expect((await registry.load("audit", "nmaudit")).name).toBe("nmaudit");
    expect((await registry.load("agent", "depagent")).name).toBe("depagent");
    expect((await registry.load("agent", "dup")).description).toBe("copy 1.0.0");
  });

  it("loadAll returns the working plugins of a type and the broken ones' errors", async () => {
    const { definitions, errors } = await registry.loadAll("application");
    expect(definitions.map((d) => d.name).sort()).toEqual(["badcreate", "echo"]);
    expect(errors.map((e) => e.pluginName).sort()).toEqual([
      "explodes",
      "listed",
      "nodefault",
      "oldapi",
      "unbranded",
      "wrongtype",
    ]);
  });

  it("runs a loaded plugin through createPlugin", async () => {
    const definition = await registry.load("agent", "echo");
    const agent = await createPlugin(
      definition,
      buildPluginContext({
        type: "agent",
        name: "echo",
        log: createLogger(memorySink()),
        identity: "node1",
        mode: "server",
        services: {} as never,
      }),
    );
    const reply = { data: {} as Record<string, unknown>, statuscode: 0, statusmsg: "OK", fail() {} };
    await agent.actions.echo?.(
      {
        agent: "echo",
        action: "echo",
        data: { message: "hi" },
        sender: "a",
        caller: "uid=0",
        requestid: "1",
        time: 0,
        signal: new AbortController().signal,
      },
      reply,
    );
    expect(reply.data.message).toBe("hi");
  });
});

describe("DDL files (.json, .ddl) read with readDdlFile", () => {
  it("reads a DDL-only Choria JSON agent DDL", async () => {
    const ddl = await registry.loadDdl("agent", "legacy");
    expect(ddl.kind).toBe("agent");
    expect(ddl.metadata.name).toBe("legacy");
    expect(ddl.kind === "agent" && Object.keys(ddl.actions)).toEqual(["status"]);
  });

  it("reads a DDL-only Ruby data DDL named <name>_data.ddl", async () => {
    expect(registry.find("data", "legacy")?.ddlPath).toBe(lib("mcollective", "data", "legacy_data.ddl"));
    const ddl = await registry.loadDdl("data", "legacy");
    expect(ddl.kind).toBe("data");
    expect(ddl.kind === "data" && Object.keys(ddl.dataquery.output)).toEqual(["value"]);
  });
});

describe("require: the connector and security plugins the config names", () => {
  it("loads a present plugin, case-insensitively as MCollective did", async () => {
    expect((await registry.require("audit", "NMAudit")).name).toBe("nmaudit");
  });

  it("a missing one is a ConfigError listing what exists, with a suggestion", async () => {
    const err = await registry
      .require("agent", "ehco", { file: "/etc/mcollective/server.cfg", line: 7, key: "x" })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(ConfigError);
    const error = err as ConfigError;
    expect(error).toMatchObject({ file: "/etc/mcollective/server.cfg", line: 7, key: "x" });
    expect(error.message).toMatch(
      /^\/etc\/mcollective\/server\.cfg:7: x: agent plugin 'ehco' is not installed/,
    );
    expect(error.message).toMatch(/did you mean 'echo'\?/);
    expect(error.message).toMatch(/available agent plugins: .*echo/);
  });

  it("names the config key MCollective uses and says why a found copy was skipped", async () => {
    const err = (await registry.require("connector", "future").catch((e: unknown) => e)) as ConfigError;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.key).toBe("connector");
    expect(err.message).toMatch(/connector plugin 'future' was found but skipped: .*needs plugin API 2/);
    expect(err.message).toMatch(/no connector plugins are installed/);
    expect(err.cause).toBeInstanceOf(PluginLoadError);
  });

  it("a broken one is a ConfigError whose cause is the PluginLoadError", async () => {
    const err = (await registry.require("application", "explodes").catch((e: unknown) => e)) as ConfigError;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(/was found but cannot be used: .*boom at import/);
    expect(err.cause).toBeInstanceOf(PluginLoadError);
  });

  it("load of an unknown plugin rejects with the same advice", async () => {
    const err = await registry.load("security", "pks").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/security plugin 'pks' is not installed/);
  });
});
