// The repo's import rules, checked by dependency-cruiser (`pnpm --filter @phobos/deps check`).
// Paths in the rules are relative to the directory the cruise runs from: the repo root for
// the real check, a fixture tree's root in src/rules.test.ts.

/**
 * The layers of packages/, bottom first: a package imports only those below it
 * (client, server and testing sit side by side on core; testing also uses server),
 * so the daemon never loads client code and the client never loads the daemon's.
 * metrics (the Prometheus endpoint) imports nothing of ours, so the broker uses it too.
 */
const LAYERS = {
  errors: [],
  ruby: ["errors"],
  ddl: ["errors", "ruby"],
  core: ["errors", "ruby", "ddl"],
  client: ["errors", "ruby", "ddl", "core"],
  metrics: [],
  server: ["errors", "ruby", "ddl", "core", "metrics"],
  testing: ["errors", "ruby", "ddl", "core", "metrics", "server"],
};

/** @returns {import("dependency-cruiser").IForbiddenRuleType[]} */
function layerRules() {
  return Object.entries(LAYERS).map(([name, below]) => ({
    name: `layers-${name}`,
    severity: "error",
    comment: `packages/${name} may import only ${below.length ? below.join(", ") : "no other package of ours"}: the layers run errors <- ruby <- ddl <- core <- {client, server <- testing}.`,
    from: { path: `^packages/${name}/` },
    to: {
      path: `^packages/(${Object.keys(LAYERS).join("|")})/`,
      pathNot: `^packages/(${[name, ...below].join("|")})/`,
    },
  }));
}

/** @type {import("dependency-cruiser").IForbiddenRuleType[]} */
export const forbidden = [
  {
    name: "no-circular",
    severity: "error",
    comment:
      "An import cycle, within a package or across packages. Type-only imports count: a cycle " +
      "of types is still two modules that cannot be understood, moved or split apart alone.",
    from: {},
    to: { circular: true },
  },
  {
    name: "no-relative-import-into-another-package",
    severity: "error",
    comment:
      "A relative path out of one workspace package into another (../../core/src/...) skips " +
      "the other package's exports and its place in the build order; import it by its name.",
    from: { path: "^(packages|plugins|apps|tooling|packaging)/([^/]+)/" },
    to: {
      dependencyTypes: ["local"],
      path: "^(packages|plugins|apps|tooling|packaging)/",
      pathNot: "^$1/$2/",
    },
  },
  ...layerRules(),
  {
    name: "no-unresolvable",
    severity: "error",
    comment:
      "An import the cruise cannot resolve is an edge it cannot see, so a cycle through it " +
      "would pass unnoticed; a new workspace export that is not ./dist/<file>.js lands here.",
    from: {},
    to: { couldNotResolve: true },
  },
];

/** @type {import("dependency-cruiser").ICruiseOptions} */
export const options = {
  // Type-only imports (`import type`, `export type ... from`) are edges too.
  tsPreCompilationDeps: true,
  doNotFollow: { path: "node_modules" },
  exclude: { path: ["(^|/)node_modules/", "(^|/)dist/", "^tooling/deps/src/__fixtures__/"] },
  moduleSystems: ["es6", "cjs"],
  webpackConfig: { fileName: "tooling/deps/src/workspace-resolve.mjs" },
  enhancedResolveOptions: {
    exportsFields: ["exports"],
    conditionNames: ["import", "require", "node", "default", "types"],
    // .tsx: the console's UI (apps/console/src/ui).
    extensions: [".ts", ".tsx", ".mts", ".js", ".mjs", ".cjs", ".json", ".d.ts"],
  },
  reporterOptions: { text: { highlightFocused: true } },
};

export default { forbidden, options };
