import type { DataDdl } from "@phobos/core";

/**
 * What a data query answers, as MCollective's `Data::Result` holds it: every
 * output the DDL declares, in the DDL's order, at its default (nil unless
 * given), then whatever the plugin set. Ruby's `get_data` replies carry all
 * of them, so a Ruby client prints the same rows from a Phobos daemon.
 */
export function dataResult(ddl: DataDdl, answer: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, output] of Object.entries(ddl.dataquery.output)) {
    result[key] = output.default === undefined ? null : output.default;
  }
  return Object.assign(result, answer);
}
