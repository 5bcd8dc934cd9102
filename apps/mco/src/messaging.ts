/**
 * The one connection an mco run uses: the configured connector and
 * security plugin (a missing one is a ConfigError with "did you mean"),
 * wrapped in core's MessagingClient and connected within
 * `--connection-timeout`, `connection_timeout`, or 10 seconds — MCollective
 * waited forever by default, which left scripts hanging on a dead broker.
 */
import { type Config, createPlugin, type Logger, type PluginRegistry, pluginContextFor } from "@phobos/core";
import type { CommonOptions, MessagingClient } from "@phobos/core/client";

type ClientModule = typeof import("@phobos/core/client");

export const DEFAULT_CONNECTION_TIMEOUT = 10;

export async function connectMessaging(
  client: ClientModule,
  config: Config,
  registry: PluginRegistry,
  options: CommonOptions,
  log: Logger,
): Promise<MessagingClient> {
  const where = (key: string) => ({ ...config.sources.get(key), key });
  const connectorDefinition = await registry.require("connector", config.connector, where("connector"));
  const securityDefinition = await registry.require(
    "security",
    config.securityProvider,
    where("securityprovider"),
  );
  const context = <T extends "connector" | "security">(type: T, name: string) =>
    pluginContextFor(config, type, name, { log: log.child(`${type}/${name}`), mode: "client" });
  const connector = await createPlugin(
    connectorDefinition,
    context("connector", config.connector),
    registry.find("connector", config.connector) ?? {},
  );
  const security = await createPlugin(
    securityDefinition,
    context("security", config.securityProvider),
    registry.find("security", config.securityProvider) ?? {},
  );
  const messaging = new client.MessagingClient({
    config,
    connector,
    security,
    log,
    ...(options.ttl !== undefined ? { ttl: options.ttl } : {}),
    ...(options.collective !== undefined ? { collective: options.collective } : {}),
    ...(options.replyTo !== undefined ? { replyTo: options.replyTo } : {}),
    ...(options.publishTimeout !== undefined ? { publishTimeout: options.publishTimeout } : {}),
  });
  await messaging.connect(
    options.connectionTimeout ?? config.connectionTimeout ?? DEFAULT_CONNECTION_TIMEOUT,
  );
  return messaging;
}
