import { defineData } from "@phobos/core";

/** `collective('web').member`: does this node belong to that collective? */
export default defineData({
  name: "collective",
  description: "Collective membership",
  create: (ctx) => ({
    async query(argument) {
      return { member: ctx.services.collectives.includes(String(argument)) };
    },
  }),
});
