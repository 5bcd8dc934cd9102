import { defineAgentDdl, PROTOCOL_VERSION } from "@phobos/core";

/** The discovery agent has no actions; its metadata is what rpcutil#agent_inventory reports. */
export default defineAgentDdl({
  metadata: {
    name: "Discovery Agent",
    description: "MCollective Discovery Agent",
    author: "R.I.Pienaar <rip@devco.net>",
    license: "Apache License, Version 2",
    version: PROTOCOL_VERSION,
    url: "https://docs.puppetlabs.com/mcollective/",
    timeout: 5,
  },
  actions: {},
});
