/**
 * `plugin.metrics.port`: a real mcollectived hosting the embedded broker
 * serves GET /metrics, and its counters move by exactly what a client
 * sent through that broker: answered requests per agent action, refused,
 * unknown, filtered, malformed, expired and replayed ones, and the
 * broker's messages in and out. The endpoint refuses anything but GET/HEAD
 * /metrics.
 */
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { emptyFilter } from "@phobos/core";
import { checkReferenceEnvironment, runRubyMco, writeClientConfig, writeServerConfig } from "@phobos/interop";
import { parseExposition, type Sample } from "@phobos/metrics";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Daemon, eventually, startDaemon, waitForLog } from "./test-support/daemon.js";
import { freePort } from "./test-support/free-port.js";
import { openRawClient, type RawClient, simpleRpc } from "./test-support/raw-client.js";

const IDENTITY = "metrics1";
const PSK = randomBytes(12).toString("hex");
const USER = { name: "mcollective", password: randomBytes(8).toString("hex") };

let dir: string;
let daemon: Daemon | undefined;
let client: RawClient | undefined;
let metricsPort: number;
let clientConfig: string;
let nodesFile: string;

function http(method: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: metricsPort, method, path }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        body += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

async function scrape(): Promise<Sample[]> {
  const { status, body } = await http("GET", "/metrics");
  expect(status).toBe(200);
  return parseExposition(body);
}

/** Every mcollectived_/phobos_broker_ sample, keyed `name{labels}`, for deltas. */
function values(samples: Sample[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of samples) {
    if (!/^(mcollectived|phobos_broker)_/.test(s.name)) continue;
    const labels = Object.entries(s.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(",");
    out.set(labels ? `${s.name}{${labels}}` : s.name, s.value);
  }
  return out;
}

function delta(before: Map<string, number>, after: Map<string, number>, key: string): number {
  return (after.get(key) ?? 0) - (before.get(key) ?? 0);
}

/** Waits until the daemon has counted `count` more messages than `before` (refusals send no reply to wait for). */
async function settled(before: Map<string, number>, count: number): Promise<Map<string, number>> {
  return eventually(async () => {
    const now = values(await scrape());
    return delta(before, now, "mcollectived_requests_total") >= count ? now : undefined;
  }, `the daemon to count ${count} more messages`);
}

beforeAll(async () => {
  await checkReferenceEnvironment();
  dir = await mkdtemp(join(tmpdir(), "metrics-e2e-"));
  const brokerPort = await freePort();
  metricsPort = await freePort();
  const home = join(dir, IDENTITY);
  await mkdir(join(home, "policies"), { recursive: true });
  // rpcutil#inventory is refused to everyone: the denied counter's request.
  await writeFile(
    join(home, "policies", "rpcutil.policy"),
    "policy default allow\ndeny\t*\tinventory\t*\t*\n",
  );
  const config = await writeServerConfig(home, {
    identity: IDENTITY,
    broker: {
      connector: "rabbitmq",
      vhost: "/mcollective",
      pool: [{ host: "127.0.0.1", port: brokerPort, user: USER.name, password: USER.password }],
    },
    security: { provider: "psk", psk: PSK },
    libdir: [join(home, "libdir")],
    loglevel: "info",
    extra: {
      "plugin.broker.enable": "1",
      "plugin.broker.port": String(brokerPort),
      "plugin.broker.users": `${USER.name}:${USER.password}`,
      "plugin.metrics.bind": "127.0.0.1",
      "plugin.metrics.port": String(metricsPort),
      rpcauthorization: "1",
      rpcauthprovider: "action_policy",
    },
  });
  clientConfig = await writeClientConfig(join(dir, "client"), {
    identity: "metrics-client",
    broker: {
      connector: "rabbitmq",
      vhost: "/mcollective",
      pool: [{ host: "127.0.0.1", port: brokerPort, user: USER.name, password: USER.password }],
    },
    security: { provider: "psk", psk: PSK },
  });
  nodesFile = join(dir, "nodes.txt");
  await writeFile(nodesFile, `${IDENTITY}\n`);
  daemon = startDaemon(["--config", config, "--no-daemonize"]);
  const log = join(home, "mcollectived.log");
  await waitForLog(log, new RegExp(`Phobos mcollectived ready as ${IDENTITY}`), { timeoutMs: 15_000 }).catch(
    (err: Error) => {
      throw new Error(`${err.message}\n--- output ---\n${daemon?.output()}`);
    },
  );
  await waitForLog(log, new RegExp(`Prometheus metrics on http://127.0.0.1:${metricsPort}/metrics`));
  client = await openRawClient({
    broker: {
      host: "127.0.0.1",
      port: brokerPort,
      vhost: "/mcollective",
      user: USER.name,
      password: USER.password,
    },
    psk: PSK,
  });
}, 30_000);

afterAll(async () => {
  await client?.close();
  await daemon?.kill();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("mcollectived with plugin.metrics.port", () => {
  it("counts answered requests per agent action, their replies and durations, and the broker's traffic", async () => {
    const rpc = client as RawClient;
    const before = values(await scrape());
    for (let i = 0; i < 3; i++) expect((await rpc.rpc(IDENTITY, "rpcutil", "ping")).statuscode).toBe(0);
    expect((await rpc.rpc(IDENTITY, "rpcutil", "get_fact", { fact: "role" })).statuscode).toBe(0);
    const denied = await rpc.rpc(IDENTITY, "rpcutil", "inventory");
    expect(denied.statuscode).toBe(1);
    const after = await settled(before, 5);

    const counted = (key: string) => delta(before, after, key);
    expect(counted("mcollectived_requests_total")).toBe(5);
    expect(counted("mcollectived_validated_total")).toBe(5);
    expect(counted("mcollectived_passed_total")).toBe(5);
    expect(counted("mcollectived_replies_total")).toBe(5);
    expect(counted("mcollectived_denied_total")).toBe(1);
    expect(counted("mcollectived_action_requests_total{agent=rpcutil,action=ping}")).toBe(3);
    expect(counted("mcollectived_action_requests_total{agent=rpcutil,action=get_fact}")).toBe(1);
    expect(counted("mcollectived_action_requests_total{agent=rpcutil,action=inventory}")).toBe(1);
    expect(counted("mcollectived_action_duration_seconds_count{agent=rpcutil,action=ping}")).toBe(3);
    expect(counted("mcollectived_action_duration_seconds_bucket{le=+Inf,agent=rpcutil,action=ping}")).toBe(3);
    for (const refusal of [
      "unvalidated",
      "filtered",
      "ttl_expired",
      "malformed",
      "unknown_agent",
      "replayed",
    ]) {
      expect(counted(`mcollectived_${refusal}_total`), refusal).toBe(0);
    }
    // Five requests in, five replies back: each a message in and a message out of the broker.
    expect(counted("phobos_broker_messages_published_total")).toBe(10);
    expect(counted("phobos_broker_messages_delivered_total")).toBe(10);
    expect(counted("phobos_broker_messages_dropped_total")).toBe(0);
    expect(after.get("phobos_broker_open_connections")).toBe(2);
    expect(after.get("phobos_broker_subscriptions")).toBeGreaterThanOrEqual(2);
    expect(after.get("mcollectived_start_time_seconds")).toBeGreaterThan(0);
  });

  it("counts what Phobos's and Ruby's `mco rpc` asked, one request and one reply each", async () => {
    const before = values(await scrape());
    for (const implementation of ["phobos", "ruby"] as const) {
      const r = await runRubyMco(["rpc", "rpcutil", "ping", "--nodes", nodesFile, "--np"], {
        configFile: clientConfig,
        implementation,
        timeoutMs: 30_000,
      });
      expect(r.code, `${implementation} mco: ${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/Finished processing 1 \/ 1 hosts/);
    }
    const after = await settled(before, 2);
    const counted = (key: string) => delta(before, after, key);
    expect(counted("mcollectived_requests_total")).toBe(2);
    expect(counted("mcollectived_replies_total")).toBe(2);
    expect(counted("mcollectived_action_requests_total{agent=rpcutil,action=ping}")).toBe(2);
    expect(counted("mcollectived_action_duration_seconds_count{agent=rpcutil,action=ping}")).toBe(2);
    expect(counted("phobos_broker_connections_total")).toBe(2);
  });

  it("counts each refusal once, under its own name, and answers none of them", async () => {
    const rpc = client as RawClient;
    const before = values(await scrape());
    const now = Math.floor(Date.now() / 1000);
    const node = { nodes: [IDENTITY] };
    const sent = [
      await rpc.send({
        agent: "rpcutil",
        body: simpleRpc("rpcutil", "ping"),
        ...node,
        psk: "not-the-secret",
      }),
      await rpc.send({
        agent: "rpcutil",
        body: simpleRpc("rpcutil", "ping"),
        filter: { ...emptyFilter(), identity: ["someone-else"] },
      }),
      await rpc.send({ agent: "rpcutil", body: simpleRpc("rpcutil", "ping"), ...node, msgtime: now - 600 }),
      await rpc.send({ agent: "nosuchagent", body: simpleRpc("nosuchagent", "go"), ...node }),
    ];
    await rpc.sendBytes("rpcutil", new TextEncoder().encode("not a marshalled envelope"), node);
    const replayedId = await rpc.send({ agent: "rpcutil", body: simpleRpc("rpcutil", "ping"), ...node });
    await rpc.waitReplies(replayedId, 1);
    await rpc.send({ agent: "rpcutil", body: simpleRpc("rpcutil", "ping"), ...node, requestid: replayedId });
    const after = await settled(before, 7);

    const counted = (key: string) => delta(before, after, key);
    expect(counted("mcollectived_requests_total")).toBe(7);
    expect(counted("mcollectived_unvalidated_total")).toBe(1);
    expect(counted("mcollectived_malformed_total")).toBe(1);
    expect(counted("mcollectived_filtered_total")).toBe(1);
    expect(counted("mcollectived_ttl_expired_total")).toBe(1);
    expect(counted("mcollectived_unknown_agent_total")).toBe(1);
    expect(counted("mcollectived_replayed_total")).toBe(1);
    // Only the first copy of the replayed request was answered.
    expect(counted("mcollectived_replies_total")).toBe(1);
    expect(counted("mcollectived_action_requests_total{agent=rpcutil,action=ping}")).toBe(1);
    for (const id of sent) expect(rpc.replies(id)).toEqual([]);
    expect(rpc.replies(replayedId)).toHaveLength(1);
  });

  it("labels an action the agent's DDL does not declare as unknown", async () => {
    const before = values(await scrape());
    const reply = await (client as RawClient).rpc(
      IDENTITY,
      "rpcutil",
      `no_such_action_${randomBytes(4).toString("hex")}`,
    );
    expect(reply.statuscode).not.toBe(0);
    const after = await settled(before, 1);
    expect(delta(before, after, "mcollectived_action_requests_total{agent=rpcutil,action=unknown}")).toBe(1);
    expect([...after.keys()].filter((k) => k.includes("no_such_action"))).toEqual([]);
  });

  it("counts mc discovery's pings as discovery#ping", async () => {
    const before = values(await scrape());
    expect(await (client as RawClient).pingAll([IDENTITY])).toEqual([IDENTITY]);
    const after = await settled(before, 1);
    expect(delta(before, after, "mcollectived_action_requests_total{agent=discovery,action=ping}")).toBe(1);
    expect(delta(before, after, "mcollectived_replies_total")).toBe(1);
  });

  it("answers only GET and HEAD on /metrics", async () => {
    expect((await http("HEAD", "/metrics")).status).toBe(200);
    for (const method of ["POST", "PUT", "DELETE"])
      expect((await http(method, "/metrics")).status, method).toBe(405);
    for (const path of ["/", "/metrics/extra", "/debug/pprof"])
      expect((await http("GET", path)).status, path).toBe(404);
  });
});
