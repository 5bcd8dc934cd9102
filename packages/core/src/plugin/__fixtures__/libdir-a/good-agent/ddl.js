// A DDL as a plain JS module: the default export is the Ddl object.
export default {
  kind: "agent",
  metadata: {
    name: "echo",
    description: "echo fixture agent",
    author: "Phobos",
    license: "Apache-2.0",
    version: "1.0.0",
    url: "https://example.com/phobos",
    timeout: 5,
  },
  actions: {
    echo: {
      action: "echo",
      description: "echo",
      display: "always",
      input: {
        message: {
          prompt: "Message",
          description: "Text to echo",
          type: "string",
          optional: false,
          validation: /^.+$/,
          maxlength: 100,
        },
      },
      output: { message: { description: "The text", display_as: "Message", default: "" } },
    },
  },
};
