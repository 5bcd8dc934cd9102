import {
  type ApplicationInvocation,
  defineApplication,
  type OptionValue,
  type RpcClient,
  type RpcResult,
} from "@phobos/client";
import { addFilterOption, rubyFormat, UsageError } from "@phobos/core";
import { sparklineFor } from "./sparkline.js";

const USAGE = `mco puppet [OPTIONS] [FILTERS] <ACTION> [CONCURRENCY|MESSAGE]
Usage: mco puppet <count|enable|status|summary>
Usage: mco puppet disable [message]
Usage: mco puppet runonce [PUPPET OPTIONS]
Usage: mco puppet resource type name property1=value property2=value
Usage: mco puppet runall [--rerun SECONDS] [PUPPET OPTIONS]

The ACTION can be one of the following:

    count    - return a total count of running, enabled, and disabled nodes
    enable   - enable the Puppet Agent if it was previously disabled
    disable  - disable the Puppet Agent preventing catalog from being applied
    resource - manage individual resources using the Puppet Type (RAL) system
    runall   - invoke a puppet run on matching nodes, making sure to only run
               CONCURRENCY nodes at a time. NOTE that any compound filters (-S)
               used with runall will be wrapped in parentheses and and'ed
               with "puppet().enabled=true".
    runonce  - invoke a Puppet run on matching nodes
    status   - shows a short summary about each Puppet Agent status
    summary  - shows resource and run time summaries
`;

const COMMANDS = ["resource", "count", "runonce", "enable", "disable", "runall", "status", "summary"];

type Conf = Record<string, OptionValue>;

/** The runonce inputs the command line asked for (`--noop`, `--tags a --tags b`, `--no-splay`…). */
function runonceArguments(conf: Conf): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const key of ["force", "server", "noop", "environment", "splay", "splaylimit", "use_cached_catalog"]) {
    if (conf[key] !== undefined) args[key] = conf[key];
  }
  if (conf.no_noop !== undefined) args.noop = false;
  if (conf.no_splay !== undefined) args.splay = false;
  if (conf.no_use_cached_catalog !== undefined) args.use_cached_catalog = false;
  if (Array.isArray(conf.tag) && conf.tag.length > 0) args.tags = conf.tag.join(",");
  return args;
}

/** `%<longest sender + 3>s: <field or the failure>`, one line a node. */
function singleField(inv: ApplicationInvocation, results: RpcResult[], field: string): void {
  if (results.length === 0) return;
  const width = Math.max(...results.map((r) => r.sender.length)) + 3;
  for (const r of results) {
    inv.stdout.write(
      rubyFormat(`%${width}s: %s\n`, [
        r.sender,
        r.statuscode === 0 ? r.data[field] : inv.color("red", r.statusmsg),
      ]),
    );
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pad = (n: number) => String(n).padStart(2, "0");
const now = () => {
  const d = new Date();
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
};

/**
 * `runall N`: every enabled node gets a run, never more than N applying at
 * once. Runs are started one node at a time (`force`, so no splay) while
 * fewer than N are applying; a node stops counting once its last run is
 * newer than the run it was sent.
 */
async function runall(inv: ApplicationInvocation, client: RpcClient, conf: Conf, concurrency: number) {
  const log = (msg: string) => inv.stdout.write(`${now()}: ${msg}\n`);
  client.progress = false;
  const runOnce = async () => {
    log(`Running all nodes with a concurrency of ${concurrency}`);
    log("Discovering enabled Puppet nodes to manage");
    const base = structuredClone(client.filter);
    const enabled = addFilterOption(
      { ...structuredClone(base), compound: [] },
      "-S",
      "puppet().enabled=true",
    );
    if (base.compound.length > 0) {
      log("Modifying user-specified filter: and'ing with 'puppet().enabled=true'");
      const [mine = []] = enabled.compound;
      const [theirs = []] = base.compound;
      enabled.compound = [[...mine, { and: "and" }, { "(": "(" }, ...theirs, { ")": ")" }] as never];
    }
    client.filter = enabled;
    client.reset();
    const hosts = [...(await client.discover())];
    client.filter = base;
    client.reset();
    log(`Found ${hosts.length} enabled ${hosts.length === 1 ? "node" : "nodes"}`);

    const running = new Map<string, number>();
    const refresh = async (tracked: string[]) => {
      if (tracked.length === 0) return;
      const { results } = await client.customRequest("status", {}, tracked, { identity: tracked });
      for (const host of tracked) {
        const r = results.find((x) => x.sender === host);
        const started = running.get(host) ?? 0;
        if (r && r.data.applying !== true && Number(r.data.lastrun ?? 0) >= started) running.delete(host);
      }
    };
    const todo = [...hosts];
    while (todo.length > 0) {
      while (todo.length > 0 && running.size < concurrency) {
        const host = todo.shift() as string;
        const { results } = await client.customRequest(
          "runonce",
          { ...runonceArguments(conf), force: true },
          [host],
          { identity: [host] },
        );
        const r = results[0];
        if (!r) {
          log(`${host} did not return a result`);
          continue;
        }
        log(`${host} schedule status: ${r.statuscode === 0 ? String(r.data.summary) : r.statusmsg}`);
        if (r.statuscode === 0) running.set(host, Number(r.data.initiated_at ?? 0));
      }
      if (todo.length === 0) break;
      await sleep(1000);
      await refresh([...running.keys()]);
    }
    log(`Iteration complete. Initiated a Puppet run on ${hosts.length} nodes.`);
  };
  const rerun = conf.rerun as number | undefined;
  if (rerun === undefined) return runOnce();
  log(`Performing ongoing Puppet run management with a minimum runtime of ${rerun} seconds between loops`);
  for (;;) {
    const started = performance.now();
    try {
      await runOnce();
    } catch (err) {
      log(`Running nodes failed: ${(err as Error).message}`);
    }
    const took = (performance.now() - started) / 1000;
    if (took <= rerun) {
      log(
        `Running all hosts took ${Math.trunc(took)} seconds; sleeping for ${Math.trunc(rerun - took)} seconds due to minimum run time configuration of ${rerun} seconds`,
      );
      await sleep((rerun - took) * 1000);
    }
  }
}

/**
 * `mco puppet`: MCollective's Puppet client. Status, counts and summary
 * histograms of a fleet's Puppet agents, enabling and disabling them, single
 * runs or rolling runs with a concurrency limit, and resources through the
 * RAL, as the Ruby application prints them.
 */
export default defineApplication({
  name: "puppet",
  description: "Schedule runs, enable, disable and interrogate the Puppet Agent",
  create: () => ({
    usage: [USAGE],
    options: [
      {
        name: "force",
        description: "Bypass splay options when running",
        arguments: ["--force"],
        type: "bool",
      },
      { name: "server", description: "Connect to a specific server or port", arguments: ["--server SERVER"] },
      {
        name: "tag",
        description: "Restrict the run to specific tags",
        arguments: ["--tags TAG", "--tag"],
        type: "array",
      },
      { name: "noop", description: "Do a noop run", arguments: ["--noop"], type: "bool" },
      { name: "no_noop", description: "Do a run with noop disabled", arguments: ["--no-noop"], type: "bool" },
      {
        name: "environment",
        description: "Place the node in a specific environment for this run",
        arguments: ["--environment ENVIRONMENT"],
      },
      {
        name: "splay",
        description: "Splay the run by up to splaylimit seconds",
        arguments: ["--splay"],
        type: "bool",
      },
      {
        name: "no_splay",
        description: "Do a run with splay disabled",
        arguments: ["--no-splay"],
        type: "bool",
      },
      {
        name: "splaylimit",
        description: "Maximum splay time for this run if splay is set",
        arguments: ["--splaylimit SECONDS"],
        type: "integer",
      },
      {
        name: "use_cached_catalog",
        description: "Use cached catalog for this run",
        arguments: ["--use_cached_catalog"],
        type: "bool",
      },
      {
        name: "no_use_cached_catalog",
        description: "Do not use cached catalog for this run",
        arguments: ["--no-use_cached_catalog"],
        type: "bool",
      },
      {
        name: "ignoreschedules",
        description: "Disable schedule processing",
        arguments: ["--ignoreschedules"],
        type: "bool",
      },
      {
        name: "rerun",
        description: "When performing runall do so repeatedly with a minimum run time of SECONDS",
        arguments: ["--rerun SECONDS"],
        type: "integer",
      },
    ],
    async run(inv) {
      const conf = inv.configuration;
      const [command, arg] = inv.args.splice(0, 2);
      if (command === undefined) throw new UsageError("Please specify a command.");
      if (!COMMANDS.includes(command))
        throw new UsageError(
          "Action must be count, enable, disable, resource, runall, runonce, status or summary",
        );
      if (conf.force === true) {
        if (conf.splay !== undefined || conf.no_splay !== undefined)
          throw new UsageError("Cannot set splay when forcing runs");
        if (conf.splaylimit !== undefined) throw new UsageError("Cannot set splaylimit when forcing runs");
      }
      let concurrency = 0;
      if (command === "runall") {
        if (arg === undefined) throw new UsageError("The runall command needs a concurrency limit");
        concurrency = Number(arg);
        if (!/^\s*[-+]?\d+\s*$/.test(arg)) throw new UsageError(`invalid value for Integer(): "${arg}"`);
        if (concurrency <= 0)
          throw new UsageError("The concurrency for the runall command has to be greater than 0");
      }
      const resource: Record<string, unknown> = {};
      if (command === "resource") {
        const name = inv.args.shift();
        if (arg === undefined) throw new UsageError("The resource command needs a type to operate on");
        if (name === undefined) throw new UsageError("The resource command needs a name to operate on");
        Object.assign(resource, { name, type: arg });
        for (const word of inv.args.splice(0)) {
          const m = /^(.+?)=(.+)$/s.exec(word);
          if (!m) throw new UsageError(`Could not parse argument '${word}'`);
          resource[m[1] as string] = m[2];
        }
      }

      const client = await inv.rpcClient("puppet");
      const ddl = client.ddl;
      switch (command) {
        case "status": {
          const { results } = await client.call("status", {});
          singleField(inv, results, "message");
          inv.stdout.write("\n");
          inv.printrpcstats(client.stats, { summarize: true, ddl });
          break;
        }
        case "count": {
          client.progress = false;
          await client.call("status", {});
          const counts = new Map(client.stats.aggregateSummary.map((a) => [a.output, a.value]));
          const of = (output: string, key: unknown) => {
            const v = counts.get(output);
            return v instanceof Map ? (v.get(key) ?? 0) : 0;
          };
          const line = (label: string, n: number) => inv.stdout.write(`${label.padStart(33)}: ${n}\n`);
          inv.stdout.write(`Total Puppet nodes: ${client.stats.okcount}\n\n`);
          line("Nodes currently enabled", of("enabled", "enabled"));
          line("Nodes currently disabled", of("enabled", "disabled"));
          inv.stdout.write("\n");
          line("Nodes currently doing puppet runs", of("applying", true));
          line("Nodes currently stopped", of("applying", false));
          inv.stdout.write("\n");
          line("Nodes with daemons started", of("daemon_present", "running"));
          line("Nodes without daemons started", of("daemon_present", "stopped"));
          line("Daemons started but idling", of("idling", true));
          inv.stdout.write("\n");
          const failed = client.stats.failcount;
          if (failed > 0)
            inv.stdout.write(
              `${inv.color("red", `Failed to retrieve status of ${failed} ${failed === 1 ? "node" : "nodes"}`)}\n`,
            );
          break;
        }
        case "summary": {
          client.progress = false;
          const { results } = await client.call("last_run_summary", {});
          const values = (field: string) =>
            results
              .filter((r) => r.statuscode === 0)
              .map((r) => r.data[field])
              .filter((v) => v !== null && v !== undefined)
              .map(Number);
          inv.stdout.write(`Summary statistics for ${results.length} nodes:\n\n`);
          for (const [label, field] of [
            ["Total resources", "total_resources"],
            ["Out Of Sync resources", "out_of_sync_resources"],
            ["Failed resources", "failed_resources"],
            ["Changed resources", "changed_resources"],
            ["Corrected resources", "corrected_resources"],
            ["Config Retrieval time (seconds)", "config_retrieval_time"],
            ["Total run-time (seconds)", "total_time"],
            ["Time since last run (seconds)", "since_lastrun"],
          ] as const) {
            inv.stdout.write(`${label.padStart(33)}: ${sparklineFor(values(field))}\n`);
          }
          inv.stdout.write("\n");
          const failed = results.flatMap((r) => {
            const run = (r.data.summary as Record<string, unknown> | undefined)?.last_triggered_run;
            const message = (run as Record<string, unknown> | undefined)?.message;
            return r.statuscode === 0 && typeof message === "string" ? [{ sender: r.sender, message }] : [];
          });
          if (failed.length > 0) {
            inv.stdout.write(
              `${inv.color("red", `Nodes whose last triggered Puppet run failed: ${failed.length}`)}\n\n`,
            );
            const width = Math.max(...failed.map((f) => f.sender.length)) + 3;
            for (const f of failed.sort((a, b) => (a.sender < b.sender ? -1 : 1)))
              inv.stdout.write(`${f.sender.padStart(width)}: ${f.message}\n`);
            inv.stdout.write("\n");
          }
          break;
        }
        case "enable":
        case "disable": {
          const args = command === "disable" && arg !== undefined ? { message: arg } : {};
          const { results } = await client.call(command, args);
          inv.printrpc(results, { ddl });
          inv.printrpcstats(client.stats, { summarize: true, ddl });
          break;
        }
        case "runonce": {
          const { results } = await client.call("runonce", runonceArguments(conf));
          inv.printrpc(results, { ddl });
          inv.printrpcstats(client.stats, { ddl });
          break;
        }
        case "resource": {
          const { results } = await client.call("resource", resource);
          inv.printrpc(results, { ddl });
          inv.printrpcstats(client.stats, { summarize: true, ddl });
          break;
        }
        case "runall":
          await runall(inv, client, conf, concurrency);
          return 0;
      }
      return inv.haltCode(client.stats);
    },
  }),
});
