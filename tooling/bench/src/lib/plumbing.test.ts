/**
 * The benchmarks' plumbing against real things (no figures asserted): a small
 * simulated fleet on the embedded broker, Phobos's and Ruby's in-process
 * clients, and both whole `mco` processes with their output parsed.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { phobosClient, rubyRounds } from "./clients.js";
import { check, parseFinished, parsePing, runMco } from "./mco.js";
import { openSite, type SimFleet, type Site, startSimFleet } from "./site.js";

let site: Site;
let fleet: SimFleet;

beforeAll(async () => {
  site = await openSite("embedded");
  fleet = await startSimFleet(site, { count: 5 });
});

afterAll(async () => {
  await fleet?.stop();
  await site?.dispose();
});

describe("bench plumbing on the embedded broker", () => {
  it("times ping and rpcutil ping rounds in the Phobos client with no reply lost", async () => {
    const client = await phobosClient(site.clientConfig);
    try {
      for (const kind of ["discovery-ping", "rpcutil-ping"] as const) {
        const round = await client.round(kind, fleet.identities, 10);
        expect(round).toMatchObject({ replies: 5, lost: 0 });
        expect(round.ms).toBeGreaterThan(0);
      }
    } finally {
      await client.close();
    }
  });

  it("times the same rounds in Ruby MCollective's client", async () => {
    for (const kind of ["discovery-ping", "rpcutil-ping"] as const) {
      const rounds = await rubyRounds(site.clientConfig, kind, fleet.identities, 2, 10);
      expect(rounds).toHaveLength(2);
      for (const r of rounds) expect(r).toMatchObject({ replies: 5, lost: 0 });
    }
  });

  it("runs both mco binaries under GNU time and reads their summaries", async () => {
    const nodes = join(site.dir, "nodes.txt");
    await writeFile(nodes, `${fleet.identities.join("\n")}\n`);
    for (const impl of ["phobos", "ruby"] as const) {
      const ping = check(await runMco(impl, ["ping", "-t", "1", "--config", site.clientConfig]), "mco ping");
      expect(parsePing(ping.stdout)?.replies).toBe(5);
      expect(ping.cpuMs).toBeGreaterThan(0);
      expect(ping.maxRssMiB).toBeGreaterThan(1);
      const rpc = check(
        await runMco(impl, [
          "rpc",
          "rpcutil",
          "ping",
          "--np",
          "--nodes",
          nodes,
          "--config",
          site.clientConfig,
        ]),
        "mco rpc",
      );
      expect(parseFinished(rpc.stdout)).toMatchObject({ done: 5, of: 5 });
    }
  });

  it("names the command and its output when a run fails", async () => {
    const bad = await runMco("phobos", ["rpc", "nosuchagent", "x", "--config", site.clientConfig]);
    expect(() => check(bad, "mco rpc nosuchagent")).toThrow(/mco rpc nosuchagent exited with [1-9]/);
  });
});
