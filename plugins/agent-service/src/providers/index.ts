import { existsSync } from "node:fs";
import type { PluginSettings } from "@phobos/core";
import { createServiceCommandProvider } from "./service.js";
import { createSystemdProvider } from "./systemd.js";
import type { ServiceProvider } from "./types.js";

export { createServiceCommandProvider, type ServiceCommandOptions } from "./service.js";
export { createSystemdProvider } from "./systemd.js";
export * from "./types.js";

const ALIASES: Record<string, "systemd" | "service" | "auto"> = {
  systemd: "systemd",
  service: "service",
  sysv: "service",
  sysvinit: "service",
  auto: "auto",
  // MCollective's default drove the host's own init system through Puppet: so do we, directly.
  puppet: "auto",
};

/** What this host runs: systemd when it booted with it (sd_booted's test), else `service`. */
export function detectInitSystem(runDir = "/run/systemd/system"): "systemd" | "service" {
  return existsSync(runDir) ? "systemd" : "service";
}

/**
 * The provider `plugin.service.provider` names, or the host's init system
 * when it names none (or `puppet`, MCollective's default).
 * @throws Error naming the setting when it is unknown
 */
export function selectServiceProvider(settings: PluginSettings, timeoutMs: number): ServiceProvider {
  const configured = settings.string("provider", "auto");
  const kind = ALIASES[configured];
  if (kind === undefined) {
    throw new Error(
      `${settings.fullKey("provider")} = ${configured} is not a service provider Phobos has: use systemd, service, or leave it unset to use the host's`,
    );
  }
  const chosen = kind === "auto" ? detectInitSystem() : kind;
  return chosen === "systemd"
    ? createSystemdProvider({ timeoutMs })
    : createServiceCommandProvider({ timeoutMs, servicecmd: settings.string("service.servicecmd") });
}
