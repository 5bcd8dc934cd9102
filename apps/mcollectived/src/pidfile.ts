import { readFileSync, unlinkSync, writeFileSync } from "node:fs";

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Writes our pid, refusing to start over a live daemon's pidfile (a stale
 * one is replaced). Returns a function that removes the file if it is still ours.
 */
export function writePidfile(path: string): () => void {
  try {
    const pid = Number(readFileSync(path, "utf8").trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && running(pid)) {
      throw new Error(`another mcollectived is running with pid ${pid} (pidfile ${path})`);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  writeFileSync(path, `${process.pid}\n`);
  return () => {
    try {
      if (readFileSync(path, "utf8").trim() === String(process.pid)) unlinkSync(path);
    } catch {
      // already gone
    }
  };
}
