/**
 * A Puppet run that fails, end to end: a real Phobos mcollectived on
 * RabbitMQ whose `plugin.puppet.command` fails as `puppet agent --onetime`
 * does when it cannot reach its CA, driven by the real Phobos `mco`.
 * `runonce` still succeeds (the run started), then the daemon's log has
 * the run's exit status and last lines, `mco puppet status` says the
 * triggered run failed, and `mco puppet summary` lists the node.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RubyFleet, startRubyFleet } from "@phobos/interop";
import { eventually } from "@phobos/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPuppetSite, type PuppetSite } from "./__fixtures__/puppet-site.js";

let fleet: RubyFleet;
let work: string;
let site: PuppetSite;
let failing: string;

const mco = (args: string[]) => fleet.mco(["puppet", ...args, "-I", "pf1"], { implementation: "phobos" });

/** Puppet runs take their time on a loaded machine: the bound only stops a hang. */
const waitFor = (check: () => Promise<boolean>, what: string) =>
  eventually(async () => ((await check()) ? true : undefined), what, 90_000);

const WHY = "Error: Could not run: No more routes to ca";

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "phobos-puppet-fail-"));
  site = await createPuppetSite(join(work, "pf1"));
  await site.apply();
  failing = join(work, "puppet-agent-no-ca.sh");
  await writeFile(
    failing,
    ["#!/bin/sh", "echo \"Info: Using environment 'production'\"", `echo '${WHY}' >&2`, "exit 1", ""].join(
      "\n",
    ),
    { mode: 0o755 },
  );
  fleet = await startRubyFleet({
    vhostPrefix: "phobos-puppet-fail",
    nodes: [
      {
        identity: "pf1",
        implementation: "phobos",
        agents: ["discovery", "rpcutil", "puppet"],
        extra: {
          "plugin.puppet.config": site.config,
          "plugin.puppet.command": failing,
          "plugin.puppet.splay": "false",
        },
      },
    ],
  });
}, 300_000);

afterAll(async () => {
  await fleet?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

describe.sequential("a triggered Puppet run that fails", () => {
  it("runonce reports the start, the daemon logs the failure with the run's last lines", async () => {
    const r = await mco(["runonce"]);
    expect(r.code).toBe(0);
    // The request only starts the run: it succeeds, as Ruby's does.
    expect(r.stdout).toMatch(/Finished processing 1 \/ 1 hosts/);
    const log = () => readFile(fleet.node("pf1").logFile, "utf8");
    await waitFor(async () => (await log()).includes("failed with exit code 1"), "the daemon's log line");
    expect(await log()).toContain(
      `failed with exit code 1; its last lines:\n\tInfo: Using environment 'production'\n\t${WHY}\n`,
    );
    expect(await log()).toMatch(
      /Puppet run \(pid \d+, '\S+puppet-agent-no-ca\.sh --onetime [^']*'\) triggered by uid=\d+/,
    );
  });

  it("mco puppet status says the last triggered run failed, and why", async () => {
    const r = await mco(["status"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `^ {3}pf1: Currently stopped; last completed run .* ago; the run triggered (\\d+ minutes )?\\d\\d seconds ago failed \\(exit code 1\\): ${WHY}$`,
        "m",
      ),
    );
    // The outputs Ruby clients read keep their meaning: status is still Puppet's own.
    expect(r.stdout).toContain("Summary of Status:\n\n   stopped = 1\n");
  });

  it("mco puppet summary lists the node whose last triggered run failed", async () => {
    const r = await mco(["summary"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Summary statistics for 1 nodes:\n/);
    expect(r.stdout).toMatch(
      new RegExp(
        `\nNodes whose last triggered Puppet run failed: 1\n\n {3}pf1: the run triggered (\\d+ minutes )?\\d\\d seconds ago failed \\(exit code 1\\): ${WHY}\n`,
      ),
    );
  });

  it("-j shows it inside last_run_summary's summary, the other outputs as before", async () => {
    const r = await fleet.mco(["rpc", "puppet", "last_run_summary", "-I", "pf1", "-j"], {
      implementation: "phobos",
    });
    const [reply] = JSON.parse(r.stdout) as { data: Record<string, unknown> }[];
    expect(reply?.data.summary).toMatchObject({
      last_triggered_run: { failed: true, exitcode: 1, tail: ["Info: Using environment 'production'", WHY] },
    });
    expect(reply?.data.failed_resources).toBe(0);
  });
});
