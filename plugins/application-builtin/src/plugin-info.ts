/**
 * `mco plugin info [DIR]` for Phobos plugin packages: what the package
 * declares (read from its `package.json` manifest, as mco would read it).
 * `readPackageJson` is also `mco plugin package`'s check of its DIR.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { rjust } from "@phobos/client";
import { parseManifest, UsageError } from "@phobos/core";

/** The directories MCollective's `plugin package` recognised (application/plugin.rb). */
const RUBY_PLUGIN_DIRS = [
  "agent", "application", "util", "aggregate", "data", "validator", "discovery",
  "connector", "facts", "registration", "security", "audit", "pluginpackager",
]; // biome-ignore format: one list

/** The DDLs a libdir can hold without code (`<libdir>/mcollective/<type>/<name>.ddl`). */
const DDL_ONLY_DIRS = ["agent", "data", "discovery"];

const listFiles = (dir: string): string[] => {
  try {
    return readdirSync(dir).filter((name) => statSync(join(dir, name)).isFile());
  } catch {
    return [];
  }
};

/**
 * What to say about a Ruby MCollective plugin directory (agent/, application/,
 * DDLs…), or undefined when `dir` is not one: Phobos cannot package or run
 * its Ruby code, but the DDLs of agents, data and discovery plugins work as
 * they are from a libdir, so `mco rpc` can call the Ruby agents.
 */
function rubyPluginAdvice(dir: string, libdirs: readonly string[]): string | undefined {
  const found = RUBY_PLUGIN_DIRS.filter((sub) =>
    listFiles(join(dir, sub)).some((f) => f.endsWith(".rb") || f.endsWith(".ddl")),
  );
  if (found.length === 0) return undefined;
  const shown = found.flatMap((sub) => listFiles(join(dir, sub)).map((f) => `${sub}/${f}`));
  const ddls = DDL_ONLY_DIRS.flatMap((sub) =>
    listFiles(join(dir, sub))
      .filter((f) => f.endsWith(".ddl") || f.endsWith(".json"))
      .map((f) => ({ sub, path: join(dir, sub, f) })),
  );
  const what = `${dir} is a Ruby MCollective plugin (${shown.slice(0, 6).join(", ")}${shown.length > 6 ? ", …" : ""})`;
  const expects =
    'mco plugin package packs Phobos plugin packages: an npm package whose package.json has an "mcollective" manifest (mco plugin generate agent NAME writes one); Phobos does not run Ruby code';
  if (ddls.length === 0)
    return `${what}: ${expects}, and this plugin has no agent, data or discovery DDL mco could use`;
  const libdir = libdirs[0];
  const target = libdir ?? "LIBDIR";
  const copies = [...new Set(ddls.map((d) => d.sub))]
    .map(
      (sub) =>
        `mkdir -p ${join(target, "mcollective", sub)} && cp ${ddls
          .filter((d) => d.sub === sub)
          .map((d) => relative(process.cwd(), d.path) || d.path)
          .join(" ")} ${join(target, "mcollective", sub)}/`,
    )
    .join(" && ");
  return `${what}: ${expects}. To call its Ruby agents from mco, put its DDLs in a libdir as DDL-only entries: ${copies}${
    libdir === undefined ? " (and add libdir = LIBDIR to the client config, which names none)" : ""
  }`;
}

export function readPackageJson(dir: string, libdirs: readonly string[] = []): Record<string, unknown> {
  const path = join(dir, "package.json");
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    const advice = rubyPluginAdvice(dir, libdirs);
    if (advice !== undefined) throw new UsageError(advice);
    throw new UsageError(
      `${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}: target directory is not a valid Phobos plugin package (a directory with a package.json that has an "mcollective" manifest)`,
    );
  }
  if (typeof json !== "object" || json === null || !("mcollective" in json)) {
    throw new UsageError(
      `${path} has no "mcollective" manifest: target directory is not a valid Phobos plugin package (its package.json must declare its plugins under "mcollective"; mco plugin generate agent NAME writes an example)`,
    );
  }
  return json as Record<string, unknown>;
}

const row = (label: string, value: unknown) =>
  `${rjust(label, 30)}${value === undefined ? "" : String(value)}`;

/** The `Plugin information` block MCollective printed, for a plugin package. */
export function pluginInfo(target: string, libdirs: readonly string[] = []): string {
  const dir = resolve(target);
  const json = readPackageJson(dir, libdirs);
  const name = typeof json.name === "string" ? json.name : undefined;
  const { manifest, errors } = parseManifest(json.mcollective, {
    packageName: name,
    packageDir: dir,
    path: join(dir, "package.json"),
  });
  const plugins = manifest?.plugins ?? [];
  const types = [...new Set(plugins.map((p) => p.type))].map((t) => t.charAt(0).toUpperCase() + t.slice(1));
  const author =
    typeof json.author === "object" && json.author !== null
      ? (json.author as { name?: string }).name
      : (json.author as string | undefined);
  const lines = [
    "",
    row("Plugin information : ", name),
    row("-".repeat(22), "-".repeat(22)),
    row("Plugin Type : ", types.join(", ")),
    row("Package Output Format : ", "npm"),
    row("Version : ", json.version),
    row("Plugin API : ", manifest?.api),
    row("Author : ", author),
    row("License : ", json.license),
    row("URL : ", json.homepage),
  ];
  plugins.forEach((p, i) => {
    const missing = [p.entry, p.ddl].filter((f) => f !== undefined && !existsSync(resolve(dir, f)));
    const files = `${p.entry}${p.ddl ? `, DDL ${p.ddl}` : ""}${missing.length > 0 ? ` (missing: ${missing.join(", ")})` : ""}`;
    lines.push(row(i === 0 ? "Identified Plugins : " : " ", `${p.type}/${p.name} (${files})`));
  });
  for (const [i, e] of errors.entries()) lines.push(row(i === 0 ? "Problems : " : " ", e.message));
  return `${lines.join("\n")}\n`;
}
