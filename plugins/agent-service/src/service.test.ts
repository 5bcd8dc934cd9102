/**
 * The service agent on this machine's real sysvinit tools: core's agent and
 * data conformance suites, its DDL against the Ruby DDL fixture, a service
 * of the test's own (an init script and its daemon) through status, start,
 * a refused second start, restart (a new daemon), stop and a refused second
 * stop; a service whose start fails, reported with its own stderr; and
 * inputs that try to smuggle a command or an option in. Requests go through
 * core's runAgentRequest, so the daemon's validation and error mapping apply.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PluginSettings, readDdlFile } from "@phobos/core";
import {
  type AgentCaller,
  comparableDdl,
  describeAgentPlugin,
  describeDataPlugin,
  openAgentCaller,
  openPlugin,
} from "@phobos/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installTestService, type TestService } from "./__fixtures__/init-script.js";
import serviceAgent from "./agent.js";
import { parseServiceArguments } from "./application.js";
import serviceData from "./data/service.js";
import dataDdl from "./data/service-ddl.js";
import ddl from "./ddl.js";
import { detectInitSystem, selectServiceProvider } from "./providers/index.js";

describeAgentPlugin({
  definition: serviceAgent,
  ddl,
  samples: {
    status: { data: { service: "phobos-test-never-installed" }, statuscode: 5 },
    start: { data: { service: "phobos-test-never-installed" }, statuscode: 5 },
    stop: { data: { service: "phobos-test-never-installed" }, statuscode: 5 },
    restart: { data: { service: "phobos-test-never-installed" }, statuscode: 5 },
  },
});
describeDataPlugin({ definition: serviceData, ddl: dataDdl, query: "phobos-test-never-installed" });

describe("the DDL", () => {
  it("declares what the Ruby DDL fixture (mcollective-service-agent 3.2.0's interface) declares", async () => {
    const ruby = await readDdlFile(
      fileURLToPath(new URL("./__fixtures__/service.ddl", import.meta.url)),
      "agent",
    );
    expect(comparableDdl(ddl)).toEqual(comparableDdl(ruby));
  });
});

describe("a sysvinit service of the test's own", () => {
  let service: TestService;
  let agent: AgentCaller;

  beforeAll(async () => {
    service = await installTestService();
    agent = await openAgentCaller({ definition: serviceAgent, ddl });
  });
  afterAll(async () => {
    agent?.close();
    await service?.dispose();
  });

  it("is stopped before anything happens", async () => {
    expect(await agent.call("status", { service: service.name })).toEqual({
      statuscode: 0,
      statusmsg: "OK",
      data: { status: "stopped" },
    });
  });

  it("start runs its daemon; a second start is refused as MCollective refused it", async () => {
    expect(await agent.call("start", { service: service.name })).toMatchObject({
      statuscode: 0,
      data: { status: "running" },
    });
    expect(await service.pid()).toBeTypeOf("number");
    expect(await agent.call("start", { service: service.name })).toEqual({
      statuscode: 1,
      statusmsg: `Could not start '${service.name}': Service is already running`,
      data: { status: "running" },
    });
  });

  it("restart replaces the daemon with a new one", async () => {
    const before = await service.pid();
    expect(await agent.call("restart", { service: service.name })).toMatchObject({
      statuscode: 0,
      data: { status: "running" },
    });
    const after = await service.pid();
    expect(after).toBeTypeOf("number");
    expect(after).not.toBe(before);
    expect(await agent.call("status", { service: service.name })).toMatchObject({
      data: { status: "running" },
    });
  });

  it("stop ends the daemon; a second stop is refused", async () => {
    const daemon = await service.pid();
    expect(await agent.call("stop", { service: service.name })).toMatchObject({
      statuscode: 0,
      data: { status: "stopped" },
    });
    expect(await service.pid()).toBeUndefined();
    expect(() => process.kill(daemon as number, 0)).toThrow();
    expect(await agent.call("stop", { service: service.name })).toEqual({
      statuscode: 1,
      statusmsg: `Could not stop '${service.name}': Service is already stopped`,
      data: { status: "stopped" },
    });
  });

  it("the service data plugin reports its state", async () => {
    const data = await openPlugin({ definition: serviceData }, "server");
    try {
      expect(await data.instance.query(service.name)).toEqual({ status: "stopped" });
      await agent.call("start", { service: service.name });
      expect(await data.instance.query(service.name)).toEqual({ status: "running" });
      await agent.call("stop", { service: service.name });
      expect(await data.instance.query("phobos-test-never-installed")).toEqual({});
    } finally {
      data.close();
    }
  });
});

describe("a service whose start fails", () => {
  let service: TestService;
  let agent: AgentCaller;
  beforeAll(async () => {
    service = await installTestService({ failStart: true });
    agent = await openAgentCaller({ definition: serviceAgent, ddl });
  });
  afterAll(async () => {
    agent?.close();
    await service?.dispose();
  });

  it("ends the action with the init script's own error, and its state", async () => {
    expect(await agent.call("start", { service: service.name })).toEqual({
      statuscode: 5,
      statusmsg: `Could not start '${service.name}': start of ${service.name} failed: ${service.name}: cannot start, /etc/${service.name}.conf is missing`,
      data: { status: "stopped" },
    });
  });

  it("an unknown service is an error naming it, not 'stopped'", async () => {
    expect(await agent.call("status", { service: "phobos-test-never-installed" })).toMatchObject({
      statuscode: 5,
      statusmsg:
        "Could not find service 'phobos-test-never-installed': no /etc/init.d/phobos-test-never-installed",
    });
  });
});

describe("inputs that try to run something else", () => {
  let agent: AgentCaller;
  const marker = `/tmp/phobos-service-injection-${process.pid}`;
  beforeAll(async () => {
    agent = await openAgentCaller({ definition: serviceAgent, ddl });
  });
  afterAll(async () => {
    agent?.close();
    await rm(marker, { force: true });
  });

  it.each([
    `ssh;touch ${marker}`,
    `$(touch ${marker})`,
    `\`touch ${marker}\``,
    `ssh && touch ${marker}`,
    "../../bin/sh",
  ])("service=%s is refused by the DDL and runs nothing", async (service) => {
    for (const action of ["status", "start", "restart", "stop"]) {
      expect(await agent.call(action, { service })).toEqual({
        statuscode: 4,
        statusmsg: "Cannot validate input service: value should match \\A[a-zA-Z\\.\\-_\\d:@]+\\z",
        data: { status: "unknown" },
      });
    }
    expect(existsSync(marker)).toBe(false);
  });

  it("names the service command would take as options are refused before it runs", async () => {
    for (const service of ["--status-all", "-h", ".hidden"]) {
      const answer = await agent.call("status", { service });
      expect(answer.statuscode, service).toBe(4);
      expect(answer.statusmsg).toContain("is not a valid service name");
    }
  });
});

describe("providers", () => {
  const settings = (values: Record<string, string>) =>
    new PluginSettings("service", new Map(Object.entries(values)));

  it("systemd when the host booted with it, else the service command", async () => {
    const dir = await mkdtemp(join(tmpdir(), "phobos-service-run-"));
    try {
      expect(detectInitSystem(dir)).toBe("systemd");
      expect(detectInitSystem(join(dir, "absent"))).toBe("service");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(selectServiceProvider(settings({}), 1000).name).toBe(detectInitSystem());
    expect(selectServiceProvider(settings({ provider: "puppet" }), 1000).name).toBe(detectInitSystem());
    expect(selectServiceProvider(settings({ provider: "systemd" }), 1000).name).toBe("systemd");
    expect(selectServiceProvider(settings({ provider: "sysv" }), 1000).name).toBe("service");
  });

  it("an unknown provider is an error naming the setting", () => {
    expect(() => selectServiceProvider(settings({ provider: "launchd" }), 1000)).toThrow(
      "plugin.service.provider = launchd is not a service provider Phobos has: use systemd, service, or leave it unset to use the host's",
    );
  });
});

describe("mco service's arguments", () => {
  it("take the action first or second", () => {
    expect(parseServiceArguments(["ssh", "restart"])).toEqual({ action: "restart", service: "ssh" });
    expect(parseServiceArguments(["status", "ssh"])).toEqual({ action: "status", service: "ssh" });
    expect(() => parseServiceArguments(["ssh"])).toThrow("Please specify service name and action");
    expect(() => parseServiceArguments(["ssh", "reload"])).toThrow(
      "Action has to be one of start, stop, restart or status",
    );
  });
});
