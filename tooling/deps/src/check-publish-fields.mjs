#!/usr/bin/env node
// `pnpm run check`'s second half: the publishing rules (publish-fields.mjs) over the repo.
import { fileURLToPath } from "node:url";
import { publishProblems } from "./publish-fields.mjs";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const problems = publishProblems(root);
for (const problem of problems) process.stderr.write(`error publish-fields: ${problem}\n`);
if (problems.length > 0) {
  process.stderr.write(`\n${problems.length} publishing problem(s)\n`);
  process.exit(1);
}
process.stdout.write(
  "publish-fields: every public package has license, LICENSE, repository, homepage and bugs\n",
);
