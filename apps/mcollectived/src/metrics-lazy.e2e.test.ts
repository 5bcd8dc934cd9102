/**
 * Metrics are off unless `plugin.metrics.port` is set, and then cost
 * nothing: a daemon without it never loads prom-client. A probe loaded
 * with --import lists, as the process exits, the CommonJS modules it
 * loaded (prom-client is one); the same daemon with the key set is the
 * control that the probe sees prom-client when it is there.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { writeServerConfig } from "@phobos/interop";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDaemon, waitForLog } from "./test-support/daemon.js";
import { freePort } from "./test-support/free-port.js";

const PROBE = `
import { createRequire } from "node:module";
import { writeFileSync } from "node:fs";
const require = createRequire(import.meta.url);
process.on("exit", () => writeFileSync(process.env.PHOBOS_LOADED_PROBE, JSON.stringify(Object.keys(require.cache))));
`;

let dir: string;
let probe: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "metrics-lazy-"));
  probe = join(dir, "probe.mjs");
  await writeFile(probe, PROBE);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Starts a daemon (its broker never answers: start-up runs up to the connect), stops it, returns what it loaded. */
async function loadedModules(name: string, extra: Record<string, string>): Promise<string[]> {
  const home = join(dir, name);
  const config = await writeServerConfig(home, {
    identity: name,
    broker: {
      connector: "rabbitmq",
      vhost: "/mcollective",
      pool: [{ host: "127.0.0.1", port: await freePort(), user: "u", password: "p" }],
    },
    security: { provider: "psk", psk: randomBytes(8).toString("hex") },
    loglevel: "info",
    extra,
  });
  const out = join(home, "loaded.json");
  const daemon = startDaemon(["--config", config, "--no-daemonize"], {
    env: {
      ...process.env,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --import=${pathToFileURL(probe).href}`,
      PHOBOS_LOADED_PROBE: out,
    },
  });
  // The agents are loaded and the connector is trying the broker: past every metrics decision.
  await waitForLog(join(home, "mcollectived.log"), /TCP Connection attempt 1 to/, { timeoutMs: 15_000 });
  daemon.child.kill("SIGTERM");
  const { code } = await daemon.exit;
  expect(code, daemon.output()).toBe(0);
  return JSON.parse(await readFile(out, "utf8")) as string[];
}

describe("metrics off by default", () => {
  it("a daemon without plugin.metrics.port never loads prom-client; with it, it does", async () => {
    const off = await loadedModules("lazy-off", {});
    expect(off.length).toBeGreaterThan(0);
    expect(off.filter((m) => m.includes("prom-client"))).toEqual([]);
    const on = await loadedModules("lazy-on", { "plugin.metrics.port": String(await freePort()) });
    expect(on.filter((m) => m.includes("prom-client")).length).toBeGreaterThan(0);
  }, 60_000);
});

describe("the registry's database drivers load only on the node that receives registrations", () => {
  it("a daemon without plugin.registration.database never loads better-sqlite3 or pg; with a SQLite registry, it loads better-sqlite3", async () => {
    const drivers = (loaded: string[]) => loaded.filter((m) => /[\\/](better-sqlite3|pg)[\\/]/.test(m));
    expect(drivers(await loadedModules("drivers-off", {}))).toEqual([]);
    const on = await loadedModules("drivers-on", {
      "plugin.registration.database": join(dir, "registry.db"),
    });
    expect(on.filter((m) => m.includes("better-sqlite3")).length).toBeGreaterThan(0);
    expect(on.filter((m) => /[\\/]pg[\\/]/.test(m))).toEqual([]);
  }, 60_000);
});
