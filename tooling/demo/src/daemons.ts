import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const MCO = join(ROOT, "apps/mco/bin/mco");
const MCOLLECTIVED = join(ROOT, "apps/mcollectived/bin/mcollectived");

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

async function waitForLine(
  file: string,
  text: string,
  timeoutMs: number,
  daemon: ChildProcess,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (daemon.exitCode !== null) throw new Error(`mcollectived exited with ${daemon.exitCode}; see ${file}`);
    try {
      if (readFileSync(file, "utf8").includes(text)) return;
    } catch {
      // not written yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`mcollectived did not get ready within ${timeoutMs} ms; see ${file}`);
}

/**
 * Starts one mcollectived per server.cfg that writeSite wrote and resolves
 * once each logged that it is ready. `daemons` is filled as they start, so
 * a caller can stop those already running when a later one fails.
 */
export async function startDaemons(servers: readonly string[], daemons: ChildProcess[]): Promise<void> {
  const ready = (config: string, daemon: ChildProcess) =>
    waitForLine(join(dirname(config), "mcollectived.log"), "ready as", 20_000, daemon);
  for (const [i, config] of servers.entries()) {
    const daemon = spawn(process.execPath, [MCOLLECTIVED, "--config", config, "--no-daemonize"], {
      stdio: "ignore",
    });
    daemons.push(daemon);
    // The first daemon hosts the broker: the others need it listening before they connect.
    if (i === 0) await ready(config, daemon);
  }
  await Promise.all(servers.slice(1).map((config, i) => ready(config, daemons[i + 1] as ChildProcess)));
}
