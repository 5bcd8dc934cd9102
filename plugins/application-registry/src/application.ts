import { type ApplicationInvocation, defineApplication } from "@phobos/client";
import { type PluginSettings, UsageError } from "@phobos/core";
import { readRegistry, selectNodes } from "@phobos/discovery-registry";
import { listText, nodeJson } from "./list.js";
import { refreshRegistry } from "./refresh.js";

const USAGE = `mco registry [list] [--stale] [-j] [filters]
       mco registry refresh [filters] [--dm METHOD]

          list : The nodes in the registry: identity, when each was last
                 seen, what sent its last registration, and which are
                 stale (the default command). Filters narrow the list.
       refresh : Runs rpcutil inventory on the discovered nodes and records
                 their agents, facts, classes and collectives (source
                 inventory), for nodes whose registration sends agents only.

The registry is plugin.registry.database (a SQLite file or a postgres:// URL).`;

async function list(inv: ApplicationInvocation, settings: PluginSettings): Promise<number> {
  const stored = await readRegistry(settings, inv.log);
  const collective = inv.options.collective;
  const filter = collective === undefined ? inv.options.filter : { ...inv.options.filter, collective };
  const { identities } = await selectNodes(stored, filter, { includeStale: true });
  const selected = new Set(identities);
  const nodes = stored.filter(
    (node) => selected.has(node.identity) && (inv.configuration.stale !== true || node.stale),
  );
  const now = new Date();
  if (inv.options.outputFormat === "json")
    inv.stdout.write(
      `${JSON.stringify(
        nodes.map((node) => nodeJson(node, now)),
        null,
        2,
      )}\n`,
    );
  else inv.stdout.write(listText(nodes, now));
  return 0;
}

/**
 * `mco registry`: what the node registry holds, and `refresh` to fill it
 * from rpcutil inventory. Reads `plugin.registry.*`, as registry discovery does.
 */
export default defineApplication({
  name: "registry",
  description: "Nodes in the registry: when each was last seen, and refreshing it from rpcutil inventory",
  create: (ctx) => ({
    usage: [USAGE],
    options: [
      {
        name: "stale",
        description: "Only the nodes that stopped registering (stale)",
        arguments: ["--stale"],
        type: "bool",
        default: false,
      },
    ],
    async run(inv) {
      const command = inv.args.shift() ?? "list";
      if (inv.args.length > 0)
        throw new UsageError(`Unexpected arguments after '${command}': ${inv.args.join(" ")}`);
      if (command === "list") return list(inv, ctx.settings);
      if (command === "refresh") {
        if (inv.configuration.stale === true)
          throw new UsageError("--stale applies to 'mco registry list' only");
        return refreshRegistry(inv, ctx.settings);
      }
      throw new UsageError(`Unknown registry command '${command}': use list or refresh`);
    },
  }),
});
