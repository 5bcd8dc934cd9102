/**
 * Preloaded into a Phobos daemon the harness starts (NODE_OPTIONS
 * `--import`, see stopOnStdinEofOptions): EOF on stdin means the harness is
 * gone, so the daemon stops with TERM as under the Ruby launcher. Works the
 * same in the workspace and the shipped form, whatever the launcher does.
 */
import { fileURLToPath } from "node:url";

process.stdin
  .on("end", () => process.kill(process.pid, "SIGTERM"))
  .on("error", () => undefined)
  .resume();

// Commands the daemon's agents run must not inherit this preload (a `node` they start would stop at once).
const option = `--import=${JSON.stringify(fileURLToPath(import.meta.url))}`;
const rest = (process.env.NODE_OPTIONS ?? "").replace(option, "").trim();
if (rest === "") delete process.env.NODE_OPTIONS;
else process.env.NODE_OPTIONS = rest;
