import { realpathSync } from "node:fs";
import { basename, dirname } from "node:path";
import type { PluginLoadError } from "@phobos/errors";
import { scanLibdir } from "./scan-libdir.js";

export interface PackagesBeside {
  /** The node_modules directory the app is installed in; undefined when it is not in one (a checkout). */
  modulesDir: string | undefined;
  /** The other package directories in it, in the order their plugins rank. */
  packageDirs: string[];
  errors: PluginLoadError[];
}

/**
 * The packages installed beside the app: `npm install -g @phobos/mco
 * phobos-agent-weather` puts both in the global `node_modules`, and the
 * plugin is no dependency of mco and in no libdir, yet the operator expects
 * mco to use it, as Homebridge and Node-RED find plugins installed beside
 * them. Only the directory the app itself sits in is searched (its real path,
 * so a bin symlink in `<prefix>/bin` does not matter); an app run from a
 * checkout is in no node_modules and finds nothing here.
 */
export async function findPackagesBeside(appDir: string): Promise<PackagesBeside> {
  let self: string;
  try {
    self = realpathSync.native(appDir);
  } catch {
    return { modulesDir: undefined, packageDirs: [], errors: [] };
  }
  const parent = dirname(self);
  const modulesDir = basename(parent).startsWith("@") ? dirname(parent) : parent;
  if (basename(modulesDir) !== "node_modules") return { modulesDir: undefined, packageDirs: [], errors: [] };
  // A node_modules directory has the shape of a libdir's: packages and @scope/packages.
  const scan = await scanLibdir(modulesDir);
  return { modulesDir, packageDirs: scan.packageDirs.filter((dir) => dir !== self), errors: scan.errors };
}
