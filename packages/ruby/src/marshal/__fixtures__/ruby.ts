import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * Runs one of the Ruby scripts beside this file in a single `ruby` process
 * (UTF-8 external encoding, as `mco` runs under a UTF-8 locale) and returns
 * its stdout. A missing Ruby is a failure, never a skip: the codec's claim is
 * byte equality with Ruby itself.
 */
export function runRubyScript(script: string, input = ""): string {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const result = spawnSync("ruby", ["-EUTF-8", path], {
    input,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, LANG: "C.UTF-8", LC_ALL: "C.UTF-8", RUBYOPT: "" },
  });
  if (result.error && (result.error as NodeJS.ErrnoException).code === "ENOENT") {
    throw new Error("ruby not found: run `sh tooling/scripts/provision.sh`");
  }
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`ruby ${script} exited ${result.status}: ${result.stderr}`);
  return result.stdout;
}

/** Ruby's `#<Foo:0x000055d5… @a=1>` without the address, as Phobos prints it. */
export function withoutAddresses(inspected: string): string {
  return inspected.replace(/#<([A-Z][\w:]*):0x[0-9a-f]+/g, "#<$1");
}
