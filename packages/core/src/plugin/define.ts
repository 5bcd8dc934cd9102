import {
  PLUGIN_API_VERSION,
  PLUGIN_BRAND,
  type PluginDefinition,
  type PluginSpec,
  type PluginType,
} from "./types.js";

/** The brand every `define*()` helper puts on; `defineApplication` lives in the client, which adds its invocation type. */
export function definePlugin<T extends PluginType>(type: T, spec: PluginSpec<T>): PluginDefinition<T> {
  if (!spec || typeof spec.name !== "string" || !/^[a-z0-9_]+$/.test(spec.name)) {
    throw new TypeError(
      `define${type[0]?.toUpperCase()}${type.slice(1)}(): name must be lower case letters, digits or _ (got ${JSON.stringify(spec?.name)})`,
    );
  }
  if (typeof spec.create !== "function") {
    throw new TypeError(
      `define${type[0]?.toUpperCase()}${type.slice(1)}('${spec.name}'): create(ctx) is required`,
    );
  }
  return Object.freeze({ ...spec, type, [PLUGIN_BRAND]: Object.freeze({ type, api: PLUGIN_API_VERSION }) });
}

/** True for anything a `define*()` helper of any copy of core returned. */
export function isPluginDefinition(value: unknown): value is PluginDefinition {
  return (
    typeof value === "object" &&
    value !== null &&
    PLUGIN_BRAND in value &&
    typeof (value as PluginDefinition)[PLUGIN_BRAND]?.type === "string"
  );
}

export const defineConnector = (spec: PluginSpec<"connector">) => definePlugin("connector", spec);
export const defineSecurity = (spec: PluginSpec<"security">) => definePlugin("security", spec);
export const defineDiscovery = (spec: PluginSpec<"discovery">) => definePlugin("discovery", spec);
export const defineFacts = (spec: PluginSpec<"facts">) => definePlugin("facts", spec);
export const defineAgent = (spec: PluginSpec<"agent">) => definePlugin("agent", spec);
export const defineData = (spec: PluginSpec<"data">) => definePlugin("data", spec);
export const defineValidator = (spec: PluginSpec<"validator">) => definePlugin("validator", spec);
export const defineAudit = (spec: PluginSpec<"audit">) => definePlugin("audit", spec);
export const defineAuthorization = (spec: PluginSpec<"authorization">) => definePlugin("authorization", spec);
export const defineRegistration = (spec: PluginSpec<"registration">) => definePlugin("registration", spec);
export const defineAggregate = (spec: PluginSpec<"aggregate">) => definePlugin("aggregate", spec);
