import { type DdlActionSpec, defineAgentDdl, RubyRegex } from "@phobos/core";

/** MCollective's `service_name` validator as a pattern, so clients check it without the plugin. */
export const SERVICE_NAME_PATTERN = "\\A[a-zA-Z\\.\\-_\\d:@]+\\z";

const serviceInput = (description: string) => ({
  prompt: "Service Name",
  description,
  type: "string" as const,
  validation: new RubyRegex(SERVICE_NAME_PATTERN),
  optional: false,
  maxlength: 90,
});

const statusOutput = (description: string) => ({
  status: { description, display_as: "Service Status", default: "unknown" },
});

function changeAction(act: "start" | "restart" | "stop"): DdlActionSpec {
  return {
    description: `${act.charAt(0).toUpperCase()}${act.slice(1)} a service`,
    display: "failed",
    input: { service: serviceInput(`The service to ${act}`) },
    output: statusOutput(`The status of the service after ${act.replace(/p$/, "pp")}ing`),
    aggregate: [{ function: "summary", args: ["status"] }],
  };
}

/**
 * The service agent's interface as `choria-legacy/mcollective-service-agent`
 * 3.2.0 declares it; the `service_name` validation is the same pattern,
 * written out.
 */
export default defineAgentDdl({
  metadata: {
    name: "service",
    description: "Start and stop system services",
    author: "R.I.Pienaar",
    license: "ASL 2.0",
    version: "3.2.0",
    url: "https://github.com/puppetlabs/mcollective-service-agent",
    timeout: 60,
  },
  requires: { mcollective: "2.2.1" },
  actions: {
    status: {
      description: "Gets the status of a service",
      display: "always",
      input: { service: serviceInput("The service to get the status for") },
      output: statusOutput("The status of the service"),
      aggregate: [{ function: "summary", args: ["status"] }],
    },
    start: changeAction("start"),
    restart: changeAction("restart"),
    stop: changeAction("stop"),
  },
});
