import { selectIdentities } from "@phobos/client";
import { defineDiscovery, UsageError } from "@phobos/core";
import { readFlatfile } from "./read-flatfile.js";

/**
 * Flatfile discovery (`--nodes FILE`, or `--dm flatfile --do FILE`): the
 * nodes are the lines of a file, narrowed by `-I` (names or `/regex/`),
 * each once and no more than `limit` of them. Nothing goes over the network,
 * so requests go to each node directly.
 */
export default defineDiscovery({
  name: "flatfile",
  description: "Flatfile based discovery for node identities",
  create: () => ({
    async discover({ filter, limit, options }) {
      const file = options[0];
      if (file === undefined)
        throw new UsageError("The flatfile discovery method needs a path to a text file");
      // A node listed twice would get the request twice and be counted twice.
      const nodes = [...new Set(selectIdentities(readFlatfile(file), filter.identity))];
      return limit > 0 ? nodes.slice(0, limit) : nodes;
    },
  }),
});
