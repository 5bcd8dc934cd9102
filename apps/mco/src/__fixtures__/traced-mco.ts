import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { phobosCommand } from "@phobos/interop";

export interface TracedRun {
  /** What the hook wrote, a line per event, in order. */
  trace: string[];
  stdout: string;
  stderr: string;
  status: number | null;
}

/**
 * Runs the mco under test (PHOBOS_UNDER_TEST) with `hook` imported first; the
 * hook writes its trace to the file named by TRACE_IMPORTS.
 */
export function runTracedMco(args: string[], hook: string, env: NodeJS.ProcessEnv = {}): TracedRun {
  const file = join(mkdtempSync(join(tmpdir(), "mco-trace-")), "trace.txt");
  writeFileSync(file, "");
  const mco = phobosCommand("mco", args);
  // Through NODE_OPTIONS: the shipped launcher starts its own Node, which no argument here reaches.
  const nodeOptions = [process.env.NODE_OPTIONS, `--import=${JSON.stringify(hook)}`]
    .filter(Boolean)
    .join(" ");
  const r = spawnSync(mco.command, mco.args, {
    encoding: "utf8",
    env: {
      ...process.env,
      NODE_OPTIONS: nodeOptions,
      TRACE_IMPORTS: file,
      MCOLLECTIVE_EXTRA_OPTS: "",
      ...env,
    },
  });
  return {
    trace: readFileSync(file, "utf8").split("\n").filter(Boolean),
    stdout: r.stdout,
    stderr: r.stderr,
    status: r.status,
  };
}
