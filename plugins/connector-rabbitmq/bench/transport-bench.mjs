#!/usr/bin/env node
/**
 * Request/reply figures for each connector transport on this machine, in one run:
 * rabbitmq over STOMP and over AMQP 0-9-1 (a private vhost on the local RabbitMQ),
 * rabbitmq over STOMP to Phobos's embedded broker, and — where the package is
 * built — activemq over STOMP (the provisioned ActiveMQ on 61614).
 *
 *   pnpm exec turbo run build && node plugins/connector-rabbitmq/bench/transport-bench.mjs [seconds-per-case]
 *
 * One "request" = a directed request (400-byte body) from an mco-side connector
 * to a daemon-side one, which answers with a 200-byte reply; the figure counts
 * replies back at the client. Latency: one request at a time (p50/p99 of the
 * round trip). Throughput: 64 requests in flight. A benchmark, not a test: it
 * prints figures and asserts nothing. This machine is shared: compare rows of
 * one run, not runs.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";

const SECONDS = Number(process.argv[2] ?? 3);
const WINDOW = 64;
const load = async (what, url) =>
  import(url).catch((err) => {
    console.error(`cannot load ${what} (${err.message}): run \`pnpm exec turbo run build\` first`);
    process.exit(1);
  });
const { openPlugin } = await load("@phobos/testing", "@phobos/testing");
const { startBroker } = await load("@phobos/broker", "@phobos/broker");
const rabbitmq = (await load("the rabbitmq connector", new URL("../dist/connector.js", import.meta.url).href))
  .default;
const { adminOptionsFromEnv, prepareMcollectiveVhost, RabbitMqAdmin } = await load(
  "the rabbitmq setup helpers",
  new URL("../dist/setup/index.js", import.meta.url).href,
);

const REQUEST = randomBytes(400);
const REPLY = randomBytes(200);
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** A daemon-side and an mco-side connector on `settings`, the daemon echoing a reply to each request. */
async function measure(definition, settings) {
  const run = randomBytes(3).toString("hex");
  const server = await openPlugin({ definition, settings }, "server", `bench-server-${run}`);
  const client = await openPlugin({ definition, settings }, "client", `bench-client-${run}`);
  const waiting = new Map();
  server.instance.onMessage((request) => {
    const id = Buffer.from(request.body).subarray(0, 8);
    void server.instance.publish({ kind: "reply", body: Buffer.concat([id, REPLY]), ttl: 60, request });
  });
  client.instance.onMessage((reply) => {
    const id = Buffer.from(reply.body).subarray(0, 8).readBigUInt64BE();
    waiting.get(id)?.();
    waiting.delete(id);
  });
  try {
    await Promise.all([
      server.instance.connect({ timeoutMs: 10_000 }),
      client.instance.connect({ timeoutMs: 10_000 }),
    ]);
    await server.instance.subscribe({ kind: "directed", collective: "mcollective" });
    await client.instance.subscribe({
      kind: "reply",
      agent: "bench",
      collective: "mcollective",
      requestSeq: 1,
    });
    let next = 0n;
    const request = (timeoutMs = 10_000) => {
      const id = next++;
      const head = Buffer.alloc(8);
      head.writeBigUInt64BE(id);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`no reply to request ${id} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.set(id, () => {
          clearTimeout(timer);
          resolve();
        });
        client.instance
          .publish({
            kind: "direct_request",
            agent: "bench",
            collective: "mcollective",
            body: Buffer.concat([head, REQUEST]),
            ttl: 60,
            nodes: [`bench-server-${run}`],
            requestSeq: 1,
          })
          .catch(reject);
      });
    };
    // Until a reply comes back the subscriptions may not be in place yet.
    for (let ok = false, tries = 0; !ok; tries++) {
      ok = await request(200).then(
        () => true,
        (err) => {
          if (tries > 50) throw err;
          return false;
        },
      );
    }
    for (let i = 0; i < 200; i++) await request(); // warm-up

    const latencies = [];
    const until = performance.now() + (SECONDS * 1000) / 2;
    while (performance.now() < until) {
      const t = performance.now();
      await request();
      latencies.push(performance.now() - t);
    }
    latencies.sort((a, b) => a - b);

    let done = 0;
    const start = performance.now();
    const stopAt = start + (SECONDS * 1000) / 2;
    const lane = async () => {
      while (performance.now() < stopAt) {
        await request();
        done++;
      }
    };
    await Promise.all(Array.from({ length: WINDOW }, lane));
    const rate = (done * 1000) / (performance.now() - start);
    return { rate, p50: percentile(latencies, 50), p99: percentile(latencies, 99), n: latencies.length };
  } finally {
    await Promise.allSettled([server.instance.disconnect(), client.instance.disconnect()]);
    server.close();
    client.close();
  }
}

const FAST = { initial_reconnect_delay: "0.01", max_reconnect_delay: "0.5" };
const targets = [];

// RabbitMQ: one private vhost, both protocols.
const admin = new RabbitMqAdmin(adminOptionsFromEnv());
let site;
try {
  const overview = await admin.overview();
  const port = (p) => overview.listeners.find((l) => l.protocol === p)?.port;
  const name = `phobos-bench-${randomBytes(4).toString("hex")}`;
  const password = randomBytes(12).toString("hex");
  site = await prepareMcollectiveVhost({
    vhost: `/${name}`,
    user: name,
    password,
    collectives: ["mcollective"],
    admin,
    description: "transport-bench.mjs",
  });
  const base = {
    vhost: `/${name}`,
    "pool.size": "1",
    "pool.1.host": "127.0.0.1",
    "pool.1.user": name,
    "pool.1.password": password,
    ...FAST,
  };
  targets.push(
    ["rabbitmq/stomp", rabbitmq, { ...base, "pool.1.port": String(port("stomp")) }],
    ["rabbitmq/amqp", rabbitmq, { ...base, transport: "amqp", "pool.1.port": String(port("amqp")) }],
  );
} catch (err) {
  console.log(`rabbitmq/*: skipped, RabbitMQ's management API does not answer (${err.message})`);
}

const broker = await startBroker({ port: 0, users: [{ name: "mcollective", password: "bench" }] });
targets.push([
  "embedded/stomp",
  rabbitmq,
  {
    vhost: "/mcollective",
    "pool.size": "1",
    "pool.1.host": "127.0.0.1",
    "pool.1.port": String(broker.port),
    "pool.1.user": "mcollective",
    "pool.1.password": "bench",
    ...FAST,
  },
]);

const activemqDist = new URL("../../connector-activemq/dist/connector.js", import.meta.url);
const activemqRows = [];
if (existsSync(activemqDist)) {
  const activemq = (await import(activemqDist.href)).default;
  const base = {
    "pool.size": "1",
    "pool.1.host": process.env.ACTIVEMQ_STOMP_HOST ?? "127.0.0.1",
    "pool.1.user": process.env.ACTIVEMQ_USER ?? "mcollective",
    "pool.1.password": process.env.ACTIVEMQ_PASSWORD ?? "marionette",
    ...FAST,
  };
  targets.push([
    "activemq/stomp",
    activemq,
    { ...base, "pool.1.port": process.env.ACTIVEMQ_STOMP_PORT ?? "61614" },
  ]);
  activemqRows.push(
    "activemq/amqp: not measured (Debian's ActiveMQ 5.17 ships no AMQP 1.0 module; the activemq connector speaks STOMP only)",
  );
} else {
  activemqRows.push("activemq/*: not measured (plugins/connector-activemq is not built)");
}

console.log(
  `Connector transports, directed request + reply (node ${process.version}, ${SECONDS}s per case: half latency, half throughput with ${WINDOW} in flight)\n`,
);
console.log("transport          requests/s   p50 ms   p99 ms   (latency samples)");
try {
  for (const [label, definition, settings] of targets) {
    try {
      const r = await measure(definition, settings);
      console.log(
        `${label.padEnd(18)} ${Math.round(r.rate).toLocaleString("en-US").padStart(10)}   ${r.p50.toFixed(2).padStart(6)}   ${r.p99.toFixed(2).padStart(6)}   (${r.n})`,
      );
    } catch (err) {
      console.log(`${label.padEnd(18)} failed: ${err.message}`);
    }
  }
  for (const row of activemqRows) console.log(row);
} finally {
  await broker.close();
  await site?.dispose();
}
