import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The monorepo root, from this package's place in it (tooling/interop/{src,dist}). */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export const PHOBOS_MCOLLECTIVED = resolve(ROOT, "apps/mcollectived/bin/mcollectived");
export const PHOBOS_MCO = resolve(ROOT, "apps/mco/bin/mco");

/** Built entry points the binaries load: a test must fail, not hang, when they are missing. */
export function requireBuilt(bin: string): void {
  const dist = resolve(dirname(bin), "../dist/main.js");
  if (!existsSync(dist)) {
    throw new Error(`${dist} is missing: build first (pnpm exec turbo run build)`);
  }
}

/**
 * Runs Phobos's mcollectived in the foreground so that EOF on stdin (the
 * harness is gone) stops it with TERM, like the Ruby launcher does.
 */
export function phobosMcollectivedCommand(configFile: string): { command: string; args: string[] } {
  requireBuilt(PHOBOS_MCOLLECTIVED);
  const launcher = [
    'process.stdin.on("end", () => process.kill(process.pid, "SIGTERM")).on("error", () => {}).resume();',
    `import(${JSON.stringify(resolve(dirname(PHOBOS_MCOLLECTIVED), "../dist/main.js"))}).then((m) => m.main(process.argv.slice(1)));`,
  ].join(" ");
  return {
    command: process.execPath,
    args: ["--input-type=module", "-e", launcher, "--", "--config", configFile, "--no-daemonize"],
  };
}
