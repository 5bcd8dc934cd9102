const brand = Symbol.for("phobos.plugin");

export default Object.freeze({
  [brand]: { type: "agent", api: 1 },
  type: "agent",
  name: "dup",
  description: "copy 1.0.0",
  create: () => ({ actions: { ping() {} } }),
});
