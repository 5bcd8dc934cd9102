/**
 * Discovery that ends early never finds fewer nodes than the fixed window.
 *
 * A fleet whose nodes hold each reply back 0-1.5 s (seeded: the same delays
 * every run) is discovered by the real `mco find` and `mco ping` (apps/mco)
 * with MCollective's fixed window, with the sliding window, and with the
 * expected set of a flatfile, and every way must name the same nodes. The
 * sliding window is given 1.6 s: more than the widest delay, so no gap
 * between two replies can outlast it whatever the seed. A window shorter
 * than the gaps (Choria's 0.3 s) can miss a late node: that is why it is
 * opt-in (README, "Discovery that ends early").
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningBroker, startBroker } from "@phobos/broker";
import { configFromText, createLogger, memorySink, pluginSettings } from "@phobos/core";
import { runRubyMco, writeClientConfig, writeServerConfig } from "@phobos/interop";
import { openRegistryStore, registrySettings } from "@phobos/registry";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeIdentities } from "./identities.js";
import { parseReplyDelay, replyDelaySeconds } from "./reply-delay.js";
import { type Sim, startSim } from "./start-sim.js";

const COUNT = 24;
const DELAY = "0-1.5";
const SEED = 7;
/** Seconds: the fixed window every run is bounded by, with room above the widest delay. */
const WINDOW = 3;

function mco(args: readonly string[], configFile: string) {
  return runRubyMco(args, { configFile, implementation: "phobos", timeoutMs: 60_000 });
}

/** `mco find` prints one identity a line. */
function findIdentities(stdout: string): string[] {
  return stdout
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "")
    .sort();
}

/** `mco ping` lines are `identity   time=…`. */
function pingIdentities(stdout: string): string[] {
  return stdout
    .split("\n")
    .map((l) => /^(\S+)\s+time=/.exec(l)?.[1])
    .filter((x): x is string => x !== undefined)
    .sort();
}

describe("discovery that ends early, on a fleet with reply delays of 0-1.5 s", () => {
  let broker: RunningBroker;
  let dir: string;
  let sim: Sim;
  /** The fixed window's config (MCollective's behaviour, Phobos's default). */
  let fixedConfig: string;
  /** The same with `discovery_expected = flatfile` listing the fleet. */
  let expectedConfig: string;
  /** The same with a listed node that does not exist. */
  let ghostConfig: string;
  /** The node registry (SQLite) as `plugin.registry.database`, filled by `mco registry refresh`. */
  let registryConfig: string;
  let expectedRegistryConfig: string;
  const identities = nodeIdentities("late-", 1, COUNT).sort();

  beforeAll(async () => {
    broker = await startBroker({ port: 0, users: [{ name: "sim", password: "secret" }] });
    dir = await mkdtemp(join(tmpdir(), "window-discovery-end-"));
    const common = {
      broker: {
        connector: "rabbitmq" as const,
        vhost: "/",
        pool: [{ host: "127.0.0.1", port: broker.port, user: "sim", password: "secret" }],
      },
      security: { provider: "psk" as const, psk: "discovery-end-test" },
    };
    const serverConfig = await writeServerConfig(join(dir, "server"), { ...common, identity: "late-" });
    const nodesFile = join(dir, "nodes.txt");
    await writeFile(nodesFile, `${identities.join("\n")}\n`);
    const ghostFile = join(dir, "nodes-and-ghost.txt");
    await writeFile(ghostFile, `${[...identities, "ghost-node"].join("\n")}\n`);
    fixedConfig = await writeClientConfig(join(dir, "fixed"), { ...common, identity: "window-client" });
    expectedConfig = await writeClientConfig(join(dir, "expected"), {
      ...common,
      identity: "window-client",
      extra: { discovery_expected: "flatfile", discovery_expected_options: nodesFile },
    });
    ghostConfig = await writeClientConfig(join(dir, "ghost"), {
      ...common,
      identity: "window-client",
      extra: { discovery_expected: "flatfile", discovery_expected_options: ghostFile },
    });
    const database = { "plugin.registry.database": join(dir, "registry.db") };
    registryConfig = await writeClientConfig(join(dir, "registry"), {
      ...common,
      identity: "window-client",
      extra: database,
    });
    expectedRegistryConfig = await writeClientConfig(join(dir, "expected-registry"), {
      ...common,
      identity: "window-client",
      extra: { ...database, discovery_expected: "registry" },
    });
    sim = await startSim([
      ...["--count", String(COUNT), "--config", serverConfig],
      ...["--reply-delay", DELAY, "--delay-seed", String(SEED)],
    ]);
  }, 180_000);

  afterAll(async () => {
    await sim?.stop();
    await broker?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("injects delays spread over the whole range", () => {
    const spec = parseReplyDelay(DELAY, SEED);
    const delays = identities.map((id) => replyDelaySeconds(spec, id));
    expect(Math.min(...delays)).toBeLessThan(0.5);
    expect(Math.max(...delays)).toBeGreaterThan(1);
    expect(sim.ready).toMatchObject({ ready: COUNT, count: COUNT });
  });

  it("mco find: the sliding window and the expected set find the fixed window's nodes", async () => {
    const dt = ["--dt", String(WINDOW)];
    const fixed = await mco(["find", ...dt], fixedConfig);
    const sliding = await mco(["find", ...dt, "--discovery-window", "1.6"], fixedConfig);
    const expected = await mco(["find", ...dt], expectedConfig);
    for (const run of [fixed, sliding, expected]) expect(run.code).toBe(0);
    expect(findIdentities(fixed.stdout)).toEqual(identities);
    expect(findIdentities(sliding.stdout)).toEqual(findIdentities(fixed.stdout));
    expect(findIdentities(expected.stdout)).toEqual(findIdentities(fixed.stdout));
  });

  it("mco ping: the sliding window and the expected set hear the fixed window's nodes", async () => {
    const t = ["-t", String(WINDOW)];
    const fixed = await mco(["ping", ...t], fixedConfig);
    const sliding = await mco(["ping", ...t, "--discovery-window", "1.6"], fixedConfig);
    const expected = await mco(["ping", ...t], expectedConfig);
    for (const run of [fixed, sliding, expected]) expect(run.code).toBe(0);
    expect(pingIdentities(fixed.stdout)).toEqual(identities);
    expect(pingIdentities(sliding.stdout)).toEqual(pingIdentities(fixed.stdout));
    expect(pingIdentities(expected.stdout)).toEqual(pingIdentities(fixed.stdout));
    expect(expected.stdout).not.toContain("No response from:");
  });

  it("names an expected node that never answered, and still lists every node that did", async () => {
    const ping = await mco(["ping", "-t", String(WINDOW)], ghostConfig);
    expect(pingIdentities(ping.stdout)).toEqual(identities);
    expect(ping.stdout).toMatch(/No response from:\n\n\s+ghost-node/);
    const find = await mco(["find", "--dt", String(WINDOW)], ghostConfig);
    expect(findIdentities(find.stdout)).toEqual(identities);
    expect(find.stderr).toContain("Did not receive responses from ghost-node");
  });

  it("with the registry as the expected set (discovery_expected = registry), find and ping hear the fixed window's nodes and name a registered node that is gone", async () => {
    // What the registration receiver stores: each node's agents and facts, and one node that has since gone away.
    const settings = registrySettings(
      pluginSettings(configFromText(`plugin.registry.database = ${join(dir, "registry.db")}\n`), "registry"),
    );
    const store = await openRegistryStore(settings, createLogger(memorySink()));
    for (const identity of [...identities, "gone-node"]) {
      const n = Number(identity.replace("late-", ""));
      store.record({
        identity,
        collective: "mcollective",
        agents: ["discovery", "rpcutil"],
        facts: { fleet_sim_node: Number.isNaN(n) ? 0 : n },
        source: "meta",
      });
    }
    await store.flush();
    await store.close();

    const late = ["-I", "/^late-/"];
    const find = await mco(["find", "--dt", String(WINDOW), ...late], expectedRegistryConfig);
    expect(find.code).toBe(0);
    expect(findIdentities(find.stdout)).toEqual(identities);
    expect(find.stderr).not.toContain("Did not receive responses");
    const ping = await mco(["ping", "-t", String(WINDOW), ...late], expectedRegistryConfig);
    expect(ping.code).toBe(0);
    expect(pingIdentities(ping.stdout)).toEqual(identities);
    expect(ping.stdout).not.toContain("No response from:");
    // A fact filter the registry evaluates narrows the expected set and the answer alike.
    const one = await mco(["find", "--dt", String(WINDOW), "-F", "fleet_sim_node=3"], expectedRegistryConfig);
    expect(findIdentities(one.stdout)).toEqual(["late-3"]);

    // The whole registry: every live node still heard, the gone one named.
    const all = await mco(["ping", "-t", String(WINDOW)], expectedRegistryConfig);
    expect(pingIdentities(all.stdout)).toEqual(identities);
    expect(all.stdout).toMatch(/No response from:\n\n\s+gone-node/);
    const fixed = await mco(["find", "--dt", String(WINDOW)], registryConfig);
    expect(findIdentities(fixed.stdout)).toEqual(identities);
  });

  it("--discovery-expected on the command line turns the expected set on", async () => {
    // The fixed config has no discovery_expected_options: flatfile has no file and says so,
    // and discovery goes on with the whole window.
    const find = await mco(["find", "--dt", "1", "--discovery-expected", "flatfile"], fixedConfig);
    expect(find.code).toBe(0);
    expect(find.stderr).toContain("discovery_expected method flatfile could not list the expected nodes");
    expect(find.stderr).toContain("needs a path to a text file");
  });
});
