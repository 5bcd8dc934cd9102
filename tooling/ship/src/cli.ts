/**
 * `phobos-ship`: builds the shipped executables and (unless --no-debs) the
 * Debian packages, under tooling/ship/out (gitignored) or --out DIR.
 */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { buildDebs } from "./build-debs.js";
import { buildExecutables } from "./build-executables.js";

const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const REPO_ROOT = resolve(PACKAGE_DIR, "../..");

export const USAGE = "Usage: phobos-ship [--out DIR] [--cache DIR] [--no-debs] [--no-lintian]";

export async function main(argv: string[]): Promise<number> {
  let values: { out?: string; cache?: string; "no-debs"?: boolean; "no-lintian"?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        out: { type: "string" },
        cache: { type: "string" },
        "no-debs": { type: "boolean" },
        "no-lintian": { type: "boolean" },
        help: { type: "boolean" },
      },
    }));
  } catch (err) {
    process.stderr.write(`phobos-ship: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const out = resolve(values.out ?? resolve(PACKAGE_DIR, "out"));
  const cache = resolve(values.cache ?? resolve(PACKAGE_DIR, "out", "cache"));
  try {
    const tree = buildExecutables(REPO_ROOT, out, cache);
    process.stdout.write(
      `executables: ${tree.root}/bin (Node ${tree.runtime.version}; rebuilt ${tree.nativeAddons.join(", ") || "no native addons"})\n`,
    );
    if (!values["no-debs"]) {
      const debs = buildDebs({
        packageDir: PACKAGE_DIR,
        repoRoot: REPO_ROOT,
        out,
        tree,
        lintian: !values["no-lintian"],
      });
      for (const deb of debs) process.stdout.write(`deb: ${deb}\n`);
    }
    return 0;
  } catch (err) {
    process.stderr.write(`phobos-ship: ${(err as Error).message}\n`);
    return 1;
  }
}
