/**
 * Registration wired into the daemon: the configured plugin is loaded at
 * start, its first message goes out once the daemon is subscribed, stop
 * ends it, and a `registration` nobody installed stops start-up with a
 * message naming the key and what is installed.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  configFromText,
  createLogger,
  createPlugin,
  memorySink,
  type OutboundRequest,
  type PluginEntry,
  PluginRegistry,
  type PluginType,
} from "@phobos/core";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { bus } from "./__fixtures__/loopback-bus.js";
import md5Security from "./__fixtures__/md5-security.js";
import { script } from "./__fixtures__/scripted-registration.js";
import { Server } from "./server.js";

const fixture = (file: string) => fileURLToPath(new URL(`./__fixtures__/${file}`, import.meta.url));

function entry(type: PluginType, name: string, file: string, ddl?: string): PluginEntry {
  return {
    type,
    name,
    source: "libdir",
    packageName: `server-test-${name}`,
    version: "1.0.0",
    packageDir: fixture("."),
    entryPath: fixture(file),
    ...(ddl ? { ddlPath: fixture(ddl) } : {}),
    description: undefined,
    shadowed: [],
    error: undefined,
  };
}

const registry = () =>
  new PluginRegistry(
    [
      entry("connector", "loopback", "loopback-connector.ts"),
      entry("security", "md5", "md5-security.ts"),
      entry("agent", "demo", "demo-agent.ts", "demo-ddl.ts"),
      entry("registration", "scripted", "scripted-registration.ts"),
    ],
    [],
  );

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "phobos-server-registration-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  bus.reset();
  script.next = undefined;
  script.calls = 0;
});

const configText = (...extra: string[]) =>
  [
    "identity = node1",
    "connector = loopback",
    "securityprovider = md5",
    "collectives = mcollective,infra",
    `plugin.replay.file = ${join(dir, "replay")}`,
    ...extra,
  ].join("\n");

const registrations = () =>
  bus.published.filter((m): m is OutboundRequest => m.kind === "request" && m.agent === "registration");

describe("mcollectived registration", () => {
  it("sends the plugin's body to the registration agent once subscribed, and stops with the daemon", async () => {
    const sink = memorySink("debug");
    const config = configText(
      "registration = scripted",
      "registerinterval = 300",
      "registration_collective = infra",
    );
    const server = new Server({
      config: configFromText(config),
      registry: registry(),
      log: createLogger(sink),
    });
    await server.start();
    await vi.waitFor(() => expect(registrations()).toHaveLength(1));
    const [message] = registrations();
    // Subscribed before the first registration: the daemon can hear its own.
    expect(bus.subscriptions.length).toBeGreaterThan(0);
    expect(message).toMatchObject({ collective: "infra", ttl: 60 });
    const security = await createPlugin(md5Security, {} as never);
    const request = security.decodeRequest(message!.body);
    expect(request).toMatchObject({
      senderid: "node1",
      agent: "registration",
      collective: "infra",
    });
    expect(request.body).toEqual(server.agents);
    await server.stop();
    expect(script.calls).toBe(1);
  });

  it("keeps answering requests when the body fails", async () => {
    script.next = () => {
      throw new Error("no facts today");
    };
    const sink = memorySink("debug");
    const config = configText("registration = scripted", "registerinterval = 60");
    const server = new Server({
      config: configFromText(config),
      registry: registry(),
      log: createLogger(sink),
    });
    await server.start();
    await vi.waitFor(() =>
      expect(sink.lines.map((l) => l.message)).toContainEqual(
        expect.stringMatching(/body\(\): .*no facts today/),
      ),
    );
    expect(registrations()).toHaveLength(0);
    expect(bus.connected).toBe(true);
    await server.stop();
  });

  it("refuses to start with a registration plugin nobody installed, naming the key and the installed ones", async () => {
    const config = configFromText(
      configText("registration = metta", "registerinterval = 60"),
      "/etc/server.cfg",
    );
    const server = new Server({
      config,
      registry: registry(),
      log: createLogger(memorySink()),
    });
    const started = server.start();
    await expect(started).rejects.toThrow(/server\.cfg:6: registration: /);
    await expect(started).rejects.toThrow(/registration plugin 'metta' is not installed/);
    await expect(started).rejects.toThrow(/available registration plugins: scripted/);
    expect(bus.connected).toBe(false);
    await server.stop();
  });

  it("with registerinterval 0, sends nothing and does not need the plugin", async () => {
    const config = configFromText(configText("registration = metta"));
    const server = new Server({
      config,
      registry: registry(),
      log: createLogger(memorySink()),
    });
    await server.start();
    await server.stop();
    expect(registrations()).toHaveLength(0);
    expect(script.calls).toBe(0);
  });
});
