/**
 * The Debian packages, built by Debian's own tools: a native source tree is
 * staged (the debian/ directory of this package, the example configs, the
 * executables' tree hard-linked in) and handed to `dpkg-buildpackage -b`;
 * debhelper installs, strips, computes shared-library dependencies, writes
 * the maintainer scripts for the services and marks /etc files as
 * conffiles. lintian then checks every .deb (its overrides, each with its
 * reason, live in debian/*.lintian-overrides).
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BuiltTree } from "./build-executables.js";

export const DEB_PACKAGES = [
  "phobos-runtime",
  "phobos-mcollectived",
  "phobos-mco",
  "phobos-broker",
  "phobos-console",
] as const;

export interface DebOptions {
  packageDir: string;
  repoRoot: string;
  out: string;
  tree: BuiltTree;
  lintian: boolean;
}

/** The release the packages carry: the apps' own version (they move together). */
export function debVersion(repoRoot: string): string {
  const { version } = JSON.parse(readFileSync(join(repoRoot, "apps/mco/package.json"), "utf8")) as {
    version: string;
  };
  return version;
}

function changelog(version: string): string {
  // A fixed date keeps the build reproducible; the version is what changes.
  return `phobos (${version}) unstable; urgency=medium

  * Release ${version} of Phobos: mco, mcollectived, phobos-broker and
    phobos-console on a pinned Node runtime.

 -- Phobos developers <phobos@lists.phobos-project.org>  Sun, 06 Dec 2026 00:00:00 +0000
`;
}

/** The completion script, pointed at the installed mco (what `mco completion --bash` writes for its own path). */
function completion(repoRoot: string): string {
  const script = readFileSync(join(repoRoot, "apps/mco/completion/mco.bash"), "utf8");
  const marker = /^_mco_bin=""$/m;
  if (!marker.test(script))
    throw new Error('apps/mco/completion/mco.bash no longer has its _mco_bin="" line');
  return script.replace(marker, "_mco_bin=/usr/lib/phobos/bin/mco");
}

function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    const output = `${e.stdout ?? ""}${e.stderr ?? ""}`.trim().split("\n").slice(-30).join("\n");
    throw new Error(`${command} ${args.join(" ")} failed in ${cwd}:\n${output || e.message}`, { cause: err });
  }
}

export function buildDebs(options: DebOptions): string[] {
  const { packageDir, repoRoot, out, tree } = options;
  const version = debVersion(repoRoot);
  const stage = join(out, "deb-src");
  const src = join(stage, `phobos-${version}`);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(src, { recursive: true });
  cpSync(join(packageDir, "debian"), join(src, "debian"), { recursive: true });
  writeFileSync(join(src, "debian", "changelog"), changelog(version));
  cpSync(join(packageDir, "etc"), join(src, "etc"), { recursive: true });
  cpSync(join(packageDir, "files"), join(src, "files"), { recursive: true });
  cpSync(join(packageDir, "man"), join(src, "man"), { recursive: true });
  mkdirSync(join(src, "gen", "completions"), { recursive: true });
  writeFileSync(join(src, "gen", "completions", "mco"), completion(repoRoot));
  // Hard links: the tree is 150 MB and debhelper copies what it installs anyway.
  run("cp", ["-al", tree.root, join(src, "phobos")], out);

  run("dpkg-buildpackage", ["-b", "-uc", "-us", "--no-check-builddeps"], src);
  const debs = readdirSync(stage)
    .filter((f) => f.endsWith(".deb"))
    .map((f) => join(stage, f));
  const debDir = join(out, "deb");
  rmSync(debDir, { recursive: true, force: true });
  mkdirSync(debDir, { recursive: true });
  const placed = debs.map((deb) => {
    const dest = join(debDir, deb.slice(stage.length + 1));
    cpSync(deb, dest);
    return dest;
  });
  rmSync(stage, { recursive: true, force: true });
  if (options.lintian) lintian(placed, out);
  return placed;
}

/** lintian on the built .debs: any error or warning fails the build (info tags are advice). */
export function lintian(debs: string[], cwd: string): void {
  run("lintian", ["--fail-on", "error,warning", "--no-tag-display-limit", ...debs], cwd);
}
