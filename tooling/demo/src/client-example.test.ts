/**
 * The client README's example (packages/core/src/client/examples/ping.ts),
 * run the way a user runs a script: built, with node, from a project whose
 * dependencies are the plugins (apps/mco's), its config found through
 * MCOLLECTIVE_EXTRA_OPTS as mco finds it, against the embedded broker and
 * two real mcollectived daemons.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, ROOT, startDaemons } from "./daemons.js";
import { DEMO_NODES, writeSite } from "./site.js";

const SCRIPT = join(ROOT, "packages/core/dist/client/examples/ping.js");

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

describe("the client README's ping example", () => {
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

  it("prints each daemon's reply and the statistics", async () => {
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
});
