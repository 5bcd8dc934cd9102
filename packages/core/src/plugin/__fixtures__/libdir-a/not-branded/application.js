// What an author writes before wrapping it in defineApplication().
export default {
  name: "unbranded",
  create: () => ({ run: async () => 0 }),
};
