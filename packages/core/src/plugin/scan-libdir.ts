import { readdirSync } from "node:fs";
import { extname, join } from "node:path";
import { PluginLoadError } from "@phobos/errors";
import { PLUGIN_NAME_PATTERN } from "./manifest.js";
import { isDirectory, isMissing } from "./read-package.js";
import type { PluginType } from "./types.js";

/** A Ruby-era DDL file in `<libdir>/mcollective/<type>/`: an agent Phobos can call but not run. */
export interface DdlOnlyFile {
  type: PluginType;
  name: string;
  path: string;
}

export interface LibdirScan {
  /** False when the libdir does not exist (not an error: MCollective only logs it at debug). */
  exists: boolean;
  /** Candidate package directories, in the order their plugins rank. */
  packageDirs: string[];
  ddlFiles: DdlOnlyFile[];
  errors: PluginLoadError[];
}

/** The MCollective layout types that have DDLs worth calling without code. */
const DDL_ONLY_TYPES = ["agent", "data", "discovery"] as const;

/**
 * Lists what a libdir holds, cheapest first and without reading any
 * package.json: packages directly inside it (`<libdir>/<pkg>`,
 * `<libdir>/@scope/<pkg>`), then those in `<libdir>/node_modules`, then the
 * MCollective layout's DDL files. Names are sorted: readdir order differs
 * between file systems and "first found wins" must not.
 */
export async function scanLibdir(libdir: string): Promise<LibdirScan> {
  const scan: LibdirScan = { exists: true, packageDirs: [], ddlFiles: [], errors: [] };
  if (!(await isDirectory(libdir))) return { ...scan, exists: false };
  const fail = (path: string, err: unknown) =>
    scan.errors.push(
      new PluginLoadError(
        { path, stage: "manifest", reason: `cannot read directory: ${(err as Error).message}` },
        { cause: err },
      ),
    );

  const top = await listDirectories(libdir, fail);
  scan.packageDirs.push(
    ...(await expandScopes(
      libdir,
      top.filter((n) => n !== "node_modules"),
      fail,
    )),
  );
  if (top.includes("node_modules")) {
    const modules = join(libdir, "node_modules");
    scan.packageDirs.push(...(await expandScopes(modules, await listDirectories(modules, fail), fail)));
  }
  if (top.includes("mcollective")) {
    for (const type of DDL_ONLY_TYPES) {
      scan.ddlFiles.push(...(await listDdlFiles(join(libdir, "mcollective", type), type, scan.errors)));
    }
  }
  return scan;
}

async function expandScopes(
  parent: string,
  names: string[],
  fail: (path: string, err: unknown) => void,
): Promise<string[]> {
  const dirs: string[] = [];
  for (const name of names) {
    if (name.startsWith("@")) {
      for (const inner of await listDirectories(join(parent, name), fail))
        dirs.push(join(parent, name, inner));
    } else {
      dirs.push(join(parent, name));
    }
  }
  return dirs;
}

/** Sub-directory names (following symlinks: pnpm links every package), hidden ones skipped. */
async function listDirectories(dir: string, fail: (path: string, err: unknown) => void): Promise<string[]> {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => !n.startsWith("."))
      .sort();
  } catch (err) {
    if (!isMissing(err)) fail(dir, err);
    return [];
  }
  const flags = await Promise.all(names.map((n) => isDirectory(join(dir, n))));
  return names.filter((_, i) => flags[i]);
}

/**
 * `<name>.json` (Choria) ranks before `<name>.ddl` (Ruby) for the same
 * plugin: Choria generates the JSON from the Ruby DDL. Data DDLs are named
 * `<name>_data.ddl` in MCollective; the plugin is `<name>`. `.rb` files are
 * Ruby code Phobos cannot run and are ignored.
 */
async function listDdlFiles(
  dir: string,
  type: PluginType,
  errors: PluginLoadError[],
): Promise<DdlOnlyFile[]> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    if (!isMissing(err)) {
      errors.push(
        new PluginLoadError(
          { path: dir, stage: "manifest", reason: `cannot read directory: ${(err as Error).message}` },
          { cause: err },
        ),
      );
    }
    return [];
  }
  const rank = (n: string) => (extname(n) === ".json" ? 0 : 1);
  const files: DdlOnlyFile[] = [];
  for (const file of names
    .filter((n) => !n.startsWith(".") && (extname(n) === ".json" || extname(n) === ".ddl"))
    .sort((a, b) => stem(a).localeCompare(stem(b)) || rank(a) - rank(b))) {
    const path = join(dir, file);
    let name = stem(file);
    if (type === "data" && name.endsWith("_data") && name.length > 5) name = name.slice(0, -5);
    if (!PLUGIN_NAME_PATTERN.test(name)) {
      errors.push(
        new PluginLoadError({
          path,
          pluginType: type,
          pluginName: name,
          stage: "manifest",
          reason: `a DDL file name must be the plugin name: lower case letters, digits and _ (rename it to ${name.toLowerCase().replace(/[^a-z0-9_]/g, "_")}${extname(file)})`,
        }),
      );
      continue;
    }
    files.push({ type, name, path });
  }
  return files;
}

function stem(file: string): string {
  return file.slice(0, file.length - extname(file).length);
}
