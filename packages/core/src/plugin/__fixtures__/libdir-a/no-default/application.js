const brand = Symbol.for("phobos.plugin");

// Named, not default: the loader must say so.
export const plugin = Object.freeze({
  [brand]: { type: "application", api: 1 },
  type: "application",
  name: "nodefault",
  create: () => ({ run: async () => 0 }),
});
