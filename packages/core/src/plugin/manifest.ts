/**
 * The `mcollective` field of a plugin package's package.json: which plugins
 * the package provides, where their code and DDL live, and which plugin API
 * they were written for. Everything here is readable without running plugin
 * code, so `mco plugin list` and the "did you mean" of a mistyped connector
 * work even when a plugin is broken.
 *
 * Validation collects every problem as a PluginLoadError instead of stopping
 * at the first: a package with one bad entry still provides its good ones,
 * and its author sees all their mistakes at once.
 */
import { isAbsolute, relative, resolve, sep } from "node:path";
import { PluginLoadError } from "@phobos/errors";
import { didYouMean, formatDidYouMean } from "./did-you-mean.js";
import { PLUGIN_API_VERSION, PLUGIN_TYPES, type PluginType } from "./types.js";

export interface ManifestPlugin {
  type: PluginType;
  name: string;
  /** Relative to the package directory, as written: `./dist/agent.js`. */
  entry: string;
  /** Relative to the package directory: a JS module, a `.json` or a `.ddl` file. */
  ddl?: string;
  description?: string;
}

export interface PluginManifest {
  api: number;
  plugins: ManifestPlugin[];
}

/** Where a manifest came from, for the errors it produces. */
export interface ManifestOrigin {
  packageName?: string | undefined;
  packageDir: string;
  /** The package.json the field was read from. */
  path: string;
}

export interface ManifestParse {
  /** Undefined when the manifest as a whole is unusable. */
  manifest: PluginManifest | undefined;
  errors: PluginLoadError[];
}

/** MCollective's plugin naming rule: it becomes part of Ruby class names and wire destinations. */
export const PLUGIN_NAME_PATTERN = /^[a-z0-9_]+$/;

/** Types that cannot be used without a DDL: agents and data plugins are validated against it. */
export const DDL_REQUIRED_TYPES: readonly PluginType[] = ["agent", "data", "discovery"];

const ENTRY_KEYS = new Set(["type", "name", "entry", "ddl", "description"]);

export function isPluginType(value: unknown): value is PluginType {
  return typeof value === "string" && (PLUGIN_TYPES as readonly string[]).includes(value);
}

/** `defineAgent`, `defineSecurity`…: the helper a message should point an author at. */
export function defineHelperName(type: string): string {
  return `define${type.charAt(0).toUpperCase()}${type.slice(1)}`;
}

/**
 * Babel's lesson: a version mismatch message says what the plugin needs,
 * what this host offers, and what to do about it. `needs` is the first half
 * ("needs plugin API 2", "was built with a @phobos/core for plugin API 2").
 */
export function apiVersionMessage(
  api: number,
  packageName: string | undefined,
  needs = `needs plugin API ${api}`,
): string {
  const pkg = packageName ?? "the plugin package";
  const what = `${needs}, but this Phobos supports plugin API ${PLUGIN_API_VERSION}`;
  if (api > PLUGIN_API_VERSION) {
    return `${what}. Upgrade Phobos (mco and mcollectived) to a release that supports plugin API ${api}, or install a release of ${pkg} written for plugin API ${PLUGIN_API_VERSION}.`;
  }
  return `${what}. Install a newer release of ${pkg} built for plugin API ${PLUGIN_API_VERSION}, or run a Phobos release that still supports plugin API ${api}.`;
}

/**
 * Parses one package's `mcollective` field. Entries with problems are left
 * out of the result and reported; the rest are returned in manifest order.
 */
export function parseManifest(field: unknown, origin: ManifestOrigin): ManifestParse {
  const errors: PluginLoadError[] = [];
  const fail = (
    reason: string,
    plugin?: { type?: string; name?: string },
    stage: "manifest" | "api-version" | "duplicate" = "manifest",
  ) =>
    errors.push(
      new PluginLoadError({
        packageName: origin.packageName,
        path: origin.path,
        ...(plugin?.type !== undefined ? { pluginType: plugin.type } : {}),
        ...(plugin?.name !== undefined ? { pluginName: plugin.name } : {}),
        stage,
        reason,
      }),
    );

  if (!isRecord(field)) {
    fail(
      `"mcollective" must be an object like {"api": ${PLUGIN_API_VERSION}, "plugins": [...]}, not ${describe(field)}`,
    );
    return { manifest: undefined, errors };
  }
  const api = field.api;
  if (api === undefined || typeof api !== "number" || !Number.isInteger(api) || api < 1) {
    fail(
      api === undefined
        ? `"mcollective.api" is missing: add "api": ${PLUGIN_API_VERSION} (the plugin API this package was written for)`
        : `"mcollective.api" must be a whole number like ${PLUGIN_API_VERSION}, not ${describe(api)}`,
    );
    return { manifest: undefined, errors };
  }
  const plugins = field.plugins;
  if (api !== PLUGIN_API_VERSION) {
    // Another API may shape entries differently: only pick out what names
    // we can, so each plugin is reported by name (and `require` can say
    // why a configured one is unusable).
    const advice = apiVersionMessage(api, origin.packageName);
    const named = (Array.isArray(plugins) ? plugins : []).filter(
      (p): p is { type: string; name: string } =>
        isRecord(p) && typeof p.type === "string" && typeof p.name === "string",
    );
    if (named.length === 0) fail(advice, undefined, "api-version");
    for (const plugin of named) fail(advice, plugin, "api-version");
    return { manifest: undefined, errors };
  }
  if (!Array.isArray(plugins)) {
    fail(
      plugins === undefined
        ? `"mcollective.plugins" is missing: list the plugins this package provides`
        : `"mcollective.plugins" must be an array, not ${describe(plugins)}`,
    );
    return { manifest: undefined, errors };
  }

  const valid: ManifestPlugin[] = [];
  const seen = new Set<string>();
  plugins.forEach((raw, index) => {
    const plugin = parseEntry(raw, `mcollective.plugins[${index}]`, origin, fail);
    if (!plugin) return;
    const key = `${plugin.type}/${plugin.name}`;
    if (seen.has(key)) {
      fail(`${key} is listed twice in "mcollective.plugins"; keep one`, plugin, "duplicate");
      return;
    }
    seen.add(key);
    valid.push(plugin);
  });
  return { manifest: { api, plugins: valid }, errors };
}

function parseEntry(
  raw: unknown,
  where: string,
  origin: ManifestOrigin,
  fail: (reason: string, plugin?: { type?: string; name?: string }) => void,
): ManifestPlugin | undefined {
  if (!isRecord(raw)) {
    fail(
      `${where} must be an object like {"type": "agent", "name": "...", "entry": "./dist/agent.js"}, not ${describe(raw)}`,
    );
    return undefined;
  }
  const { type, name, entry, ddl, description } = raw;
  // Name what we can of the plugin in every message, even a broken one.
  const who = {
    ...(typeof type === "string" ? { type } : {}),
    ...(typeof name === "string" ? { name } : {}),
  };
  // Unknown keys are allowed (a newer minor manifest may add some), but a
  // near miss of a key we need is named in the "missing" message.
  const unknown = Object.keys(raw).filter((key) => !ENTRY_KEYS.has(key));
  const missing = (key: string) => {
    const typo = unknown.find((u) => u.includes(key) || didYouMean(u, [key]).length > 0);
    return `"${key}" is missing${typo ? ` (is "${typo}" a typo?)` : ""}`;
  };
  let ok = true;
  const problem = (reason: string) => {
    ok = false;
    fail(`${where}: ${reason}`, who);
  };

  if (type === undefined) {
    problem(`${missing("type")}; it is one of ${PLUGIN_TYPES.join(", ")}`);
  } else if (!isPluginType(type)) {
    const hint = typeof type === "string" ? formatDidYouMean(didYouMean(type, PLUGIN_TYPES)) : "";
    problem(
      `"type" ${describe(type)} is not a plugin type${hint ? ` (${hint})` : ""}; it is one of ${PLUGIN_TYPES.join(", ")}`,
    );
  }
  if (name === undefined) {
    problem(missing("name"));
  } else if (typeof name !== "string" || !PLUGIN_NAME_PATTERN.test(name)) {
    const lower = typeof name === "string" ? name.toLowerCase().replace(/[^a-z0-9_]/g, "_") : "";
    problem(
      `"name" ${describe(name)} must be lower case letters, digits and _ (MCollective's rule)${lower ? `, e.g. "${lower}"` : ""}`,
    );
  }
  if (entry === undefined) {
    problem(
      `${missing("entry")}: the module whose default export is ${isPluginType(type) ? defineHelperName(type) : "define<Type>"}({...})`,
    );
  } else {
    const reason = relativePathProblem(entry, origin.packageDir);
    if (reason) problem(`"entry" ${reason}`);
  }
  if (ddl === undefined) {
    if (isPluginType(type) && DDL_REQUIRED_TYPES.includes(type)) {
      problem(`${missing("ddl")}: ${type} plugins need one (a JS module, a .json or a .ddl file)`);
    }
  } else {
    const reason = relativePathProblem(ddl, origin.packageDir);
    if (reason) problem(`"ddl" ${reason}`);
  }
  if (description !== undefined && typeof description !== "string") {
    problem(`"description" must be a string, not ${describe(description)}`);
  }
  if (!ok) return undefined;
  return {
    type: type as PluginType,
    name: name as string,
    entry: entry as string,
    ...(ddl !== undefined ? { ddl: ddl as string } : {}),
    ...(description !== undefined ? { description: description as string } : {}),
  };
}

/** Paths are package-relative and stay inside the package: a manifest cannot point at /etc. */
function relativePathProblem(value: unknown, packageDir: string): string | undefined {
  if (typeof value !== "string" || value.trim() === "")
    return `must be a path like "./dist/agent.js", not ${describe(value)}`;
  if (isAbsolute(value)) return `${JSON.stringify(value)} must be relative to the package directory`;
  const inside = relative(packageDir, resolve(packageDir, value));
  if (inside === "" || inside === ".." || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    return `${JSON.stringify(value)} points outside the package directory`;
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}
