import { defineApplication } from "@phobos/client";

/**
 * `mco find`: the identities discovery finds for the filter, one a line;
 * exit 1 when there are none. `-v` adds how many, how long, and how.
 */
export default defineApplication({
  name: "find",
  description: "Find hosts using the discovery system matching filter criteria",
  create: () => ({
    async run(inv) {
      const client = await inv.rpcClient("rpcutil");
      const started = performance.now();
      client.detectStdinDiscovery(await inv.stdinHasData());
      const nodes = await client.discover();
      const seconds = (performance.now() - started) / 1000;
      if (inv.options.verbose) inv.stderr.write("\n");
      for (const node of nodes) inv.stdout.write(`${node}\n`);
      if (inv.options.verbose) {
        inv.stderr.write(
          `\nDiscovered ${nodes.length} nodes in ${seconds.toFixed(2)} seconds using the ${client.discoveryMethod} discovery plugin\n`,
        );
      }
      return nodes.length > 0 ? 0 : 1;
    },
  }),
});
