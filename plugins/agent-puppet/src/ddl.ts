import { defineAgentDdl, RubyRegex } from "@phobos/core";

const out = (description: string, display_as: string, def?: unknown) => ({
  description,
  display_as,
  ...(def === undefined ? {} : { default: def }),
});
const enabled = out("Is the agent currently locked", "Enabled");
const lastrun = out("When the Agent last applied a catalog in local time", "Last Run", 0);
const sinceLastrun = out(
  "How long ago did the Agent last apply a catalog in local time",
  "Since Last Run",
  "Unknown",
);
const enabledSummary = {
  function: "boolean_summary",
  args: ["enabled", { true: "enabled", false: "disabled" }],
};
const bool = (prompt: string, description: string) =>
  ({ prompt, description, type: "boolean", optional: true }) as const;

/** The puppet interface of choria-legacy/mcollective-puppet-agent 1.14.0: Ruby clients send these names. */
export default defineAgentDdl({
  metadata: {
    name: "puppet",
    description: "Run Puppet agent, get its status, and enable/disable it",
    author: "R.I.Pienaar <rip@devco.net>",
    license: "ASL2.0",
    version: "1.14.0",
    url: "https://github.com/puppetlabs/mcollective-puppet-agent",
    timeout: 20,
  },
  requires: { mcollective: "2.2.1" },
  actions: {
    resource: {
      description: "Evaluate Puppet RAL resources",
      display: "always",
      input: {
        name: {
          prompt: "Name",
          description: "Resource Name",
          type: "string",
          validation: new RubyRegex("^.+$"),
          optional: false,
          maxlength: 150,
        },
        type: {
          prompt: "Type",
          description: "Resource Type",
          type: "string",
          validation: new RubyRegex("^.+$"),
          optional: false,
          maxlength: 50,
        },
      },
      output: {
        result: out("The result from the Puppet resource", "Result", ""),
        changed: out("Was a change applied based on the resource", "Changed", null),
      },
      aggregate: [
        { function: "boolean_summary", args: ["changed", { true: "Changed", false: "No Change" }] },
      ],
    },
    disable: {
      description: "Disable the Puppet agent",
      input: {
        message: {
          prompt: "Message",
          description: "Supply a reason for disabling the Puppet agent",
          type: "string",
          validation: "shellsafe",
          optional: true,
          maxlength: 120,
        },
      },
      output: { status: out("Status", "Status", ""), enabled },
      aggregate: [enabledSummary],
    },
    enable: {
      description: "Enable the Puppet agent",
      output: { status: out("Status", "Status", ""), enabled },
      aggregate: [enabledSummary],
    },
    last_run_summary: {
      description: "Get the summary of the last Puppet run",
      display: "always",
      input: {
        logs: {
          prompt: "Parse log from last_run_report.yaml",
          description: "Whether or not to parse the logs from last_run_report.yaml",
          type: "boolean",
          optional: true,
          default: false,
        },
      },
      output: {
        out_of_sync_resources: out("Resources that were not in desired state", "Out of Sync Resources", -1),
        failed_resources: out("Resources that failed to apply", "Failed Resources", -1),
        corrected_resources: out("Resources that were correctively changed", "Corrected Resources", -1),
        changed_resources: out("Resources that were changed", "Changed Resources", -1),
        total_resources: out("Total resources managed on a node", "Total Resources", 0),
        config_retrieval_time: out(
          "Time taken to retrieve the catalog from the master",
          "Config Retrieval Time",
          -1,
        ),
        total_time: out("Total time taken to retrieve and process the catalog", "Total Time", 0),
        logs: out("Log lines from the last Puppet run", "Last Run Logs", {}),
        lastrun,
        since_lastrun: sinceLastrun,
        config_version: out(
          "Puppet config version for the previously applied catalog",
          "Config Version",
          null,
        ),
        type_distribution: out("Resource counts per type managed by Puppet", "Type Distribution", {}),
        summary: out("Summary data as provided by Puppet", "Summary", {}),
      },
      aggregate: [
        { function: "average", args: ["config_retrieval_time"], format: "Average: %0.2f" },
        { function: "average", args: ["total_time"], format: "Average: %0.2f" },
        { function: "average", args: ["total_resources"], format: "Average: %d" },
      ],
    },
    status: {
      description: "Get the current status of the Puppet agent",
      display: "always",
      output: {
        applying: out("Is a catalog being applied", "Applying", false),
        idling: out("Is the Puppet agent daemon running but not doing any work", "Idling", false),
        enabled,
        daemon_present: out("Is the Puppet agent daemon running on this system", "Daemon Running", false),
        lastrun,
        since_lastrun: sinceLastrun,
        status: out("Current status of the Puppet agent", "Status", "unknown"),
        disable_message: out("Message supplied when agent was disabled", "Lock Message", ""),
        message: out("Descriptive message defining the overall agent status", "Message", "unknown"),
      },
      aggregate: [
        enabledSummary,
        { function: "boolean_summary", args: ["daemon_present", { true: "running", false: "stopped" }] },
        { function: "summary", args: ["applying"] },
        { function: "summary", args: ["status"] },
        { function: "summary", args: ["idling"] },
      ],
    },
    runonce: {
      description: "Invoke a single Puppet run",
      input: {
        force: bool("Force", "Will force a run immediately else subject to default splay time"),
        server: {
          prompt: "Puppet Master",
          description: "Address and port of the Puppet Master in server:port format",
          type: "string",
          validation: "puppet_server_address",
          optional: true,
          maxlength: 50,
        },
        tags: {
          prompt: "Tags",
          description: "Restrict the Puppet run to a comma list of tags",
          type: "string",
          validation: "puppet_tags",
          optional: true,
          maxlength: 120,
        },
        noop: bool("No-op", "Do a Puppet dry run"),
        splay: bool("Splay", "Sleep for a period before initiating the run"),
        splaylimit: {
          prompt: "Splay Limit",
          description: "Maximum amount of time to sleep before run",
          type: "number",
          optional: true,
        },
        environment: {
          prompt: "Environment",
          description: "Which Puppet environment to run",
          type: "string",
          validation: "puppet_variable",
          optional: true,
          maxlength: 50,
        },
        use_cached_catalog: bool("Use Cached Catalog", "Determine if to use the cached catalog or not"),
      },
      output: {
        summary: out("Summary of command run", "Summary", ""),
        initiated_at: out("Timestamp of when the runonce command was issues", "Initiated at", 0),
      },
    },
  },
});
