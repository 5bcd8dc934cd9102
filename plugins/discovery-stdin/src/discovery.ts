import { defineDiscovery } from "@phobos/core";
import { readStdin, selectIdentities } from "@phobos/core/client";
import { parseStdinHosts } from "./parse-stdin.js";

/**
 * Stdin discovery: the nodes are what was piped in, one identity a line
 * or the JSON of `mco rpc --json` (so `mco rpc … -j | mco rpc …` chains),
 * narrowed by `-I`. mco switches to it by itself when something is piped
 * and no discovery method was chosen.
 */
export default defineDiscovery({
  name: "stdin",
  description: "STDIN based discovery for node identities",
  create: () => ({
    async discover({ filter, options }) {
      const hosts = parseStdinHosts(await readStdin(), options[0] ?? "auto");
      return selectIdentities(hosts, filter.identity);
    },
  }),
});
