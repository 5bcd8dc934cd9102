import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cruise, type ICruiseResult, type IViolation } from "dependency-cruiser";
import { describe, expect, it } from "vitest";
import { forbidden, options } from "./dependency-cruiser.config.mjs";
import { workspaceAliases } from "./workspace-resolve.mjs";

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "__fixtures__");

// The rule set exactly as the repo-wide check uses it, run over a small tree rooted at
// the fixture directory so the rules' paths read as they would from the repo root.
async function violationsIn(tree: string): Promise<IViolation[]> {
  const { webpackConfig: _resolveForTheRealRepo, ...cruiseOptions } = options;
  const root = join(fixtures, tree);
  const result = await cruise(
    ["."],
    { ...cruiseOptions, baseDir: root, ruleSet: { forbidden }, validate: true },
    { alias: workspaceAliases(root) },
  );
  return (result.output as ICruiseResult).summary.violations;
}

// A cycle as the ring of files it passes through, starting from the first by name, so the
// assertion does not depend on which file of the cycle the cruise happened to start from.
function ringOf(v: IViolation): string[] {
  const path = [v.from, ...(v.cycle ?? []).map((step) => step.name)];
  expect(path.at(-1)).toBe(path[0]);
  const ring = path.slice(0, -1);
  const start = ring.indexOf([...ring].sort()[0]!);
  return [...ring.slice(start), ...ring.slice(0, start)];
}

describe("the import rule set", () => {
  it("reports a value-import cycle a.ts -> b.ts -> a.ts", async () => {
    const violations = await violationsIn("cycle");
    expect(violations.map((v) => v.rule.name)).toEqual(["no-circular"]);
    expect(violations.map(ringOf)).toEqual([["a.ts", "b.ts"]]);
    expect(violations.every((v) => v.rule.severity === "error")).toBe(true);
  });

  it("reports a cycle made only of `import type`", async () => {
    const violations = await violationsIn("type-cycle");
    expect(violations.map((v) => v.rule.name)).toEqual(["no-circular"]);
    expect(violations.map(ringOf)).toEqual([["painter.ts", "shape.ts"]]);
    const steps = violations.flatMap((v) => v.cycle ?? []);
    expect(steps.every((step) => step.dependencyTypes.includes("type-only"))).toBe(true);
  });

  it("reports a cycle between two packages imported by name, one side type-only", async () => {
    const violations = await violationsIn("package-cycle");
    expect(violations.map((v) => v.rule.name)).toEqual(["no-circular"]);
    expect(violations.map(ringOf)).toEqual([["packages/alpha/src/index.ts", "packages/beta/src/index.ts"]]);
  });

  it("passes a tree whose imports, type-only ones included, all point one way", async () => {
    expect(await violationsIn("clean")).toEqual([]);
  });

  it("reports a relative import into another package's src, and not one within the package", async () => {
    const violations = await violationsIn("cross-package");
    expect(violations.map((v) => [v.rule.name, v.from, v.to])).toEqual([
      [
        "no-relative-import-into-another-package",
        "packages/one/src/reach.ts",
        "packages/two/src/internal.ts",
      ],
    ]);
  });

  it("reports a package that imports a layer above its own, even without a cycle", async () => {
    const violations = await violationsIn("layers");
    expect(violations.map((v) => [v.rule.name, v.from, v.to])).toEqual([
      ["layers-core", "packages/core/src/index.ts", "packages/server/src/index.ts"],
    ]);
  });
});
