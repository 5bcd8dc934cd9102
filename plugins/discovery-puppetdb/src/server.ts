/**
 * Where PuppetDB is, as Choria finds it: the configured server; else the SRV
 * records `_x-puppet-db._tcp.<domain>` then `_x-puppet._tcp.<domain>` (the
 * latter names Puppet's host, so the configured port is kept); else
 * `puppet:8081`.
 */
import { Resolver } from "node:dns/promises";
import { hostname } from "node:os";
import { ConfigError, type PluginSettings } from "@phobos/core";

export interface PuppetDbServer {
  protocol: "http:" | "https:";
  host: string;
  port: number;
  /** How it was found, for the debug log. */
  source: string;
}

export type SrvLookup = (
  name: string,
) => Promise<{ name: string; port: number; priority: number; weight: number }[]>;

/** The first setting of `keys` that is set, with its full name. */
function first(
  settings: PluginSettings,
  keys: string[],
): { key: string; value: string; where: { file?: string; line?: number; key: string } } | undefined {
  for (const key of keys) {
    const value = settings.string(key);
    if (value !== undefined && value.trim() !== "") {
      const where = { ...settings.where(key), key: settings.fullKey(key) };
      return { key: settings.fullKey(key), value: value.trim(), where };
    }
  }
  return undefined;
}

function portOf(settings: PluginSettings, fallback: number): number {
  const found = first(settings, ["port", "choria.puppetdb_port"]);
  if (found === undefined) return fallback;
  const port = Number(found.value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigError(`must be a TCP port (1-65535), got '${found.value}'`, found.where);
  }
  return port;
}

/** `host`, `host:port`, or `http(s)://host[:port][/]`. */
function parseServer(
  settings: PluginSettings,
  found: { key: string; value: string; where: { key: string } },
): PuppetDbServer {
  const { key, value } = found;
  const bad = () =>
    new ConfigError(`must be a host name, host:port or an http(s):// URL, got '${value}'`, found.where);
  const withScheme = /^[a-z]+:\/\//i.test(value) ? value : `https://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw bad();
  }
  if (
    (url.protocol !== "http:" && url.protocol !== "https:") ||
    (url.pathname !== "/" && url.pathname !== "")
  ) {
    throw bad();
  }
  const protocol = url.protocol as "http:" | "https:";
  const port = url.port === "" ? portOf(settings, protocol === "http:" ? 8080 : 8081) : Number(url.port);
  return { protocol, host: url.hostname.replace(/^\[|\]$/g, ""), port, source: key };
}

function srvDomain(settings: PluginSettings): string | undefined {
  const configured = first(settings, ["srv_domain", "choria.srv_domain"]);
  if (configured) return configured.value;
  const name = hostname();
  const dot = name.indexOf(".");
  return dot > 0 && dot < name.length - 1 ? name.slice(dot + 1) : undefined;
}

export function defaultSrvLookup(timeoutMs: number): SrvLookup {
  const resolver = new Resolver({ timeout: Math.max(1, timeoutMs), tries: 1 });
  return (name) => resolver.resolveSrv(name);
}

export async function findServer(
  settings: PluginSettings,
  lookup: SrvLookup,
  log?: { debug(message: string): void },
): Promise<PuppetDbServer> {
  const configured = first(settings, ["server", "choria.puppetdb_host"]);
  if (configured) return parseServer(settings, configured);
  const port = portOf(settings, 8081);
  const useSrv = settings.has("use_srv")
    ? settings.boolean("use_srv", true)
    : settings.boolean("choria.use_srv", true);
  const domain = useSrv ? srvDomain(settings) : undefined;
  if (domain !== undefined) {
    for (const record of ["_x-puppet-db._tcp", "_x-puppet._tcp"]) {
      const name = `${record}.${domain}`;
      let answers: Awaited<ReturnType<SrvLookup>> = [];
      try {
        answers = await lookup(name);
      } catch (e) {
        log?.debug(`SRV lookup of ${name} failed: ${(e as Error).message}`);
      }
      const best = [...answers].sort((a, b) => a.priority - b.priority || b.weight - a.weight)[0];
      if (best) {
        return {
          protocol: "https:",
          host: best.name,
          port: record === "_x-puppet-db._tcp" ? best.port : port,
          source: `SRV ${name}`,
        };
      }
    }
  }
  return { protocol: "https:", host: "puppet", port, source: "default puppet:8081" };
}
