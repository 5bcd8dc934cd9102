import type { PluginSettings } from "@phobos/core";
import { findExecutable } from "@phobos/server";
import { type AptOptions, createAptProvider } from "./apt.js";
import type { PackageProvider } from "./types.js";
import { createYumProvider } from "./yum.js";

export {
  type AptOptions,
  aptUpdate,
  createAptProvider,
  parseAptSimulation,
  splitDebianVersion,
} from "./apt.js";
export * from "./types.js";
export { createYumProvider, parseCheckUpdate, parseRpmQuery, YUM_CLEAN_MODES, yumClean } from "./yum.js";

/** `plugin.package.provider` values, and what MCollective configs say for the same thing. */
const ALIASES: Record<string, "apt" | "yum" | "auto"> = {
  apt: "apt",
  dpkg: "apt",
  yum: "yum",
  dnf: "yum",
  rpm: "yum",
  auto: "auto",
  // MCollective's default drove the host's own package manager through Puppet: so do we, directly.
  puppet: "auto",
};

/** Which family this host runs: Debian's tools first, then RPM's. */
export function detectPackageManager(): "apt" | "yum" | undefined {
  if (findExecutable("dpkg-query") && findExecutable("apt-get")) return "apt";
  if (findExecutable("rpm") && (findExecutable("dnf") || findExecutable("yum"))) return "yum";
  return undefined;
}

export function aptOptions(settings: PluginSettings, timeoutMs: number): AptOptions {
  return {
    timeoutMs,
    configFile: settings.string("apt.config_file"),
    lockTimeout: settings.integer("apt.lock_timeout") ?? 120,
  };
}

/**
 * The provider `plugin.package.provider` names, or the one this host has
 * when it names none (or `puppet`, MCollective's default).
 * @throws Error naming the setting when it is unknown or the host has no package manager
 */
export function selectPackageProvider(settings: PluginSettings, timeoutMs: number): PackageProvider {
  const configured = settings.string("provider", "auto");
  const kind = ALIASES[configured];
  if (kind === undefined) {
    throw new Error(
      `${settings.fullKey("provider")} = ${configured} is not a package provider Phobos has: use apt, yum, or leave it unset to use the host's`,
    );
  }
  const chosen = kind === "auto" ? detectPackageManager() : kind;
  if (chosen === undefined) {
    throw new Error(
      `Cannot find a compatible package system (dpkg-query and apt-get, or rpm and yum/dnf) to manage packages`,
    );
  }
  return chosen === "apt"
    ? createAptProvider(aptOptions(settings, timeoutMs))
    : createYumProvider({ timeoutMs });
}
