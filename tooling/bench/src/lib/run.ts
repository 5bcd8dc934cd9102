import { spawn } from "node:child_process";

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** User + system CPU of the process, from GNU time. */
  cpuMs: number;
  maxRssMiB: number;
}

const MARK = "@@bench-time";

/**
 * Runs a command under GNU time: wall clock from here, CPU and peak RSS
 * from the kernel's accounting of the child.
 */
export function runMeasured(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn("/usr/bin/time", ["-f", `${MARK} %U %S %M`, command, ...args], {
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on("data", (c: Buffer) => out.push(c));
    child.stderr?.on("data", (c: Buffer) => err.push(c));
    if (options.input !== undefined) child.stdin?.end(options.input);
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
    child.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      const wallMs = performance.now() - started;
      const stderrAll = Buffer.concat(err).toString("utf8");
      const at = stderrAll.lastIndexOf(MARK);
      const [user, sys, rss] = stderrAll
        .slice(at + MARK.length)
        .trim()
        .split(/\s+/)
        .map(Number);
      resolve({
        code,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: at >= 0 ? stderrAll.slice(0, at) : stderrAll,
        wallMs,
        cpuMs: ((user ?? Number.NaN) + (sys ?? Number.NaN)) * 1000,
        maxRssMiB: (rss ?? Number.NaN) / 1024,
      });
    });
  });
}
