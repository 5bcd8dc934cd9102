/**
 * Watching a running daemon from a test: its log (lines appear a moment
 * after the message that caused them) and its counters, as
 * `mco rpc rpcutil daemon_stats` reports them.
 */
import { readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import type { RubyFleet } from "@phobos/interop";

export async function logText(file: string): Promise<string> {
  return readFile(file, "utf8").catch(() => "");
}

/** Resolves with the first log line matching `pattern` after `from` characters; rejects after `timeoutMs`. */
export async function waitForLog(
  file: string,
  pattern: RegExp,
  options: { from?: number; timeoutMs?: number } = {},
) {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    const text = (await logText(file)).slice(options.from ?? 0);
    const line = text.split("\n").find((l) => pattern.test(l));
    if (line !== undefined) return line;
    if (Date.now() > deadline) {
      throw new Error(
        `no line matching ${pattern} in ${file} within the timeout; the log ends:\n${text.slice(-3000)}`,
      );
    }
    await sleep(50);
  }
}

export interface DaemonStats {
  total: number;
  validated: number;
  unvalidated: number;
  filtered: number;
  passed: number;
  replies: number;
  ttlexpired: number;
}

/**
 * `mco rpc rpcutil daemon_stats -I <node> -j` with the fleet's (trusted)
 * client. Phobos's mco, which signs each request id: Ruby's sends the same
 * signed bytes for the same command within one second, and a Phobos daemon
 * refuses the second copy as a replay.
 */
export async function daemonStats(fleet: RubyFleet, node: string, configFile?: string): Promise<DaemonStats> {
  const r = await fleet.mco(["rpc", "rpcutil", "daemon_stats", "-I", node, "-j"], {
    implementation: "phobos",
    ...(configFile ? { configFile } : {}),
  });
  if (r.code !== 0) throw new Error(`daemon_stats on ${node} failed (${r.code}): ${r.stdout}${r.stderr}`);
  const results = JSON.parse(r.stdout) as { sender: string; statuscode: number; data: DaemonStats }[];
  const mine = results.find((x) => x.sender === node);
  if (mine === undefined || mine.statuscode !== 0)
    throw new Error(`no daemon_stats from ${node}: ${r.stdout}`);
  return mine.data;
}
