/**
 * check_mcollective_registry against running daemons: two Ruby mcollectived
 * send their default `agentlist` registration every second to a Phobos
 * mcollectived running the `registration` receiver (SQLite). The check is
 * OK while both register; once one is stopped it warns, then goes
 * critical, naming it — what the AgentRegistrationMonitor check told.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { RubyFleet } from "@phobos/interop";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const BIN = resolve(import.meta.dirname, "../../bin/check_mcollective_registry");
const WAIT = { timeout: 40_000, interval: 250 };

let fleet: RubyFleet;
let work: string;
let database: string;

function check(...args: string[]) {
  const result = spawnSync(process.execPath, [BIN, "--database", database, ...args], { encoding: "utf8" });
  return { code: result.status, line: result.stdout.split("\n")[0] as string };
}

beforeAll(async () => {
  const { startRubyFleet } = await import("@phobos/interop");
  work = await mkdtemp(join(tmpdir(), "regclient-check-interop-"));
  database = join(work, "registry.db");
  fleet = await startRubyFleet({
    vhostPrefix: "phobos-registry-check",
    collectives: ["mcollective", "registrations"],
    nodes: [
      {
        identity: "receiver",
        implementation: "phobos",
        agents: ["discovery", "registration", "rpcutil"],
        extra: { "plugin.registration.database": database, "plugin.registration.flush_interval": 0.2 },
      },
    ],
  });
  // The receiver is subscribed before the Ruby daemons' first registration, sent at start.
  const registering = { registerinterval: 1, registration_collective: "registrations" };
  await fleet.addNodes([
    { identity: "ruby1", extra: registering },
    { identity: "ruby2", extra: registering },
  ]);
}, 120_000);

afterAll(async () => {
  await fleet?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

describe("check_mcollective_registry on a registering fleet", () => {
  it("is OK while every daemon registers, then WARNING and CRITICAL naming the one that stopped", async () => {
    await vi.waitFor(() => {
      const ok = check("-w", "4", "-c", "8");
      expect(ok.code).toBe(0);
      expect(ok.line).toMatch(
        /^REGISTRY OK - 2 nodes, all seen within 4s \| nodes=2;;;0 stale=0;;;0 silent=0;;;0 oldest=\ds;4;8;0$/,
      );
    }, WAIT);

    await fleet.node("ruby2").stop();
    await vi.waitFor(() => {
      const warning = check("-w", "4", "-c", "8");
      expect(warning.code).toBe(1);
      expect(warning.line).toMatch(
        /^REGISTRY WARNING - 1 of 2 nodes not seen within 4s: ruby2 \([5-8]s\) \| /,
      );
    }, WAIT);
    await vi.waitFor(() => {
      const critical = check("-w", "4", "-c", "8");
      expect(critical.code).toBe(2);
      expect(critical.line).toMatch(
        /^REGISTRY CRITICAL - 1 of 2 nodes not seen within 4s, 1 beyond 8s: ruby2 \(\d+s\) \| nodes=2;;;0 stale=0;;;0 silent=1;;;0 oldest=\d+s;4;8;0$/,
      );
    }, WAIT);
    // ruby1 is still registering all along.
    expect(check("-w", "4", "-c", "8").line).not.toContain("ruby1");
  }, 120_000);
});
