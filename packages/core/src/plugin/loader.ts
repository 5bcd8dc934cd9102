/**
 * Plugin discovery, MCollective's `PluginManager.find` rebuilt on the
 * manifest convention: every libdir in order, then the app's own
 * dependencies, then the packages installed beside the app (a global npm
 * install). Only package.json files and directory listings are read;
 * no plugin code runs until `PluginRegistry.load`.
 */
import { resolve } from "node:path";
import type { PluginLoadError } from "@phobos/errors";
import type { Config } from "../config/config.js";
import type { Logger } from "../log/logger.js";
import { findAppDependencies } from "./app-dependencies.js";
import { findPackagesBeside } from "./installed-beside.js";
import { type PluginPackage, readPluginPackage } from "./read-package.js";
import { key, type PluginEntry, PluginRegistry } from "./registry.js";
import { scanLibdir } from "./scan-libdir.js";

export interface DiscoverOptions {
  /** The config's `libdir` directories, in order. */
  libdirs: readonly string[];
  /** The directory of the running app's package.json (apps/mco, apps/mcollectived). */
  appDir: string;
  log: Logger;
}

type Candidate = { -readonly [K in keyof PluginEntry]: PluginEntry[K] } & { shadowed: Candidate[] };

/**
 * Finds every plugin. The first (type, name) found wins and hides later
 * copies (kept on its `shadowed` list and logged once with both paths),
 * with one exception: a DDL-only entry never hides a plugin with code, so a
 * Ruby-era `rpcutil.ddl` left in a libdir cannot disable Phobos's rpcutil
 * agent. Nothing is thrown: each failure becomes a PluginLoadError on the
 * registry, and is logged as a warning here so callers need not repeat it.
 */
export async function discoverPlugins(options: DiscoverOptions): Promise<PluginRegistry> {
  const { log } = options;
  const errors: PluginLoadError[] = [];
  const winners = new Map<string, Candidate>();
  const seenPackages = new Set<string>();

  const add = (candidate: Candidate) => {
    const id = key(candidate.type, candidate.name);
    const winner = winners.get(id);
    if (!winner) {
      winners.set(id, candidate);
      return;
    }
    if (winner.source === "ddl-only" && candidate.source !== "ddl-only") {
      // Map.set on an existing key keeps its place: the code takes the DDL's slot in the order.
      winners.set(id, { ...candidate, shadowed: [winner, ...winner.shadowed] });
      log.info(
        `${candidate.type} plugin '${candidate.name}': using the code in ${where(candidate)}; the DDL-only copy at ${where(winner)} is not used`,
      );
      return;
    }
    winner.shadowed.push(candidate);
    const level = candidate.source === "ddl-only" ? "debug" : "warn";
    log[level](
      `${candidate.type} plugin '${candidate.name}' in ${where(candidate)} is shadowed by ${where(winner)}, found first`,
    );
  };

  const addPackage = (pkg: PluginPackage, source: "libdir" | "dependency" | "beside", libdir?: string) => {
    errors.push(...pkg.errors);
    // A package reached twice (a libdir's node_modules and a dependency, or via symlinks) is one copy.
    if (seenPackages.has(pkg.dir)) return;
    seenPackages.add(pkg.dir);
    log.debug(
      `found plugin package ${pkg.name ?? "(unnamed)"}${pkg.version ? `@${pkg.version}` : ""} at ${pkg.dir}`,
    );
    for (const plugin of pkg.plugins) {
      add({
        type: plugin.type,
        name: plugin.name,
        source,
        packageName: pkg.name,
        version: pkg.version,
        packageDir: pkg.dir,
        entryPath: plugin.entryPath,
        ...(plugin.ddlPath !== undefined ? { ddlPath: plugin.ddlPath } : {}),
        description: plugin.description,
        ...(libdir !== undefined ? { libdir } : {}),
        shadowed: [],
        error: undefined,
      });
    }
  };

  for (const dir of options.libdirs) {
    const libdir = resolve(dir);
    const scan = await scanLibdir(libdir);
    if (!scan.exists) {
      log.debug(`libdir ${libdir} does not exist, skipping it`);
      continue;
    }
    errors.push(...scan.errors);
    const packages = await Promise.all(scan.packageDirs.map((d) => readPluginPackage(d)));
    for (const pkg of packages) if (pkg) addPackage(pkg, "libdir", libdir);
    for (const file of scan.ddlFiles) {
      add({
        type: file.type,
        name: file.name,
        source: "ddl-only",
        packageName: undefined,
        version: undefined,
        packageDir: resolve(file.path, ".."),
        ddlPath: file.path,
        description: undefined,
        libdir,
        shadowed: [],
        error: undefined,
      });
    }
  }

  const deps = await findAppDependencies(resolve(options.appDir));
  errors.push(...deps.errors);
  for (const { name, optional } of deps.missing) {
    log.debug(`${optional ? "optional " : ""}dependency ${name} is not installed, so it provides no plugins`);
  }
  const packages = await Promise.all(deps.found.map(({ dir }) => readPluginPackage(dir)));
  for (const pkg of packages) if (pkg) addPackage(pkg, "dependency");

  // After the dependencies, so a package installed beside mco cannot hide a first-party plugin.
  const beside = await findPackagesBeside(options.appDir);
  errors.push(...beside.errors);
  if (beside.modulesDir !== undefined)
    log.debug(`searching ${beside.modulesDir} for plugins installed beside the app`);
  const besidePackages = await Promise.all(beside.packageDirs.map((dir) => readPluginPackage(dir)));
  for (const pkg of besidePackages) if (pkg) addPackage(pkg, "beside");

  for (const error of errors) log.warn(error.message);
  const registry = new PluginRegistry(winners.values(), errors, resolve(options.appDir));
  log.debug(
    `found ${winners.size} plugins (${
      registry
        .list()
        .map((e) => `${e.type}/${e.name}`)
        .join(", ") || "none"
    })` + (errors.length > 0 ? `, ${errors.length} could not be used` : ""),
  );
  return registry;
}

function where(entry: PluginEntry): string {
  if (entry.source === "ddl-only") return entry.ddlPath ?? entry.packageDir;
  const label = entry.packageName ? `${entry.packageName}${entry.version ? `@${entry.version}` : ""}` : "";
  return label ? `${entry.packageDir} (${label})` : entry.packageDir;
}

/**
 * The plugins a client (mco, a script through openClient) can use. A plugin
 * the run does not use must not clutter its stderr: the trouble is logged at
 * debug, shows in `mco plugin doc`, and in the error when something needs it.
 */
export function discoverClientPlugins(config: Config, appDir: string, log: Logger): Promise<PluginRegistry> {
  const plugins = log.child("plugins");
  return discoverPlugins({
    libdirs: config.libdir,
    appDir,
    log: { ...plugins, warn: (message: string) => plugins.debug(message) },
  });
}
