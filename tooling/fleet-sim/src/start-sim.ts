/** Test helper: runs bin/fleet-sim as a child process. */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const BIN = fileURLToPath(new URL("../bin/fleet-sim", import.meta.url));

export interface Sim {
  child: ChildProcess;
  ready: { ready: number; count: number; first: string; last: string };
  stop(): Promise<number | null>;
}

/** Starts bin/fleet-sim and waits for its `ready` line. */
export function startSim(args: readonly string[]): Promise<Sim> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const stderr: string[] = [];
  child.stderr?.on("data", (c: Buffer) => stderr.push(c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    return exited;
  };
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on("line", (line) => {
      if (line.startsWith('{"ready"')) resolve({ child, ready: JSON.parse(line) as Sim["ready"], stop });
    });
    void exited.then((code) =>
      reject(new Error(`fleet-sim exited with ${code} before it was ready:\n${stderr.join("")}`)),
    );
  });
}
