import { defineAgentDdl, RubyRegex } from "@phobos/core";

const out = (description: string, display_as: string) => ({ description, display_as });

/**
 * The rpcutil interface, as MCollective 2.12 declares it: Ruby clients rely on every name
 * here. Validations are Ruby String patterns, so they match (and print) as Ruby's do.
 */
export default defineAgentDdl({
  metadata: {
    name: "rpcutil",
    description: "General helpful actions that expose stats and internals to SimpleRPC clients",
    author: "R.I.Pienaar <rip@devco.net>",
    license: "Apache License, Version 2.0",
    version: "1.0",
    url: "https://docs.puppetlabs.com/mcollective/",
    timeout: 10,
  },
  actions: {
    collective_info: {
      description: "Info about the main and sub collectives",
      display: "always",
      output: {
        main_collective: out("The main Collective", "Main Collective"),
        collectives: out("All Collectives", "All Collectives"),
      },
      aggregate: [{ function: "summary", args: ["collectives"] }],
    },
    inventory: {
      description: "System Inventory",
      display: "always",
      output: {
        agents: out("List of agent names", "Agents"),
        facts: out("List of facts and values", "Facts"),
        classes: out("List of classes on the system", "Classes"),
        version: out("MCollective Version", "Version"),
        main_collective: out("The main Collective", "Main Collective"),
        collectives: out("All Collectives", "All Collectives"),
        data_plugins: out("List of data plugin names", "Data Plugins"),
      },
    },
    get_fact: {
      description: "Retrieve a single fact from the fact store",
      display: "always",
      input: {
        fact: {
          prompt: "The name of the fact",
          description: "The fact to retrieve",
          type: "string",
          validation: new RubyRegex("^[\\w\\-\\.]+$"),
          optional: false,
          maxlength: 40,
        },
      },
      output: {
        fact: out("The name of the fact being returned", "Fact"),
        value: out("The value of the fact", "Value"),
      },
      aggregate: [{ function: "summary", args: ["value"] }],
    },
    get_facts: {
      description: "Retrieve multiple facts from the fact store",
      display: "always",
      input: {
        facts: {
          prompt: "Comma-separated list of facts",
          description: "Facts to retrieve",
          type: "string",
          validation: new RubyRegex("^\\s*[\\w\\.\\-]+(\\s*,\\s*[\\w\\.\\-]+)*$"),
          optional: false,
          maxlength: 200,
        },
      },
      output: { values: out("List of values of the facts", "Values") },
    },
    daemon_stats: {
      description: "Get statistics from the running daemon",
      display: "always",
      output: {
        threads: out("List of threads active in the daemon", "Threads"),
        agents: out("List of agents loaded", "Agents"),
        pid: out("Process ID of the daemon", "PID"),
        times: out("Processor time consumed by the daemon", "Times"),
        validated: out("Messages that passed security validation", "Security Validated"),
        unvalidated: out("Messages that failed security validation", "Failed Security"),
        passed: out("Passed filter checks", "Passed Filter"),
        filtered: out("Didn't pass filter checks", "Failed Filter"),
        starttime: out("Time the server started", "Start Time"),
        total: out("Total messages received", "Total Messages"),
        replies: out("Replies sent back to clients", "Replies"),
        configfile: out("Config file used to start the daemon", "Config File"),
        version: out("MCollective Version", "Version"),
        ttlexpired: out("Messages that did pass TTL checks", "TTL Expired"),
      },
      aggregate: [
        { function: "summary", args: ["version"] },
        { function: "summary", args: ["agents"] },
      ],
    },
    agent_inventory: {
      description: "Inventory of all agents on the server",
      display: "always",
      output: { agents: out("List of agents on the server", "Agents") },
    },
    get_config_item: {
      description: "Get the active value of a specific config property",
      display: "always",
      input: {
        item: {
          prompt: "Configuration Item",
          description: "The item to retrieve from the server",
          type: "string",
          validation: new RubyRegex("^.+$"),
          optional: false,
          maxlength: 50,
        },
      },
      output: {
        item: out("The config property being retrieved", "Property"),
        value: out("The value that is in use", "Value"),
      },
      aggregate: [{ function: "summary", args: ["value"] }],
    },
    get_data: {
      description: "Get data from a data plugin",
      display: "always",
      input: {
        source: {
          prompt: "Data Source",
          description: "The data plugin to retrieve information from",
          type: "string",
          validation: new RubyRegex("^\\w+$"),
          optional: false,
          maxlength: 50,
        },
        query: {
          prompt: "Query",
          description: "The query argument to supply to the data plugin",
          type: "string",
          validation: new RubyRegex("^.+$"),
          optional: true,
          maxlength: 200,
        },
      },
      output: {},
    },
    ping: {
      description: "Responds to requests for PING with PONG",
      display: "always",
      output: { pong: out("The local timestamp", "Timestamp") },
    },
  },
});
