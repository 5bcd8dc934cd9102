/**
 * Copies an app and its production dependencies out of the pnpm workspace
 * into a plain node_modules tree that Node's resolver (and core's plugin
 * discovery, which reads `<dep>/package.json` by path) find without pnpm's
 * symlinks. `pnpm deploy` would do this, but on this workspace it asks the
 * registry for the unpublished `@phobos/*` peers; here each dependency is
 * located the way Node would from the package that needs it (its real path,
 * so pnpm's virtual store answers), and hoisted to the top unless another
 * version already sits there.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, realpathSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";

interface Manifest {
  name: string;
  version: string;
  files?: string[];
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

export interface CopiedPackage {
  name: string;
  version: string;
  /** Where it landed, relative to the output directory. */
  path: string;
  /** Where it came from (real path). */
  source: string;
}

/** Files a workspace package never ships, whatever its `files` says. */
const NEVER = /(^|[/\\])(node_modules|__fixtures__|test-support)([/\\]|$)|\.test\.|\.map$|\.tsbuildinfo$/;

/**
 * What a registry package ships but nothing runs: its own dependencies (placed
 * separately), dotfiles (.npmignore, .eslintrc), and example or test trees.
 */
const REGISTRY_NEVER = /(^|[/\\])(node_modules|examples?|tests?|\.github)([/\\]|$)|(^|[/\\])\.[^/\\]+$/;

function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Manifest;
}

function locate(from: string, name: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return realpathSync(candidate);
    if (dirname(dir) === dir) return undefined;
  }
}

/** A package from the registry is copied whole (what npm shipped); one of ours by its `files`. */
function copyPackage(source: string, dest: string): void {
  const fromRegistry = source.split(sep).includes(".pnpm");
  const manifest = readManifest(source);
  mkdirSync(dest, { recursive: true });
  const filter = (path: string) => !NEVER.test(relative(source, path));
  if (fromRegistry || !manifest.files) {
    cpSync(source, dest, {
      recursive: true,
      dereference: true,
      filter: (p) => !REGISTRY_NEVER.test(relative(source, p)),
    });
    return;
  }
  const entries = [
    "package.json",
    "README.md",
    "LICENSE",
    ...manifest.files.filter((f) => !f.startsWith("!")),
  ];
  for (const entry of entries) {
    const from = join(source, entry);
    if (existsSync(from)) cpSync(from, join(dest, entry), { recursive: true, dereference: true, filter });
  }
}

/**
 * Copies `appDir` to `outDir` and its dependency closure under
 * `outDir/node_modules`. Returns every package placed, for the caller's
 * notes (licences, native addons).
 */
export function copyClosure(appDir: string, outDir: string): CopiedPackage[] {
  const placed = new Map<string, CopiedPackage>();
  const copied: CopiedPackage[] = [];
  copyPackage(realpathSync(appDir), outDir);

  const visit = (sourceDir: string, destDir: string) => {
    const manifest = readManifest(sourceDir);
    const names = [
      ...Object.keys(manifest.dependencies ?? {}),
      ...Object.keys(manifest.optionalDependencies ?? {}),
    ];
    for (const name of names) {
      const source = locate(sourceDir, name);
      if (source === undefined) {
        if (name in (manifest.optionalDependencies ?? {})) continue;
        throw new Error(`${manifest.name} needs ${name}, which is not installed: run pnpm install first`);
      }
      const top = placed.get(name);
      if (top?.source === source) continue;
      // Hoisted when the top slot is free; nested beside its dependent when another version holds it.
      const dest =
        top === undefined ? join(outDir, "node_modules", name) : join(destDir, "node_modules", name);
      if (existsSync(join(dest, "package.json"))) continue;
      copyPackage(source, dest);
      const { version } = readManifest(source);
      const entry = { name, version, path: relative(outDir, dest), source };
      if (top === undefined) placed.set(name, entry);
      copied.push(entry);
      visit(source, dest);
    }
  };
  visit(realpathSync(appDir), outDir);
  return copied;
}
