import { type Check, ensure, errorText, show } from "./check.js";
import { definitionChecks, type SuiteOptions, withPlugin } from "./harness.js";
import { describeChecks } from "./register.js";

export interface ValidatorSuiteOptions extends SuiteOptions<"validator"> {
  /** Values the validator must accept. */
  valid: unknown[];
  /** Values it must refuse. */
  invalid: unknown[];
}

/** The validator contract: accept by returning, refuse by throwing an Error that says why. */
export function validatorChecks(options: ValidatorSuiteOptions): Check[] {
  return [
    ...definitionChecks("validator", options, "client"),
    {
      name: "accepts every valid value",
      run: () =>
        withPlugin(options, "client", async ({ instance }) => {
          ensure(options.valid.length > 0, "pass at least one `valid` value");
          for (const value of options.valid) {
            try {
              instance.validate(value);
            } catch (err) {
              ensure(false, `refused the valid value ${show(value)}: ${errorText(err)}`);
            }
          }
        }),
    },
    {
      name: "refuses every invalid value with an Error that says why",
      run: () =>
        withPlugin(options, "client", async ({ instance }) => {
          ensure(options.invalid.length > 0, "pass at least one `invalid` value");
          for (const value of options.invalid) {
            let error: unknown;
            try {
              instance.validate(value);
            } catch (err) {
              error = err;
            }
            ensure(error !== undefined, `accepted the invalid value ${show(value)}`);
            ensure(
              error instanceof Error && error.message.length > 0,
              `refused ${show(value)} without an Error message`,
            );
          }
        }),
    },
  ];
}

export function describeValidatorPlugin(options: ValidatorSuiteOptions): void {
  describeChecks(`validator plugin '${options.definition.name}' conformance`, validatorChecks(options));
}
