// Made by a (future) core whose plugin API is 2.
const brand = Symbol.for("phobos.plugin");

export default Object.freeze({
  [brand]: { type: "application", api: 2 },
  type: "application",
  name: "oldapi",
  create: () => ({ run: async () => 0 }),
});
