import { existsSync } from "node:fs";
import { ConfigError, type Logger, PhobosError, type PluginSettings } from "@phobos/core";
import {
  type NodesOptions,
  openRegistryStore,
  type RegistryStore,
  redact,
  registrySettings,
} from "@phobos/registry";

/** The registry database could not be opened or read: one line naming it and why. */
export class RegistryUnavailableError extends PhobosError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("REGISTRY_UNAVAILABLE", message, options);
  }
}

/**
 * Opens the registry a client uses (`plugin.registry.*`: `mco --dm
 * registry`, `mco registry`, the Nagios check), read-only unless `write`
 * (`mco registry refresh`). Unlike the receiver it never creates a
 * database: a SQLite path that does not exist is a mistake in the
 * setting, not an empty fleet.
 */
export async function openClientRegistry(
  settings: PluginSettings,
  log: Logger,
  options: { write?: boolean } = {},
): Promise<RegistryStore> {
  if (!settings.has("database")) {
    throw new ConfigError(
      "is not set: give the registry's database, the SQLite file or postgres:// URL the registration receiver writes (its plugin.registration.database)",
      { key: settings.fullKey("database") },
    );
  }
  const parsed = registrySettings(settings);
  if (parsed.database.kind === "sqlite" && !existsSync(parsed.database.path)) {
    throw new RegistryUnavailableError(
      `There is no registry database at ${parsed.database.path} (${settings.fullKey("database")}): point it at the file the registration receiver writes`,
    );
  }
  try {
    return await openRegistryStore(parsed, log, { readOnly: options.write !== true });
  } catch (cause) {
    const where = parsed.database.kind === "sqlite" ? parsed.database.path : redact(parsed.database.url);
    throw new RegistryUnavailableError(
      `Cannot open the registry database ${where}: ${(cause as Error).message}`,
      { cause },
    );
  }
}

/** Every stored node (`facts`: only those facts), the store opened and closed around the read. */
export async function readRegistry(settings: PluginSettings, log: Logger, options: NodesOptions = {}) {
  const store = await openClientRegistry(settings, log);
  try {
    return await store.nodes(options);
  } catch (cause) {
    throw new RegistryUnavailableError(
      `Cannot read the registry ${store.describe()}: ${(cause as Error).message}`,
      { cause },
    );
  } finally {
    await store.close().catch(() => undefined);
  }
}
