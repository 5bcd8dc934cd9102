/**
 * `mco plugin info [DIR]` and `mco plugin package [DIR]` for Phobos plugin
 * packages: what the package declares (read from its `package.json`
 * manifest, as mco would read it), and an installable tarball (`npm pack`).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseManifest, UsageError } from "@phobos/core";
import { rjust } from "@phobos/core/client";

function readPackageJson(dir: string): Record<string, unknown> {
  const path = join(dir, "package.json");
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new UsageError(
      `${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}: target directory is not a valid Phobos plugin package`,
    );
  }
  if (typeof json !== "object" || json === null || !("mcollective" in json)) {
    throw new UsageError(
      `${path} has no "mcollective" manifest: target directory is not a valid Phobos plugin package`,
    );
  }
  return json as Record<string, unknown>;
}

const row = (label: string, value: unknown) =>
  `${rjust(label, 30)}${value === undefined ? "" : String(value)}`;

/** The `Plugin information` block MCollective printed, for a plugin package. */
export function pluginInfo(target: string): string {
  const dir = resolve(target);
  const json = readPackageJson(dir);
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

/** `npm pack` of the plugin package into the current directory; returns npm's report. */
export function packagePlugin(target: string, cwd: string): { ok: boolean; output: string } {
  const dir = resolve(target);
  readPackageJson(dir);
  const r = spawnSync("npm", ["pack", dir], { cwd, encoding: "utf8" });
  if (r.error) {
    const why =
      (r.error as NodeJS.ErrnoException).code === "ENOENT" ? "npm is not installed" : r.error.message;
    throw new UsageError(
      `cannot package ${dir}: ${why} (a Phobos plugin package is an npm package: npm pack makes it)`,
    );
  }
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}
