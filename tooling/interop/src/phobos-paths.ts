/**
 * Which Phobos the e2e and interop suites run: the one switch every spawn
 * site goes through.
 *
 * - `workspace`: the apps' own `bin/` scripts on the Node running the tests
 *   (the machine's Node 20 in CI), reading `dist/` in place.
 * - `shipped`: the self-contained executables `phobos-ship --no-debs`
 *   builds into tooling/ship/out/under-test (turbo task
 *   `@phobos/ship#executables`, which every test task depends on): the
 *   launchers in `phobos/bin` on the pinned Node runtime beside them, as an
 *   operator runs them.
 *
 * `PHOBOS_UNDER_TEST=shipped|workspace` chooses; unset is `workspace` (a
 * developer's vitest run reads the build in place). The root `pnpm test`
 * (CI's command) sets `shipped`. A form that is not there fails the test
 * that asked for it, by name: nothing falls back to the other form.
 */
import { existsSync, statSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The monorepo root, from this package's place in it (tooling/interop/{src,dist}). */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export type PhobosForm = "workspace" | "shipped";
export type PhobosApp = "mco" | "mcollectived" | "phobos-broker" | "phobos-console";

export const PHOBOS_FORMS: readonly PhobosForm[] = ["workspace", "shipped"];

/** Where `@phobos/ship#executables` puts the tree (its own dir: the package test rebuilds out/phobos). */
export const SHIPPED_OUT = resolve(ROOT, "tooling/ship/out/under-test");
export const SHIPPED_ROOT = resolve(SHIPPED_OUT, "phobos");
const BUILD_SHIPPED =
  "pnpm exec turbo run @phobos/ship#executables (or: node tooling/ship/bin/phobos-ship --no-debs --out tooling/ship/out/under-test)";

/** Each app's workspace bin script, its built entry and its directory in the shipped tree. */
const APPS: Record<PhobosApp, { bin: string; dist: string; shippedApp: string }> = {
  mco: { bin: "apps/mco/bin/mco", dist: "apps/mco/dist/main.js", shippedApp: "mco" },
  mcollectived: {
    bin: "apps/mcollectived/bin/mcollectived",
    dist: "apps/mcollectived/dist/main.js",
    shippedApp: "mcollectived",
  },
  "phobos-broker": {
    bin: "packages/broker/bin/phobos-broker",
    dist: "packages/broker/dist/cli.js",
    shippedApp: "broker",
  },
  "phobos-console": {
    bin: "apps/console/bin/phobos-console",
    dist: "apps/console/dist/server/main.js",
    shippedApp: "console",
  },
};

export function phobosForm(env: NodeJS.ProcessEnv = process.env): PhobosForm {
  const value = env.PHOBOS_UNDER_TEST;
  if (value === undefined || value === "") return "workspace";
  if ((PHOBOS_FORMS as readonly string[]).includes(value)) return value as PhobosForm;
  throw new Error(`PHOBOS_UNDER_TEST=${value}: expected one of ${PHOBOS_FORMS.join(", ")}`);
}

/**
 * The file to execute for `app` in `form`, checked to be there and built.
 * In the shipped form the tree must also be newer than the workspace build
 * it was copied from: a stale tree would test yesterday's code.
 */
export function phobosBin(app: PhobosApp, form: PhobosForm = phobosForm()): string {
  const { bin, dist, shippedApp } = APPS[app];
  const built = resolve(ROOT, dist);
  if (form === "workspace") {
    if (!existsSync(built)) {
      throw new Error(
        `${app} (workspace form): ${built} is missing: build first (pnpm exec turbo run build)`,
      );
    }
    return resolve(ROOT, bin);
  }
  const launcher = resolve(SHIPPED_ROOT, "bin", app);
  const copy = resolve(SHIPPED_ROOT, "app", shippedApp, relative(resolve(ROOT, dirname(bin), ".."), built));
  for (const needed of [launcher, resolve(SHIPPED_ROOT, "runtime", "node"), copy]) {
    if (!existsSync(needed)) {
      throw new Error(
        `${app} (PHOBOS_UNDER_TEST=shipped): ${needed} is missing: build the shipped executables first: ${BUILD_SHIPPED}`,
      );
    }
  }
  if (existsSync(built) && statSync(built).mtimeMs > statSync(copy).mtimeMs) {
    throw new Error(
      `${app} (PHOBOS_UNDER_TEST=shipped): ${copy} is older than the workspace build ${built}: rebuild the shipped executables: ${BUILD_SHIPPED}`,
    );
  }
  return launcher;
}

/**
 * The app's own package directory in `form`: where its dependencies
 * resolve from. A plugin written at test time that must share a module
 * with the running app (one @phobos/server) imports it from here.
 */
export function phobosAppDir(app: PhobosApp, form: PhobosForm = phobosForm()): string {
  const { bin, shippedApp } = APPS[app];
  phobosBin(app, form);
  return form === "workspace" ? resolve(ROOT, dirname(bin), "..") : resolve(SHIPPED_ROOT, "app", shippedApp);
}

/**
 * How to spawn `app` with `args` in `form`. The workspace form runs the bin
 * script on this process's Node (not whatever `node` PATH finds); the shipped
 * form runs the launcher, which picks its own runtime.
 */
export function phobosCommand(
  app: PhobosApp,
  args: readonly string[] = [],
  form: PhobosForm = phobosForm(),
): { command: string; args: string[] } {
  const bin = phobosBin(app, form);
  return form === "workspace"
    ? { command: process.execPath, args: [bin, ...args] }
    : { command: bin, args: [...args] };
}

/**
 * NODE_OPTIONS that make a Phobos process stop with TERM when its stdin
 * ends (the harness is gone), like the Ruby launcher does; the preloaded
 * module takes itself out again so the commands agents run do not inherit it.
 */
export function stopOnStdinEofOptions(existing: string | undefined = process.env.NODE_OPTIONS): string {
  const preload = resolve(ROOT, "tooling/interop/dist/stop-on-stdin-eof.js");
  if (!existsSync(preload)) {
    throw new Error(`${preload} is missing: build first (pnpm exec turbo run build)`);
  }
  return [existing, `--import=${JSON.stringify(preload)}`].filter(Boolean).join(" ");
}
