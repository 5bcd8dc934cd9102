/**
 * mco starts the broker handshake as soon as it knows the config and that
 * the command talks to the broker, so the handshake runs while the
 * application, its DDL and the security plugin load; commands that never
 * talk to the broker open no connection at all. Observed from inside the
 * mco under test (PHOBOS_UNDER_TEST: workspace bin or shipped executable)
 * through one trace of the modules it loads and the connections it opens,
 * in order, and from a listening socket that counts who connects: never by
 * timing.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { phobosCommand } from "@phobos/interop";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTracedMco } from "./__fixtures__/traced-mco.js";

const hook = fileURLToPath(new URL("./__fixtures__/trace-network.mjs", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "mco-early-connection-"));

function clientConfig(name: string, port: number, extra: string[] = []): string {
  const file = join(dir, `${name}.cfg`);
  writeFileSync(
    file,
    [
      "main_collective = mcollective",
      "collectives = mcollective",
      "identity = early-test",
      "connector = rabbitmq",
      "plugin.rabbitmq.vhost = /",
      "plugin.rabbitmq.pool.size = 1",
      "plugin.rabbitmq.pool.1.host = 127.0.0.1",
      `plugin.rabbitmq.pool.1.port = ${port}`,
      "plugin.rabbitmq.pool.1.user = early",
      "plugin.rabbitmq.pool.1.password = secret",
      "securityprovider = psk",
      "plugin.psk = early",
      "logger_type = console",
      "loglevel = warn",
      ...extra,
      "",
    ].join("\n"),
  );
  return file;
}

const traced = (args: string[]) => runTracedMco(args, hook);

/** The first line of the trace matching `pattern`, by position; fails the test when there is none. */
function position(trace: readonly string[], pattern: RegExp): number {
  const at = trace.findIndex((line) => pattern.test(line));
  expect(at, `${pattern} in the trace:\n${trace.join("\n")}`).toBeGreaterThanOrEqual(0);
  return at;
}

let broker: ChildProcess;
let brokerPort: number;

beforeAll(async () => {
  const command = phobosCommand("phobos-broker", ["--port", "0", "--user", "early:secret"]);
  broker = spawn(command.command, command.args, { stdio: ["ignore", "pipe", "inherit"] });
  brokerPort = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: broker.stdout as NodeJS.ReadableStream });
    lines.on("line", (line) => {
      const m = /listening on stomp:\/\/[^:]+:(\d+)/.exec(line);
      if (m) resolve(Number(m[1]));
    });
    broker.once("exit", (code) => reject(new Error(`phobos-broker exited with ${code} before listening`)));
  });
});

afterAll(() => {
  broker?.kill("SIGTERM");
});

describe("the broker connection of a command that talks to the broker", () => {
  it("is opened before the application, its DDL and the security plugin load, and used for the request", () => {
    const cfg = clientConfig("broker", brokerPort);
    const r = traced(["rpc", "rpcutil", "ping", "-I", "node1", "--no-results", "-c", cfg]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Request sent with id: [0-9a-f]{32}\n$/);
    // One connection, to the broker, and it answered (CONNECTED).
    expect(r.trace.filter((line) => line.startsWith("net "))).toEqual([
      "net connect",
      `net established 127.0.0.1:${brokerPort}`,
      `net data 127.0.0.1:${brokerPort}`,
    ]);
    const connect = position(r.trace, /^net connect$/);
    expect(connect).toBeGreaterThan(position(r.trace, /connector-rabbitmq\/dist\/connector\.js$/));
    expect(connect).toBeLessThan(position(r.trace, /application-builtin\/dist\/rpc\.js$/));
    expect(connect).toBeLessThan(position(r.trace, /agent-rpcutil\/dist\/ddl\.js$/));
    expect(connect).toBeLessThan(position(r.trace, /security-psk\/dist\/security\.js$/));
  });

  it("is given up with the one error line and exit code it always had when the broker is down", async () => {
    // A port that was listening a moment ago and is closed now: connection refused.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const cfg = clientConfig("down", port);
    const r = traced(["rpc", "rpcutil", "ping", "-I", "node1", "--connection-timeout", "1", "-c", cfg]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      new RegExp(
        `^mco rpc: Could not connect to RabbitMQ \\(no connection within 1\\.0s\\): stomp://early@127\\.0\\.0\\.1:${port}: [^\\n]*ECONNREFUSED[^\\n]*\\n$`,
      ),
    );
    expect(position(r.trace, /^net connect$/)).toBeLessThan(
      position(r.trace, /application-builtin\/dist\/rpc\.js$/),
    );
  });

  it("attempts that run out before the application asks for the broker are reported once, when it asks", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const cfg = clientConfig("gives-up", port, [
      "plugin.rabbitmq.max_reconnect_attempts = 2",
      "plugin.rabbitmq.initial_reconnect_delay = 0.01",
    ]);
    const r = traced(["rpc", "rpcutil", "ping", "-I", "node1", "-c", cfg]);
    expect(r.status).toBe(1);
    const why = `Could not connect to RabbitMQ \\(gave up after 2 attempts\\): stomp://early@127\\.0\\.0\\.1:${port}: [^\\n]*ECONNREFUSED[^\\n]*`;
    expect(r.stderr).toMatch(
      new RegExp(`^error [\\d/]+ [\\d:]+: connector/rabbitmq[^\\n]* ${why}\\nmco rpc: ${why}\\n$`),
    );
  });

  it("a usage mistake found after the connection was opened prints only the mistake", () => {
    const cfg = clientConfig("mistake", brokerPort, ["loglevel = debug"]);
    const r = traced(["rpc", "rpcutil", "ping", "--bogus", "-c", cfg]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    // Not a line of the connector's log (held until a client adopts the connection), only the mistake.
    expect(r.stderr.split("\n").filter((line) => /^\w+ [\d/]+ [\d:]+: connector\//.test(line))).toEqual([]);
    expect(r.stderr).toMatch(/mco rpc: invalid option: --bogus\n$/);
  });
});

describe("commands that never talk to the broker", () => {
  let listener: Server;
  let accepted = 0;
  let cfg: string;

  beforeAll(async () => {
    listener = createServer((socket) => {
      accepted++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
    cfg = clientConfig("listener", (listener.address() as AddressInfo).port);
  });

  afterAll(() => {
    listener?.close();
  });

  const LOCAL: [string, string[]][] = [
    ["mco help", ["help"]],
    ["mco help rpc", ["help", "rpc"]],
    ["mco plugin doc", ["plugin", "doc"]],
    ["mco completion", ["completion", "--list-applications"]],
    ["mco describe_filter", ["describe_filter", "-F", "os=debian"]],
    ["mco rpc --help", ["rpc", "--help"]],
    ["mco ping -h", ["ping", "-h"]],
    ["mco rpc --he (abbreviated)", ["rpc", "--he"]],
    ["an unknown command", ["nosuchcommand"]],
  ];

  it.each(LOCAL)("%s opens no connection", (_, args) => {
    const r = traced([...args, "-c", cfg]);
    expect(
      r.trace.filter((line) => line.startsWith("net ")),
      r.stderr,
    ).toEqual([]);
    expect(accepted).toBe(0);
  });
});
