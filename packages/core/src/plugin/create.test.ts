import { PluginError, PluginLoadError } from "@phobos/errors";
import { describe, expect, it } from "vitest";
import { createLogger, memorySink } from "../log/logger.js";
import { buildPluginContext } from "./context.js";
import { activatePlugin, createPlugin } from "./create.js";
import { defineFacts } from "./define.js";

const ctx = buildPluginContext({
  type: "facts",
  name: "yaml",
  log: createLogger(memorySink()),
  identity: "node1",
  mode: "server",
});
const origin = { packageName: "@phobos/facts-yaml", entryPath: "/x/dist/facts.js" };

async function rejection(promise: Promise<unknown>): Promise<PluginLoadError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PluginLoadError);
  return err as PluginLoadError;
}

describe("createPlugin", () => {
  it("returns the instance with its errors re-tagged", async () => {
    const facts = await createPlugin(
      defineFacts({
        name: "yaml",
        create: () => ({
          load: async () => {
            throw new Error("no such file /etc/mcollective/facts.yaml");
          },
        }),
      }),
      ctx,
      origin,
    );
    await expect(facts.load()).rejects.toThrow(PluginError);
    await expect(facts.load()).rejects.toThrow(
      "facts plugin 'yaml' failed in load: no such file /etc/mcollective/facts.yaml",
    );
  });

  it("turns a throwing create into stage create, keeping the cause", async () => {
    const cause = new Error("plugin.yaml.factsource is required");
    const error = await rejection(
      createPlugin(
        defineFacts({
          name: "yaml",
          create: async () => {
            throw cause;
          },
        }),
        ctx,
        origin,
      ),
    );
    expect(error).toMatchObject({
      stage: "create",
      pluginType: "facts",
      pluginName: "yaml",
      packageName: "@phobos/facts-yaml",
      path: "/x/dist/facts.js",
    });
    expect(error.cause).toBe(cause);
  });

  it("refuses an instance without the methods its type needs", async () => {
    const error = await rejection(
      createPlugin(defineFacts({ name: "yaml", create: () => ({}) as never }), ctx, origin),
    );
    expect(error.message).toMatch(/returned a facts instance without load/);
    const none = await rejection(
      createPlugin(defineFacts({ name: "yaml", create: () => undefined as never }), ctx),
    );
    expect(none.message).toMatch(/create\(\) returned undefined/);
    expect(none.path).toBe("facts/yaml");
  });
});

describe("activatePlugin", () => {
  const spec = { name: "yaml", create: () => ({ load: async () => ({}) }) };

  it("is true without activate, and otherwise what activate says", async () => {
    expect(await activatePlugin(defineFacts(spec), ctx)).toBe(true);
    expect(await activatePlugin(defineFacts({ ...spec, activate: async () => false }), ctx)).toBe(false);
  });

  it("turns a throw or a non-boolean into stage activate", async () => {
    const thrown = await rejection(
      activatePlugin(
        defineFacts({
          ...spec,
          activate: () => {
            throw new Error("no yaml here");
          },
        }),
        ctx,
        origin,
      ),
    );
    expect(thrown).toMatchObject({ stage: "activate", pluginName: "yaml" });
    const odd = await rejection(
      activatePlugin(defineFacts({ ...spec, activate: () => "yes" as never }), ctx),
    );
    expect(odd.message).toMatch(/returned string, not true or false/);
  });
});
