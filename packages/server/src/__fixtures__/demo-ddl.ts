import { defineAgentDdl } from "@phobos/core";

const greeting = {
  greeting: { description: "What was said", display_as: "Greeting", default: "none" },
  count: { description: "How often", display_as: "Count" },
};

/** The same DDL `ruby-ddl-messages.rb` declares in Ruby, so messages can be compared. */
export default defineAgentDdl({
  metadata: {
    name: "demo",
    description: "Server test agent",
    author: "Phobos",
    license: "Apache-2.0",
    version: "1.0",
    url: "https://example.com/phobos",
    timeout: 1,
  },
  actions: {
    greet: {
      description: "Greets",
      display: "always",
      input: {
        name: {
          prompt: "Name",
          description: "who",
          type: "string",
          validation: /^\w+$/,
          optional: false,
          maxlength: 10,
        },
        times: { prompt: "Times", description: "n", type: "integer", optional: true, default: 1 },
        color: { prompt: "Color", description: "c", type: "list", list: ["red", "green"], optional: true },
        loud: { prompt: "Loud", description: "l", type: "boolean", optional: true },
        word: {
          prompt: "Word",
          description: "how to greet",
          type: "string",
          validation: /^\w+$/,
          optional: false,
          maxlength: 10,
          default: "hello",
        },
      },
      output: greeting,
    },
    abort: { description: "reply.fail!", display: "always", output: greeting },
    crash: { description: "throws", display: "always", output: greeting },
    slow: { description: "outlives its timeout", display: "always", output: greeting },
    missing: { description: "declared, not implemented", display: "always", output: greeting },
    quiet: { description: "sets nothing", display: "always", output: greeting },
  },
});
