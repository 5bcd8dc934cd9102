export const STOMP_VERSIONS = ["1.0", "1.1", "1.2"] as const;
export type StompVersion = (typeof STOMP_VERSIONS)[number];

/** What ERROR frames advertise in their `version` header, as RabbitMQ does. */
export const SUPPORTED_VERSIONS_HEADER = STOMP_VERSIONS.join(",");

/**
 * The highest version both sides speak. A CONNECT without `accept-version`
 * is a STOMP 1.0 client (the stomp gem as MCollective configures it sends
 * `accept-version:1.0` anyway). `undefined` means no common version.
 */
export function negotiateVersion(acceptVersion: string | undefined): StompVersion | undefined {
  if (acceptVersion === undefined) return "1.0";
  const offered = new Set(acceptVersion.split(",").map((v) => v.trim()));
  for (let i = STOMP_VERSIONS.length - 1; i >= 0; i--) {
    const version = STOMP_VERSIONS[i];
    if (version !== undefined && offered.has(version)) return version;
  }
  return undefined;
}
