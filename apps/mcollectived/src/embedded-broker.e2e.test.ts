/**
 * `plugin.broker.enable = 1`: one Phobos daemon hosts the embedded broker,
 * and a site with no RabbitMQ runs through it: another Phobos daemon, Debian's
 * Ruby mcollectived and Debian's Ruby mco, whose configs only point their
 * rabbitmq connector's pool at that daemon's port.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, openSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type BrokerSettings,
  checkReferenceEnvironment,
  mcollectivedCommand,
  rubyEnv,
  runRubyMco,
  type SecuritySettings,
  writeClientConfig,
  writeServerConfig,
} from "@phobos/interop";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Daemon, eventually, startDaemon, waitForLog } from "./test-support/daemon.js";
import { freePort } from "./test-support/free-port.js";
import { openRawClient, type RawClient } from "./test-support/raw-client.js";

let dir: string;
let port: number;
let clientConfig: string;
let client: RawClient | undefined;
const phobos: Daemon[] = [];
let ruby: ChildProcess | undefined;
const security: SecuritySettings = { provider: "psk", psk: randomBytes(12).toString("hex") };
const USER = { name: "mcollective", password: randomBytes(8).toString("hex") };
const PREAUTH_CAP = 500;

const broker = (): BrokerSettings => ({
  connector: "rabbitmq",
  vhost: "/mcollective",
  pool: [{ host: "127.0.0.1", port, user: USER.name, password: USER.password }],
});

async function phobosNode(identity: string, role: string, extra: Record<string, string> = {}) {
  const home = join(dir, identity);
  const config = await writeServerConfig(home, {
    identity,
    broker: broker(),
    security,
    libdir: [join(home, "libdir")],
    facts: { role },
    loglevel: "info",
    extra,
  });
  const daemon = startDaemon(["--config", config, "--no-daemonize"]);
  phobos.push(daemon);
  await waitForLog(join(home, "mcollectived.log"), new RegExp(`Phobos mcollectived ready as ${identity}`), {
    timeoutMs: 15_000,
  }).catch((err: Error) => {
    throw new Error(`${err.message}\n--- output ---\n${daemon.output()}`);
  });
  return { daemon, log: join(home, "mcollectived.log") };
}

beforeAll(async () => {
  await checkReferenceEnvironment();
  dir = await mkdtemp(join(tmpdir(), "phobos-embedded-"));
  port = await freePort();
  await phobosNode("host1", "broker", {
    "plugin.broker.enable": "1",
    "plugin.broker.port": String(port),
    "plugin.broker.users": `${USER.name}:${USER.password}`,
    // Pre-auth limits reach the broker as keys; no idle socket times out during the flood test.
    "plugin.broker.max_preauth_connections": String(PREAUTH_CAP),
    "plugin.broker.connect_timeout": "3600000",
  });
  await phobosNode("phobos2", "web");

  const rubyHome = join(dir, "ruby3");
  const rubyConfig = await writeServerConfig(rubyHome, {
    identity: "ruby3",
    broker: broker(),
    security,
    facts: { role: "db" },
  });
  const { command, args } = mcollectivedCommand(rubyConfig);
  const out = openSync(join(rubyHome, "mcollectived.out"), "a");
  ruby = spawn(command, args, { env: rubyEnv(), stdio: ["pipe", out, out] });
  closeSync(out);

  clientConfig = await writeClientConfig(join(dir, "client"), {
    identity: "embedded-client",
    broker: broker(),
    security,
  });
  client = await openRawClient({
    broker: { host: "127.0.0.1", port, vhost: "/mcollective", user: USER.name, password: USER.password },
    psk: security.psk,
    identity: "embedded-raw",
  });
  // The Ruby daemon is up once it answers too.
  await eventually(
    async () => ((await client?.ping(300))?.includes("ruby3") ? true : undefined),
    "the Ruby daemon answers through the embedded broker",
    30_000,
  ).catch(async (err: Error) => {
    const log = await readFile(join(rubyHome, "mcollectived.log"), "utf8").catch(() => "");
    throw new Error(`${err.message}\n--- ruby3 log ---\n${log.split("\n").slice(-30).join("\n")}`);
  });
});

afterAll(async () => {
  await client?.close();
  if (ruby && ruby.exitCode === null) {
    const gone = new Promise((r) => ruby?.once("exit", r));
    ruby.kill("SIGTERM");
    await gone;
  }
  for (const d of phobos.slice().reverse()) await d.kill();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const mco = (args: string[]) => runRubyMco(args, { configFile: clientConfig, timeoutMs: 30_000 });

describe("a daemon-hosted broker serves the whole site", () => {
  it("Ruby `mco ping` reaches the host, the other Phobos daemon and the Ruby daemon", async () => {
    const r = await mco(["ping", "-t", "1"]);
    expect(r.code, r.stderr).toBe(0);
    const names = r.stdout.match(/^\S+(?=\s+time=)/gm)?.sort();
    expect(names).toEqual(["host1", "phobos2", "ruby3"]);
  });

  it("Ruby `mco rpc` with a fact filter gets every answer it asks for", async () => {
    const r = await mco(["rpc", "rpcutil", "get_fact", "fact=role", "--np", "--dt", "1"]);
    expect(r.code, r.stderr).toBe(0);
    for (const [node, role] of [
      ["host1", "broker"],
      ["phobos2", "web"],
      ["ruby3", "db"],
    ]) {
      expect(r.stdout).toMatch(new RegExp(`^${node} +\\n +Fact: role\\n +Value: ${role}\\n`, "m"));
    }
    expect(r.stdout).toMatch(/^Finished processing 3 \/ 3 hosts in [\d.]+ ms$/m);
    const find = await mco(["find", "-F", "role=db", "--dt", "1"]);
    expect(find.stdout.trim()).toBe("ruby3");
  });

  it("the Ruby daemon's replies to a Phobos client arrive through it too", async () => {
    const reply = await client?.rpc("ruby3", "rpcutil", "get_fact", { fact: "role" });
    expect({ statuscode: reply?.statuscode, value: reply?.data.value }).toEqual({
      statuscode: 0,
      value: "db",
    });
  });
});

describe("sockets that never log in (issue 19 item 5)", () => {
  const flood: Array<{ socket: net.Socket; closed: boolean }> = [];
  afterAll(() => {
    for (const entry of flood) entry.socket.destroy();
  });

  /** One idle TCP connection from `localAddress` (another loopback address); resolves once connected. */
  const idle = (localAddress: string) =>
    new Promise<void>((resolve, reject) => {
      const socket = net.connect({ host: "127.0.0.1", port, localAddress });
      const entry = { socket, closed: false };
      flood.push(entry);
      socket.once("error", reject);
      socket.once("connect", () => {
        socket.off("error", reject);
        socket.on("error", () => {});
        resolve();
      });
      socket.on("close", () => {
        entry.closed = true;
      });
    });

  it("5,000 of them leave at most plugin.broker.max_preauth_connections open, and Ruby `mco ping` still gets in", async () => {
    // 25 loopback addresses x 200, 100 handshakes at a time: more than maxConnections (4096) in all.
    const sources = Array.from({ length: 25 }, (_, i) => `127.0.0.${10 + i}`);
    for (const source of sources) {
      for (let batch = 0; batch < 2; batch++)
        await Promise.all(Array.from({ length: 100 }, () => idle(source)));
    }
    expect(flood).toHaveLength(5000);
    await eventually(
      async () => (flood.filter((entry) => !entry.closed).length === PREAUTH_CAP ? true : undefined),
      `the broker to close all but ${PREAUTH_CAP} idle sockets`,
      120_000,
    );
    const r = await mco(["ping", "-t", "1"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.match(/^\S+(?=\s+time=)/gm)?.sort()).toEqual(["host1", "phobos2", "ruby3"]);
    // mco's own connection waited among them for a moment, making room by closing the oldest one.
    expect(flood.filter((entry) => !entry.closed).length).toBeLessThanOrEqual(PREAUTH_CAP);
  });
});
