import type { DataDdl, DataValue, ValidatorLookup } from "@phobos/core";
import { isDdl, validateDataQuery } from "@phobos/core";
import { type Check, ensure, errorText, fail, show } from "./check.js";
import { ddlCheck } from "./ddl-checks.js";
import { definitionChecks, type SuiteOptions, withPlugin } from "./harness.js";
import { describeChecks } from "./register.js";
import { isPlainObject, isScalar } from "./values.js";

export interface DataSuiteOptions extends SuiteOptions<"data"> {
  ddl: DataDdl;
  /**
   * An argument the DDL accepts (`fstat("/etc/hosts")` → "/etc/hosts"). When
   * omitted: null if the DDL takes no query, else the input's default.
   */
  query?: DataValue;
  /** Validator plugins the DDL names beyond the built-in ones. */
  validators?: ValidatorLookup;
}

/**
 * The data plugin contract: its DDL declares one optional `query` input and
 * at least one output, and a query answers with declared outputs only, each
 * a scalar (compound filters compare them: `fstat("/etc/hosts").size>0`).
 */
export function dataChecks(options: DataSuiteOptions): Check[] {
  const { ddl } = options;
  const input = isDdl(ddl, "data") ? ddl.dataquery.input.query : undefined;
  const argument =
    options.query !== undefined
      ? options.query
      : input
        ? ((input.default as DataValue | undefined) ?? (input.optional ? null : undefined))
        : null;
  return [
    ...definitionChecks("data", options, "server"),
    ddlCheck(ddl, "data"),
    {
      name: "a query with a valid argument returns only declared outputs, each a scalar",
      ...(argument === undefined ? { skip: "the DDL's query input has no default: pass `query`" } : {}),
      run: () =>
        withPlugin(options, "server", async ({ instance }) => {
          ensure(isDdl(ddl, "data"), "the DDL is not a valid data DDL (see that check)");
          try {
            validateDataQuery(ddl, argument ?? null, options.validators);
          } catch (err) {
            fail(`the query argument ${show(argument)} is not valid for the DDL: ${errorText(err)}`, {
              cause: err,
            });
          }
          const result: unknown = await instance.query(argument ?? null);
          ensure(isPlainObject(result), `query() returned ${show(result)}, not a plain object`);
          const declared = Object.keys(ddl.dataquery.output);
          for (const [key, value] of Object.entries(result)) {
            ensure(
              declared.includes(key),
              `query() returned '${key}', which the DDL does not declare (declared: ${declared.join(", ")})`,
            );
            ensure(
              isScalar(value),
              `output '${key}' is ${show(value)}: data outputs are strings, numbers, booleans or null`,
            );
          }
        }),
    },
  ];
}

export function describeDataPlugin(options: DataSuiteOptions): void {
  describeChecks(`data plugin '${options.definition.name}' conformance`, dataChecks(options));
}
