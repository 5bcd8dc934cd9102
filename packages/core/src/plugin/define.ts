import {
  PLUGIN_API_VERSION,
  PLUGIN_BRAND,
  type PluginDefinition,
  type PluginSpec,
  type PluginType,
} from "./types.js";

function define<T extends PluginType>(type: T, spec: PluginSpec<T>): PluginDefinition<T> {
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

export const defineConnector = (spec: PluginSpec<"connector">) => define("connector", spec);
export const defineSecurity = (spec: PluginSpec<"security">) => define("security", spec);
export const defineDiscovery = (spec: PluginSpec<"discovery">) => define("discovery", spec);
export const defineFacts = (spec: PluginSpec<"facts">) => define("facts", spec);
export const defineAgent = (spec: PluginSpec<"agent">) => define("agent", spec);
export const defineApplication = (spec: PluginSpec<"application">) => define("application", spec);
export const defineData = (spec: PluginSpec<"data">) => define("data", spec);
export const defineValidator = (spec: PluginSpec<"validator">) => define("validator", spec);
export const defineAudit = (spec: PluginSpec<"audit">) => define("audit", spec);
export const defineAuthorization = (spec: PluginSpec<"authorization">) => define("authorization", spec);
export const defineRegistration = (spec: PluginSpec<"registration">) => define("registration", spec);
export const defineAggregate = (spec: PluginSpec<"aggregate">) => define("aggregate", spec);
