/**
 * The ssl plugin between the real implementations on RabbitMQ, with Marshal
 * and with YAML: Debian's Ruby `mco` drives a Phobos daemon beside a Ruby
 * one, the Phobos `mco` drives the Ruby daemon beside a Phobos one, and a
 * user whose key the daemons do not hold gets nothing from either. Then a
 * Phobos-only fleet on Ed25519 keys with encrypted bodies.
 */
import { type RubyFleet, startRubyFleet } from "@phobos/interop";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { daemonStats, logText, waitForLog } from "./__fixtures__/daemon-watch.js";

const nodes = [
  { identity: "ruby1", facts: { role: "web", osfamily: "Debian" }, classes: ["base", "role::web"] },
  {
    identity: "phobos1",
    implementation: "phobos" as const,
    facts: { role: "db", osfamily: "Debian" },
    classes: ["base"],
  },
];

interface JsonResult {
  sender: string;
  statuscode: number;
  statusmsg: string;
  data: Record<string, unknown>;
}

function pingers(stdout: string): string[] {
  return stdout
    .split("\n")
    .map((l) => /^(\S+)\s+time=[\d.]+ ms$/.exec(l)?.[1])
    .filter((x): x is string => x !== undefined)
    .sort();
}

describe.each(["marshal", "yaml"] as const)("ssl with %s", (serializer) => {
  let fleet: RubyFleet;
  let eveConfig: string;

  beforeAll(async () => {
    fleet = await startRubyFleet({
      vhostPrefix: `phobos-ssl-${serializer}`,
      ssl: { serializer, user: "alice" },
      nodes,
    });
    await fleet.ssl?.addUser("eve", { trusted: false });
    await fleet.ssl?.addUser("bob");
    eveConfig = await fleet.clientConfigFor("eve");
  });

  afterAll(async () => {
    await fleet?.dispose();
  });

  it("the ruby mco reads the Phobos daemon's whole inventory (nested Hashes, Arrays, Floats)", async () => {
    const r = await fleet.mco(["inventory", "phobos1"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Inventory for phobos1:/);
    // Every installed agent package is listed; rpcutil and discovery always are.
    expect(r.stdout).toMatch(/Agents:\s+discovery\s[^:]*\brpcutil\s[^:]*Data Plugins:/);
    expect(r.stdout).toMatch(/role => db/);
    expect(r.stdout).toMatch(/Configuration Management Classes:\s+base/);
  });

  for (const implementation of ["ruby", "phobos"] as const) {
    it(`the ${implementation} mco pings both daemons`, async () => {
      const r = await fleet.mco(["ping", "-t", "2"], { implementation });
      expect(r.code, r.stderr).toBe(0);
      expect(pingers(r.stdout)).toEqual(["phobos1", "ruby1"]);
    });

    it(`the ${implementation} mco runs rpcutil get_fact on both, signed as cert=alice`, async () => {
      const r = await fleet.mco(["rpc", "rpcutil", "get_fact", "fact=role", "--dt", "10", "-j"], {
        implementation,
      });
      expect(r.code, r.stderr).toBe(0);
      const results = (JSON.parse(r.stdout) as JsonResult[]).sort((a, b) => a.sender.localeCompare(b.sender));
      expect(results.map((x) => [x.sender, x.statuscode, x.data.value])).toEqual([
        ["phobos1", 0, "db"],
        ["ruby1", 0, "web"],
      ]);
      for (const node of ["ruby1", "phobos1"]) {
        expect(await logText(fleet.node(node).logFile)).toMatch(/cert=alice/);
      }
    });

    it(`the ${implementation} mco signs with the keys MCOLLECTIVE_SSL_PRIVATE and MCOLLECTIVE_SSL_PUBLIC name`, async () => {
      const bob = fleet.ssl?.user("bob");
      if (bob === undefined) throw new Error("no bob");
      const from = (await logText(fleet.node("phobos1").logFile)).length;
      const r = await fleet.mco(["rpc", "rpcutil", "ping", "-I", "phobos1", "-j"], {
        implementation,
        env: { MCOLLECTIVE_SSL_PRIVATE: bob.privatePath, MCOLLECTIVE_SSL_PUBLIC: bob.publicPath },
      });
      expect(r.code, r.stderr).toBe(0);
      expect((JSON.parse(r.stdout) as JsonResult[]).map((x) => [x.sender, x.statuscode])).toEqual([
        ["phobos1", 0],
      ]);
      await waitForLog(
        fleet.node("phobos1").logFile,
        /Handling message \w+ for agent 'rpcutil' .* from cert=bob@/,
        { from },
      );
    });

    it(`a user whose key is not in the clients' directory gets nothing with the ${implementation} mco`, async () => {
      const from = Object.fromEntries(
        await Promise.all(
          nodes.map(
            async (n) => [n.identity, (await logText(fleet.node(n.identity).logFile)).length] as const,
          ),
        ),
      );
      const before = await daemonStats(fleet, "phobos1");
      const r = await fleet.mco(["ping", "-t", "2"], { implementation, configFile: eveConfig });
      expect(pingers(r.stdout)).toEqual([]);
      const direct = await fleet.mco(
        ["rpc", "rpcutil", "ping", "-I", "ruby1", "-I", "phobos1", "-t", "2", "-j"],
        {
          implementation,
          configFile: eveConfig,
        },
      );
      expect(direct.stdout).not.toMatch(/"statuscode":\s*0/);
      for (const node of ["ruby1", "phobos1"]) {
        await waitForLog(fleet.node(node).logFile, /Could not find a public key for eve in .*eve\.pem/, {
          from: from[node] ?? 0,
        });
      }
      const after = await daemonStats(fleet, "phobos1");
      expect(after.unvalidated).toBeGreaterThanOrEqual(before.unvalidated + 2);
      // The one reply since is the first daemon_stats call's own (counted once it was sent).
      expect(after.replies - before.replies).toBe(1);
    });
  }
});

describe("a Phobos fleet on Ed25519 keys with encrypted bodies", () => {
  let fleet: RubyFleet;
  let encrypting: string;

  beforeAll(async () => {
    const encrypt = { "plugin.ssl.encrypt": 1 };
    fleet = await startRubyFleet({
      vhostPrefix: "phobos-ssl-ed25519",
      ssl: { serializer: "yaml", serverKeyType: "ed25519", user: "carol", userKeyType: "ed25519" },
      nodes: [
        { identity: "p1", implementation: "phobos", facts: { role: "web" }, extra: encrypt },
        { identity: "p2", implementation: "phobos", facts: { role: "db" }, extra: encrypt },
      ],
    });
    encrypting = await fleet.clientConfigFor("carol", { extra: encrypt });
  });

  afterAll(async () => {
    await fleet?.dispose();
  });

  it("answers the Phobos mco", async () => {
    // A discovery window long enough for a loaded CI machine: with 1 s, Ed25519 daemons
    // decrypting under load sometimes answered after discovery had ended.
    const r = await fleet.mco(["rpc", "rpcutil", "get_fact", "fact=role", "--dt", "10", "-j"], {
      implementation: "phobos",
      configFile: encrypting,
    });
    expect(r.code, r.stderr).toBe(0);
    const results = (JSON.parse(r.stdout) as JsonResult[]).map((x) => [x.sender, x.data.value]).sort();
    expect(results).toEqual([
      ["p1", "web"],
      ["p2", "db"],
    ]);
  });

  it("refuses a client that does not encrypt", async () => {
    const from = (await logText(fleet.node("p1").logFile)).length;
    const r = await fleet.mco(["ping", "-t", "2"], { implementation: "phobos" });
    expect(pingers(r.stdout)).toEqual([]);
    await waitForLog(fleet.node("p1").logFile, /is not encrypted but plugin.ssl.encrypt = 1 here/, { from });
  });
});
