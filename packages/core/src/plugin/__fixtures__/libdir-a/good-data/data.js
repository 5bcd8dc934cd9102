const brand = Symbol.for("phobos.plugin");

export default Object.freeze({
  [brand]: { type: "data", api: 1 },
  type: "data",
  name: "sysinfo",
  create: () => ({
    query: async () => ({ platform: "linux", cpus: 4 }),
  }),
});
