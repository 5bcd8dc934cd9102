/**
 * The one connection a client uses: the configured connector and security
 * plugin (a missing one is a ConfigError with "did you mean"), wrapped in
 * MessagingClient and connected within `connectionTimeout`, the config's
 * `connection_timeout`, or 10 seconds: MCollective waited forever by
 * default, which left scripts hanging on a dead broker.
 */
import type { Config, Logger, PluginRegistry } from "@phobos/core";
import { createPlugin, pluginContextFor } from "@phobos/core";
import { type EarlyConnection, openConnector } from "./early-connection.js";
import { MessagingClient } from "./messaging.js";

export const DEFAULT_CONNECTION_TIMEOUT = 10;

/** mco's global options that shape the connection (the same names as in CommonOptions). */
export interface ConnectOptions {
  /** Seconds to connect; `connection_timeout`, else 10, when absent. */
  connectionTimeout?: number | undefined;
  /** `-T`: the collective requests go to; `main_collective` when absent. */
  collective?: string | undefined;
  /** `--ttl`: seconds a request stays valid; the config's `ttl` when absent. */
  ttl?: number | undefined;
  /** `--reply-to`: replies go there, and calls do not wait for them. */
  replyTo?: string | undefined;
  /** Seconds a publish may take; `publish_timeout` when absent. */
  publishTimeout?: number | undefined;
  /** The person the requests are sent for, when not the OS user (PluginContext.user). */
  user?: string | undefined;
}

/**
 * `early`: a connection {@link EarlyConnection.start} began for this config
 * (without a `user`), adopted instead of making one; problems it met are
 * reported here, in the same order as without it.
 */
export async function connectMessaging(
  config: Config,
  registry: PluginRegistry,
  log: Logger,
  options: ConnectOptions = {},
  early?: EarlyConnection,
): Promise<MessagingClient> {
  const opening = early ? early.adopt() : openConnector(config, registry, log, options.user);
  await opening.found;
  const securityDefinition = await registry.require("security", config.securityProvider, {
    ...config.sources.get("securityprovider"),
    key: "securityprovider",
  });
  const connector = await opening.connector();
  const security = await createPlugin(
    securityDefinition,
    pluginContextFor(config, "security", config.securityProvider, {
      log: log.child(`security/${config.securityProvider}`),
      mode: "client",
      ...(options.user !== undefined ? { user: options.user } : {}),
    }),
    registry.find("security", config.securityProvider) ?? {},
  );
  const messaging = new MessagingClient({
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
