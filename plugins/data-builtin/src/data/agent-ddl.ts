import { defineDataDdl, RubyRegex } from "@phobos/core";

const items = ["license", "timeout", "description", "url", "version", "author"] as const;

export default defineDataDdl({
  metadata: {
    name: "Agent",
    description: "Meta data about installed MColletive Agents",
    author: "R.I.Pienaar <rip@devco.net>",
    license: "ASL 2.0",
    version: "1.0",
    url: "https://docs.puppetlabs.com/mcollective/",
    timeout: 1,
  },
  dataquery: {
    description: "Agent Meta Data",
    input: {
      query: {
        prompt: "Agent Name",
        description: "Valid agent name",
        type: "string",
        validation: new RubyRegex("^[\\w\\_]+$", "", true),
        maxlength: 20,
        optional: false,
      },
    },
    output: {
      ...Object.fromEntries(
        items.map((item) => [
          item,
          { description: `Agent ${item}`, display_as: item[0]?.toUpperCase() + item.slice(1) },
        ]),
      ),
      // Ruby's plugin returns it without declaring it; declared here, last, where its replies have it.
      agent: { description: "Agent name", display_as: "Agent" },
    },
  },
});
