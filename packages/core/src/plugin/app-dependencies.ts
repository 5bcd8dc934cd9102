import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { PluginLoadError } from "@phobos/errors";
import { isFile, isMissing } from "./read-package.js";

export interface AppDependencies {
  /** Installed package directories, in package.json order (dependencies, then optional ones). */
  found: { name: string; dir: string }[];
  /** Listed but not installed anywhere up the tree. */
  missing: { name: string; optional: boolean }[];
  errors: PluginLoadError[];
}

/** npm package names only: a dependency key must never walk the file system (`../../etc`). */
const PACKAGE_NAME = /^(?:@[a-z0-9][\w.~-]*\/)?[a-z0-9][\w.~-]*$/i;

/**
 * The app's own `dependencies` and `optionalDependencies`, located the way
 * Node's resolver would find them: `node_modules` of appDir, then of each
 * parent. We look for `<dep>/package.json` by path rather than with
 * `require.resolve`, which an `exports` map without `./package.json` refuses.
 */
export async function findAppDependencies(appDir: string): Promise<AppDependencies> {
  const result: AppDependencies = { found: [], missing: [], errors: [] };
  const path = join(appDir, "package.json");
  let pkg: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new Error("package.json is not a JSON object");
    }
    pkg = parsed as Record<string, unknown>;
  } catch (err) {
    const reason = isMissing(err)
      ? "the application has no package.json, so none of its dependencies can be searched for plugins"
      : `cannot read the application's package.json: ${(err as Error).message}`;
    result.errors.push(new PluginLoadError({ path, stage: "manifest", reason }, { cause: err }));
    return result;
  }

  const names = new Map<string, boolean>();
  for (const name of dependencyNames(pkg.dependencies)) names.set(name, false);
  for (const name of dependencyNames(pkg.optionalDependencies)) names.set(name, true);

  for (const [name, optional] of names) {
    const dir = await locatePackage(resolve(appDir), name);
    if (dir === undefined) result.missing.push({ name, optional });
    else result.found.push({ name, dir });
  }
  return result;
}

function dependencyNames(field: unknown): string[] {
  if (typeof field !== "object" || field === null || Array.isArray(field)) return [];
  return Object.keys(field).filter((name) => PACKAGE_NAME.test(name));
}

async function locatePackage(from: string, name: string): Promise<string | undefined> {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (await isFile(join(candidate, "package.json"))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}
