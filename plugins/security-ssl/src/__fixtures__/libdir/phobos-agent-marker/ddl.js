export default {
  kind: "agent",
  metadata: {
    name: "marker",
    description: "Records each request it runs",
    author: "Phobos",
    license: "Apache-2.0",
    version: "1.0.0",
    url: "https://example.com/phobos",
    timeout: 5,
  },
  actions: {
    touch: {
      action: "touch",
      description: "Append the request id to executed.log",
      display: "always",
      input: {},
      output: { done: { description: "Ran", display_as: "Done", default: false } },
    },
  },
};
