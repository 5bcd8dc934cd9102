import { defineApplication, loadValidatorPlugins } from "@phobos/client";
import { convertCliArgument, setDefaultInputs, UsageError, validateRpcRequest } from "@phobos/core";

const KEY_VALUE = /^(.+?)=(.+)$/s;

/**
 * `mco rpc`: any action of any agent with a DDL. Arguments come as
 * `key=value` words (or `--arg`), are typed through the DDL (booleans,
 * numbers) and validated before anything is sent; then discovery, the
 * call, each reply as the DDL says to show it, the summaries and the stats.
 * `--no-results` just sends; `--reply-to` sends replies elsewhere.
 */
export default defineApplication({
  name: "rpc",
  description: "Generic RPC agent client application",
  create: () => ({
    usage: [
      "mco rpc [options] [filters] --agent <agent> --action <action> [--argument <key=val> --argument ...]",
      "mco rpc [options] [filters] <agent> <action> [<key=val> <key=val> ...]",
    ],
    options: [
      {
        name: "show_results",
        description: "Do not process results, just send request",
        arguments: ["--no-results", "--nr"],
        default: true,
        type: "bool",
      },
      { name: "agent", description: "Agent to call", arguments: ["-a", "--agent AGENT"] },
      { name: "action", description: "Action to call", arguments: ["--action ACTION"] },
      {
        name: "arguments",
        description: "Arguments to pass to agent",
        arguments: ["--arg", "--argument ARGUMENT"],
        type: "array",
        default: [],
        validate: (value) =>
          KEY_VALUE.test(String(value))
            ? true
            : `Could not parse --arg ${String(value)} should be of the form key=val`,
      },
    ],
    async run(inv) {
      const conf = inv.configuration;
      const words = [...((conf.arguments as string[] | undefined) ?? [])];
      let agent = conf.agent as string | undefined;
      let action = conf.action as string | undefined;
      if (agent === undefined || action === undefined) {
        if (inv.args.length < 2) {
          inv.stderr.write("No agent, action and arguments specified\n");
          return 1;
        }
        [agent, action] = inv.args.splice(0, 2) as [string, string];
        for (const word of inv.args) {
          if (!KEY_VALUE.test(word)) {
            inv.stderr.write(`Could not parse --arg ${word}\n`);
            return 1;
          }
          words.push(word);
        }
      }

      // Typed and validated before connecting: a bad request never leaves this host.
      const ddl = await inv.agentDdl(agent);
      const args: Record<string, unknown> = {};
      const validators = await loadValidatorPlugins(ddl, action, inv);
      try {
        for (const word of words) {
          const [, key = "", raw = ""] = KEY_VALUE.exec(word) ?? [];
          args[key] = ddl.actions[action] ? convertCliArgument(ddl, action, key, raw) : raw;
        }
        setDefaultInputs(ddl, action, args);
        validateRpcRequest(ddl, action, args, validators);
      } catch (err) {
        throw new UsageError(`${agent}#${action}: ${(err as Error).message}`);
      }

      const client = await inv.rpcClient(agent);
      if (inv.options.replyTo !== undefined) {
        const { requestid } = await client.call(action, args);
        inv.stdout.write(`Request sent with id: ${requestid} replies to ${inv.options.replyTo}\n`);
        return 0;
      }
      if (conf.show_results === false) {
        const { requestid } = await client.call(action, args, undefined, { processResults: false });
        inv.stdout.write(`Request sent with id: ${requestid}\n`);
        return 0;
      }
      client.detectStdinDiscovery(await inv.stdinHasData());
      await client.discover({ verbose: inv.options.outputFormat === "console" });
      const { results } = await client.call(action, args);
      inv.printrpc(results, { ddl });
      // Asking again re-counts the whole discovery, as MCollective's report does after --limit.
      if ((await client.discover()).length > 0) {
        inv.printrpcstats(client.stats, { summarize: true, caption: `${agent}#${action} call stats`, ddl });
      }
      return inv.haltCode(client.stats);
    },
  }),
});
