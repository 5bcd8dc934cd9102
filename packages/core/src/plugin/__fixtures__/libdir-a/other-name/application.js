const brand = Symbol.for("phobos.plugin");

export default Object.freeze({
  [brand]: { type: "application", api: 1 },
  type: "application",
  name: "actual",
  create: () => ({ run: async () => 0 }),
});
