/**
 * The client README's example (packages/client/src/examples/ping.ts),
 * run the way a user runs a script: built, with node, from a project whose
 * dependencies are the plugins (apps/mco's), its config found through
 * MCOLLECTIVE_EXTRA_OPTS as mco finds it, against the embedded broker and
 * two real mcollectived daemons; and openClient's options and errors in
 * process, against the same site.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Client, openClient } from "@phobos/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, ROOT, startDaemons } from "./daemons.js";
import { DEMO_NODES, writeSite } from "./site.js";

const SCRIPT = join(ROOT, "packages/client/dist/examples/ping.js");

function runScript(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [SCRIPT], {
      cwd: join(ROOT, "apps/mco"),
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c));
    child.stderr.on("data", (c: Buffer) => (stderr += c));
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

describe("openClient against the embedded broker and two daemons", () => {
  const dir = mkdtempSync(join(tmpdir(), "phobos-client-example-"));
  const daemons: ChildProcess[] = [];
  let clientConfig = "";

  beforeAll(async () => {
    const site = writeSite(dir, await freePort(), DEMO_NODES.slice(0, 2));
    clientConfig = site.client;
    await startDaemons(site.servers, daemons);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(
      daemons.map(
        (daemon) =>
          new Promise<void>((resolve) => {
            if (daemon.exitCode !== null || daemon.signalCode !== null) return resolve();
            daemon.once("exit", () => resolve());
            daemon.kill("SIGTERM");
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  });

  it("the README's example prints each daemon's reply and the statistics", async () => {
    const { code, stdout, stderr } = await runScript({
      ...process.env,
      MCOLLECTIVE_EXTRA_OPTS: `-c ${clientConfig}`,
    });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^node1 {16}OK pong=\d+$/m);
    expect(stdout).toMatch(/^node2 {16}OK pong=\d+$/m);
    expect(stdout).toMatch(/^2 of 2 nodes replied in \d+\.\d\ds$/m);
    expect(stdout).not.toContain("No reply from");
  }, 60_000);

  describe("in process", () => {
    let client: Client;
    beforeAll(async () => {
      client = await openClient({ config: clientConfig, appDir: join(ROOT, "apps/mco"), stdin: "node2\n" });
    });
    afterAll(() => client?.close());

    it("discovers as mco find does, and filters as -I and -F do", async () => {
      expect((await client.discover({ discoveryTimeout: 1 })).sort()).toEqual(["node1", "node2"]);
      expect(await client.discover({ fact: "role=db", discoveryTimeout: 1 })).toEqual(["node2"]);
      const one = client
        .rpc("rpcutil", { identity: "node1" })
        .call<{ value: unknown }>("get_fact", { fact: "role" });
      const replies = [];
      for await (const reply of one) replies.push([reply.sender, reply.statuscode, reply.data.value]);
      expect(replies).toEqual([["node1", 0, "web"]]);
      const stats = await one.stats;
      expect([stats.discovered, stats.responses, stats.okcount, stats.noresponsefrom]).toEqual([1, 1, 1, []]);
    });

    it("limits the call to a count of the discovered nodes", async () => {
      const call = client.rpc("rpcutil", { limit: 1, discoveryTimeout: 1 }).call("ping");
      expect((await call.replies).length).toBe(1);
      expect((await call.stats).responses).toBe(1);
    });

    it("discovers with the stdin method from the client's stdin", async () => {
      const rpc = client.rpc("rpcutil", { discoveryMethod: "stdin" });
      expect(await rpc.discover()).toEqual(["node2"]);
      expect((await rpc.call("ping").replies).map((r) => r.sender)).toEqual(["node2"]);
    });

    it("refuses a missing argument before sending, naming it, in the iteration and in stats", async () => {
      const call = client.rpc("rpcutil", { identity: "node1" }).call("get_fact");
      await expect(call.stats).rejects.toThrow("Action get_fact needs a fact argument");
      await expect(async () => {
        for await (const _ of call) expect.unreachable();
      }).rejects.toThrow("Action get_fact needs a fact argument");
    });

    it("refuses options mco would not take, naming them", () => {
      expect(() => client.rpc("rpcutil", { identiy: "node1" } as never)).toThrow(
        `rpc("rpcutil"): unknown option 'identiy' (did you mean 'identity'?)`,
      );
      expect(() => client.rpc("rpcutil", { timeout: "soon" } as never)).toThrow(
        `rpc("rpcutil"): option 'timeout' takes a number of at least 0, not "soon"`,
      );
      expect(() => client.rpc("rpcutil", { fact: "role=" })).toThrow(/role=/);
    });

    it("names an agent it has no DDL for, and the known ones", async () => {
      await expect(client.rpc("rpcutill").discover()).rejects.toThrow(
        /^Can't find DDL for agent plugin 'rpcutill' \(did you mean 'rpcutil'\?\): .*; known agents: filemgr, nettest, package, puppet, rpcutil, service, shell$/,
      );
    });
  });
});
