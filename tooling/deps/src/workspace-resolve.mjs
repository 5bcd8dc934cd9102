// Resolution of the workspace's own packages to their TypeScript sources, handed to
// dependency-cruiser as a webpack-style resolve config. Without it "@phobos/core" resolves
// through node_modules to packages/core/dist, and a cycle that runs from one package's
// src into another's and back would pass through dist files the cruise never follows.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const workspaceDirs = ["packages", "plugins", "apps", "tooling", "packaging"];

/** "./dist/__oracle__/run-ruby.js" -> "<pkg>/src/__oracle__/run-ruby.ts": the build maps src to dist one to one. */
function sourceOf(pkgDir, target, pkgName, subpath) {
  const match = /^\.\/dist\/(.+)\.js$/.exec(target);
  // A package that ships its source as is (plain JavaScript, no build) is its own source.
  if (!match && !target.startsWith("./dist/") && existsSync(join(pkgDir, target)))
    return join(pkgDir, target);
  if (!match) {
    throw new Error(
      `${pkgName}: export "${subpath}" points at ${target}, not at ./dist/<file>.js; ` +
        "tooling/deps/src/workspace-resolve.mjs cannot map it to a source file",
    );
  }
  const source = join(pkgDir, "src", `${match[1]}.ts`);
  if (!existsSync(source)) {
    throw new Error(`${pkgName}: export "${subpath}" maps to ${source}, which does not exist`);
  }
  return source;
}

/** @returns {Record<string, string>} specifier + "$" -> absolute source path */
export function workspaceAliases(root = repoRoot) {
  /** @type {Record<string, string>} */
  const alias = {};
  for (const group of workspaceDirs) {
    const groupDir = join(root, group);
    if (!existsSync(groupDir)) continue;
    for (const entry of readdirSync(groupDir, { withFileTypes: true })) {
      const pkgDir = join(groupDir, entry.name);
      const manifestPath = join(pkgDir, "package.json");
      if (!entry.isDirectory() || !existsSync(manifestPath)) continue;
      const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
      for (const [subpath, conditions] of Object.entries(manifest.exports ?? {})) {
        const target = typeof conditions === "string" ? conditions : conditions.default;
        if (subpath === "./package.json" || typeof target !== "string") continue;
        // "$" makes the alias exact, so "@phobos/core" does not also swallow a subpath such as "@phobos/core/package.json".
        const specifier = subpath === "." ? manifest.name : `${manifest.name}/${subpath.slice(2)}`;
        alias[`${specifier}$`] = sourceOf(pkgDir, target, manifest.name, subpath);
      }
    }
  }
  return alias;
}

export default { resolve: { alias: workspaceAliases() } };
