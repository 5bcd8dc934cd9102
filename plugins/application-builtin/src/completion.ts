import { defineApplication } from "@phobos/core";
import { callableAgents } from "./agents.js";

/**
 * `mco completion`: the words a shell completes mco's command line with
 * (applications, agents, an agent's actions, an action's inputs); `-v`
 * adds each one's description after a colon. apps/mco ships the bash
 * completion script that calls it.
 */
export default defineApplication({
  name: "completion",
  description: "Helper for shell completion systems",
  create: () => ({
    excludeSections: ["common", "filter", "rpc"],
    options: [
      { name: "list_agents", description: "List all known agents", arguments: "--list-agents", type: "bool" },
      {
        name: "list_actions",
        description: "List all actions for an agent",
        arguments: "--list-actions",
        type: "bool",
      },
      {
        name: "list_inputs",
        description: "List all inputs for an action",
        arguments: "--list-inputs",
        type: "bool",
      },
      {
        name: "list_applications",
        description: "List all known applications",
        arguments: "--list-applications",
        type: "bool",
      },
      // MCollective had only --agent; -a is accepted too, as for mco rpc.
      { name: "agent", description: "The agent to operate on", arguments: ["-a", "--agent AGENT"] },
      { name: "action", description: "The action to operate on", arguments: "--action ACTION" },
    ],
    async run(inv) {
      const conf = inv.configuration;
      const lists = ["list_agents", "list_actions", "list_inputs", "list_applications"].filter(
        (key) => conf[key] !== undefined,
      );
      if (lists.length === 0) {
        inv.stderr.write("Please choose either --list-[agents|actions|inputs|applications]\n");
        return 1;
      }
      if (lists.length > 1) {
        inv.stderr.write("Please choose only one of --list-[agents|actions|inputs|applications]\n");
        return 1;
      }
      const verbose = inv.options.verbose;
      const out = (name: string, description: string) =>
        inv.stdout.write(verbose ? `${name}:${description}\n` : `${name}\n`);
      const agent = conf.agent as string | undefined;
      const action = conf.action as string | undefined;
      switch (lists[0]) {
        case "list_applications":
          for (const app of inv.applications()) out(app.name, app.description);
          return 0;
        case "list_agents":
          for (const name of callableAgents(inv.registry)) {
            const ddl = await inv.agentDdl(name).catch(() => undefined);
            if (ddl || !verbose) out(name, ddl?.metadata.description ?? "");
          }
          return 0;
        case "list_actions": {
          if (!agent) {
            inv.stderr.write("Please specify an agent to list actions for\n");
            return 1;
          }
          // Completion must never print an error into the shell's line: unknown names list nothing.
          const ddl = await inv.agentDdl(agent).catch(() => undefined);
          for (const name of Object.keys(ddl?.actions ?? {}).sort())
            out(name, ddl?.actions[name]?.description ?? "");
          return 0;
        }
        default: {
          if (!agent || !action) {
            inv.stderr.write("Please specify an action and agent to list inputs for\n");
            return 1;
          }
          const ddl = await inv.agentDdl(agent).catch(() => undefined);
          const inputs = ddl?.actions[action]?.input ?? {};
          for (const name of Object.keys(inputs).sort()) out(name, inputs[name]?.description ?? "");
          return 0;
        }
      }
    },
  }),
});
