export default {
  kind: "agent",
  metadata: {
    name: "sleeper",
    description: "Sleeps on request",
    author: "Phobos",
    license: "Apache-2.0",
    version: "1.0.0",
    url: "https://example.com/phobos",
    timeout: 20,
  },
  actions: {
    sleep: {
      action: "sleep",
      description: "Sleep for a while, then reply",
      display: "always",
      input: {
        seconds: {
          prompt: "Seconds",
          description: "How long to sleep",
          type: "number",
          optional: false,
        },
      },
      output: { slept: { description: "Seconds slept", display_as: "Slept" } },
    },
  },
};
