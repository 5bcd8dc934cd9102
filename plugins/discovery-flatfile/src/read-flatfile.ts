import { readFileSync } from "node:fs";
import { parseNodeList } from "@phobos/client";
import { UsageError } from "@phobos/core";

/**
 * The identities in a flatfile: one per line, blank lines and `#` comments
 * skipped; a line that is not an identity is an error naming file:line.
 */
export function readFlatfile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new UsageError(
      `Cannot read the file ${path} specified as discovery source: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  return parseNodeList(text, path);
}
