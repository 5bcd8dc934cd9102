import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PHOBOS_VERSION, PROTOCOL_VERSION } from "./version.js";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  version: string;
};

describe("the version", () => {
  it("of Phobos is @phobos/core's package.json version, in the source and in the built bundle", async () => {
    expect(PHOBOS_VERSION).toBe(pkg.version);
    const built = (await import(new URL("../dist/index.js", import.meta.url).href)) as {
      PHOBOS_VERSION: string;
    };
    expect(built.PHOBOS_VERSION).toBe(pkg.version);
    expect(readFileSync(new URL("../dist/index.js", import.meta.url), "utf8")).not.toContain(
      "__PHOBOS_VERSION__",
    );
  });

  it("on the wire stays MCollective's", () => {
    expect(PROTOCOL_VERSION).toBe("2.12.5");
  });
});
