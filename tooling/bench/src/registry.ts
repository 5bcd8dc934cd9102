/**
 * bench:registry — the node registry (issue 15): how many registrations a
 * second the receiver stores, sustained, on SQLite and on PostgreSQL
 * (target >= 2,000/s), and how long `nodes()` plus an in-memory fact
 * filter take over 10,000 stored nodes (target < 50 ms).
 *
 * Ingest runs the receiver's own path on Ruby-shaped meta bodies (a Hash
 * of Symbols: parse, fact normalization, queue, batched upsert); the
 * security plugin's decode before it is not included (bench:replies
 * measures that). Each node has 40 facts, about 2 KB as JSON.
 *
 *   pnpm --filter @phobos/bench run bench:registry [--nodes 10000] [--seconds 10] [--backends sqlite,postgres]
 */
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { RegistrationReceiver } from "@phobos/agent-registration";
import {
  createLogger,
  type DecodedRequest,
  emptyFilter,
  memorySink,
  PluginSettings,
  type RubyValue,
  sym,
} from "@phobos/core";
import { openRegistryStore, registrySettings } from "@phobos/registry";
import { createTestDatabase } from "@phobos/registry/testing";
import { fmt, median, percentile, table } from "./lib/stats.js";

const { values } = parseArgs({
  options: {
    nodes: { type: "string", default: "10000" },
    seconds: { type: "string", default: "10" },
    backends: { type: "string", default: "sqlite,postgres" },
    queries: { type: "string", default: "20" },
  },
});
const nodeCount = Number(values.nodes);
const seconds = Number(values.seconds);
const queries = Number(values.queries);
const backends = (values.backends ?? "").split(",") as ("sqlite" | "postgres")[];

const ROLES = ["web", "db", "cache", "queue", "batch"];

function metaBody(i: number): RubyValue {
  const facts = new Map<RubyValue, RubyValue>([
    [sym("role"), ROLES[i % ROLES.length] as string],
    [sym("osfamily"), i % 3 === 0 ? "RedHat" : "Debian"],
    [sym("processorcount"), (i % 16) + 1],
    [sym("ipaddress"), `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`],
  ]);
  for (let f = 0; f < 36; f++) facts.set(sym(`fact_${f}`), `value ${f} of node ${i}`);
  return new Map<RubyValue, RubyValue>([
    [sym("agentlist"), ["discovery", "rpcutil", "package", "service", "puppet"]],
    [sym("facts"), facts],
    [sym("classes"), ["base", `role::${ROLES[i % ROLES.length]}`]],
    [sym("collectives"), ["mcollective"]],
  ]);
}

const request = (i: number): DecodedRequest => ({
  senderid: `node${String(i).padStart(6, "0")}.example.com`,
  requestid: "0".repeat(32),
  filter: emptyFilter(),
  collective: "mcollective",
  agent: "registration",
  callerid: "uid=0",
  ttl: 60,
  msgtime: 0,
  body: null,
});

const ingestRows: string[][] = [];
const queryRows: string[][] = [];
for (const backend of backends) {
  const db = await createTestDatabase(backend, "phobos-bench-registry-");
  try {
    const settings = registrySettings(
      new PluginSettings(
        "registration",
        new Map([
          ["database", db.database],
          ["queue_size", String(Math.max(nodeCount, 1000))],
        ]),
      ),
    );
    const sink = memorySink("warn");
    const receiver = new RegistrationReceiver(settings, createLogger(sink, "bench"), {
      maxFactsSize: 256 * 1024,
    });
    await receiver.start();
    const bodies = Array.from({ length: nodeCount }, (_, i) => metaBody(i));
    const requests = Array.from({ length: nodeCount }, (_, i) => request(i));

    // One pass stores every node once (inserts); the timed passes update them, as a fleet re-registering does.
    const started = performance.now();
    let handled = 0;
    let firstPassMs = 0;
    const perFlush = 2000;
    while (performance.now() - started < seconds * 1000 || handled < nodeCount) {
      for (let k = 0; k < perFlush; k++, handled++) {
        const i = handled % nodeCount;
        receiver.handle(bodies[i] as RubyValue, requests[i] as DecodedRequest);
      }
      await receiver.flush();
      if (firstPassMs === 0 && handled >= nodeCount) firstPassMs = performance.now() - started;
    }
    const elapsed = (performance.now() - started) / 1000;
    process.stderr.write(`${backend}: ${handled} registrations stored\n`);
    const counters = receiver.counters();
    if (counters.store?.dropped)
      throw new Error(`${backend}: ${counters.store.dropped} registrations dropped`);
    ingestRows.push([
      backend,
      String(handled),
      fmt(elapsed, 1),
      fmt(handled / elapsed, 0),
      fmt(nodeCount / (firstPassMs / 1000), 0),
    ]);
    await receiver.close();

    const reader = await openRegistryStore(settings, createLogger(sink, "bench"), { readOnly: true });
    for (const [label, options] of [
      ["nodes()", {}],
      ["nodes({ facts: [role, osfamily] })", { facts: ["role", "osfamily"] }],
    ] as const) {
      const times: number[] = [];
      let matched = 0;
      let listed = 0;
      for (let q = 0; q < queries; q++) {
        const t0 = performance.now();
        const nodes = await reader.nodes(options);
        const hits = nodes.filter((n) => n.facts.role === "web" && /^Deb/.test(String(n.facts.osfamily)));
        times.push(performance.now() - t0);
        matched = hits.length;
        listed = nodes.length;
      }
      queryRows.push([
        backend,
        label,
        String(listed),
        String(matched),
        fmt(median(times), 1),
        fmt(percentile(times, 95), 1),
        fmt(Math.min(...times), 1),
      ]);
    }
    await reader.close();
  } finally {
    await db.drop();
  }
}

// The machine is shared: a figure taken under load says so.
console.log(
  `\nload average at the end: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}`,
);
console.log(
  `\nIngest: the receiver's path (meta body with 40 facts, parse, normalize, queue, batched upsert), ${nodeCount} nodes, >= ${seconds} s\n`,
);
console.log(
  table(["backend", "registrations", "seconds", "registrations/s", "first pass (inserts)/s"], ingestRows),
);
console.log(
  `\nnodes() + fact filter (role=web and osfamily=~/^Deb/) over the stored nodes, ${queries} runs\n`,
);
console.log(table(["backend", "read", "nodes", "matched", "median ms", "p95 ms", "min ms"], queryRows));
