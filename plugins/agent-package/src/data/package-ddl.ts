import { defineDataDdl, RubyRegex } from "@phobos/core";

/** `package('nano').status`: as `choria-legacy/mcollective-package-agent` 4.7.0's data plugin declares it. */
export default defineDataDdl({
  metadata: {
    name: "package",
    description: "Checks the status of a package",
    author: "R.I.Pienaar",
    license: "ASL 2.0",
    version: "4.7.0",
    url: "https://github.com/puppetlabs/mcollective-package-agent",
    timeout: 3,
  },
  requires: { mcollective: "2.2.1" },
  usage: `Checks the status of a package. This plugin can be used during discovery and everywhere else
the mcollective discovery language is used.

Example Usage:

  During Discovery -  mco rpc rpcutil ping -S "package('puppet').status=3.8.4-1puppetlabs1"
  Action Policy    -  package('puppet').status=3.8.4-1puppetlabs1
`,
  dataquery: {
    description: "package",
    input: {
      query: {
        prompt: "package Name",
        description: "Package Name",
        type: "string",
        // MCollective's package_name validator, as a pattern: clients check it without the plugin.
        validation: new RubyRegex("\\A[a-zA-Z\\.\\-_\\d]+\\z"),
        maxlength: 50,
      },
    },
    output: {
      status: { description: "The currently installed version if present", display_as: "Package Status" },
      installed: { description: "true/false", display_as: "Is installed?" },
    },
  },
});
