import { defineDiscovery } from "@phobos/core";
import { filterToPql } from "./pql.js";
import { queryCertnames, queryUrl, readTlsFiles } from "./query.js";
import { defaultSrvLookup, findServer } from "./server.js";

const DEFAULT_TIMEOUT = 10;

/**
 * PuppetDB discovery (`--dm puppetdb`, `default_discovery_method = puppetdb`):
 * the filter becomes one PQL query for the active nodes PuppetDB knows, and
 * requests then go to those nodes directly. A filter PQL cannot express
 * exactly is refused, naming the part.
 */
export default defineDiscovery({
  name: "puppetdb",
  description: "PuppetDB based discovery using PQL",
  settingsPrefixes: ["choria."],
  create: (ctx) => {
    const tls = readTlsFiles(ctx.settings);
    const fallback = ctx.settings.number("timeout", DEFAULT_TIMEOUT);
    const environment = ctx.settings.string("environment")?.trim() || undefined;
    return {
      async discover({ filter, timeout }) {
        // Translate first: a refused filter needs no server.
        const pql = filterToPql(filter, environment === undefined ? {} : { environment });
        const seconds = timeout > 0 ? timeout : fallback;
        const timeoutMs = seconds * 1000;
        const deadline = Date.now() + timeoutMs;
        const server = await findServer(ctx.settings, defaultSrvLookup(timeoutMs), ctx.log);
        ctx.log.debug(`PuppetDB at ${queryUrl(server)} (${server.source}), PQL: ${pql}`);
        return queryCertnames(server, pql, {
          tls,
          timeoutMs: Math.max(1, deadline - Date.now()),
          timeoutSeconds: seconds,
          signal: ctx.signal,
        });
      },
    };
  },
});
