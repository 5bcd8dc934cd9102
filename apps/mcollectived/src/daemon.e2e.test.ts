/**
 * The daemon's own mechanics, on the real binary: the pidfile, signals
 * (TERM with and without soft_shutdown, HUP, INT, QUIT, ALRM beside Ruby's,
 * USR1, USR2, WINCH), --help, --daemonize, and the
 * start-up failures an operator meets (a bad config line, a connector name
 * with a typo), plus MCollective's case-insensitive plugin names.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type RubyFleet, type RubyFleetNode, startRubyFleet, writeServerConfig } from "@phobos/interop";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Daemon,
  eventually,
  logLines,
  logSize,
  runDaemon,
  startDaemon,
  waitForLog,
} from "./test-support/daemon.js";
import { openFleetClient } from "./test-support/fleet.js";
import { type RawClient, simpleRpc } from "./test-support/raw-client.js";

const FIXTURES = fileURLToPath(new URL("./__fixtures__/libdir", import.meta.url));

let fleet: RubyFleet;
let client: RawClient;
const daemons: Daemon[] = [];

beforeAll(async () => {
  fleet = await startRubyFleet({ vhostPrefix: "phobos-daemon", nodes: [] });
  client = await openFleetClient(fleet, "daemon-client");
});

afterAll(async () => {
  await client?.close();
  await Promise.all(daemons.map((d) => d.kill()));
  await fleet?.dispose();
});

interface Node {
  identity: string;
  dir: string;
  config: string;
  log: string;
  pidfile: string;
}

/** Writes a Phobos node's config into the fleet's directory (nothing started). */
async function writeNode(identity: string, options: Partial<RubyFleetNode> = {}): Promise<Node> {
  const dir = join(fleet.dir, "nodes", identity);
  const config = await writeServerConfig(dir, {
    ...fleet.serverConfigOptions({ identity, facts: { role: "test" }, ...options }),
    libdir: [join(dir, "libdir")],
  });
  await mkdir(join(dir, "libdir"), { recursive: true });
  return {
    identity,
    dir,
    config,
    log: join(dir, "mcollectived.log"),
    pidfile: join(dir, "mcollectived.pid"),
  };
}

function start(node: Node, args: string[] = []): Daemon {
  const daemon = startDaemon(["--config", node.config, "--pidfile", node.pidfile, "--no-daemonize", ...args]);
  daemons.push(daemon);
  return daemon;
}

/** Ready: it said so, and it answers a ping aimed at it. */
async function ready(node: Node, daemon?: Daemon): Promise<void> {
  await waitForLog(node.log, new RegExp(`Phobos mcollectived ready as ${node.identity}`), {
    timeoutMs: 15_000,
  }).catch((err: Error) => {
    throw new Error(`${err.message}\n--- output ---\n${daemon?.output() ?? ""}`);
  });
  await answers(node.identity);
}

function answers(identity: string): Promise<true> {
  const only = { fact: [], cf_class: [], agent: [], compound: [], identity: [identity] };
  return eventually(
    async () => ((await client.ping(300, only)).includes(identity) ? true : undefined),
    `${identity} answers a ping`,
  );
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("the pidfile", () => {
  it("refuses to start over a live daemon's pid, naming it", async () => {
    const node = await writeNode("pid-live");
    await writeFile(node.pidfile, `${process.pid}\n`);
    const { code, output } = await runDaemon([
      "--config",
      node.config,
      "--pidfile",
      node.pidfile,
      "--no-daemonize",
    ]);
    expect(code).toBe(1);
    expect(output).toContain(
      `another mcollectived is running with pid ${process.pid} (pidfile ${node.pidfile})`,
    );
    expect(await readFile(node.pidfile, "utf8")).toBe(`${process.pid}\n`);
  });

  it("replaces a stale pid, and is removed when the daemon exits", async () => {
    const node = await writeNode("pid-stale");
    const gone = spawnSync(process.execPath, ["-e", "0"]).pid;
    await writeFile(node.pidfile, `${gone}\n`);
    const daemon = start(node);
    await ready(node, daemon);
    expect((await readFile(node.pidfile, "utf8")).trim()).toBe(String(daemon.pid));
    daemon.child.kill("SIGTERM");
    expect(await daemon.exit).toEqual({ code: 0, signal: null });
    expect(existsSync(node.pidfile)).toBe(false);
  });
});

describe("SIGTERM", () => {
  async function sleeperNode(identity: string, extra: Record<string, string>) {
    const node = await writeNode(identity, { extra, loglevel: "debug" });
    await cp(join(FIXTURES, "phobos-agent-sleeper"), join(node.dir, "libdir", "phobos-agent-sleeper"), {
      recursive: true,
    });
    const daemon = start(node);
    await ready(node, daemon);
    return { node, daemon };
  }

  it("with soft_shutdown, waits for the running action: its reply arrives, then the daemon exits 0", async () => {
    const { node, daemon } = await sleeperNode("soft1", { soft_shutdown: "1" });
    const requestid = await client.send({
      agent: "sleeper",
      body: simpleRpc("sleeper", "sleep", { seconds: 1 }),
      nodes: [node.identity],
    });
    await waitForLog(node.log, new RegExp(`Handling message ${requestid}`));
    daemon.child.kill("SIGTERM");
    await waitForLog(node.log, /Waiting for 1 running requests to finish/);
    const [reply] = await client.waitReplies(requestid, 1);
    expect(reply?.senderid).toBe("soft1");
    expect(await daemon.exit).toEqual({ code: 0, signal: null });
    await waitForLog(node.log, /Exiting after signal: SIGTERM/);
  });

  it("without soft_shutdown, exits at once: the running action's reply is never sent", async () => {
    const { node, daemon } = await sleeperNode("hard1", {});
    const requestid = await client.send({
      agent: "sleeper",
      body: simpleRpc("sleeper", "sleep", { seconds: 2 }),
      nodes: [node.identity],
    });
    await waitForLog(node.log, new RegExp(`Handling message ${requestid}`));
    daemon.child.kill("SIGTERM");
    expect(await daemon.exit).toEqual({ code: 0, signal: null });
    expect(client.replies(requestid)).toEqual([]);
  });

  it("while the broker is still unreachable at start-up: a clean exit 0, not a start-up failure", async () => {
    const node = await writeNode("unreachable1", {
      extra: { "plugin.rabbitmq.pool.1.port": "1", "plugin.rabbitmq.initial_reconnect_delay": "0.05" },
    });
    const daemon = start(node);
    await waitForLog(node.log, /failed on attempt 2: /);
    daemon.child.kill("SIGTERM");
    expect(await daemon.exit).toEqual({ code: 0, signal: null });
    expect(await logLines(node.log, /Failed to start/)).toEqual([]);
    expect(existsSync(node.pidfile)).toBe(false);
  });
});

describe("HUP, INT, QUIT and ALRM: stop as TERM does, as Ruby's runner did", () => {
  it("HUP with soft_shutdown: logged, a second signal logged too, the running action answers, the pidfile is removed, exit 0", async () => {
    const node = await writeNode("hup1", { extra: { soft_shutdown: "1" }, loglevel: "debug" });
    await cp(join(FIXTURES, "phobos-agent-sleeper"), join(node.dir, "libdir", "phobos-agent-sleeper"), {
      recursive: true,
    });
    const daemon = start(node);
    await ready(node, daemon);
    expect(existsSync(node.pidfile)).toBe(true);
    const requestid = await client.send({
      agent: "sleeper",
      body: simpleRpc("sleeper", "sleep", { seconds: 2 }),
      nodes: [node.identity],
    });
    await waitForLog(node.log, new RegExp(`Handling message ${requestid}`));
    daemon.child.kill("SIGHUP");
    await waitForLog(node.log, /Waiting for 1 running requests to finish/);
    daemon.child.kill("SIGHUP");
    const [reply] = await client.waitReplies(requestid, 1);
    expect(reply?.senderid).toBe(node.identity);
    expect(await daemon.exit).toEqual({ code: 0, signal: null });
    expect(await logLines(node.log, /Exiting after signal: SIGHUP$/)).toHaveLength(2);
    expect(existsSync(node.pidfile)).toBe(false);
  });

  it.each(["SIGINT", "SIGQUIT", "SIGALRM"] as const)(
    "%s: one 'Exiting after signal' line, the pidfile removed, exit 0",
    async (signal) => {
      const node = await writeNode(`stop-${signal.toLowerCase()}`);
      const daemon = start(node);
      await ready(node, daemon);
      daemon.child.kill(signal);
      expect(await daemon.exit).toEqual({ code: 0, signal: null });
      expect(await logLines(node.log, /Exiting after signal/)).toEqual([
        expect.stringMatching(new RegExp(` INFO -- : Exiting after signal: ${signal}$`)),
      ]);
      expect(existsSync(node.pidfile)).toBe(false);
    },
  );

  it("Ruby's mcollectived logs the same line for HUP, QUIT and ALRM and exits 0", async () => {
    const signals = ["SIGHUP", "SIGQUIT", "SIGALRM"] as const;
    const ruby = await fleet.addNodes(signals.map((s) => ({ identity: `ruby-${s.toLowerCase()}` })));
    const exits = await Promise.all(
      ruby.map(async (d, i) => {
        process.kill(d.pid, signals[i]);
        return { exit: await d.exit, line: await waitForLog(d.logFile, /Exiting after signal/) };
      }),
    );
    expect(
      exits.map(({ exit, line }) => ({ exit, said: /Exiting after signal: .*$/.exec(line)?.[0] })),
    ).toEqual(signals.map((s) => ({ exit: { code: 0, signal: null }, said: `Exiting after signal: ${s}` })));
  });
});

describe("SIGWINCH", () => {
  it("reopens the log file: after a rotation the lines go to a new file at the configured path", async () => {
    const node = await writeNode("winch1");
    const daemon = start(node);
    await ready(node, daemon);
    await rename(node.log, `${node.log}.1`);
    daemon.child.kill("SIGWINCH");
    await waitForLog(node.log, /Reopened logfiles due to WINCH signal$/);
    expect(await logLines(node.log, /WINCH/)).toEqual([
      expect.stringMatching(/ INFO -- : Reopening logfiles due to WINCH signal$/),
      expect.stringMatching(/ INFO -- : Reopened logfiles due to WINCH signal$/),
    ]);
    await answers(node.identity);
    daemon.child.kill("SIGTERM");
    expect(await daemon.exit).toEqual({ code: 0, signal: null });
  });
});

describe("--help", () => {
  it("lists the signals the daemon answers", async () => {
    const { code, output } = await runDaemon(["--help"]);
    expect(code).toBe(0);
    expect(output).toMatch(/^Usage: mcollectived /);
    for (const signal of ["TERM, INT, HUP, QUIT, ALRM", "USR1", "USR2", "WINCH"]) {
      expect(output).toMatch(new RegExp(`^  ${signal} +\\w`, "m"));
    }
  });
});

describe("SIGUSR1", () => {
  it("loads an agent added to a libdir (subscribed, answering) and drops one removed (unsubscribed)", async () => {
    const node = await writeNode("reload1");
    const daemon = start(node);
    await ready(node, daemon);
    const sleeperBindings = async () =>
      (await fleet.bindings()).filter(
        (b) => b.source === "mcollective_broadcast" && b.routing_key === "sleeper",
      );
    expect(await sleeperBindings()).toEqual([]);

    const plugin = join(node.dir, "libdir", "phobos-agent-sleeper");
    await cp(join(FIXTURES, "phobos-agent-sleeper"), plugin, { recursive: true });
    let from = await logSize(node.log);
    daemon.child.kill("SIGUSR1");
    // Add-on agent packages the daemon depends on (filemgr, puppet…) are listed too.
    await waitForLog(node.log, /Reloaded agents: discovery, (?:.+, )?rpcutil, (?:.+, )?sleeper(?:, .+)?$/, {
      from,
    });
    await eventually(
      async () => ((await sleeperBindings()).length === 1 ? true : undefined),
      "a sleeper binding",
    );
    const reply = await client.rpc(node.identity, "sleeper", "sleep", { seconds: 0 });
    expect({ statuscode: reply.statuscode, slept: reply.data.slept }).toEqual({ statuscode: 0, slept: 0 });

    await rm(plugin, { recursive: true });
    from = await logSize(node.log);
    daemon.child.kill("SIGUSR1");
    await waitForLog(node.log, /Reloaded agents: discovery, (?!.*\bsleeper\b)(?:.+, )?rpcutil(?:, .+)?$/, {
      from,
    });
    await eventually(
      async () => ((await sleeperBindings()).length === 0 ? true : undefined),
      "no sleeper binding",
    );
    await answers(node.identity);
  });
});

describe("SIGUSR2", () => {
  it("cycles the log level through warn, error, fatal, debug and back to info", async () => {
    const node = await writeNode("cycle1", { loglevel: "info" });
    const daemon = start(node);
    await ready(node, daemon);
    const levels: string[] = [];
    for (let i = 0; i < 5; i++) {
      const from = await logSize(node.log);
      daemon.child.kill("SIGUSR2");
      const line = await waitForLog(node.log, /Logging level is now \w+$/, { from });
      levels.push(/now (\w+)$/.exec(line)?.[1] ?? "");
      if (levels.at(-1) === "DEBUG") {
        // At debug the daemon says what it handles; at info it did not.
        const requestid = await client.send({ agent: "discovery", body: "ping", nodes: [node.identity] });
        await waitForLog(node.log, new RegExp(`DEBUG -- : Handling message ${requestid}`), { from });
      }
    }
    expect(levels).toEqual(["WARN", "ERROR", "FATAL", "DEBUG", "INFO"]);
    const from = await logSize(node.log);
    const requestid = await client.send({ agent: "discovery", body: "ping", nodes: [node.identity] });
    await client.waitReplies(requestid, 1);
    expect(await logLines(node.log, new RegExp(requestid), from)).toEqual([]);
  });
});

describe("--daemonize", () => {
  it("detaches (the command returns at once) and the daemon writes its pidfile and serves", async () => {
    const node = await writeNode("daemonized1");
    const { code } = await runDaemon(["--config", node.config, "--pidfile", node.pidfile, "--daemonize"], {
      timeoutMs: 5_000,
    });
    expect(code).toBe(0);
    const pid = await eventually(async () => {
      const text = await readFile(node.pidfile, "utf8").catch(() => "");
      return /^\d+\n$/.test(text) ? Number(text) : undefined;
    }, "the pidfile");
    try {
      expect(alive(pid)).toBe(true);
      await ready(node);
    } finally {
      process.kill(pid, "SIGTERM");
    }
    await eventually(
      () => (alive(pid) || existsSync(node.pidfile) ? undefined : true),
      "the daemon gone with its pidfile",
    );
  });
});

describe("start-up", () => {
  it("a bad config line exits 1 naming file:line and the key", async () => {
    const node = await writeNode("badconfig1");
    const text = await readFile(node.config, "utf8");
    const lines = text.split("\n");
    lines.splice(3, 0, "loglevel = loud");
    await writeFile(node.config, lines.join("\n"));
    const { code, output } = await runDaemon(["--config", node.config, "--no-daemonize"]);
    expect(code).toBe(1);
    expect(output).toBe(
      `mcollectived: ${node.config}:4: loglevel: 'loud' must be one of debug, info, warn, error, fatal\n`,
    );
  });

  it("`connector = rabbitMQ` works: plugin names are not case-sensitive", async () => {
    const node = await writeNode("case1", { extra: { connector: "rabbitMQ", securityprovider: "PSK" } });
    const daemon = start(node);
    await ready(node, daemon);
    daemon.child.kill("SIGTERM");
    expect((await daemon.exit).code).toBe(0);
  });

  it("a connector that is not installed fails start-up with exit 1 and a did-you-mean", async () => {
    const node = await writeNode("typo1", { extra: { connector: "rabbitmqq" } });
    const { code, output } = await runDaemon(["--config", node.config, "--no-daemonize"]);
    expect(code).toBe(1);
    expect(output).toMatch(
      new RegExp(
        `^mcollectived: ${node.config}:\\d+: connector: connector plugin 'rabbitmqq' is not installed; did you mean 'rabbitmq'\\?; available connector plugins: activemq, rabbitmq`,
      ),
    );
  });
});
