/**
 * Which agents a Ruby daemon will load, so the harness knows which broadcast
 * subscriptions to wait for. Mirrors `Agents#loadagents` (agents.rb): every
 * `mcollective/agent/*.rb` in every directory of `$LOAD_PATH`, which is the configured
 * libdirs followed by Ruby's own load path. (An agent whose `activate?` says no is not
 * subscribed; pass the agent list explicitly for such set-ups.)
 */
import { execFile } from "node:child_process";
import { readdir } from "node:fs/promises";
import { basename, join } from "node:path";
import { promisify } from "node:util";
import { RUBY } from "./reference-environment.js";

let rubyLoadPath: Promise<string[]> | undefined;

/** Ruby's default `$LOAD_PATH` (site_ruby, vendor_ruby, the standard library…). Cached. */
export function defaultRubyLoadPath(): Promise<string[]> {
  rubyLoadPath ??= promisify(execFile)(RUBY, ["-e", "puts $LOAD_PATH"], { timeout: 20_000 }).then((r) =>
    r.stdout.split("\n").filter((line) => line !== ""),
  );
  rubyLoadPath.catch(() => {
    rubyLoadPath = undefined;
  });
  return rubyLoadPath;
}

export async function listRubyAgents(libdir: readonly string[]): Promise<string[]> {
  const dirs = [...libdir, ...(await defaultRubyLoadPath())];
  const agents = new Set<string>();
  for (const dir of dirs) {
    let entries: string[];
    try {
      entries = await readdir(join(dir, "mcollective", "agent"));
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (entry.endsWith(".rb")) agents.add(basename(entry, ".rb"));
    }
  }
  return [...agents].sort();
}
