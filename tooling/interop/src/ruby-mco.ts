/**
 * Debian's `mco` as a test client. Two quirks of the Ruby client (wire/README.md) shape
 * how tests call it: `mco <app> --help` prints nothing when stdout is not a terminal
 * (use `mco help <app>`), and the RPC progress bar is written even to a pipe (pass
 * `--np`). Timeouts are whole seconds (`-t 1`, `--dt 1`); `mco ping` always waits its
 * full timeout, other commands wait for discovery (`--dt`) then for the discovered
 * nodes' replies.
 */
import { spawn } from "node:child_process";
import { registerChild } from "./child-registry.js";
import { phobosCommand } from "./phobos-paths.js";
import { MCO } from "./reference-environment.js";
import { rubyEnv } from "./ruby-env.js";

export interface RubyMcoOptions {
  /** Debian's Ruby `mco` (default) or Phobos's; both read the same client.cfg. */
  readonly implementation?: "ruby" | "phobos";
  /** Passed as `--config` unless the arguments already have `--config`/`-c`. */
  readonly configFile: string;
  /** Added to the environment (undefined removes a variable; MCOLLECTIVE_* are never inherited). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Default 60 s; then TERM (KILL 2 s later) and a RubyMcoError. */
  readonly timeoutMs?: number;
  /**
   * Written to stdin. Without it stdin is /dev/null: with any other non-terminal stdin
   * that has data, `mco rpc` switches to the stdin discovery method.
   */
  readonly input?: string | Uint8Array;
  readonly cwd?: string;
}

export interface RubyMcoResult {
  /** Exit status; null if a signal ended it. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly wallMs: number;
}

export class RubyMcoError extends Error {
  readonly args: readonly string[];
  readonly stdout: string;
  readonly stderr: string;

  constructor(args: readonly string[], message: string, output: { stdout: string; stderr: string }) {
    super(
      `mco ${args.join(" ")}: ${message}\n--- stdout ---\n${output.stdout}\n--- stderr ---\n${output.stderr}`,
    );
    this.name = "RubyMcoError";
    this.args = args;
    this.stdout = output.stdout;
    this.stderr = output.stderr;
  }
}

export function runRubyMco(args: readonly string[], options: RubyMcoOptions): Promise<RubyMcoResult> {
  const hasConfig = args.some((a) => a === "--config" || a === "-c" || a.startsWith("--config="));
  const argv = hasConfig ? [...args] : [...args, "--config", options.configFile];
  const timeoutMs = options.timeoutMs ?? 60_000;
  const started = performance.now();

  return new Promise<RubyMcoResult>((resolve, reject) => {
    const { command, args: commandArgs } =
      options.implementation === "phobos" ? phobosCommand("mco", argv) : { command: MCO, args: argv };
    const child = spawn(command, commandArgs, {
      cwd: options.cwd,
      env: rubyEnv(options.env),
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    registerChild(child);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout?.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk));
    const output = () => ({
      stdout: Buffer.concat(stdout).toString("utf8"),
      stderr: Buffer.concat(stderr).toString("utf8"),
    });

    let timedOut = false;
    let killer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGTERM");
      killer = setTimeout(() => child.kill("SIGKILL"), 2_000);
    }, timeoutMs);

    child.once("error", (error) => {
      clearTimeout(timer);
      clearTimeout(killer);
      reject(new RubyMcoError(args, `cannot run ${command}: ${error.message}`, output()));
    });
    // "close", not "exit": all output has been read by then.
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      clearTimeout(killer);
      const wallMs = performance.now() - started;
      if (timedOut) {
        reject(new RubyMcoError(args, `no exit after ${timeoutMs} ms (killed)`, output()));
        return;
      }
      resolve({ code, signal, ...output(), wallMs });
    });

    if (options.input !== undefined) {
      child.stdin?.on("error", () => undefined);
      child.stdin?.end(options.input);
    }
  });
}
