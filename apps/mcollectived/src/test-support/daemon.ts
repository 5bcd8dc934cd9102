/**
 * The real mcollectived in the form under test (PHOBOS_UNDER_TEST: the
 * workspace bin or the shipped executable, see @phobos/interop's
 * phobos-paths), spawned the way an operator or an init script runs it,
 * for the tests of the daemon's own mechanics (flags, pidfile, signals,
 * start-up failures). Every process started here is
 * killed when the test process exits, whatever happened.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { phobosCommand } from "@phobos/interop";

export { eventually } from "@phobos/testing";

const live = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

export interface Daemon {
  readonly child: ChildProcess;
  readonly pid: number;
  /** stdout and stderr so far. */
  output(): string;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL if still running. */
  kill(): Promise<void>;
}

export function startDaemon(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Daemon {
  const { command, args: argv } = phobosCommand("mcollectived", args);
  const child = spawn(command, argv, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  let text = "";
  child.stdout?.on("data", (c: Buffer) => {
    text += c.toString();
  });
  child.stderr?.on("data", (c: Buffer) => {
    text += c.toString();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.once("close", (code, signal) => {
      live.delete(child);
      done({ code, signal });
    });
  });
  return {
    child,
    pid: child.pid ?? -1,
    output: () => text,
    exit,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exit;
    },
  };
}

/** Runs the daemon to completion (start-up failures, --help): code and output. */
export async function runDaemon(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<{ code: number | null; output: string }> {
  const daemon = startDaemon(args, options);
  const timer = setTimeout(() => daemon.child.kill("SIGKILL"), options.timeoutMs ?? 15_000);
  const { code } = await daemon.exit;
  clearTimeout(timer);
  return { code, output: daemon.output() };
}

/**
 * Waits until `file` has a line matching `pattern` (after `from` bytes, so a
 * test can wait for the next occurrence); resolves with that line.
 */
export async function waitForLog(
  file: string,
  pattern: RegExp,
  options: { from?: number; timeoutMs?: number } = {},
): Promise<string> {
  // Generous: a loaded CI machine may take many seconds to start a daemon; a pass returns at once.
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const text = await readFile(file, "utf8").catch(() => "");
    const line = text
      .slice(options.from ?? 0)
      .split("\n")
      .find((l) => pattern.test(l));
    if (line !== undefined) return line;
    if (Date.now() > deadline) {
      const tail = text.trimEnd().split("\n").slice(-25).join("\n");
      throw new Error(`no line matching ${pattern} in ${file} within the time allowed; it ends:\n${tail}`);
    }
    await sleep(50);
  }
}

/** The size of a log file now: pass it as `from` to wait for lines written after this point. */
export async function logSize(file: string): Promise<number> {
  return (await readFile(file, "utf8").catch(() => "")).length;
}

/** Lines of `file` (from `from` on) matching `pattern`. */
export async function logLines(file: string, pattern: RegExp, from = 0): Promise<string[]> {
  const text = await readFile(file, "utf8").catch(() => "");
  return text
    .slice(from)
    .split("\n")
    .filter((l) => pattern.test(l));
}
