/**
 * Per-user identity, least privilege and an audit trail on a running Phobos
 * daemon in an ssl fleet on RabbitMQ, driven by Debian's Ruby `mco` and by
 * the Phobos `mco`: alice may do anything, bob may only ping (and only on
 * web servers), carol may read facts where a data plugin and a fact agree,
 * eve's key is not trusted. Denials come back as MCollective's status 1 and
 * message; the audit log shows every attempt, the refused ones marked.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RubyFleet, startRubyFleet } from "@phobos/interop";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

interface JsonResult {
  sender: string;
  statuscode: number;
  statusmsg: string;
  data: Record<string, unknown>;
}

const DENIED = "You are not authorized to call this agent or action.";

let fleet: RubyFleet;
let work: string;
const configs: Record<string, string> = {};

const auditLines = async () =>
  (await readFile(join(work, "audit.log"), "utf8").catch(() => "")).trim().split("\n");

async function rpc(user: string, implementation: "ruby" | "phobos", args: string[]): Promise<JsonResult[]> {
  const r = await fleet.mco(["rpc", "rpcutil", ...args, "-I", "web1", "-j"], {
    implementation,
    configFile: configs[user] as string,
  });
  if (r.stdout.trim() === "") return [];
  return JSON.parse(r.stdout) as JsonResult[];
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "phobos-policy-"));
  await writeFile(join(work, "release"), "bookworm\n");
  fleet = await startRubyFleet({
    vhostPrefix: "phobos-policy",
    ssl: { user: "alice" },
    nodes: [
      {
        identity: "web1",
        implementation: "phobos",
        facts: { role: "web", osfamily: "Debian" },
        classes: ["base", "role::web"],
        extra: {
          rpcauthorization: 1,
          rpcauthprovider: "action_policy",
          rpcaudit: 1,
          rpcauditprovider: "logfile",
          "plugin.rpcaudit.logfile": join(work, "audit.log"),
        },
      },
    ],
  });
  const policies = join(fleet.node("web1").dir, "policies");
  await mkdir(policies, { recursive: true });
  await writeFile(
    join(policies, "rpcutil.policy"),
    [
      "# who may use rpcutil on this node",
      "policy default deny",
      "allow\tcert=alice\t*\t*\t*",
      "allow\tcert=bob\tping\trole=web\trole::web",
      `allow\tcert=carol\tget_fact\tfstat("${join(work, "release")}").size>0 and osfamily=Debian`,
      "",
    ].join("\n"),
  );
  const site = fleet.ssl;
  if (site === undefined) throw new Error("not an ssl fleet");
  await site.addUser("bob");
  await site.addUser("carol");
  await site.addUser("eve", { trusted: false });
  for (const user of ["alice", "bob", "carol", "eve"]) configs[user] = await fleet.clientConfigFor(user);
});

afterAll(async () => {
  await fleet?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

describe.each(["ruby", "phobos"] as const)("with the %s mco", (implementation) => {
  it("alice, allowed by policy, reads a fact and the audit log records it", async () => {
    const [result] = await rpc("alice", implementation, ["get_fact", "fact=role"]);
    expect(result).toMatchObject({ sender: "web1", statuscode: 0, data: { value: "web" } });
    expect(await auditLines()).toContainEqual(
      expect.stringMatching(
        / caller=cert=alice@\S+ agent=rpcutil action=get_fact data=\{:fact=>"role", :process_results=>true\}$/,
      ),
    );
  });

  it("bob may ping but is denied get_fact: status 1, MCollective's message, and both attempts audited", async () => {
    const [ping] = await rpc("bob", implementation, ["ping"]);
    expect(ping).toMatchObject({ sender: "web1", statuscode: 0 });
    const [denied] = await rpc("bob", implementation, ["get_fact", "fact=role"]);
    expect(denied).toMatchObject({ sender: "web1", statuscode: 1, statusmsg: DENIED });
    const lines = await auditLines();
    expect(lines).toContainEqual(
      expect.stringMatching(
        / caller=cert=bob@\S+ agent=rpcutil action=ping data=\{:process_results=>true\}$/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        / caller=cert=bob@\S+ agent=rpcutil action=get_fact data=\{:fact=>"role", :process_results=>true\} authorization=denied$/,
      ),
    );
  });

  it("the text output shows the denial to bob", async () => {
    // Another fact than the request above: Ruby's mco signs nothing that tells the same
    // command sent twice within one second apart, and the daemon refuses the second as a replay.
    const r = await fleet.mco(["rpc", "rpcutil", "get_fact", "fact=osfamily", "-I", "web1", "--np"], {
      implementation,
      configFile: configs.bob as string,
    });
    expect(r.stdout).toContain(DENIED);
  });

  it("carol's rule asks a data plugin and a fact of this node", async () => {
    const [result] = await rpc("carol", implementation, ["get_fact", "fact=osfamily"]);
    expect(result).toMatchObject({ statuscode: 0, data: { value: "Debian" } });
    const [denied] = await rpc("carol", implementation, ["ping"]);
    expect(denied).toMatchObject({ statuscode: 1, statusmsg: DENIED });
  });

  it("eve, whose key is not trusted, cannot run anything and leaves no audit line", async () => {
    const r = await fleet.mco(["rpc", "rpcutil", "ping", "-I", "web1", "-t", "2", "-j"], {
      implementation,
      configFile: configs.eve as string,
    });
    expect(r.stdout).not.toMatch(/"statuscode"/);
    expect(await auditLines()).not.toContainEqual(expect.stringContaining("cert=eve"));
    expect(await readFile(fleet.node("web1").logFile, "utf8")).toMatch(
      /Could not find a public key for eve in /,
    );
  });
});
