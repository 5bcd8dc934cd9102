/**
 * A Puppet site in a temporary directory: a modulepath holding this package's
 * module, a hiera.yaml with one data file, and `puppet apply` run against them
 * as an operator would, with `--detailed-exitcodes` so a test can tell "changed
 * something" (2) from "nothing to do" (0).
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const MODULE_DIR = resolve(import.meta.dirname, "../phobos");

export interface ApplyResult {
  /** 0: nothing changed, 2: changes applied, 4/6: failures (puppet's detailed exit codes). */
  status: number;
  stdout: string;
  stderr: string;
  /** Error lines, without facter's complaints about /proc it may not read in a container. */
  errors: string[];
}

export interface PuppetSite {
  readonly dir: string;
  /** Replaces the site's hiera data (YAML text). */
  data(yaml: string): void;
  apply(manifest: string): Promise<ApplyResult>;
  remove(): void;
}

export function createPuppetSite(prefix: string): PuppetSite {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  mkdirSync(join(dir, "modules"));
  mkdirSync(join(dir, "data"));
  symlinkSync(MODULE_DIR, join(dir, "modules", "phobos"));
  writeFileSync(
    join(dir, "hiera.yaml"),
    [
      "---",
      "version: 5",
      "defaults:",
      `  datadir: ${join(dir, "data")}`,
      "  data_hash: yaml_data",
      "hierarchy:",
      "  - name: site",
      "    path: site.yaml",
      "",
    ].join("\n"),
  );
  return {
    dir,
    data(yaml) {
      writeFileSync(join(dir, "data", "site.yaml"), yaml);
    },
    apply(manifest) {
      return puppet([
        "apply",
        "--detailed-exitcodes",
        "--color=false",
        "--modulepath",
        join(dir, "modules"),
        "--hiera_config",
        join(dir, "hiera.yaml"),
        // Keep Puppet's own state (reports, cached catalog) out of the machine's /var/lib/puppet.
        "--vardir",
        join(dir, "var"),
        "--logdir",
        join(dir, "log"),
        "-e",
        manifest,
      ]);
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function puppet(args: string[], tool = "puppet"): Promise<ApplyResult> {
  return new Promise((done, fail) => {
    const child = spawn(tool, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", fail);
    child.on("close", (status) => {
      const errors = `${stdout}\n${stderr}`
        .split("\n")
        .filter((line) => /^Error:/.test(line) && !/Facter: .*\/proc\//.test(line));
      done({ status: status ?? -1, stdout, stderr, errors });
    });
  });
}
