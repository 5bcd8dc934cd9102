import { defineDataDdl } from "@phobos/core";

export default defineDataDdl({
  metadata: {
    name: "puppet",
    description: "Information about Puppet agent state",
    author: "R.I.Pienaar <rip@devco.net>",
    license: "ASL 2.0",
    version: "1.1",
    url: "http://puppetlabs.com/",
    timeout: 1,
  },
  usage:
    'This data plugin lets you extract information about the Puppet Agent Daemon\nfor use in discovery and elsewhere.\n\nTo force a Puppet catalog run on machine that has not recently run:\n\n   mco rpc puppet runonce -S "puppet().since_lastrun > 1800"\n',
  dataquery: {
    description: "Puppet Agent state",
    output: {
      applying: { description: "Is a catalog being applied", display_as: "Applying", default: false },
      enabled: { description: "Is the agent currently locked", display_as: "Enabled", default: false },
      daemon_present: {
        description: "Is the Puppet agent daemon running on this system",
        display_as: "Daemon Running",
        default: false,
      },
      lastrun: {
        description: "When the Agent last applied a catalog in local time",
        display_as: "Last Run",
        default: 0,
      },
      since_lastrun: {
        description: "How long ago did the Agent last apply a catalog in local time",
        display_as: "Since Last Run",
        default: -1,
      },
      status: { description: "Current status of the Puppet agent", display_as: "Status", default: "unknown" },
      disable_message: {
        description: "Message supplied when agent was disabled",
        display_as: "Lock Message",
        default: "",
      },
      idling: {
        description: "Is the Puppet agent daemon running but not doing any work",
        display_as: "Idling",
        default: false,
      },
    },
  },
});
