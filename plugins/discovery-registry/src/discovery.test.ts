/**
 * The registry discovery method over real registries (a SQLite file and a
 * database on the machine's PostgreSQL): core's discovery conformance
 * suite, what it selects from stored nodes, stale nodes, its `--do`
 * option, and the errors for a missing or unreachable database.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, emptyFilter, type Filter, PluginSettings, parseFactFilter } from "@phobos/core";
import { type NodeUpdate, openRegistryStore, registrySettings } from "@phobos/registry";
import { createFakeDiscoveryClient, describeDiscoveryPlugin, openPlugin } from "@phobos/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import ddl from "./ddl.js";
import registry from "./discovery.js";

const silent = createLogger({ level: "fatal", write: () => undefined });
const dir = mkdtempSync(join(tmpdir(), "regclient-discovery-"));
const SQLITE = join(dir, "registry.db");
const PG_ADMIN = "postgres://postgres@127.0.0.1:5432/test";
const pgName = `registry_h5_disc_${randomBytes(4).toString("hex")}`;
const POSTGRES = `postgres://postgres@127.0.0.1:5432/${pgName}`;

// The client is there because the contract hands one to every method; registry must never broadcast.
const client = createFakeDiscoveryClient(["not-in-the-registry"]);

const hour = 3600 * 1000;
const NODES: NodeUpdate[] = [
  {
    identity: "web1",
    source: "meta",
    agents: ["rpcutil", "package"],
    facts: { role: "web", networking: { ip: "10.0.0.1" } },
    classes: ["base", "role::web"],
    collectives: ["mcollective"],
  },
  { identity: "web2", source: "meta", agents: ["rpcutil"], facts: { role: "web" }, classes: ["base"] },
  { identity: "db1", source: "inventory", agents: ["rpcutil"], facts: { role: "db" }, classes: ["base"] },
  // Silent for a day: past the default stale_after (1800 s), not yet expired.
  { identity: "gone1", source: "agentlist", agents: ["rpcutil"], seenAt: new Date(Date.now() - 24 * hour) },
];

async function fill(database: string): Promise<void> {
  const store = await openRegistryStore(
    registrySettings(new PluginSettings("registration", new Map([["database", database]]))),
    silent,
  );
  try {
    for (const node of NODES) store.record(node);
    await store.flush();
  } finally {
    await store.close();
  }
}

async function admin(sql: string): Promise<void> {
  const c = new pg.Client(PG_ADMIN);
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  await admin(`CREATE DATABASE ${pgName}`);
  await fill(SQLITE);
  await fill(POSTGRES);
});

afterAll(async () => {
  await admin(`DROP DATABASE IF EXISTS ${pgName} WITH (FORCE)`);
  rmSync(dir, { recursive: true, force: true });
});

describeDiscoveryPlugin({ definition: registry, ddl, client, settings: { database: SQLITE } });

async function discover(
  settings: Record<string, string>,
  filter: Partial<Filter> = {},
  options: string[] = [],
  limit = 0,
) {
  const plugin = await openPlugin({ definition: registry, settings }, "client");
  try {
    return await plugin.instance.discover({
      filter: { ...emptyFilter(), ...filter },
      timeout: 0,
      limit,
      options,
      client,
    });
  } finally {
    plugin.close();
  }
}

for (const [kind, database] of [
  ["SQLite", SQLITE],
  ["PostgreSQL", POSTGRES],
] as const) {
  describe(`registry discovery on ${kind}`, () => {
    it("selects the stored nodes the filter selects, stale ones left out", async () => {
      expect(await discover({ database })).toEqual(["db1", "web1", "web2"]);
      expect(await discover({ database }, { fact: [parseFactFilter("role=web")] })).toEqual(["web1", "web2"]);
      expect(await discover({ database }, { fact: [parseFactFilter("networking.ip=10.0.0.1")] })).toEqual([
        "web1",
      ]);
      expect(await discover({ database }, { cf_class: ["role::web"], agent: ["package"] })).toEqual(["web1"]);
      expect(await discover({ database }, { identity: ["/^gone/"] })).toEqual([]);
    });

    it("selects stale nodes too with --do include_stale", async () => {
      expect(await discover({ database }, { identity: ["/^gone/"] }, ["include_stale"])).toEqual(["gone1"]);
    });

    it("honours the limit", async () => {
      expect(await discover({ database }, {}, [], 2)).toEqual(["db1", "web1"]);
    });
  });
}

describe("registry discovery refuses", () => {
  it("a --do option it does not know, naming it", async () => {
    await expect(discover({ database: SQLITE }, {}, ["/etc/nodes.txt"])).rejects.toThrow(
      "The registry discovery method does not know the option '/etc/nodes.txt' (known: include_stale)",
    );
  });

  it("to run without plugin.registry.database", async () => {
    await expect(discover({})).rejects.toThrow("plugin.registry.database: is not set");
  });

  it("a SQLite path where there is no registry", async () => {
    const missing = join(dir, "nope.db");
    await expect(discover({ database: missing })).rejects.toThrow(
      `There is no registry database at ${missing} (plugin.registry.database)`,
    );
  });

  it("an unreachable PostgreSQL, naming it without its password", async () => {
    const error = await discover({ database: "postgres://reader:s3cret@127.0.0.1:43598/registry" }).catch(
      (e: Error) => e,
    );
    expect(String(error)).toContain(
      "Cannot open the registry database postgres://reader:***@127.0.0.1:43598/registry",
    );
    expect(String(error)).not.toContain("s3cret");
  });

  it("never broadcasts", () => {
    expect(client.calls).toEqual([]);
  });
});
