/**
 * A private Puppet site for tests: a puppet.conf whose state files live in a
 * temporary directory, a small manifest with two tagged files, `puppet
 * apply` of it (real last_run_summary.yaml and report), and the stand-in
 * for `puppet agent` the agent's configurable command runs: it applies the
 * same manifest with the options a run gets (`--tags`, `--noop`).
 */
import { execFile } from "node:child_process";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

export interface PuppetSite {
  dir: string;
  config: string;
  manifest: string;
  /** `plugin.puppet.command` for the agent. */
  command: string;
  lastrunfile: string;
  /** How many runs the stand-in command has finished. */
  finishedRuns(): Promise<number>;
  lockfile: string;
  apply(args?: string[]): Promise<void>;
  summary(): Promise<string>;
}

const run = promisify(execFile);

export async function createPuppetSite(dir: string): Promise<PuppetSite> {
  await mkdir(dir, { recursive: true });
  const config = join(dir, "puppet.conf");
  await writeFile(
    config,
    [
      "[main]",
      ...["vardir", "logdir", "rundir", "publicdir", "codedir"].map((k) => `${k} = ${join(dir, k)}`),
      "",
    ].join("\n"),
  );
  const manifest = join(dir, "site.pp");
  await writeFile(
    manifest,
    [
      `file { '${join(dir, "alpha.txt")}': content => "alpha\\n", tag => ['alpha'] }`,
      `file { '${join(dir, "beta.txt")}': content => "beta\\n", tag => ['beta'] }`,
      "",
    ].join("\n"),
  );
  const script = join(dir, "puppet-agent.sh");
  await writeFile(
    script,
    [
      "#!/bin/sh",
      'conf="$1"; manifest="$2"; shift 2',
      'args=""',
      "while [ $# -gt 0 ]; do",
      '  case "$1" in',
      '    --tags|--environment) args="$args $1 $2"; shift 2;;',
      '    --noop|--no-noop) args="$args $1"; shift;;',
      "    *) shift;;",
      "  esac",
      "done",
      `echo "$args" > ${join(dir, "last-args")}`,
      `puppet apply --color=false --config "$conf" $args "$manifest" > ${join(dir, "run.log")} 2>&1`,
      // Written once Puppet is done with its files, so a test can wait for the whole run.
      `date +%s%N >> ${join(dir, "runs.done")}`,
      "",
    ].join("\n"),
  );
  await chmod(script, 0o755);
  const site: PuppetSite = {
    dir,
    config,
    manifest,
    command: `${script} ${config} ${manifest}`,
    lastrunfile: join(dir, "publicdir", "last_run_summary.yaml"),
    lockfile: join(dir, "vardir", "state", "agent_disabled.lock"),
    async apply(args = []) {
      try {
        await run("puppet", ["apply", "--color=false", "--config", config, ...args, manifest], {
          timeout: 120_000,
        });
      } catch (err) {
        throw new Error(
          `puppet apply failed (is Puppet installed? run tooling/scripts/provision.sh): ${(err as Error).message}`,
        );
      }
    },
    summary: () => readFile(site.lastrunfile, "utf8"),
    finishedRuns: () =>
      readFile(join(dir, "runs.done"), "utf8").then(
        (text) => text.split("\n").filter(Boolean).length,
        () => 0,
      ),
  };
  return site;
}
