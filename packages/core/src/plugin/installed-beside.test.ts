/**
 * Plugins installed beside the app: the tree `npm install -g @phobos/mco
 * phobos-agent-weather …` makes (npm nests a global package's dependencies
 * under it, and puts each globally installed package in the same
 * `<prefix>/lib/node_modules`), built here file by file.
 */
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger, memorySink } from "../log/logger.js";
import { findPackagesBeside } from "./installed-beside.js";
import { discoverPlugins } from "./loader.js";
import type { PluginRegistry } from "./registry.js";

let root: string;
let modules: string;
let registry: PluginRegistry;

async function writePackage(dir: string, json: Record<string, unknown>, files: string[] = []): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "package.json"), JSON.stringify(json));
  for (const file of files) {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await writeFile(join(dir, file), "export default {};\n");
  }
}

const agent = (name: string, packageName: string, api = 1) => ({
  name: packageName,
  version: "1.0.0",
  mcollective: { api, plugins: [{ type: "agent", name, entry: "./agent.js", ddl: "./ddl.js" }] },
});

beforeAll(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), "phobos-beside-")));
  modules = join(root, "prefix", "lib", "node_modules");
  const app = join(modules, "@phobos", "mco");
  await writePackage(app, {
    name: "@phobos/mco",
    version: "0.1.0",
    dependencies: { "@phobos/agent-first": "*" },
  });
  await writePackage(
    join(app, "node_modules", "@phobos", "agent-first"),
    agent("first", "@phobos/agent-first"),
    ["agent.js", "ddl.js"],
  );
  await writePackage(join(modules, "phobos-agent-weather"), agent("weather", "phobos-agent-weather"), [
    "agent.js",
    "ddl.js",
  ]);
  await writePackage(
    join(modules, "@acme", "phobos-agent-scoped"),
    agent("scoped", "@acme/phobos-agent-scoped"),
    ["agent.js", "ddl.js"],
  );
  // A third-party package claiming a first-party plugin's name must not replace it.
  await writePackage(join(modules, "phobos-agent-impostor"), agent("first", "phobos-agent-impostor"), [
    "agent.js",
    "ddl.js",
  ]);
  await writePackage(join(modules, "phobos-agent-future"), agent("future", "phobos-agent-future", 99), [
    "agent.js",
    "ddl.js",
  ]);
  await writePackage(join(modules, "npm"), { name: "npm", version: "10.0.0" });
  await mkdir(join(root, "prefix", "bin"), { recursive: true });
  await symlink(join(modules, "@phobos", "mco"), join(root, "prefix", "bin", "mco-app"));

  registry = await discoverPlugins({ libdirs: [], appDir: app, log: createLogger(memorySink("debug")) });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("plugins installed beside the app", () => {
  it("are found in the node_modules the app is installed in, scoped ones too, after the app's dependencies", () => {
    expect(registry.list("agent").map((e) => `${e.source}:${e.name}:${e.packageName}`)).toEqual([
      "dependency:first:@phobos/agent-first",
      "beside:scoped:@acme/phobos-agent-scoped",
      "beside:weather:phobos-agent-weather",
    ]);
    expect(registry.find("agent", "weather")?.packageDir).toBe(join(modules, "phobos-agent-weather"));
  });

  it("cannot hide a plugin of the app's own dependencies: the later copy is recorded as shadowed", () => {
    expect(registry.find("agent", "first")?.shadowed.map((e) => e.packageName)).toEqual([
      "phobos-agent-impostor",
    ]);
  });

  it("report a package that cannot be used with its reason, and the others still load", () => {
    const future = registry.errors.filter((e) => e.packageName === "phobos-agent-future");
    expect(future).toHaveLength(1);
    expect(future[0]?.message).toContain("plugin API 99");
    expect(registry.find("agent", "future")).toBeUndefined();
  });

  it("are searched from the app's real path, so reaching it through a symlink changes nothing", async () => {
    const beside = await findPackagesBeside(join(root, "prefix", "bin", "mco-app"));
    expect(beside.modulesDir).toBe(modules);
    expect(beside.packageDirs).toContain(join(modules, "phobos-agent-weather"));
    expect(beside.packageDirs).not.toContain(join(modules, "@phobos", "mco"));
  });

  it("are not looked for when the app runs from a checkout (no node_modules around it)", async () => {
    const checkout = join(root, "checkout", "apps", "mco");
    await writePackage(checkout, { name: "@phobos/mco", version: "0.1.0" });
    await writePackage(join(root, "checkout", "apps", "phobos-agent-weather"), agent("weather", "x"), [
      "agent.js",
      "ddl.js",
    ]);
    expect(await findPackagesBeside(checkout)).toEqual({
      modulesDir: undefined,
      packageDirs: [],
      errors: [],
    });
    expect(await findPackagesBeside(join(root, "no-such-dir"))).toEqual({
      modulesDir: undefined,
      packageDirs: [],
      errors: [],
    });
  });
});
