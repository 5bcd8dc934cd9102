import { type Filter, readStatement } from "@phobos/core";

/**
 * The facts a filter looks at (`-F`, `-W`, and the fact comparisons of
 * `-S`, read as the daemons read them), so the registry parses only those
 * of each stored node: a class or identity filter then reads no facts at all.
 */
export function factNamesOf(filter: Filter): string[] {
  const names = new Set<string>();
  for (const entry of filter.fact) {
    if (typeof entry?.fact === "string") names.add(entry.fact);
  }
  for (const expression of filter.compound) {
    for (const token of expression) {
      if (!("statement" in token) || typeof token.statement !== "string") continue;
      const reading = readStatement(token.statement);
      if (reading.kind !== "class") names.add(reading.fact);
    }
  }
  return [...names];
}
