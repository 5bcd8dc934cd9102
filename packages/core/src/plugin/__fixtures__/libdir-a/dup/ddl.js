// A DDL as a plain JS module: the default export is the Ddl object.
export default {
  kind: "agent",
  metadata: {
    name: "dup",
    description: "dup fixture agent",
    author: "Phobos",
    license: "Apache-2.0",
    version: "1.0.0",
    url: "https://example.com/phobos",
    timeout: 5,
  },
  actions: {
    ping: {
      action: "ping",
      description: "ping",
      display: "always",
      input: {},
      output: {},
    },
  },
};
