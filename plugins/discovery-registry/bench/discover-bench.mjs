#!/usr/bin/env node
/**
 * Registry discovery over a large stored fleet, on SQLite and on the
 * machine's PostgreSQL: how long one `discover()` takes (open the store,
 * read every node, judge the filter on each, close), for an empty filter,
 * a fact filter, a class filter and a compound one.
 *
 *   pnpm exec turbo run build && node plugins/discovery-registry/bench/discover-bench.mjs [nodes] [runs]
 *
 * Nodes carry ~30 facts (a structured `networking`, an Array fact), 6
 * classes and 8 agents, like a small Puppet-managed host. Figures are the
 * median and best of `runs` calls. A benchmark, not a test: it prints
 * figures and asserts nothing. The PostgreSQL database is dropped after.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const NODES = Number(process.argv[2] ?? 10_000);
const RUNS = Number(process.argv[3] ?? 7);
const load = async (what, url) =>
  import(url).catch((err) => {
    console.error(`cannot load ${what} (${err.message}): run \`pnpm exec turbo run build\` first`);
    process.exit(1);
  });
const core = await load("@phobos/core", "@phobos/core");
const { openRegistryStore, registrySettings } = await load("@phobos/registry", "@phobos/registry");
const { openPlugin } = await load("@phobos/testing", "@phobos/testing");
const registry = (await load("the registry discovery", new URL("../dist/discovery.js", import.meta.url).href))
  .default;
const { default: pg } = await load("pg", "pg");

const silent = core.createLogger({ level: "fatal", write: () => undefined });
const ROLES = ["web", "db", "app", "cache", "queue"];

function node(i) {
  const role = ROLES[i % ROLES.length];
  const facts = {
    role,
    datacenter: `dc${i % 4}`,
    osfamily: i % 3 === 0 ? "RedHat" : "Debian",
    node_index: String(i),
    memorysize_mb: String(1024 * (1 + (i % 16))),
    networking: { ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, fqdn: `n${i}.example.net` },
    ips: [`10.0.${(i >> 8) & 255}.${i & 255}`, `192.168.${i & 255}.1`],
  };
  for (let f = 0; f < 23; f++) facts[`fact_${f}`] = `value-${(i + f) % 97}`;
  return {
    identity: `n${String(i).padStart(6, "0")}`,
    source: "meta",
    agents: ["rpcutil", "discovery", "package", "service", "puppet", "filemgr", "nettest", "shell"],
    facts,
    classes: ["base", `role::${role}`, "ntp", "ssh", "monitoring", `dc::dc${i % 4}`],
    collectives: ["mcollective"],
  };
}

async function fill(database) {
  const settings = new core.PluginSettings(
    "registration",
    new Map([
      ["database", database],
      ["queue_size", String(NODES)],
    ]),
  );
  const store = await openRegistryStore(registrySettings(settings), silent);
  for (let i = 0; i < NODES; i++) store.record(node(i));
  await store.flush();
  await store.close();
}

const FILTERS = {
  "no filter": {},
  "-F role=web": { fact: [core.parseFactFilter("role=web")] },
  "-C role::db": { cf_class: ["role::db"] },
  "-S compound": {
    compound: [core.parseCompound("role=web and not datacenter=dc1 or networking.ip=/^10\\.0\\.1\\./")],
  },
};

async function measure(database) {
  const plugin = await openPlugin({ definition: registry, settings: { database } }, "client");
  const rows = [];
  for (const [name, partial] of Object.entries(FILTERS)) {
    const filter = { ...core.emptyFilter(), ...partial };
    const times = [];
    let found = 0;
    for (let r = 0; r < RUNS; r++) {
      const started = performance.now();
      found = (await plugin.instance.discover({ filter, timeout: 0, limit: 0, options: [], client: null }))
        .length;
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    rows.push({ name, found, median: times[Math.floor(times.length / 2)], best: times[0] });
  }
  plugin.close();
  return rows;
}

function print(kind, rows) {
  for (const r of rows) {
    console.log(
      `${kind.padEnd(10)} ${r.name.padEnd(14)} ${String(r.found).padStart(6)} nodes  median ${r.median.toFixed(1).padStart(7)} ms  best ${r.best.toFixed(1).padStart(7)} ms`,
    );
  }
}

console.log(`registry discovery over ${NODES} stored nodes, ${RUNS} runs each (open, read, judge, close)`);
const dir = mkdtempSync(join(tmpdir(), "regclient-bench-"));
try {
  const file = join(dir, "registry.db");
  await fill(file);
  print("SQLite", await measure(file));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const name = `registry_h5_bench_${randomBytes(4).toString("hex")}`;
const admin = async (sql) => {
  const c = new pg.Client("postgres://postgres@127.0.0.1:5432/test");
  await c.connect();
  await c.query(sql).finally(() => c.end());
};
await admin(`CREATE DATABASE ${name}`);
try {
  const url = `postgres://postgres@127.0.0.1:5432/${name}`;
  await fill(url);
  print("PostgreSQL", await measure(url));
} finally {
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}
