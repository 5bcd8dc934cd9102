import { selectIdentities } from "@phobos/client";
import { defineDiscovery, UsageError } from "@phobos/core";
import { parseStdinHosts } from "./parse-stdin.js";

/**
 * Stdin discovery: the nodes are the client's input (what was piped to
 * mco, or the `stdin` an openClient script gave), one identity a line or
 * the JSON of `mco rpc --json` (so `mco rpc … -j | mco rpc …` chains),
 * narrowed by `-I`. mco switches to it by itself when something is piped
 * and no discovery method was chosen.
 */
export default defineDiscovery({
  name: "stdin",
  description: "STDIN based discovery for node identities",
  create: () => ({
    async discover({ filter, options, limit, stdin }) {
      if (!stdin) {
        throw new UsageError(
          "the stdin discovery method needs the client's input, and this client was given none (openClient takes it as `stdin`)",
        );
      }
      const hosts = selectIdentities(parseStdinHosts(await stdin(), options[0] ?? "auto"), filter.identity);
      return limit > 0 ? hosts.slice(0, limit) : hosts;
    },
  }),
});
