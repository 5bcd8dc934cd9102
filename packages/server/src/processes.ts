import { readFileSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * Alive and not a zombie: an init slow to reap a killed child must not
 * count against the kill under test.
 */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

/**
 * Resolves once `pid` has exited, however long a loaded machine takes to
 * deliver the kill; fails only past a deadline that means "never".
 */
export async function processGone(pid: number, deadlineMs = 60_000): Promise<true> {
  const deadline = Date.now() + deadlineMs;
  while (isRunning(pid)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} is still alive after ${deadlineMs} ms`);
    await sleep(50);
  }
  return true;
}

/**
 * An executable at `path` that starts a long `sleep` child, writes the
 * child's pid then its own to `pidsFile`, and waits: a command that hangs
 * with a process of its own, for tests that a timeout kills the whole group.
 */
export function writeHangingCommand(path: string, pidsFile: string): { readPids(): Promise<number[]> } {
  writeFileSync(path, `#!/bin/sh\nsleep 300 &\necho $! >> ${pidsFile}\necho $$ >> ${pidsFile}\nwait\n`, {
    mode: 0o755,
  });
  return {
    async readPids() {
      const text = await readFile(pidsFile, "utf8").catch(() => "");
      return text.trim().split("\n").filter(Boolean).map(Number);
    },
  };
}
