import { defineAgentDdl } from "@phobos/core";

/**
 * The registration agent has no actions: registration messages are not
 * SimpleRPC requests, and it sends no reply. Its metadata is what
 * `rpcutil#agent_inventory` reports.
 */
export default defineAgentDdl({
  metadata: {
    name: "registration",
    description: "Stores the registration messages of every node in a registry (SQLite or PostgreSQL)",
    author: "The Phobos authors",
    license: "Apache-2.0",
    version: "0.1.0",
    url: "https://docs.puppetlabs.com/mcollective/reference/plugins/registration.html",
    timeout: 5,
  },
  actions: {},
});
