/**
 * Ship-time bundling. Node's ESM loader pays for every module it resolves,
 * reads, hashes and links, and `mco rpc` loads ~60 of them, 36 of those for
 * the RabbitMQ connector, the STOMP client and @stomp/stompjs alone. Each
 * `@phobos/*` package in a shipped tree has its entry points (its `exports`,
 * its plugins' entries and DDLs, its bin scripts) rebuilt here as esbuild
 * bundles, in place, so a package costs one or two modules instead of ten.
 *
 * One instance of each package stays the rule: every `@phobos/*` import stays
 * an import, so plugins in a libdir, plugins installed beside the app and the
 * app itself still share the one `@phobos/core` (and errors, ddl, client).
 * Code shared by two entries of one package goes into a chunk both import
 * (esbuild's splitting), never into two copies. A third-party package is
 * inlined only where nothing else could hold a second copy of it: ESM, no
 * dependencies of its own, and used by one package of the tree; the others
 * (js-yaml, shared by ruby and the plugins that read YAML; CommonJS such as
 * amqplib; native addons) stay files in node_modules.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { buildSync } from "esbuild";
import type { CopiedPackage } from "./copy-closure.js";

interface PackageJson {
  name?: string;
  type?: string;
  exports?: unknown;
  main?: string;
  bin?: string | Record<string, string>;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  mcollective?: { plugins?: { entry?: unknown; ddl?: unknown }[] };
}

function readJson(dir: string): PackageJson {
  return JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as PackageJson;
}

const JS = /\.(?:m?js)$/;

/** The JavaScript files an `exports` map points at, for the conditions Node uses (not "types"). */
function exportTargets(value: unknown): string[] {
  if (typeof value === "string") return JS.test(value) ? [value] : [];
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([key, target]) => (key === "types" ? [] : exportTargets(target)));
}

/** Every file of a package that something outside it may import or run, relative to the package. */
export function entryPoints(dir: string, pkg: PackageJson): string[] {
  const bins = typeof pkg.bin === "string" ? [pkg.bin] : Object.values(pkg.bin ?? {});
  const plugins = (pkg.mcollective?.plugins ?? []).flatMap((p) => [p.entry, p.ddl]);
  const all = [
    ...exportTargets(pkg.exports),
    ...(pkg.exports === undefined && pkg.main ? [pkg.main] : []),
    ...plugins.filter((f): f is string => typeof f === "string" && JS.test(f)),
    ...bins,
  ];
  return [...new Set(all.map((f) => relative(dir, join(dir, f))))].filter((f) => existsSync(join(dir, f)));
}

/**
 * Bundles the `@phobos/*` packages of one app tree (`appDir`, with the
 * packages copyClosure placed). Returns the names of the packages bundled.
 */
export function bundlePackages(appDir: string, packages: readonly CopiedPackage[]): string[] {
  const manifests = new Map(packages.map((p) => [p.path, readJson(join(appDir, p.path))]));
  const ours = packages.filter((p) => p.name.startsWith("@phobos/"));

  const users = new Map<string, number>();
  for (const p of ours) {
    const m = manifests.get(p.path) ?? {};
    for (const dep of Object.keys({ ...m.dependencies, ...m.optionalDependencies })) {
      users.set(dep, (users.get(dep) ?? 0) + 1);
    }
  }
  const external = new Set<string>();
  for (const p of packages) {
    if (p.name.startsWith("@phobos/")) continue;
    const m = manifests.get(p.path) ?? {};
    const leaf = Object.keys({ ...m.dependencies, ...m.optionalDependencies }).length === 0;
    if (!(m.type === "module" && leaf && users.get(p.name) === 1)) external.add(p.name);
  }
  const externals = ["@phobos/*", ...[...external].flatMap((name) => [name, `${name}/*`])];

  const bundled: string[] = [];
  for (const p of ours) {
    const dir = join(appDir, p.path);
    const entries = entryPoints(dir, manifests.get(p.path) ?? {});
    if (entries.length === 0) continue;
    buildSync({
      entryPoints: entries.map((e) => join(dir, e)),
      outbase: dir,
      outdir: dir,
      // Chunks sit in dist/ beside the modules they replace.
      chunkNames: "dist/[name]-[hash]",
      allowOverwrite: true,
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "node",
      target: "node22",
      external: externals,
      logLevel: "warning",
    });
    bundled.push(p.name);
  }
  return bundled;
}
