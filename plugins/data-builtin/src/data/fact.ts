import { defineData, type FactValue } from "@phobos/core";

/**
 * `fact('networking.interfaces.eth0.ip').value`: walks structured facts by a
 * dotted path (array levels by index). Hashes and arrays come back as JSON.
 */
export default defineData({
  name: "fact",
  description: "Structured fact query",
  create: (ctx) => ({
    async query(argument) {
      const result = {
        exists: false,
        value: false as string | number | boolean,
        value_encoding: false as string | boolean,
      };
      let node: FactValue | undefined = await ctx.services.facts();
      for (const level of String(argument).split(".")) {
        if (Array.isArray(node)) {
          if (!/^-?\d+$/.test(level)) throw new Error(`invalid value for Integer(): "${level}"`);
          const index = Number(level);
          if (index >= node.length) return result;
          node = node.at(index);
        } else if (node !== null && typeof node === "object") {
          if (!Object.hasOwn(node, level)) return result;
          node = node[level];
        } else {
          return result;
        }
      }
      if (node === undefined) return result;
      result.exists = true;
      if (node !== null && typeof node === "object") {
        result.value = JSON.stringify(node);
        result.value_encoding = "application/json";
      } else {
        result.value = node === null ? "" : (node as string | number | boolean);
        result.value_encoding = "text/plain";
      }
      return result;
    },
  }),
});
