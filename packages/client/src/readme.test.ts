/** The client README shows examples/ping.ts as it is: the file is what its test runs. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const read = (name: string) => readFileSync(new URL(name, import.meta.url), "utf8");

describe("client README", () => {
  it("shows examples/ping.ts verbatim as its example", () => {
    const readme = read("../README.md");
    const block = /## Example\n[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBe(read("./examples/ping.ts"));
  });
});
