import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  activatePlugin,
  buildPluginContext,
  createLogger,
  emptyFilter,
  memorySink,
  type RubyValue,
  sym,
} from "@phobos/core";
import { createStubServices, describeAgentPlugin, openPlugin } from "@phobos/testing";
import { afterAll, describe, expect, it } from "vitest";
import registration, { type RegistrationAgent } from "./agent.js";
import registrationDdl from "./ddl.js";

const dir = mkdtempSync(join(tmpdir(), "registry-agent-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeAgentPlugin({
  definition: registration,
  ddl: registrationDdl,
  settings: { database: join(dir, "conformance.db") },
  samples: {},
});

describe("the registration agent", () => {
  const activates = async (settings: Record<string, string>) => {
    const sink = memorySink("debug");
    const log = createLogger(sink);
    const ctx = buildPluginContext({
      type: "agent",
      name: "registration",
      pluginSettings: new Map(Object.entries(settings).map(([k, v]) => [`plugin.registration.${k}`, v])),
      log,
      signal: new AbortController().signal,
      identity: "n1",
      mode: "server",
      services: createStubServices(),
    } as never);
    return {
      active: await activatePlugin(registration, ctx as never),
      lines: sink.lines.map((l) => l.message),
    };
  };

  it("is not activated where plugin.registration.database is not set, and says why", async () => {
    const { active, lines } = await activates({});
    expect(active).toBe(false);
    expect(lines).toContain("registration agent: not activated, plugin.registration.database is not set");
    expect((await activates({ database: join(dir, "x.db") })).active).toBe(true);
  });

  it("stores a registration handed to it raw and sends no reply", async () => {
    const database = join(dir, "agent.db");
    const plugin = await openPlugin({ definition: registration, settings: { database } }, "server");
    const agent = plugin.instance as unknown as RegistrationAgent;
    try {
      const meta = new Map<RubyValue, RubyValue>([
        [sym("agentlist"), ["rpcutil"]],
        [sym("facts"), new Map([[sym("role"), "web"]])],
      ]);
      const reply = agent.handleRaw(meta, {
        senderid: "web1",
        requestid: "r1",
        filter: emptyFilter(),
        collective: "mcollective",
        agent: "registration",
        callerid: "uid=0",
        ttl: 60,
        msgtime: 0,
        body: null,
      });
      expect(reply).toBeUndefined();
      await agent.flush();
      expect(agent.counters()).toMatchObject({ messages: 1, refused: 0, store: { written: 1 } });
    } finally {
      plugin.close();
    }
  });

  it("refuses a bad setting with a ConfigError naming the key", async () => {
    await expect(
      openPlugin(
        { definition: registration, settings: { database: join(dir, "y.db"), stale_after: "soon" } },
        "server",
      ),
    ).rejects.toThrow("plugin.registration.stale_after: 'soon' is not a whole number");
    await expect(
      openPlugin(
        { definition: registration, settings: { database: join(dir, "y.db"), max_facts_size: "big" } },
        "server",
      ),
    ).rejects.toThrow("plugin.registration.max_facts_size: 'big' is not a whole number");
  });
});
