/**
 * A plugin in a libdir outside any node_modules imports `@phobos/core`, as
 * `mco plugin generate` writes it and `mco plugin package` installs it. Run
 * in a plain Node process on the built bundle: the resolution hooks are
 * Node's, which vitest's own module runner would bypass.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const coreDir = fileURLToPath(new URL("../..", import.meta.url));
const bundle = pathToFileURL(join(coreDir, "dist", "index.js")).href;
let dir: string;
let libdir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "phobos-host-resolve-"));
  libdir = join(dir, "libdir");
  const plugin = join(libdir, "phobos-agent-hello");
  mkdirSync(plugin, { recursive: true });
  writeFileSync(
    join(plugin, "package.json"),
    JSON.stringify({
      name: "phobos-agent-hello",
      version: "1.0.0",
      type: "module",
      peerDependencies: { "@phobos/core": "*" },
      mcollective: {
        api: 1,
        plugins: [{ type: "agent", name: "hello", entry: "./agent.js", ddl: "./ddl.js" }],
      },
    }),
  );
  writeFileSync(
    join(plugin, "agent.js"),
    `import { defineAgent } from "@phobos/core";\nexport default defineAgent({ name: "hello", create: () => ({ actions: {} }) });\n`,
  );
  writeFileSync(
    join(plugin, "ddl.js"),
    `import { defineAgentDdl } from "@phobos/core";\nexport default defineAgentDdl({ metadata: { name: "hello", description: "Says hello", author: "a", license: "Apache-2.0", version: "1.0", url: "https://example.com/", timeout: 5 }, actions: {} });\n`,
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function node(script: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: dir,
    encoding: "utf8",
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("@phobos/* imports of a libdir plugin", () => {
  it("do not resolve from the plugin's own directory", () => {
    const r = node(
      `await import(${JSON.stringify(pathToFileURL(join(libdir, "phobos-agent-hello", "agent.js")).href)});`,
    );
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("Cannot find package '@phobos/core'");
  });

  it("resolve from the host app when the registry loads the plugin, code and JS DDL alike", () => {
    const r = node(`
      const { discoverPlugins, createLogger, memorySink } = await import(${JSON.stringify(bundle)});
      const registry = await discoverPlugins({ libdirs: [${JSON.stringify(libdir)}], appDir: ${JSON.stringify(coreDir)}, log: createLogger(memorySink()) });
      const definition = await registry.load("agent", "hello");
      const ddl = await registry.loadDdl("agent", "hello");
      console.log(JSON.stringify({ name: definition.name, description: ddl.metadata.description, errors: registry.errors.map((e) => e.message) }));
    `);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual({ name: "hello", description: "Says hello", errors: [] });
  });
});
