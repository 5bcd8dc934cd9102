import { lookup } from "node:dns/promises";
import { isIP } from "node:net";

/** A DNS name as the nettest plugins accept it: dot-separated labels of letters, digits and inner dashes. */
export const HOSTNAME =
  /^(([a-zA-Z]|[a-zA-Z][a-zA-Z0-9-]*[a-zA-Z0-9])\.)*([A-Za-z]|[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9])$/;

/**
 * The address to test: an IP address as given, a hostname resolved the way
 * the system resolves it (/etc/hosts, then DNS). Undefined when it does not
 * resolve.
 */
export async function resolveHost(name: string): Promise<string | undefined> {
  if (isIP(name) !== 0 || !HOSTNAME.test(name)) return name;
  try {
    return (await lookup(name)).address;
  } catch {
    return undefined;
  }
}
