import { PluginLoadError } from "@phobos/errors";
import { isPluginDefinition } from "./define.js";
import { apiVersionMessage, defineHelperName } from "./manifest.js";
import { PLUGIN_API_VERSION, PLUGIN_BRAND, type PluginDefinition, type PluginType } from "./types.js";

export interface ExpectedPlugin<T extends PluginType = PluginType> {
  type: T;
  name: string;
  packageName: string | undefined;
  /** The entry module, named in every error. */
  path: string;
}

/**
 * Checks an imported entry module the way vitest checks a coverage provider:
 * the default export must be what `define<Type>()` returns, for the type and
 * name the manifest promised, built against this plugin API. The brand is a
 * `Symbol.for` key, so a definition made by another copy of core passes.
 */
export function checkDefinition<T extends PluginType>(
  module: unknown,
  expected: ExpectedPlugin<T>,
): PluginDefinition<T> {
  const helper = defineHelperName(expected.type);
  const fail = (stage: "export" | "api-version", reason: string) =>
    new PluginLoadError({
      packageName: expected.packageName,
      path: expected.path,
      pluginType: expected.type,
      pluginName: expected.name,
      stage,
      reason,
    });

  const exports = (typeof module === "object" && module !== null ? module : {}) as Record<string, unknown>;
  const value = exports.default;
  if (value === undefined) {
    const named = Object.keys(exports).find((key) => isPluginDefinition(exports[key]));
    throw fail(
      "export",
      named
        ? `the module has no default export, but its export '${named}' is a plugin definition: make it \`export default\``
        : `the module has no default export: end it with \`export default ${helper}({ name: "${expected.name}", create(ctx) {...} })\``,
    );
  }
  if (!isPluginDefinition(value)) {
    const looksLikeSpec =
      typeof value === "object" &&
      value !== null &&
      typeof (value as { create?: unknown }).create === "function";
    throw fail(
      "export",
      looksLikeSpec
        ? `the default export is a plain object, not a plugin definition: wrap it in ${helper}() from @phobos/core`
        : `the default export is ${describe(value)}, not a plugin definition made by ${helper}() from @phobos/core`,
    );
  }
  const brand = value[PLUGIN_BRAND];
  if (brand.api !== PLUGIN_API_VERSION) {
    throw fail(
      "api-version",
      apiVersionMessage(
        Number(brand.api),
        expected.packageName,
        `its definition was made by a @phobos/core for plugin API ${String(brand.api)}`,
      ),
    );
  }
  if (brand.type !== expected.type || value.type !== expected.type) {
    throw fail(
      "export",
      `the default export is a ${brand.type} plugin (made by ${defineHelperName(brand.type)}()), but the manifest lists it as ${expected.type}: fix "type" in package.json or use ${helper}()`,
    );
  }
  if (value.name !== expected.name) {
    throw fail(
      "export",
      `the default export is named '${value.name}', but the manifest lists '${expected.name}': the two must be the same`,
    );
  }
  if (typeof value.create !== "function") {
    throw fail("export", `the definition has no create(ctx) function`);
  }
  return value as unknown as PluginDefinition<T>;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "function") return `a function${value.name ? ` (${value.name})` : ""}`;
  return `a ${typeof value}`;
}
