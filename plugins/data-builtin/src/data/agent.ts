import { defineData } from "@phobos/core";

/** `agent('rpcutil').version`: metadata of an agent this node runs. */
export default defineData({
  name: "agent",
  description: "Meta data about installed MColletive Agents",
  create: (ctx) => ({
    async query(argument) {
      const name = String(argument);
      const meta = ctx.services.agents().includes(name) ? ctx.services.agentMetadata(name) : undefined;
      if (!meta) throw new Error(`No agent called ${name} found`);
      return {
        agent: name,
        license: meta.license,
        timeout: meta.timeout,
        description: meta.description,
        url: meta.url,
        version: meta.version,
        author: meta.author,
      };
    },
  }),
});
