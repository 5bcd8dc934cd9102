import { describe, expect, it } from "vitest";
import {
  CommandError,
  ConfigError,
  DdlValidationError,
  InvalidRpcDataError,
  PhobosError,
  PluginError,
  PluginLoadError,
  type RpcError,
  RpcStatus,
  UnknownRpcActionError,
  UnknownRpcError,
} from "./errors.js";

describe("errors name what was wrong and keep a stable code", () => {
  it("a ConfigError leads with file:line and the key", () => {
    const e = new ConfigError("expected an integer, got 'ten'", {
      file: "/etc/mcollective/server.cfg",
      line: 12,
      key: "registerinterval",
    });
    expect(e.message).toBe(
      "/etc/mcollective/server.cfg:12: registerinterval: expected an integer, got 'ten'",
    );
    expect(e.code).toBe("CONFIG");
    expect(e.name).toBe("ConfigError");
    expect(e).toBeInstanceOf(PhobosError);
  });

  it("a ConfigError without a place is the message alone", () => {
    expect(new ConfigError("no identity").message).toBe("no identity");
  });

  it("a PluginLoadError names the plugin, its package, path and stage", () => {
    const e = new PluginLoadError({
      packageName: "@acme/agent-x",
      path: "/usr/lib/phobos/agent-x",
      pluginType: "agent",
      pluginName: "x",
      stage: "import",
      reason: "SyntaxError: Unexpected token",
    });
    expect(e.message).toBe(
      "agent plugin 'x' (@acme/agent-x at /usr/lib/phobos/agent-x) failed at import: SyntaxError: Unexpected token",
    );
    expect(e.stage).toBe("import");
  });

  it("a PluginError says which hook of which plugin threw and keeps the cause", () => {
    const cause = new Error("ECONNREFUSED");
    const e = new PluginError({ pluginType: "connector", pluginName: "rabbitmq", hook: "connect" }, cause);
    expect(e.message).toBe("connector plugin 'rabbitmq' failed in connect: ECONNREFUSED");
    expect(e.cause).toBe(cause);
  });

  it.each<[RpcError, number]>([
    [new UnknownRpcActionError("no such action"), RpcStatus.UNKNOWN_ACTION],
    [new InvalidRpcDataError("bad"), RpcStatus.INVALID_DATA],
    [new DdlValidationError("not a string"), RpcStatus.INVALID_DATA],
    [new UnknownRpcError("boom"), RpcStatus.UNKNOWN_ERROR],
  ])("%s carries MCollective's wire status %i", (error, status) => {
    expect(error.statuscode).toBe(status);
    expect(error.code).toBe(`RPC_${status}`);
  });

  it("a CommandError's code tells a timeout from an abort from a failure to start", () => {
    expect(new CommandError("killed", { timedOut: true }).code).toBe("COMMAND_TIMEOUT");
    expect(new CommandError("killed", { aborted: true }).code).toBe("COMMAND_ABORTED");
    expect(new CommandError("ENOENT").code).toBe("COMMAND");
  });
});
