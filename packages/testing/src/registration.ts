import { dump } from "@phobos/core";
import { type Check, ensure, errorText } from "./check.js";
import { definitionChecks, type SuiteOptions, withPlugin } from "./harness.js";
import { describeChecks } from "./register.js";
import { rubyValueProblem } from "./values.js";

export type RegistrationSuiteOptions = SuiteOptions<"registration">;

/**
 * The registration contract: body() gives what a Ruby registration agent
 * can receive, so every part must be Marshal-encodable (Hashes are Maps).
 */
export function registrationChecks(options: RegistrationSuiteOptions): Check[] {
  return [
    ...definitionChecks("registration", options, "server"),
    {
      name: "body() is Marshal-encodable",
      run: () =>
        withPlugin(options, "server", async ({ instance }) => {
          const body = await instance.body();
          const problem = rubyValueProblem(body, "body()");
          ensure(problem === undefined, () => problem!);
          try {
            dump(body);
          } catch (err) {
            ensure(false, `Marshal cannot encode body(): ${errorText(err)}`);
          }
        }),
    },
    {
      name: "body() can be called every interval",
      run: () =>
        withPlugin(options, "server", async ({ instance }) => {
          await instance.body();
          const body = await instance.body();
          ensure(rubyValueProblem(body) === undefined, "the second body() is not Marshal-encodable");
        }),
    },
  ];
}

export function describeRegistrationPlugin(options: RegistrationSuiteOptions): void {
  describeChecks(`registration plugin '${options.definition.name}' conformance`, registrationChecks(options));
}
