import { UsageError } from "@phobos/core";

export interface RegistryDiscoveryOptions {
  /** Also select nodes the registry marked stale (they missed their registration intervals). */
  includeStale: boolean;
}

const KNOWN = ["include_stale"];

/** The `--do` values the registry method takes: `include_stale`. */
export function parseDiscoveryOptions(options: readonly string[]): RegistryDiscoveryOptions {
  const parsed: RegistryDiscoveryOptions = { includeStale: false };
  for (const option of options) {
    if (option === "include_stale") parsed.includeStale = true;
    else {
      throw new UsageError(
        `The registry discovery method does not know the option '${option}' (known: ${KNOWN.join(", ")})`,
      );
    }
  }
  return parsed;
}
