/**
 * The shipped form of the apps: one tree, `<out>/phobos` (installed as
 * /usr/lib/phobos), holding a pinned Node runtime, each app with its
 * production dependencies copied out of the workspace, and one launcher
 * per app in `bin/`. The apps run the code built in the workspace (plugins
 * found through the same package.json manifests, better-sqlite3 still
 * imported only when a registry is opened); each `@phobos/*` package's entry
 * points are bundled by esbuild (bundle-packages.ts), so that Node loads a
 * module per package rather than one per source file.
 */
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join, resolve } from "node:path";
import { bundlePackages } from "./bundle-packages.js";
import { type CopiedPackage, copyClosure } from "./copy-closure.js";
import { rebuildNativeAddons } from "./native-addons.js";
import { fetchNodeRuntime, type NodeRuntime } from "./node-runtime.js";

export interface Launcher {
  /** The launcher's name in bin/. */
  command: string;
  /** The app directory under app/ that holds the script. */
  appName: string;
  /** The script inside the app that starts it. */
  entry: string;
  /** Node flags the app's own bin script carries on its shebang line. */
  nodeFlags: string[];
}

export interface ShippedApp extends Launcher {
  /** The workspace package directory, relative to the repository root. */
  workspaceDir: string;
}

export const APPS: readonly ShippedApp[] = [
  { command: "mco", workspaceDir: "apps/mco", appName: "mco", entry: "bin/mco", nodeFlags: [] },
  {
    command: "mcollectived",
    workspaceDir: "apps/mcollectived",
    appName: "mcollectived",
    entry: "bin/mcollectived",
    // As apps/mcollectived/bin/mcollectived: a small young generation and a slowly grown old
    // generation keep the daemon's RSS flat.
    nodeFlags: ["--max-semi-space-size=1", "--heap-growing-percent=20"],
  },
  {
    command: "phobos-broker",
    workspaceDir: "packages/broker",
    appName: "broker",
    entry: "bin/phobos-broker",
    nodeFlags: [],
  },
  {
    command: "phobos-console",
    workspaceDir: "apps/console",
    appName: "console",
    entry: "bin/phobos-console",
    nodeFlags: [],
  },
];

/** Operator tools that ship inside an app's plugins, each given a launcher too. */
export const TOOLS: readonly Launcher[] = [
  {
    command: "phobos-keygen",
    appName: "mco",
    entry: "node_modules/@phobos/security-ssl/bin/phobos-keygen",
    nodeFlags: [],
  },
  {
    command: "phobos-rabbitmq-setup",
    appName: "mco",
    entry: "node_modules/@phobos/connector-rabbitmq/bin/phobos-rabbitmq-setup",
    nodeFlags: [],
  },
  {
    command: "check_mcollective_registry",
    appName: "mco",
    entry: "node_modules/@phobos/application-registry/bin/check_mcollective_registry",
    nodeFlags: [],
  },
];

export interface BuiltTree {
  /** `<out>/phobos`: what /usr/lib/phobos holds. */
  root: string;
  runtime: NodeRuntime;
  packages: Record<string, CopiedPackage[]>;
  nativeAddons: string[];
}

const NODE_SHEBANG = /^#!\s*(?:\S*\/env\s+(?:-S\s+)?)?\S*node\b[^\n]*\n/;

/**
 * Scripts in the tree start with `#!/usr/bin/env node`, which on the target
 * host is Debian's old Node or none. Nothing runs them by their shebang: the
 * launchers in bin/ hand them to the shipped runtime. So the line becomes a
 * comment (line numbers stay) and the file an ordinary, non-executable one.
 */
function disarmShebangs(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) disarmShebangs(path);
    if (!entry.isFile() || entry.name.endsWith(".node")) continue;
    const text = readFileSync(path, "utf8");
    if (!NODE_SHEBANG.test(text)) continue;
    writeFileSync(
      path,
      text.replace(
        NODE_SHEBANG,
        "// run by the launchers in /usr/lib/phobos/bin on Phobos's own Node runtime\n",
      ),
    );
    chmodSync(path, 0o644);
  }
}

function launcher(app: Launcher): string {
  const flags = app.nodeFlags.map((f) => `${f} `).join("");
  const names =
    app.command === "mco"
      ? `# mco completion writes this launcher, not the app's script, into its scripts.
export PHOBOS_MCO_LAUNCHER="$self"
`
      : "";
  return `#!/bin/sh
# ${app.command} (Phobos) on the Node runtime shipped beside it; any symlink to
# this file works (readlink -f finds the tree). One fork: every process started
# here is time added to each command (dirname would be two more).
self=$(readlink -f "$0")
root=\${self%/bin/*}
${names}exec "$root/runtime/node" ${flags}"$root/app/${app.appName}/${app.entry}" "$@"
`;
}

export function buildExecutables(repoRoot: string, outDir: string, cacheDir: string): BuiltTree {
  const root = join(outDir, "phobos");
  rmSync(root, { recursive: true, force: true });
  const runtime = fetchNodeRuntime(cacheDir);
  mkdirSync(join(root, "runtime"), { recursive: true });
  copyFileSync(runtime.node, join(root, "runtime", "node"));
  copyFileSync(join(runtime.dir, "LICENSE"), join(root, "runtime", "LICENSE"));
  mkdirSync(join(root, "bin"), { recursive: true });

  const packages: Record<string, CopiedPackage[]> = {};
  const nativeAddons: string[] = [];
  for (const app of APPS) {
    const appDir = join(root, "app", app.appName);
    const copied = copyClosure(resolve(repoRoot, app.workspaceDir), appDir);
    packages[app.appName] = copied;
    nativeAddons.push(...rebuildNativeAddons(appDir, copied, runtime, cacheDir));
    bundlePackages(appDir, copied);
    disarmShebangs(appDir);
  }
  for (const app of [...APPS, ...TOOLS]) {
    const bin = join(root, "bin", app.command);
    writeFileSync(bin, launcher(app));
    chmodSync(bin, 0o755);
  }
  return { root, runtime, packages, nativeAddons };
}
