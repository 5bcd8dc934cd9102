/**
 * Starts the console: the config an operator's mco reads, the console's
 * own keys in it, the HTTP(S) listener. Resolves once it listens, with the
 * URL to print and a close() that ends streams, clients and the listener.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import { type Config, ConfigError, clientLogger, discoverClientPlugins, loadConfig } from "@phobos/core";
import { openRequestHistory, type RequestHistory, registrySettings } from "@phobos/registry";
import { Agents } from "./agents.js";
import { apiRoutes } from "./api-routes.js";
import { createApp } from "./app.js";
import { type ConsoleSettings, consoleSettings } from "./console-settings.js";
import { Fleet } from "./fleet.js";
import { FailureLimiter } from "./rate-limit.js";
import { RequestRuns } from "./request-runs.js";
import { Sessions } from "./sessions.js";
import { UserClients } from "./user-clients.js";
import { UsersStore } from "./users-store.js";

/** apps/console: dist/ui holds the built UI, and its package.json lists the plugins. */
export const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export interface StartOptions {
  /** The client.cfg path (mco's lookup is the caller's). */
  configFile: string;
  /** Settings on top (tests: a port of their range). */
  overrides?: Partial<ConsoleSettings>;
}

export interface RunningConsole {
  url: string;
  config: Config;
  settings: ConsoleSettings;
  close(): Promise<void>;
}

function readPem(path: string, key: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigError(`cannot be read: ${(err as Error).message}`, { key });
  }
}

export async function startConsole(options: StartOptions): Promise<RunningConsole> {
  const config = loadConfig(options.configFile);
  const settings = { ...consoleSettings(config, options.configFile), ...options.overrides };
  const users = new UsersStore(settings.usersFile);
  users.list(); // a broken users file stops the start, not the first sign-in
  const log = clientLogger(config);
  for (const warning of config.warnings) log.warn(warning);
  // The plugins mco has: this package's dependencies, then the config's libdirs.
  const registry = await discoverClientPlugins(config, APP_DIR, log);
  const fleet = new Fleet(config, log);
  let history: RequestHistory | undefined;
  if (fleet.configured) history = await openRequestHistory(registrySettings(fleet.settings), log);
  const clients = new UserClients(config, registry, log);
  const runs = new RequestRuns(clients, history, log);
  const sessions = new Sessions(settings.sessionIdle);
  const app = createApp({
    users,
    sessions,
    limiter: new FailureLimiter(settings.loginAttempts, settings.loginWindow),
    secret: settings.sessionSecret ?? randomBytes(32).toString("base64url"),
    secure: settings.tls !== undefined,
    uiDir: join(APP_DIR, "dist", "ui"),
    api: (api) =>
      apiRoutes(api, { users, fleet, agents: new Agents(config, registry, log), clients, runs, history }),
    onSignOut: (login) => {
      if (!sessions.has(login)) void clients.drop(login);
    },
  });
  const tls = settings.tls
    ? {
        createServer: createHttpsServer,
        serverOptions: {
          cert: readPem(settings.tls.cert, "plugin.console.tls_cert"),
          key: readPem(settings.tls.key, "plugin.console.tls_key"),
        },
      }
    : {};
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: settings.bind, port: settings.port, ...tls }, () =>
      resolve(s),
    );
    s.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        new ConfigError(`cannot listen on ${settings.bind}:${settings.port}: ${err.message}`, {
          key: "plugin.console.port",
        }),
      ),
    );
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `${settings.tls ? "https" : "http"}://${host}:${address.port}/`,
    config,
    settings,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await clients.close();
      await fleet.close();
      await history?.close();
    },
  };
}
