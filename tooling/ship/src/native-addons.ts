/**
 * Native addons (better-sqlite3, loaded lazily by @phobos/registry) are
 * built for one Node ABI: the workspace's copy is for the machine's Node 20,
 * the shipped runtime is Node 22. Each addon is rebuilt from its own sources
 * with node-gyp against the runtime's headers (no download), cached by
 * addon version and runtime version, and shipped as its .node file alone:
 * the C sources and object files stay out of the package.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { CopiedPackage } from "./copy-closure.js";
import type { NodeRuntime } from "./node-runtime.js";

const nodeGyp = createRequire(import.meta.url).resolve("node-gyp/bin/node-gyp.js");

function releaseDir(pkgDir: string): string {
  return join(pkgDir, "build", "Release");
}

function addonFiles(pkgDir: string): string[] {
  const dir = releaseDir(pkgDir);
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".node") && !f.startsWith("test_")) : [];
}

/**
 * node-gyp lets `npm_config_*` variables override its command line, and
 * pnpm exports the user's npmrc as such variables: a machine whose npmrc says
 * `nodedir=/usr` would build against its own Node's headers, not the
 * runtime's, under `pnpm run` but not from a shell.
 */
function withoutNpmConfig(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !k.toLowerCase().startsWith("npm_config_")));
}

/** Whether the runtime can dlopen every addon file in `pkgDir` (a cache built for another ABI cannot). */
function loadsIn(runtime: NodeRuntime, pkgDir: string): boolean {
  return addonFiles(pkgDir).every((file) => {
    try {
      execFileSync(
        runtime.node,
        ["-e", "process.dlopen({ exports: {} }, process.argv[1])", join(releaseDir(pkgDir), file)],
        { stdio: "ignore", env: {} },
      );
      return true;
    } catch {
      return false;
    }
  });
}

/** Rebuilds every copied package that has a binding.gyp; returns their names. */
export function rebuildNativeAddons(
  outDir: string,
  copied: CopiedPackage[],
  runtime: NodeRuntime,
  cacheDir: string,
): string[] {
  const rebuilt: string[] = [];
  for (const pkg of copied) {
    if (!existsSync(join(pkg.source, "binding.gyp"))) continue;
    const cached = join(
      cacheDir,
      "addons",
      `${pkg.name.replace("/", "+")}@${pkg.version}-node${runtime.version}`,
    );
    if (addonFiles(cached).length === 0 || !loadsIn(runtime, cached)) {
      const scratch = `${cached}.partial`;
      rmSync(scratch, { recursive: true, force: true });
      cpSync(pkg.source, scratch, {
        recursive: true,
        dereference: true,
        filter: (p) => !p.includes(`${pkg.source}/build`) && !p.includes(`${pkg.source}/node_modules`),
      });
      try {
        execFileSync(
          runtime.node,
          [nodeGyp, "rebuild", "--release", `--nodedir=${runtime.dir}`, "--jobs=2"],
          {
            cwd: scratch,
            env: withoutNpmConfig(process.env),
            stdio: ["ignore", "pipe", "pipe"],
            maxBuffer: 64 * 1024 * 1024,
          },
        );
      } catch (err) {
        const output = `${(err as { stdout?: Buffer }).stdout ?? ""}${(err as { stderr?: Buffer }).stderr ?? ""}`;
        throw new Error(
          `node-gyp could not build ${pkg.name}@${pkg.version} for Node ${runtime.version} (needs python3, make, g++): ${output.split("\n").slice(-20).join("\n")}`,
          { cause: err },
        );
      }
      rmSync(cached, { recursive: true, force: true });
      mkdirSync(releaseDir(cached), { recursive: true });
      for (const file of addonFiles(scratch))
        copyFileSync(join(releaseDir(scratch), file), join(releaseDir(cached), file));
      rmSync(scratch, { recursive: true, force: true });
      if (!loadsIn(runtime, cached)) {
        throw new Error(
          `${pkg.name}@${pkg.version} was rebuilt but Node ${runtime.version} cannot load it (built against other headers?): ${releaseDir(cached)}`,
        );
      }
    }
    const dest = join(outDir, pkg.path);
    for (const sub of ["build", "deps", "src", "binding.gyp"])
      rmSync(join(dest, sub), { recursive: true, force: true });
    mkdirSync(releaseDir(dest), { recursive: true });
    for (const file of addonFiles(cached))
      copyFileSync(join(releaseDir(cached), file), join(releaseDir(dest), file));
    rebuilt.push(`${pkg.name}@${pkg.version}`);
  }
  return rebuilt;
}
