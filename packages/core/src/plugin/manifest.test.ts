import { PluginLoadError } from "@phobos/errors";
import { describe, expect, it } from "vitest";
import { apiVersionMessage, parseManifest } from "./manifest.js";

const origin = { packageName: "phobos-agent-x", packageDir: "/lib/x", path: "/lib/x/package.json" };

describe("parseManifest", () => {
  it("returns the entries of a valid manifest", () => {
    const { manifest, errors } = parseManifest(
      {
        api: 1,
        plugins: [
          { type: "agent", name: "x", entry: "./dist/agent.js", ddl: "./dist/ddl.js", description: "X" },
          { type: "application", name: "x", entry: "dist/application.js" },
        ],
      },
      origin,
    );
    expect(errors).toEqual([]);
    expect(manifest).toEqual({
      api: 1,
      plugins: [
        { type: "agent", name: "x", entry: "./dist/agent.js", ddl: "./dist/ddl.js", description: "X" },
        { type: "application", name: "x", entry: "dist/application.js" },
      ],
    });
  });

  it("keeps the good entries of a package with a bad one", () => {
    const { manifest, errors } = parseManifest(
      {
        api: 1,
        plugins: [
          { type: "agent", name: "x", entry: "./a.js" },
          { type: "application", name: "x", entry: "./b.js" },
        ],
      },
      origin,
    );
    expect(manifest?.plugins.map((p) => p.type)).toEqual(["application"]);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toMatch(/"ddl" is missing: agent plugins need one/);
  });

  it.each([
    ["not an object", "agent", /must be an object/],
    ["no plugins", { api: 1 }, /"mcollective.plugins" is missing/],
    ["plugins not an array", { api: 1, plugins: {} }, /must be an array/],
    ["no api", { plugins: [] }, /"mcollective.api" is missing: add "api": 1/],
    ["api not a whole number", { api: "1", plugins: [] }, /must be a whole number like 1, not "1"/],
  ])("reports %s as a manifest error", (_, field, message) => {
    const { manifest, errors } = parseManifest(field, origin);
    expect(manifest).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(PluginLoadError);
    expect(errors[0]).toMatchObject({ stage: "manifest", path: origin.path, packageName: "phobos-agent-x" });
    expect(errors[0]?.message).toMatch(message);
  });

  it("reports an entry that is not an object and keeps going", () => {
    const { manifest, errors } = parseManifest({ api: 1, plugins: ["agent"] }, origin);
    expect(manifest?.plugins).toEqual([]);
    expect(errors[0]?.message).toMatch(/plugins\[0\] must be an object/);
  });

  it("refuses paths outside the package", () => {
    const { errors } = parseManifest(
      {
        api: 1,
        plugins: [
          { type: "application", name: "a", entry: "/etc/passwd" },
          { type: "application", name: "b", entry: "../other/x.js" },
          { type: "application", name: "c", entry: "." },
        ],
      },
      origin,
    );
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/must be relative to the package directory/),
      expect.stringMatching(/points outside the package directory/),
      expect.stringMatching(/points outside the package directory/),
    ]);
  });

  it("reports a (type, name) listed twice at stage duplicate", () => {
    const { manifest, errors } = parseManifest(
      {
        api: 1,
        plugins: [
          { type: "application", name: "a", entry: "./a.js" },
          { type: "application", name: "a", entry: "./b.js" },
        ],
      },
      origin,
    );
    expect(manifest?.plugins).toHaveLength(1);
    expect(errors[0]).toMatchObject({ stage: "duplicate", pluginType: "application", pluginName: "a" });
  });

  it("reports another api per plugin it can name, with what to do", () => {
    const { manifest, errors } = parseManifest(
      { api: 2, plugins: [{ type: "agent", name: "new" }, { nonsense: true }] },
      origin,
    );
    expect(manifest).toBeUndefined();
    expect(errors.map((e) => [e.stage, e.pluginType, e.pluginName])).toEqual([
      ["api-version", "agent", "new"],
    ]);
    expect(errors[0]?.message).toMatch(
      /needs plugin API 2, but this Phobos supports plugin API 1\. Upgrade Phobos \(mco and mcollectived\) to a release that supports plugin API 2, or install a release of phobos-agent-x written for plugin API 1\./,
    );
  });

  it("advises upgrading the plugin when it is older than this Phobos", () => {
    expect(apiVersionMessage(0, "phobos-agent-x")).toBe(
      "needs plugin API 0, but this Phobos supports plugin API 1. Install a newer release of phobos-agent-x built for plugin API 1, or run a Phobos release that still supports plugin API 0.",
    );
  });

  it("reports a newer api for the whole package when no plugin can be named", () => {
    const { errors } = parseManifest({ api: 3, plugins: { shape: "of the future" } }, origin);
    expect(errors.map((e) => [e.stage, e.pluginType])).toEqual([["api-version", undefined]]);
  });

  it("ignores unknown keys (a later manifest may add some)", () => {
    const { manifest, errors } = parseManifest(
      { api: 1, plugins: [{ type: "application", name: "a", entry: "./a.js", icon: "a.png" }] },
      origin,
    );
    expect(errors).toEqual([]);
    expect(manifest?.plugins[0]).toEqual({ type: "application", name: "a", entry: "./a.js" });
  });
});
