import { defineDiscoveryDdl } from "@phobos/core";

/**
 * No waiting for replies (timeout 0, as Choria's PuppetDB discovery): the
 * query itself is bounded by `--discovery-timeout` when given, else by
 * `plugin.puppetdb.timeout`.
 */
export default defineDiscoveryDdl({
  metadata: {
    name: "puppetdb",
    description: "PuppetDB based discovery using PQL",
    author: "Phobos",
    license: "Apache-2.0",
    version: "0.1.0",
    url: "https://puppet.com/docs/puppetdb/7/api/query/v4/pql.html",
    timeout: 0,
  },
  discovery: { capabilities: ["classes", "facts", "identity", "agents", "compound"] },
});
