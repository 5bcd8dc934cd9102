import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type McollectiveVhost, prepareMcollectiveVhost } from "@phobos/connector-rabbitmq/setup";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrokerSettings, writeServerConfig } from "./config-file.js";
import { checkReferenceEnvironment } from "./reference-environment.js";
import { mcollectivedCommand, RubyDaemonError, startRubyDaemon } from "./ruby-daemon.js";
import { ownerDescription } from "./stale-vhosts.js";
import { mcollectiveNodeBindings, waitForBindings } from "./subscriptions.js";

let site: McollectiveVhost;
let broker: BrokerSettings;
const security = { provider: "psk", psk: "daemon-test" } as const;
const collectives = ["mcollective", "eu_collective"];

beforeAll(async () => {
  const env = await checkReferenceEnvironment();
  const name = `phobos-interop-daemon-${randomBytes(5).toString("hex")}`;
  const password = randomBytes(8).toString("hex");
  site = await prepareMcollectiveVhost({
    vhost: `/${name}`,
    user: name,
    password,
    collectives,
    admin: env.admin,
    description: await ownerDescription(name),
  });
  broker = {
    connector: "rabbitmq",
    vhost: site.vhost,
    pool: [{ host: env.stompHost, port: env.stompPort, user: name, password }],
  };
});

afterAll(async () => {
  await site?.dispose();
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("startRubyDaemon", () => {
  it("is ready once subscribed in every collective; stop() leaves no process or directory", async () => {
    const daemon = await startRubyDaemon({
      identity: "solo",
      collectives,
      broker,
      security,
      admin: site.admin,
      facts: { role: "solo" },
    });
    try {
      expect(daemon.expectedBindings).toEqual(
        mcollectiveNodeBindings({ identity: "solo", collectives, agents: ["discovery", "rpcutil"] }),
      );
      const bindings = await site.admin.listBindings(site.vhost);
      expect(
        bindings
          .filter((b) => b.source !== "")
          .map((b) => `${b.source}/${b.routing_key}`)
          .sort(),
      ).toEqual([
        "eu_collective_broadcast/discovery",
        "eu_collective_broadcast/rpcutil",
        "eu_collective_directed/solo",
        "mcollective_broadcast/discovery",
        "mcollective_broadcast/rpcutil",
        "mcollective_directed/solo",
      ]);
      expect(alive(daemon.pid)).toBe(true);

      // A second daemon is only ready with its own broadcast queues, not the first one's.
      const second = await startRubyDaemon({
        identity: "second",
        collectives,
        broker,
        security,
        admin: site.admin,
      });
      const rpcutil = (await site.admin.listBindings(site.vhost)).filter(
        (b) => b.source === "mcollective_broadcast" && b.routing_key === "rpcutil",
      );
      expect(rpcutil).toHaveLength(2);
      await second.stop();
    } finally {
      await daemon.stop();
    }
    expect(daemon.exited).toBe(true);
    expect(await daemon.exit).toEqual({ code: 0, signal: null });
    expect(alive(daemon.pid)).toBe(false);
    await expect(stat(daemon.dir)).rejects.toThrow(/ENOENT/);
  });

  it("reports the log tail when the daemon exits before subscribing", async () => {
    const failure = startRubyDaemon({
      identity: "broken",
      broker,
      security,
      admin: site.admin,
      extra: ["connector = nosuchconnector"],
    });
    await expect(failure).rejects.toThrow(RubyDaemonError);
    await expect(failure).rejects.toThrow(/mcollectived broken exited \(code 1\) before subscribing/);
    await expect(failure).rejects.toThrow(/Nosuchconnector/);
  });

  it("times out naming the missing subscriptions, and stops the daemon", async () => {
    const dir = await mkdtemp(join(tmpdir(), "phobos-daemon-test-"));
    try {
      const failure = startRubyDaemon({
        identity: "waiting",
        broker,
        security,
        admin: site.admin,
        dir,
        agents: ["rpcutil", "nosuchagent"],
        startTimeoutMs: 1_500,
      });
      await expect(failure).rejects.toThrow(/did not subscribe: .*mcollective_broadcast\/nosuchagent/);
      const { pids } = (await failure.catch((e: unknown) => e)) as RubyDaemonError;
      expect(pids).toHaveLength(1);
      expect(alive(pids[0] as number)).toBe(false);
      // Directories the caller passed are the caller's to remove.
      expect((await stat(dir)).isDirectory()).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("mcollectivedCommand", () => {
  it("stops the daemon when the harness's end of stdin closes", async () => {
    const dir = await mkdtemp(join(tmpdir(), "phobos-daemon-watchdog-"));
    try {
      const configFile = await writeServerConfig(dir, { identity: "orphan", broker, security });
      const { command, args } = mcollectivedCommand(configFile);
      const child = spawn(command, args, { stdio: ["pipe", "ignore", "ignore"] });
      const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      await waitForBindings(site.admin, site.vhost, [
        { exchange: "mcollective_directed", routingKey: "orphan" },
      ]);

      // What the pipe sees when the harness process dies.
      child.stdin.end();
      expect(await exit).toBe(0);
      expect(await readFile(join(dir, "mcollectived.log"), "utf8")).toContain(
        "Exiting after signal: SIGTERM",
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
