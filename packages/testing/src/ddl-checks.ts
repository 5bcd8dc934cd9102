import type { Ddl } from "@phobos/core";
import { ddlProblems } from "@phobos/core";
import type { Check } from "./check.js";
import { fail } from "./check.js";

/** "The DDL is a valid <kind> DDL", as a check of its own so a bad DDL is reported once, clearly. */
export function ddlCheck(ddl: unknown, kind: Ddl["kind"], extra: (ddl: Ddl) => string[] = () => []): Check {
  return {
    name: `its DDL is a valid ${kind} DDL`,
    async run() {
      const problems = ddlProblems(ddl, kind);
      if (problems.length === 0) problems.push(...extra(ddl as Ddl));
      if (problems.length > 0) fail(`the DDL ${problems.join("; ")}`);
    },
  };
}
