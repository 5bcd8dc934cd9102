/**
 * Ruby processes started by the harness, killed when the Node process exits so a test
 * run that ends abruptly (a failed hook, process.exit) leaves nothing running.
 */
import type { ChildProcess } from "node:child_process";

const live = new Set<ChildProcess>();
let hooked = false;

export function registerChild(child: ChildProcess): void {
  if (!hooked) {
    hooked = true;
    process.on("exit", () => {
      for (const c of live) c.kill("SIGKILL");
    });
  }
  live.add(child);
  child.once("exit", () => live.delete(child));
}
