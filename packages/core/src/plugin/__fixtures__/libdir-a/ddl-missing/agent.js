const brand = Symbol.for("phobos.plugin");

export default Object.freeze({
  [brand]: { type: "agent", api: 1 },
  type: "agent",
  name: "noddl",
  create: () => ({ actions: {} }),
});
