import { ConfigError } from "@phobos/errors";
import { describe, expect, it } from "vitest";
import { createLogger, memorySink } from "../log/logger.js";
import { buildPluginContext } from "./context.js";
import type { AgentServices } from "./types.js";

describe("buildPluginContext", () => {
  const pluginSettings = new Map([
    ["plugin.rabbitmq.pool.size", "2"],
    ["plugin.rabbitmq.pool.1.host", "broker1"],
    ["plugin.rabbitmqx.other", "not ours"],
    ["plugin.psk", "changeme"],
    ["plugin.psk.callertype", "uid"],
  ]);

  it("gives a plugin its own plugin.<name>.* settings, prefix removed", () => {
    const sink = memorySink();
    const ctx = buildPluginContext({
      type: "connector",
      name: "rabbitmq",
      pluginSettings,
      log: createLogger(sink),
      identity: "node1",
      mode: "client",
    });
    expect(ctx.settings.keys().sort()).toEqual(["pool.1.host", "pool.size"]);
    expect(ctx.settings.integer("pool.size")).toBe(2);
    expect(ctx.identity).toBe("node1");
    expect(ctx.mode).toBe("client");
    expect(ctx.signal.aborted).toBe(false);
    ctx.log.info("connected");
    expect(sink.lines).toEqual([{ level: "info", tag: "connector/rabbitmq", message: "connected" }]);
  });

  it("maps a bare plugin.<name> (plugin.psk = secret) to the key ''", () => {
    const ctx = buildPluginContext({
      type: "security",
      name: "psk",
      pluginSettings,
      log: createLogger(memorySink()),
      identity: "node1",
      mode: "server",
    });
    expect(ctx.settings.required("")).toBe("changeme");
    expect(ctx.settings.string("callertype")).toBe("uid");
  });

  it("points a bad value's ConfigError at the file and line of the full key", () => {
    const ctx = buildPluginContext({
      type: "connector",
      name: "rabbitmq",
      pluginSettings: new Map([["plugin.rabbitmq.pool.size", "two"]]),
      where: (key) =>
        key === "plugin.rabbitmq.pool.size" ? { file: "/etc/mcollective/client.cfg", line: 12 } : {},
      log: createLogger(memorySink()),
      identity: "node1",
      mode: "client",
    });
    expect(() => ctx.settings.integer("pool.size")).toThrow(ConfigError);
    expect(() => ctx.settings.integer("pool.size")).toThrow(
      "/etc/mcollective/client.cfg:12: plugin.rabbitmq.pool.size: 'two' is not a whole number",
    );
  });

  it("passes the shutdown signal and, for server-side types, the daemon's services", () => {
    const controller = new AbortController();
    const services = { identity: "node1" } as AgentServices;
    const ctx = buildPluginContext({
      type: "agent",
      name: "rpcutil",
      log: createLogger(memorySink()),
      signal: controller.signal,
      identity: "node1",
      mode: "server",
      services,
    });
    expect(ctx.services).toBe(services);
    controller.abort();
    expect(ctx.signal.aborted).toBe(true);
  });

  it("widens to the MCollective spellings a definition declares, own keys first", () => {
    const all = new Map([
      ["plugin.ssl_server_private", "/k/server-private.pem"],
      ["plugin.ssl_client_cert_dir", "/k/clients"],
      ["plugin.ssl.enforce_ttl", "0"],
      ["plugin.sslx", "not ours"],
      ["plugin.actionpolicy.allow_unconfigured", "y"],
    ]);
    const ctx = buildPluginContext({
      type: "security",
      name: "ssl",
      pluginSettings: all,
      where: (key) => (key === "plugin.ssl_client_cert_dir" ? { file: "/etc/server.cfg", line: 7 } : {}),
      log: createLogger(memorySink()),
      identity: "node1",
      mode: "server",
    });
    expect(ctx.settings.keys()).toEqual(["enforce_ttl"]);
    const wide = ctx.settings.widen(["ssl_"]);
    expect(wide.keys().sort()).toEqual(["enforce_ttl", "ssl_client_cert_dir", "ssl_server_private"]);
    expect(wide.string("ssl_server_private")).toBe("/k/server-private.pem");
    expect(wide.fullKey("ssl_client_cert_dir")).toBe("plugin.ssl_client_cert_dir");
    expect(wide.fullKey("enforce_ttl")).toBe("plugin.ssl.enforce_ttl");
    expect(wide.where("ssl_client_cert_dir")).toEqual({ file: "/etc/server.cfg", line: 7 });
  });

  it("refuses to build an agent context without services", () => {
    expect(() =>
      buildPluginContext({
        type: "data",
        name: "fstat",
        log: createLogger(memorySink()),
        identity: "node1",
        mode: "server",
      } as never),
    ).toThrow(/data plugins need the daemon's services/);
  });
});
