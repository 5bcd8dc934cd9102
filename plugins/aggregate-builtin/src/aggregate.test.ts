/**
 * summary, sum and average: core's aggregate conformance suite, then the
 * text `mco rpc` prints for their results (core's aggregateText) against
 * what MCollective 2.12.5's own aggregate functions print for the same
 * replies, asked in one Ruby process.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { aggregateText } from "@phobos/client";
import { PROVISION_HINT } from "@phobos/interop";
import { describeAggregatePlugin, openPlugin } from "@phobos/testing";
import { describe, expect, it } from "vitest";
import average from "./aggregates/average.js";
import sum from "./aggregates/sum.js";
import summary from "./aggregates/summary.js";

describeAggregatePlugin({
  definition: summary,
  output: "status",
  values: ["running", "stopped", "running", ["running", "stopped"], null],
  expected: {
    type: "collection",
    value: new Map([
      ["running", 3],
      ["stopped", 2],
    ]),
  },
});
describeAggregatePlugin({
  definition: sum,
  output: "bytes",
  values: [1, 2, 3.5],
  expected: { type: "numeric", value: 6.5 },
});
describeAggregatePlugin({
  definition: average,
  output: "rtt",
  values: [1.5, 2.5, 3.5],
  expected: { type: "numeric", value: 2.5 },
});

const functions = { summary, sum, average } as const;
interface Case {
  function: keyof typeof functions;
  output: string;
  values: unknown[];
  format?: string;
}

function ruby(cases: Case[]): ({ text: string } | { error: string })[] {
  const run = spawnSync(
    "ruby",
    [fileURLToPath(new URL("./__fixtures__/ruby-aggregate.rb", import.meta.url))],
    {
      input: cases.map((c) => JSON.stringify(c)).join("\n"),
      encoding: "utf8",
      env: { ...process.env, LANG: "C.UTF-8" },
    },
  );
  if (run.error || run.status !== 0) {
    throw new Error(
      `Ruby MCollective could not be asked (${run.error?.message ?? run.stderr}): ${PROVISION_HINT}`,
    );
  }
  return run.stdout
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l));
}

async function phobos(c: Case): Promise<string> {
  const plugin = await openPlugin({ definition: functions[c.function] }, "client", "mco");
  try {
    const run = plugin.instance.start({
      output: c.output,
      args: [],
      ...(c.format === undefined ? {} : { format: c.format }),
    });
    for (const value of c.values) run.process(value);
    return aggregateText(run.result());
  } finally {
    plugin.close();
  }
}

describe("what mco prints for an aggregate, as Ruby MCollective prints it", () => {
  // JSON carries the values to Ruby: whole numbers arrive as Integers, others as Floats.
  const cases: Case[] = [
    { function: "summary", output: "status", values: ["running", "stopped", "running", "running"] },
    { function: "summary", output: "value", values: ["a", "b", "a", ["c", "a"], null, 1] },
    { function: "summary", output: "version", values: ["2.12.5", "2.12.5", "2.12.4"] },
    { function: "summary", output: "ok", values: [true, false, true] },
    { function: "summary", output: "size", values: [100, 2, 100, 30] },
    { function: "summary", output: "collectives", values: [["mcollective", "uk"], ["mcollective"]] },
    { function: "summary", output: "name", values: ["web-1", "ünïcödé", "web-1"] },
    { function: "summary", output: "status", values: ["x", "yy", "zzz"], format: "%-5s: %d" },
    { function: "summary", output: "status", values: ["x", "y"], format: "%s has %s" },
    { function: "sum", output: "bytes", values: [1, 2, 3] },
    { function: "sum", output: "bytes", values: [1.5, 2.25] },
    { function: "sum", output: "bytes", values: [10, 20], format: "Total: %d bytes" },
    { function: "sum", output: "bytes", values: [1.005, 2], format: "%.2f" },
    { function: "sum", output: "bytes", values: [123456.789], format: "%10.1f|" },
    { function: "average", output: "rtt", values: [1.5, 2.5] },
    { function: "average", output: "rtt", values: [4, 8, 12] },
    { function: "average", output: "rtt", values: [0.1, 0.2, 0.3], format: "%.3f ms" },
    { function: "average", output: "load", values: [1.25], format: "Load: %e" },
  ];

  it("summary, sum and average print what Ruby's do", async () => {
    const expected = ruby(cases);
    const actual = await Promise.all(cases.map(async (c) => ({ text: await phobos(c) })));
    const label = (answers: unknown[]) => answers.map((a, i) => ({ case: cases[i], ...(a as object) }));
    expect(label(actual)).toEqual(label(expected));
  });

  it("a summary over replies that all lack the output prints nothing to summarise", async () => {
    const [expected] = ruby([{ function: "summary", output: "status", values: [null, null] }]);
    expect(await phobos({ function: "summary", output: "status", values: [null, null] })).toBe(
      (expected as { text: string }).text,
    );
  });
});
