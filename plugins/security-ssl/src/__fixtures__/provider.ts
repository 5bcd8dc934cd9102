/**
 * Builds the ssl plugin the way mco and mcollectived do (full `plugin.*`
 * config keys through buildPluginContext and createPlugin), for tests.
 */
import {
  buildPluginContext,
  createLogger,
  createPlugin,
  memorySink,
  type SecurityProvider,
} from "@phobos/core";
import ssl from "../security.js";

export interface BuiltProvider {
  provider: SecurityProvider;
  log: ReturnType<typeof memorySink>;
}

export async function sslProvider(
  mode: "client" | "server",
  config: Record<string, string>,
  identity = mode === "client" ? "refclient" : "node1",
): Promise<BuiltProvider> {
  const log = memorySink("debug");
  const ctx = buildPluginContext({
    type: "security",
    name: "ssl",
    pluginSettings: new Map(Object.entries(config)),
    log: createLogger(log),
    identity,
    mode,
  });
  return { provider: await createPlugin(ssl, ctx), log };
}
