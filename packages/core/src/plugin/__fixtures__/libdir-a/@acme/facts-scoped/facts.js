const brand = Symbol.for("phobos.plugin");

export default Object.freeze({
  [brand]: { type: "facts", api: 1 },
  type: "facts",
  name: "scoped",
  create: () => ({ load: async () => ({ os: "linux" }) }),
});
