/**
 * How agents run the host's tools (MCollective's `run`/Shell): an argument
 * vector, never a shell, so no request input can become a second command;
 * a deadline from the action's DDL; output and exit code handed back, an
 * exit code's meaning left to the agent.
 */
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { CommandError } from "../errors.js";

/** What a finished command left behind. */
export interface CommandResult {
  exitcode: number;
  stdout: string;
  stderr: string;
}

export interface CommandOptions {
  /** Killed (TERM, then KILL) after this long: the action's DDL timeout. */
  timeoutMs: number;
  /** Added to, or (undefined) removed from, the daemon's environment. */
  env?: Record<string, string | undefined>;
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
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    let open = 2;
    let onAllClosed: (() => void) | undefined;
    const streamClosed = () => {
      if (--open === 0) onAllClosed?.();
    };
    child.stdout.once("close", streamClosed);
    child.stderr.once("close", streamClosed);
    let timedOut = false;
    let killer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGTERM");
      killer = setTimeout(() => child.kill("SIGKILL"), 2000);
    }, options.timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(new CommandError(`cannot run ${file}: ${err.message}`, { cause: err }));
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      clearTimeout(killer);
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        child.stdout.destroy();
        child.stderr.destroy();
        if (timedOut) {
          reject(
            new CommandError(
              `${described} did not finish within ${options.timeoutMs / 1000}s and was killed`,
              { timedOut: true },
            ),
          );
          return;
        }
        resolve({
          exitcode: code ?? (signal ? 128 : 1),
          stdout: Buffer.concat(stdout).toString("utf8"),
          stderr: Buffer.concat(stderr).toString("utf8"),
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
