import { isIP } from "node:net";
import { mcollectiveValidators } from "@phobos/core";

/** A Puppet variable, environment or tag part: one letter, or letters, digits and _. */
export function validName(name: string): boolean {
  return name.length === 1 ? /^[a-zA-Z]$/.test(name) : /^[a-zA-Z0-9_]+$/.test(name);
}

export function checkVariable(value: unknown): void {
  mcollectiveValidators.typecheck(value, "string");
  mcollectiveValidators.shellsafe(value);
  if (!validName(value as string)) throw new Error(`Invalid variable name '${String(value)}' specified`);
}

export function checkTags(value: unknown): void {
  mcollectiveValidators.typecheck(value, "string");
  mcollectiveValidators.shellsafe(value);
  for (const tag of (value as string).split(",")) for (const part of tag.split("::")) checkVariable(part);
}

const HOST = /^(([a-zA-Z]|[a-zA-Z][a-zA-Z0-9-]*[a-zA-Z0-9])\.)*([A-Za-z]|[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9])$/;

/** `server`, `server:port`, `[v6]:port` or a bare IPv6 address: the name and port to pass to Puppet. */
export function parseServer(server: string): { host: string; port?: string } {
  let host = server;
  let port: string | undefined;
  if (isIP(server) === 6) host = server;
  else if (server.startsWith("[")) {
    const close = server.indexOf("]");
    host = server.slice(1, close < 0 ? undefined : close);
    const rest = close < 0 ? "" : server.slice(close + 1);
    if (rest.startsWith(":")) port = rest.slice(1);
  } else if (server.split(":").length === 2) [host = "", port] = server.split(":");
  if (!(isIP(host) !== 0 || HOST.test(host)))
    throw new Error(`The hostname '${host}' is not a valid hostname`);
  if (port !== undefined && !/^\d+$/.test(port)) throw new Error(`The port '${port}' is not a valid port`);
  return port === undefined ? { host } : { host, port };
}

export function checkServer(value: unknown): void {
  mcollectiveValidators.typecheck(value, "string");
  mcollectiveValidators.shellsafe(value);
  parseServer(value as string);
}

export function checkResource(value: unknown): void {
  mcollectiveValidators.typecheck(value, "string");
  if (!/^[a-zA-Z0-9_]+\[.+\]$/s.test(value as string))
    throw new Error(`'${String(value)}' is not a valid resource name`);
}
