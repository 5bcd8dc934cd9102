import { defineApplication } from "@phobos/client";
import { rubyFormat } from "@phobos/core";

const COMMANDS = ["touch", "remove", "status"] as const;

/**
 * `mco filemgr [--file FILE] [touch|remove|status]`: the filemgr agent on
 * every node the filter selects. `status` prints one line per node (its
 * status or why it failed) unless `--details` asks for every field.
 */
export default defineApplication({
  name: "filemgr",
  description: "Generic File Manager Client",
  create: () => ({
    usage: ["mco filemgr [--file FILE] [touch|remove|status]"],
    options: [
      {
        name: "file",
        description: "File to manage",
        arguments: ["--file FILE", "-f FILE"],
        required: true,
      },
      {
        name: "details",
        description: "Show full file details",
        arguments: ["--details", "-d"],
        type: "bool",
      },
    ],
    async run(inv) {
      const command = inv.args.shift() ?? "touch";
      if (!(COMMANDS as readonly string[]).includes(command)) {
        inv.stderr.write("Valid commands are 'touch', 'status', and 'remove'\n");
        return 1;
      }
      const file = inv.configuration.file as string;
      const client = await inv.rpcClient("filemgr");
      client.detectStdinDiscovery(await inv.stdinHasData());
      if (command === "status" && inv.configuration.details !== true) {
        const { results } = await client.call("status", { file });
        if (inv.options.outputFormat === "console") {
          for (const result of results) {
            const output = result.data.output;
            inv.stdout.write(
              rubyFormat("%-40s: %s\n", [
                result.sender,
                output === undefined || output === null || output === false ? result.statusmsg : output,
              ]),
            );
          }
        } else {
          inv.printrpc(results, { ddl: client.ddl });
        }
      } else {
        const { results } = await client.call(command, { file });
        inv.printrpc(results, { ddl: client.ddl });
      }
      inv.printrpcstats(client.stats, { ddl: client.ddl });
      return inv.haltCode(client.stats);
    },
  }),
});
