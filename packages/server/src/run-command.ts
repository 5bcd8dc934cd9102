/**
 * How agents run the host's tools (MCollective's `run`/Shell): an argument
 * vector, never a shell, so no request input can become a second command;
 * a deadline from the action's DDL; output and exit code handed back, an
 * exit code's meaning left to the agent. A command runs in a process group
 * of its own, and when its deadline passes or the action it runs for is
 * given up on, the whole group is killed: what it started goes with it.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { CommandError } from "@phobos/core";

/** What a finished command left behind. */
export interface CommandResult {
  exitcode: number;
  stdout: string;
  stderr: string;
  /** True when output beyond `maxOutputBytes` was discarded (only with that option). */
  truncated?: boolean;
}

export interface CommandOptions {
  /** Killed (TERM, then KILL) after this long: the action's DDL timeout. */
  timeoutMs: number;
  /** Added to, or (undefined) removed from, the daemon's environment. */
  env?: Record<string, string | undefined>;
  /**
   * Aborting it kills the command's process group (TERM, then KILL after
   * `killGraceMs`) and rejects with a CommandError whose `aborted` is true.
   * Default: the signal of the action this call runs for (see
   * {@link runWithCommandSignal}), so an agent's commands stop when its
   * action times out without the signal being passed down by hand.
   */
  signal?: AbortSignal;
  /** Between the TERM and the KILL of the process group. Default 2000. */
  killGraceMs?: number;
  /**
   * Bytes kept of stdout and of stderr each; the rest is read and dropped
   * (so the command never blocks on a full pipe) and `truncated` is set.
   * Default: everything is kept.
   */
  maxOutputBytes?: number;
  /** Run as this user and group (the daemon must be root to change them). */
  uid?: number;
  gid?: number;
  /** Working directory. Default: the daemon's. */
  cwd?: string;
}

const actionSignal = new AsyncLocalStorage<AbortSignal>();

/**
 * Runs `fn` with `signal` as the default signal of every runCommand it
 * starts, however deep in an agent's providers or shared helpers: core's
 * action host runs each action this way.
 */
export function runWithCommandSignal<T>(signal: AbortSignal, fn: () => T): T {
  return actionSignal.run(signal, fn);
}

/**
 * The signal of the action the calling code runs for, if any. For work
 * shared between requests (a cached lookup started before any of them):
 * a waiting action that is given up on can end it too.
 */
export function currentActionSignal(): AbortSignal | undefined {
  return actionSignal.getStore();
}

function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason.message : String(reason ?? "aborted");
}

/**
 * Runs `file` with an argument vector, never through a shell, so no input
 * can become a second command. Resolves once the process exits; output a
 * daemonised grandchild keeps open (a careless init script) is cut off
 * shortly after, rather than holding the action until its timeout.
 */
export function runCommand(
  file: string,
  args: readonly string[],
  options: CommandOptions,
): Promise<CommandResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: "C" };
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  const described = [file, ...args].join(" ");
  const signal = options.signal ?? actionSignal.getStore();
  const killGraceMs = options.killGraceMs ?? 2000;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new CommandError(`${described} was not started: ${abortReason(signal)}`, { aborted: true }));
      return;
    }
    // detached: a new process group (and session), so one kill reaches the
    // command's own children too, a shell's or a package manager's scripts.
    const child = spawn(file, args, {
      env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
      ...(options.uid === undefined ? {} : { uid: options.uid }),
      ...(options.gid === undefined ? {} : { gid: options.gid }),
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const cap = options.maxOutputBytes ?? Number.POSITIVE_INFINITY;
    const kept = { stdout: 0, stderr: 0 };
    let truncated = false;
    const collect = (into: Buffer[], stream: "stdout" | "stderr") => (chunk: Buffer) => {
      const room = cap - kept[stream];
      if (chunk.length > room) truncated = true;
      if (room <= 0) return;
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      kept[stream] += part.length;
      into.push(part);
    };
    child.stdout.on("data", collect(stdout, "stdout"));
    child.stderr.on("data", collect(stderr, "stderr"));
    let open = 2;
    let onAllClosed: (() => void) | undefined;
    const streamClosed = () => {
      if (--open === 0) onAllClosed?.();
    };
    child.stdout.once("close", streamClosed);
    child.stderr.once("close", streamClosed);
    let exited = false;
    let stopped: "timeout" | "abort" | undefined;
    const killGroup = (how: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, how);
      } catch {
        // the whole group is gone already
      }
    };
    const stop = (why: "timeout" | "abort") => {
      // Once the command itself has exited, what is left in its group was
      // meant to outlive it (the daemon an init script started): not ours to kill.
      if (stopped || exited) return;
      stopped = why;
      killGroup("SIGTERM");
      // Not cancelled when the command exits: a child that ignores TERM still holds the group.
      setTimeout(() => killGroup("SIGKILL"), killGraceMs).unref();
    };
    const timer = setTimeout(() => stop("timeout"), options.timeoutMs);
    const onAbort = () => stop("abort");
    signal?.addEventListener("abort", onAbort, { once: true });
    const settled = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };
    child.on("error", (err) => {
      settled();
      reject(new CommandError(`cannot run ${file}: ${err.message}`, { cause: err }));
    });
    child.on("exit", (code, how) => {
      exited = true;
      settled();
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        child.stdout.destroy();
        child.stderr.destroy();
        if (stopped === "timeout") {
          reject(
            new CommandError(
              `${described} did not finish within ${options.timeoutMs / 1000}s and was killed`,
              { timedOut: true },
            ),
          );
          return;
        }
        if (stopped === "abort" && signal) {
          reject(new CommandError(`${described} was killed: ${abortReason(signal)}`, { aborted: true }));
          return;
        }
        resolve({
          exitcode: code ?? (how ? 128 : 1),
          stdout: Buffer.concat(stdout).toString("utf8"),
          stderr: Buffer.concat(stderr).toString("utf8"),
          ...(options.maxOutputBytes === undefined ? {} : { truncated }),
        });
      };
      if (open === 0) finish();
      else {
        const grace = setTimeout(finish, 250);
        onAllClosed = () => {
          clearTimeout(grace);
          finish();
        };
      }
    });
  });
}

/** The first executable `name` on PATH (plus the sbin directories a daemon's PATH may lack). */
export function findExecutable(
  name: string,
  extraDirs: readonly string[] = ["/usr/sbin", "/sbin"],
): string | undefined {
  const dirs = [...(process.env.PATH ?? "/usr/bin:/bin").split(delimiter), ...extraDirs];
  for (const dir of dirs) {
    if (dir === "") continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The last lines of a command's error output, for an RPC status message. */
export function errorTail(result: CommandResult, lines = 5): string {
  const text = (result.stderr.trim() || result.stdout.trim()).split("\n").slice(-lines).join("\n");
  return text === "" ? `exit code ${result.exitcode}` : text;
}
