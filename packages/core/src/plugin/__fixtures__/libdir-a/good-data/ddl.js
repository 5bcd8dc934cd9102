export default {
  kind: "data",
  metadata: {
    name: "sysinfo",
    description: "System information",
    author: "Phobos",
    license: "Apache-2.0",
    version: "1.0.0",
    url: "https://example.com/phobos",
    timeout: 1,
  },
  dataquery: {
    description: "System information",
    input: {},
    output: {
      platform: { description: "OS platform", display_as: "Platform" },
      cpus: { description: "CPU count", display_as: "CPUs" },
    },
  },
};
