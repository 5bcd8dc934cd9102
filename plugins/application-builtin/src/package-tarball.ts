/**
 * The tarball of a plugin package for hosts without dpkg: one directory,
 * named as the package (`@scope/name` for a scoped one), that
 * `tar -xzf FILE -C <libdir>` puts where mcollectived finds it.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "@phobos/core";

export function buildTarball(
  npmName: string,
  fileStem: string,
  staged: string,
  work: string,
  outDir: string,
): string {
  const root = join(work, "tar-root");
  mkdirSync(join(root, npmName), { recursive: true });
  cpSync(staged, join(root, npmName), { recursive: true });
  const out = join(outDir, `${fileStem}.tar.gz`);
  const r = spawnSync(
    "tar",
    [
      "-czf",
      out,
      "--owner=0",
      "--group=0",
      "--numeric-owner",
      "--sort=name",
      "-C",
      root,
      npmName.split("/")[0] as string,
    ],
    { encoding: "utf8" },
  );
  if (r.error || r.status !== 0) {
    throw new UsageError(`cannot build the tarball ${out}: ${r.error?.message ?? r.stderr.trim()}`);
  }
  return out;
}
