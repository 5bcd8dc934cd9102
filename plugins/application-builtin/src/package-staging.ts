/**
 * The files of a plugin package as it installs: exactly what npm would
 * publish (its `files`, `.npmignore`, README, LICENSE), plus its runtime
 * dependencies other than the `@phobos/*` peers the host app provides.
 * Both the .deb and the tarball are made from this one tree, so they hold
 * the same files.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, renameSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "@phobos/core";

export interface StagedPlugin {
  /** The installed package directory, ready to copy under a libdir. */
  dir: string;
  /** The files in it (relative paths), sorted: the package's contents, for the report. */
  files: string[];
}

function run(command: string, args: string[], cwd: string, what: string): string {
  const r = spawnSync(command, args, { cwd, encoding: "utf8" });
  if (r.error) {
    const why =
      (r.error as NodeJS.ErrnoException).code === "ENOENT" ? `${command} is not installed` : r.error.message;
    throw new UsageError(`cannot ${what}: ${why}`);
  }
  if (r.status !== 0)
    throw new UsageError(`cannot ${what}: ${command} ${args.join(" ")} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

/** Runtime dependencies the package must carry: everything but the host's `@phobos/*`. */
export function bundledDependencies(pkg: Record<string, unknown>): string[] {
  const deps = pkg.dependencies;
  if (typeof deps !== "object" || deps === null) return [];
  return Object.keys(deps).filter((name) => !name.startsWith("@phobos/"));
}

export function listFiles(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(dir, rel));
    else out.push(rel);
  }
  return out.sort();
}

/**
 * `npm pack`s `source` into `work` and unpacks it to `work/stage/package`;
 * with runtime dependencies, `npm install --omit=dev --omit=peer` there
 * fetches them into its node_modules (from the configured npm registry).
 */
export function stagePlugin(source: string, pkg: Record<string, unknown>, work: string): StagedPlugin {
  const packed = run("npm", ["pack", source, "--pack-destination", work, "--json"], work, `pack ${source}`);
  let filename: string;
  try {
    filename = (JSON.parse(packed) as { filename: string }[])[0]?.filename as string;
  } catch {
    throw new UsageError(`cannot pack ${source}: npm pack printed no JSON report: ${packed.slice(0, 200)}`);
  }
  // npm 7+ names the file in the report; older npms print the scoped name with a slash.
  const tgz = join(work, filename.replace(/^@/, "").replace("/", "-"));
  const stage = join(work, "stage");
  mkdirSync(stage);
  run("tar", ["-xzf", tgz, "-C", stage, "--no-same-owner"], work, `unpack ${tgz}`);
  const dir = join(work, "package");
  renameSync(join(stage, "package"), dir);
  if (bundledDependencies(pkg).length > 0) {
    run(
      "npm",
      [
        "install",
        "--omit=dev",
        "--omit=peer",
        "--no-package-lock",
        "--no-audit",
        "--no-fund",
        "--legacy-peer-deps",
      ],
      dir,
      `install the runtime dependencies of ${source}`,
    );
  }
  return { dir, files: listFiles(dir) };
}
