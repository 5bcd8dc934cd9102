/**
 * Registration on a real mcollectived, through the embedded broker: a
 * second subscriber on the registration agent's broadcast destination
 * receives what the daemon sends every `registerinterval`, decodes it with
 * the psk plugin, and finds the daemon's agent list; the daemon keeps
 * registering after its broker connection is cut and comes back, and
 * stops cleanly with registration running.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rabbitmqConnector as rabbitmq } from "@phobos/connector-rabbitmq";
import type { Connector, DecodedRequest, SecurityProvider } from "@phobos/core";
import { type BrokerSettings, checkReferenceEnvironment, writeServerConfig } from "@phobos/interop";
import { pskSecurity as psk } from "@phobos/security-psk";
import { type OpenPlugin, openPlugin } from "@phobos/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Daemon,
  eventually,
  logSize,
  runDaemon,
  startDaemon,
  waitForLog,
} from "./test-support/daemon.js";
import { freePort } from "./test-support/free-port.js";
import { openRawClient, type RawClient } from "./test-support/raw-client.js";
import { startTcpProxy, type TcpProxy } from "./test-support/tcp-proxy.js";

const SECRET = randomBytes(12).toString("hex");
const USER = { name: "mcollective", password: randomBytes(8).toString("hex") };

let dir: string;
let port: number;
let proxy: TcpProxy;
let client: RawClient;
let subscriber: OpenPlugin<"connector">;
let security: SecurityProvider;
const daemons: Daemon[] = [];
const received: DecodedRequest[] = [];
const undecodable: string[] = [];

const broker = (to: number): BrokerSettings => ({
  connector: "rabbitmq",
  vhost: "/mcollective",
  pool: [{ host: "127.0.0.1", port: to, user: USER.name, password: USER.password }],
});

async function startNode(identity: string, to: number, extra: Record<string, string>, registerinterval = 0) {
  const home = join(dir, identity);
  const config = await writeServerConfig(home, {
    identity,
    broker: broker(to),
    security: { provider: "psk", psk: SECRET },
    libdir: [join(home, "libdir")],
    loglevel: "debug",
    registerinterval,
    extra: {
      "plugin.rabbitmq.initial_reconnect_delay": "0.05",
      "plugin.rabbitmq.max_reconnect_delay": "0.5",
      ...extra,
    },
  });
  const daemon = startDaemon(["--config", config, "--no-daemonize"]);
  daemons.push(daemon);
  const log = join(home, "mcollectived.log");
  await waitForLog(log, new RegExp(`Phobos mcollectived ready as ${identity}`), { timeoutMs: 20_000 }).catch(
    (err: Error) => {
      throw new Error(`${err.message}\n--- output ---\n${daemon.output()}`);
    },
  );
  return { daemon, log };
}

const from = (sender: string) => received.filter((r) => r.senderid === sender);

let registering: { daemon: Daemon; log: string };

beforeAll(async () => {
  await checkReferenceEnvironment();
  dir = await mkdtemp(join(tmpdir(), "phobos-registration-e2e-"));
  port = await freePort();
  await startNode("host1", port, {
    "plugin.broker.enable": "1",
    "plugin.broker.port": String(port),
    "plugin.broker.users": `${USER.name}:${USER.password}`,
  });

  const settings = {
    vhost: "/mcollective",
    "pool.size": "1",
    "pool.1.host": "127.0.0.1",
    "pool.1.port": String(port),
    "pool.1.user": USER.name,
    "pool.1.password": USER.password,
  };
  subscriber = await openPlugin({ definition: rabbitmq, settings }, "client", "registration-listener");
  security = (
    await openPlugin({ definition: psk, settings: { "": SECRET } }, "server", "registration-listener")
  ).instance;
  const connector: Connector = subscriber.instance;
  connector.onMessage((message) => {
    try {
      received.push(security.decodeRequest(message.body));
    } catch (err) {
      undecodable.push((err as Error).message);
    }
  });
  await connector.connect({ timeoutMs: 10_000 });
  await connector.subscribe({ kind: "broadcast", agent: "registration", collective: "mcollective" });

  proxy = await startTcpProxy({ host: "127.0.0.1", port });
  registering = await startNode("registering1", proxy.port, {}, 1);
  client = await openRawClient({
    broker: { host: "127.0.0.1", port, vhost: "/mcollective", user: USER.name, password: USER.password },
    psk: SECRET,
    identity: "registration-e2e-client",
  });
});

afterAll(async () => {
  await client?.close();
  await subscriber?.instance.disconnect().catch(() => {});
  subscriber?.close();
  for (const d of daemons.slice().reverse()) await d.kill();
  await proxy?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("mcollectived registration through the embedded broker", () => {
  it("a subscriber to the registration agent receives the daemon's agent list, signed with psk", async () => {
    const [first] = await eventually(
      () => (from("registering1").length > 0 ? from("registering1") : undefined),
      "a registration from registering1",
      20_000,
    );
    const inventory = await client.rpc("registering1", "rpcutil", "inventory");
    expect(first).toMatchObject({
      agent: "registration",
      collective: "mcollective",
      ttl: 60,
      body: inventory.data.agents,
      filter: { fact: [], cf_class: [], agent: ["registration"], identity: [], compound: [] },
    });
    expect(first?.callerid).toMatch(/^uid=\d+$/);
    expect(undecodable).toEqual([]);
    // host1 has registerinterval = 0.
    expect(from("host1")).toEqual([]);
  });

  it("keeps registering after its broker connection was cut and came back", async () => {
    await eventually(
      () => (from("registering1").length >= 2 ? true : undefined),
      "a second registration",
      20_000,
    );
    const mark = await logSize(registering.log);
    proxy.cut();
    await waitForLog(registering.log, /reconnecting|disconnected/, { from: mark, timeoutMs: 20_000 });
    const before = new Set(from("registering1").map((r) => r.requestid));
    proxy.restore();
    await waitForLog(registering.log, /reconnected to stomp:\/\//, { from: mark, timeoutMs: 20_000 });
    const after = await eventually(
      () => {
        const fresh = from("registering1").filter((r) => !before.has(r.requestid));
        return fresh.length >= 2 ? fresh : undefined;
      },
      "registrations after the reconnect",
      20_000,
    );
    expect(new Set(after.map((r) => r.requestid)).size).toBe(after.length);
    expect(proxy.accepted).toBeGreaterThanOrEqual(2);
  });

  it("stops cleanly on TERM with registration running", async () => {
    const { daemon, log } = registering;
    daemon.child.kill("SIGTERM");
    const exit = await daemon.exit;
    expect(exit, daemon.output()).toEqual({ code: 0, signal: null });
    await waitForLog(log, /Phobos counters at exit/);
  });

  it("refuses to start with a registration plugin nobody installed, naming the key and the installed ones", async () => {
    const home = join(dir, "misnamed");
    const config = await writeServerConfig(home, {
      identity: "misnamed",
      broker: broker(port),
      security: { provider: "psk", psk: SECRET },
      libdir: [join(home, "libdir")],
      registerinterval: 60,
      extra: { registration: "metadata" },
    });
    const { code, output } = await runDaemon(["--config", config, "--no-daemonize"]);
    expect(code).not.toBe(0);
    expect(output).toMatch(/server\.cfg:\d+: registration: registration plugin 'metadata' is not installed/);
    expect(output).toMatch(/available registration plugins: agentlist, meta/);
  });
});
