/**
 * check_mcollective_registry, the executable itself, against real registries
 * (a SQLite file, and a database on the machine's PostgreSQL) holding nodes
 * last seen at chosen ages: the exit code and the status line for each
 * state, and UNKNOWN for whatever keeps it from looking.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createLogger, PluginSettings } from "@phobos/core";
import { openRegistryStore, registrySettings } from "@phobos/registry";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const BIN = resolve(import.meta.dirname, "../../bin/check_mcollective_registry");
const PG_ADMIN = "postgres://postgres@127.0.0.1:5432/test";
const silent = createLogger({ level: "fatal", write: () => undefined });
const dir = mkdtempSync(join(tmpdir(), "regclient-check-"));
const pgName = `registry_h5_check_${randomBytes(4).toString("hex")}`;
const PG_URL = `postgres://postgres@127.0.0.1:5432/${pgName}`;

function check(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    encoding: "utf8",
    env: { ...process.env, MCOLLECTIVE_EXTRA_OPTS: "", ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A registry at `database` holding `nodes`, each last seen `age` seconds ago. */
async function fill(database: string, nodes: [identity: string, age: number][]): Promise<void> {
  const store = await openRegistryStore(
    registrySettings(new PluginSettings("registration", new Map([["database", database]]))),
    silent,
  );
  try {
    const now = Date.now();
    for (const [identity, age] of nodes) {
      store.record({ identity, agents: ["rpcutil"], source: "meta", seenAt: new Date(now - age * 1000) });
    }
    await store.flush();
  } finally {
    await store.close();
  }
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client(PG_ADMIN);
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  await admin(`CREATE DATABASE ${pgName}`);
});

afterAll(async () => {
  await admin(`DROP DATABASE IF EXISTS ${pgName} WITH (FORCE)`);
  rmSync(dir, { recursive: true, force: true });
});

const line = (out: string) => out.split("\n")[0] as string;

for (const kind of ["sqlite", "postgres"] as const) {
  describe(`check_mcollective_registry on ${kind}`, () => {
    // One registry per kind, filled test by test: each adds nodes to what the one before left.
    const db = kind === "sqlite" ? join(dir, "registry.db") : PG_URL;

    it("is OK (0) when every node registered within --warning, with perfdata", async () => {
      await fill(db, [
        ["web1", 10],
        ["web2", 100],
      ]);
      const result = check(["--database", db, "-w", "300", "-c", "600"]);
      expect(result.code).toBe(0);
      expect(line(result.stdout)).toMatch(
        /^REGISTRY OK - 2 nodes, all seen within 300s \| nodes=2;;;0 stale=0;;;0 silent=0;;;0 oldest=(100|101)s;300;600;0$/,
      );
    });

    it("warns (1) naming the node silent beyond --warning", async () => {
      await fill(db, [["db1", 400]]);
      const result = check(["--database", db, "--warning", "300", "--critical", "600"]);
      expect(result.code).toBe(1);
      expect(line(result.stdout)).toMatch(
        /^REGISTRY WARNING - 1 of 3 nodes not seen within 300s: db1 \((400|401)s\) \| nodes=3;;;0 stale=0;;;0 silent=1;;;0 oldest=(400|401)s;300;600;0$/,
      );
    });

    it("is CRITICAL (2) beyond --critical, and counts the nodes the store marks stale", async () => {
      await fill(db, [["db2", 4000]]);
      const result = check(["--database", db, "-w", "300", "-c", "600"]);
      expect(result.code).toBe(2);
      expect(line(result.stdout)).toMatch(
        /^REGISTRY CRITICAL - 2 of 4 nodes not seen within 300s, 1 beyond 600s: db2 \(400\ds\), db1 \(40\ds\) \| nodes=4;;;0 stale=1;;;0 silent=2;;;0 oldest=400\ds;300;600;0$/,
      );
    });

    it("reads plugin.registry.database from --config", async () => {
      const file = join(dir, `client-${kind}.cfg`);
      writeFileSync(file, `plugin.registry.database = ${db}\nplugin.registry.stale_after = 3000\n`);
      const result = check(["--config", file, "-w", "5000", "-c", "6000"]);
      expect(result.code).toBe(0);
      expect(line(result.stdout)).toMatch(/^REGISTRY OK - 4 nodes, all seen within 5000s \| .* stale=1;;;0 /);
    });
  });
}

describe("check_mcollective_registry cannot look: UNKNOWN (3)", () => {
  it("for a SQLite file that does not exist", () => {
    const missing = join(dir, "missing.db");
    const result = check(["--database", missing]);
    expect(result.code).toBe(3);
    expect(line(result.stdout)).toBe(
      `REGISTRY UNKNOWN - There is no registry database at ${missing} (plugin.registry.database): point it at the file the registration receiver writes`,
    );
  });

  it("for a PostgreSQL that does not answer, without printing the password", () => {
    const result = check(["--database", "postgres://reader:s3cret@127.0.0.1:43599/registry"]);
    expect(result.code).toBe(3);
    expect(line(result.stdout)).toMatch(
      /^REGISTRY UNKNOWN - Cannot open the registry database postgres:\/\/reader:\*\*\*@127\.0\.0\.1:43599\/registry: /,
    );
    expect(result.stdout).not.toContain("s3cret");
  });

  it("for a config without plugin.registry.database", () => {
    const file = join(dir, "empty.cfg");
    writeFileSync(file, "identity = monitor\n");
    const result = check(["--config", file]);
    expect(result.code).toBe(3);
    expect(line(result.stdout)).toContain("REGISTRY UNKNOWN - plugin.registry.database: is not set");
  });

  it("for an empty registry", async () => {
    const db = join(dir, "empty.db");
    await fill(db, []);
    const result = check(["--database", db]);
    expect(result.code).toBe(3);
    expect(line(result.stdout)).toBe(
      "REGISTRY UNKNOWN - the registry holds no nodes: is anything registering?",
    );
  });

  it.each([
    [["--warning", "ten"], "--warning must be a whole number of seconds greater than 0, got 'ten'"],
    [["-w", "600", "-c", "300"], "--critical (300) must not be less than --warning (600)"],
    [["--frobnicate"], "Unknown option '--frobnicate'"],
  ])("for bad arguments %j", (args, message) => {
    const result = check(["--database", join(dir, "ok.db"), ...args]);
    expect(result.code).toBe(3);
    expect(line(result.stdout)).toContain(`REGISTRY UNKNOWN - ${message}`);
  });
});
