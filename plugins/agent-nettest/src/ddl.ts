import { defineAgentDdl } from "@phobos/core";

const fqdn = {
  prompt: "FQDN",
  description: "The fully qualified domain name to ping",
  type: "string",
  validation: "nettest_fqdn",
  optional: false,
  maxlength: 80,
} as const;

/** The nettest interface of choria-legacy/mcollective-nettest-agent 3.0.4: Ruby clients send these names. */
export default defineAgentDdl({
  metadata: {
    name: "nettest",
    description: "Agent to do network tests from a mcollective host",
    author: "Dean Smith <dean@zelotus.com>",
    license: "BSD",
    version: "3.0.4",
    url: "http://github.com/deasmi",
    timeout: 60,
  },
  requires: { mcollective: "2.2.1" },
  actions: {
    ping: {
      description: "Returns rrt of ping to host",
      display: "always",
      input: { fqdn },
      output: { rtt: { description: "The round trip time in ms", display_as: "RTT" } },
      aggregate: [
        { function: "nettest_mma", args: ["rtt"], format: "Min: %.3fms  Max: %.3fms  Average: %.3fms" },
      ],
    },
    connect: {
      description: "Check connectivity of remote server on port",
      display: "always",
      input: {
        fqdn,
        port: {
          prompt: "Port",
          description: "The port to connect on",
          type: "integer",
          optional: false,
        },
      },
      output: {
        connect: { description: "Boolean value stating if connection was possible", display_as: "Connected" },
        connect_status: { description: "Connection status string", display_as: "Connection Status" },
        connect_time: { description: "Time it took to connect to host", display_as: "Connection time" },
      },
      aggregate: [{ function: "summary", args: ["connect_status"] }],
    },
  },
});
