/**
 * `mco puppet` end to end: the real Phobos `mco` against two real Phobos
 * daemons (apps/mcollectived) on RabbitMQ, each with its own Puppet site
 * whose state comes from a real `puppet apply`; runonce and runall start
 * real Puppet runs. One daemon reads facts facter wrote (`facter -y`)
 * through the yaml facts plugin.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RubyFleet, type RubyFleetNode, startRubyFleet } from "@phobos/interop";
import { eventually } from "@phobos/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPuppetSite, type PuppetSite } from "./__fixtures__/puppet-site.js";

let fleet: RubyFleet;
let work: string;
const sites: Record<string, PuppetSite> = {};
const IDS = ["pp1", "pp2"];

const mco = (args: string[]) => fleet.mco(["puppet", ...args], { implementation: "phobos" });
const nodeLines = (text: string) =>
  text
    .split("\n")
    .filter((l) => /^\s*pp\d/.test(l))
    .map((l) => l.trim())
    .sort();

/** Puppet runs take their time on a loaded machine: the bound only stops a hang. */
const waitFor = (check: () => Promise<boolean>, what: string) =>
  eventually(async () => ((await check()) ? true : undefined), what, 90_000);

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "phobos-mco-puppet-"));
  for (const id of IDS) sites[id] = await createPuppetSite(join(work, id));
  await Promise.all(IDS.map((id) => sites[id]?.apply()));
  // Facter exits 1 in containers over facts it may not read (/proc/1/environ); its YAML is still whole.
  const facter = await new Promise<string>((resolve, reject) =>
    execFile("facter", ["-y"], { timeout: 120_000, maxBuffer: 1 << 24 }, (err, stdout) => {
      if (/^kernel: /m.test(stdout)) resolve(stdout);
      else
        reject(
          new Error(`facter -y printed no facts (run tooling/scripts/provision.sh): ${err?.message ?? ""}`),
        );
    }),
  );
  const factsFile = join(work, "facter.yaml");
  await writeFile(factsFile, facter);
  const node = (identity: string): RubyFleetNode => {
    const site = sites[identity] as PuppetSite;
    return {
      identity,
      implementation: "phobos",
      facts: { role: "puppet" },
      agents: ["discovery", "rpcutil", "puppet"],
      extra: {
        "plugin.puppet.config": site.config,
        "plugin.puppet.command": site.command,
        "plugin.puppet.splay": "false",
        ...(identity === "pp2" ? { "plugin.yaml": factsFile } : {}),
      },
    };
  };
  fleet = await startRubyFleet({ vhostPrefix: "phobos-puppet", nodes: IDS.map(node) });
}, 300_000);

afterAll(async () => {
  await fleet?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

describe.sequential("mco puppet", () => {
  it("status: each node's message, then the summaries", async () => {
    const r = await mco(["status", "-I", "/^pp\\d$/", "--dt", "1"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    for (const line of nodeLines(r.stdout))
      expect(line).toMatch(/^pp\d: Currently stopped; last completed run (\d+ minutes )?\d\d seconds ago$/);
    expect(nodeLines(r.stdout)).toHaveLength(2);
    expect(r.stdout).toContain("Summary of Enabled:\n\n   enabled = 2\n");
    expect(r.stdout).toContain("Summary of Daemon Running:\n\n   stopped = 2\n");
    expect(r.stdout).toContain("Summary of Applying:\n\n   false = 2\n");
    expect(r.stdout).toContain("Summary of Status:\n\n   stopped = 2\n");
  });

  it("disable with a message, count, then enable", async () => {
    const off = await mco(["disable", "deploy freeze", "-I", "pp1"]);
    expect(off.code).toBe(0);
    expect(off.stdout).toContain("Summary of Enabled:\n\n   disabled = 1\n");
    expect(existsSync(sites.pp1?.lockfile as string)).toBe(true);

    const count = await mco(["count", "-I", "/^pp\\d$/", "--dt", "1"]);
    expect(count.code).toBe(0);
    expect(count.stdout).toBe(
      [
        "Total Puppet nodes: 2",
        "",
        "          Nodes currently enabled: 1",
        "         Nodes currently disabled: 1",
        "",
        "Nodes currently doing puppet runs: 0",
        "          Nodes currently stopped: 2",
        "",
        "       Nodes with daemons started: 0",
        "    Nodes without daemons started: 2",
        "       Daemons started but idling: 0",
        "",
        "",
      ].join("\n"),
    );

    const status = await mco(["status", "-I", "pp1"]);
    expect(status.stdout).toMatch(/^ {3}pp1: Currently disabled; /m);

    const refused = await mco(["runonce", "-I", "pp1"]);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toContain("Puppet is disabled: 'deploy freeze'");

    const on = await mco(["enable", "-I", "pp1"]);
    expect(on.code).toBe(0);
    expect(on.stdout).toContain("Summary of Enabled:\n\n   enabled = 1\n");
    expect(existsSync(sites.pp1?.lockfile as string)).toBe(false);
  });

  it("summary: histograms of the last runs", async () => {
    const r = await mco(["summary", "-I", "/^pp\\d$/", "--dt", "1"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe("Summary statistics for 2 nodes:");
    expect(r.stdout).toMatch(
      /^ {18}Total resources: [▁-▇]{20} {2}min: \d+\.\d\s* avg: \d+\.\d\s* max: \d+\.\d\s*$/m,
    );
    for (const label of [
      "Out Of Sync resources",
      "Failed resources",
      "Changed resources",
      "Total run-time (seconds)",
    ])
      expect(r.stdout).toContain(`${label}: `);
  });

  it("runonce --tags: a real Puppet run of the tagged resources on the node", async () => {
    const site = sites.pp2 as PuppetSite;
    await rm(join(site.dir, "alpha.txt"), { force: true });
    await rm(join(site.dir, "beta.txt"), { force: true });
    const before = await site.finishedRuns();
    const r = await mco(["runonce", "--tags=alpha", "-I", "pp2"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Finished processing 1 \/ 1 hosts/);
    await waitFor(async () => (await site.finishedRuns()) > before, "pp2's run");
    expect(existsSync(join(site.dir, "alpha.txt"))).toBe(true);
    expect(existsSync(join(site.dir, "beta.txt"))).toBe(false);
  });

  it("runall 1: every enabled node run, one at a time", async () => {
    const before = Object.fromEntries(
      await Promise.all(IDS.map(async (id) => [id, await (sites[id] as PuppetSite).finishedRuns()] as const)),
    );
    const r = await mco(["runall", "1", "-I", "/^pp\\d$/", "--dt", "1"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/: Running all nodes with a concurrency of 1\n/);
    expect(r.stdout).toMatch(/: Found 2 enabled nodes\n/);
    expect(r.stdout).toMatch(/: pp1 schedule status: Started a Puppet run using the '.*' command\n/);
    expect(r.stdout).toMatch(/: Iteration complete. Initiated a Puppet run on 2 nodes.\n/);
    for (const id of IDS) {
      await waitFor(
        async () => (await (sites[id] as PuppetSite).finishedRuns()) > (before[id] ?? 0),
        `${id}'s run`,
      );
    }
  });

  it("facts facter wrote, read by the yaml facts plugin, select a node", async () => {
    const r = await fleet.mco(["find", "-F", "kernel=Linux", "--dt", "1"], { implementation: "phobos" });
    expect(r.stdout).toBe("pp2\n");
  });

  it("the puppet data plugin in a filter", async () => {
    await mco(["disable", "-I", "pp1"]);
    const r = await fleet.mco(["find", "-S", "puppet().enabled=false", "--dt", "1"], {
      implementation: "phobos",
    });
    expect(r.stdout).toBe("pp1\n");
    await mco(["enable", "-I", "pp1"]);
  });

  it("mistakes: a bad command, runall without a concurrency", async () => {
    const bad = await mco(["restart"]);
    expect([bad.code, bad.stderr]).toEqual([
      1,
      "mco puppet: Action must be count, enable, disable, resource, runall, runonce, status or summary\n",
    ]);
    const runall = await mco(["runall"]);
    expect(runall.stderr).toBe("mco puppet: The runall command needs a concurrency limit\n");
  });
});
