import { PluginLoadError } from "@phobos/errors";
import { tagPluginErrors } from "./tag-errors.js";
import type { PluginContextMap, PluginDefinition, PluginInstanceMap, PluginType } from "./types.js";

/** Where a definition came from, for errors; a registry entry fits. */
export interface PluginOrigin {
  packageName?: string | undefined;
  entryPath?: string | undefined;
  packageDir?: string | undefined;
}

/**
 * What each type's instance must have for core to drive it. Checked once at
 * create, so a missing method is a load error naming the plugin rather than
 * a TypeError deep in an engine later.
 */
const REQUIRED: Record<PluginType, readonly string[]> = {
  connector: ["connect", "disconnect", "subscribe", "unsubscribe", "publish", "onMessage", "describe"],
  security: ["callerId", "encodeRequest", "decodeRequest", "encodeReply", "decodeReply"],
  discovery: ["discover"],
  facts: ["load"],
  agent: [],
  application: ["run"],
  data: ["query"],
  validator: ["validate"],
  audit: ["audit"],
  authorization: ["authorize"],
  registration: ["body"],
  aggregate: ["start"],
};

/** The context with the settings the definition declares beyond its own (`settingsPrefixes`). */
function withDeclaredSettings<T extends PluginType>(
  definition: PluginDefinition<T>,
  ctx: PluginContextMap[T],
): PluginContextMap[T] {
  const prefixes = definition.settingsPrefixes;
  if (!prefixes || prefixes.length === 0) return ctx;
  return { ...ctx, settings: ctx.settings.widen(prefixes) };
}

/** A PluginLoadError for one stage of one definition, naming where it came from. */
function stageFailure(
  definition: { type: string; name: string },
  origin: PluginOrigin,
  stage: "create" | "activate",
) {
  return (reason: string, cause?: unknown) =>
    new PluginLoadError(
      {
        packageName: origin.packageName,
        path: origin.entryPath ?? origin.packageDir ?? `${definition.type}/${definition.name}`,
        pluginType: definition.type,
        pluginName: definition.name,
        stage,
        reason,
      },
      cause === undefined ? undefined : { cause },
    );
}

/**
 * Runs `definition.create(ctx)` and returns the instance wrapped by
 * `tagPluginErrors`. A throw, a rejection or an instance missing what its
 * type requires becomes a PluginLoadError at stage "create", keeping the cause.
 */
export async function createPlugin<T extends PluginType>(
  definition: PluginDefinition<T>,
  ctx: PluginContextMap[T],
  origin: PluginOrigin = {},
): Promise<PluginInstanceMap[T]> {
  const fail = stageFailure(definition, origin, "create");
  let instance: unknown;
  try {
    instance = await definition.create(withDeclaredSettings(definition, ctx));
  } catch (err) {
    throw fail(`create() threw: ${err instanceof Error ? err.message : String(err)}`, err);
  }
  if (typeof instance !== "object" || instance === null) {
    throw fail(
      `create() returned ${instance === null ? "null" : typeof instance}, not a ${definition.type} instance`,
    );
  }
  const missing = REQUIRED[definition.type].filter(
    (method) => typeof (instance as Record<string, unknown>)[method] !== "function",
  );
  if (definition.type === "agent") {
    const actions = (instance as { actions?: unknown }).actions;
    if (typeof actions !== "object" || actions === null) missing.push("actions");
  }
  if (missing.length > 0) {
    throw fail(`create() returned a ${definition.type} instance without ${missing.join(", ")}`);
  }
  return tagPluginErrors(instance as PluginInstanceMap[T], definition.type, definition.name);
}

/**
 * MCollective's `activate?`: whether this node should run the plugin. No
 * `activate` means yes; a throw or a non-boolean answer is a PluginLoadError
 * at stage "activate".
 */
export async function activatePlugin<T extends PluginType>(
  definition: PluginDefinition<T>,
  ctx: PluginContextMap[T],
  origin: PluginOrigin = {},
): Promise<boolean> {
  if (!definition.activate) return true;
  const fail = stageFailure(definition, origin, "activate");
  let answer: unknown;
  try {
    answer = await definition.activate(withDeclaredSettings(definition, ctx));
  } catch (err) {
    throw fail(`activate() threw: ${err instanceof Error ? err.message : String(err)}`, err);
  }
  if (typeof answer !== "boolean") throw fail(`activate() returned ${typeof answer}, not true or false`);
  return answer;
}
