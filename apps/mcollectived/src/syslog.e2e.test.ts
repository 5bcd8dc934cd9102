/**
 * `logger_type = syslog`: a real mcollectived logs its start, its requests'
 * refusals and its stop to a datagram syslog socket (what rsyslog and
 * journald listen on at /dev/log) at `logfacility`, as `mcollectived[pid]:`.
 * The socket is opened by Ruby here, since Node cannot bind one.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeServerConfig } from "@phobos/interop";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Daemon, eventually, startDaemon } from "./test-support/daemon.js";
import { freePort } from "./test-support/free-port.js";

const RECEIVER = `
require "socket"
s = Socket.new(:UNIX, :DGRAM)
s.bind(Socket.sockaddr_un(ARGV[0]))
STDOUT.sync = true
puts "ready"
loop { puts s.recv(65536).inspect }
`;

let dir: string;
let receiver: ChildProcess | undefined;
let daemon: Daemon | undefined;
const records: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "metrics-syslog-e2e-"));
  const socket = join(dir, "log.sock");
  receiver = spawn("ruby", ["-e", RECEIVER, socket], { stdio: ["ignore", "pipe", "inherit"] });
  let pending = "";
  receiver.stdout?.setEncoding("utf8");
  receiver.stdout?.on("data", (chunk: string) => {
    pending += chunk;
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    // Each datagram printed with String#inspect: JSON reads that for the ASCII a syslog record is.
    for (const line of lines) records.push(line === "ready" ? line : (JSON.parse(line) as string));
  });
  await eventually(() => (records.includes("ready") ? true : undefined), "the Ruby syslog receiver");

  const brokerPort = await freePort();
  const user = { user: "mcollective", password: randomBytes(8).toString("hex") };
  const config = await writeServerConfig(join(dir, "node"), {
    identity: "syslog1",
    broker: {
      connector: "rabbitmq",
      vhost: "/mcollective",
      pool: [{ host: "127.0.0.1", port: brokerPort, ...user }],
    },
    security: { provider: "psk", psk: randomBytes(8).toString("hex") },
    loglevel: "info",
    extra: {
      logger_type: "syslog",
      logfacility: "local3",
      "plugin.syslog.socket": socket,
      "plugin.broker.enable": "1",
      "plugin.broker.port": String(brokerPort),
      "plugin.broker.users": `${user.user}:${user.password}`,
    },
  });
  daemon = startDaemon(["--config", config, "--no-daemonize"]);
}, 30_000);

afterAll(async () => {
  await daemon?.kill();
  receiver?.kill();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const LOCAL3_INFO = 19 * 8 + 6;

describe("mcollectived with logger_type = syslog", () => {
  it("logs start-up at logfacility, info severity, as mcollectived[pid]", async () => {
    const pid = (daemon as Daemon).pid;
    const ready = await eventually(
      () => records.find((r) => r.includes("Phobos mcollectived ready as syslog1")),
      `the ready line on the syslog socket (daemon output: ${daemon?.output()})`,
      20_000,
    );
    expect(ready).toMatch(
      new RegExp(
        `^<${LOCAL3_INFO}>[A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d mcollectived\\[${pid}\\]: .*ready as syslog1`,
      ),
    );
    expect(records.some((r) => r.includes("The Marionette Collective version"))).toBe(true);
  });

  it("logs the stop, and the daemon exits cleanly", async () => {
    const d = daemon as Daemon;
    d.child.kill("SIGTERM");
    const { code } = await d.exit;
    expect(code).toBe(0);
    const exiting = await eventually(
      () => records.find((r) => r.includes("Exiting after signal: SIGTERM")),
      "the exit line on the syslog socket",
    );
    expect(exiting.startsWith(`<${LOCAL3_INFO}>`)).toBe(true);
    expect(d.output()).not.toMatch(/syslog logging .* failed/);
  });
});
