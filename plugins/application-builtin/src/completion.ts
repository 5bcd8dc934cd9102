import { readFileSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import { defineApplication } from "@phobos/client";
import { UsageError } from "@phobos/core";
import { callableAgents } from "./agents.js";

const LISTS = ["list_agents", "list_actions", "list_inputs", "list_applications", "list_discovery_methods"];
const CHOICES = "--list-[agents|actions|inputs|applications|discovery-methods], --bash or --zsh";

/** Single quotes for sh and zsh: the path is written into a script. */
const shellQuote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;

/**
 * The completion script for `shell`, bound to the mco that is running: the
 * scripts ship beside its bin/ (apps/mco/completion), and the line that
 * names the mco to ask gets this one's real path, so a host with Ruby's
 * mco earlier in PATH still completes Phobos's applications.
 */
function completionScript(shell: "bash" | "zsh"): string {
  const entry = process.argv[1];
  if (entry === undefined) throw new UsageError("cannot tell which mco is running: no script path in argv");
  const script = realpathSync(entry);
  const file = join(dirname(dirname(script)), "completion", shell === "bash" ? "mco.bash" : "_mco");
  // A shipped launcher (tooling/ship) names itself: the app's bin/ script behind
  // it is not runnable on its own there.
  const bin = process.env.PHOBOS_MCO_LAUNCHER || script;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError(
      `cannot read the ${shell} completion script ${file} (shipped beside ${bin}): ${(err as NodeJS.ErrnoException).code ?? err}`,
    );
  }
  const marker = /^_mco_bin=""$/m;
  if (!marker.test(text)) throw new UsageError(`${file} has no _mco_bin="" line to write the mco path into`);
  return text.replace(marker, () => `_mco_bin=${shellQuote(bin)}`);
}

/**
 * `mco completion`: the words a shell completes mco's command line with
 * (applications, agents, an agent's actions, an action's inputs, the
 * discovery methods installed); `-v` adds each one's description after a
 * colon. `--bash` and `--zsh` print the completion script for this mco, to
 * install where the shell looks (see apps/mco's README).
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
      {
        name: "list_discovery_methods",
        description: "List all installed discovery methods",
        arguments: "--list-discovery-methods",
        type: "bool",
      },
      {
        name: "bash",
        description: "Print the bash completion script for this mco",
        arguments: "--bash",
        type: "bool",
      },
      {
        name: "zsh",
        description: "Print the zsh completion script for this mco",
        arguments: "--zsh",
        type: "bool",
      },
      // MCollective had only --agent; -a is accepted too, as for mco rpc.
      { name: "agent", description: "The agent to operate on", arguments: ["-a", "--agent AGENT"] },
      { name: "action", description: "The action to operate on", arguments: "--action ACTION" },
    ],
    async run(inv) {
      const conf = inv.configuration;
      const lists = [...LISTS, "bash", "zsh"].filter((key) => conf[key] !== undefined);
      if (lists.length === 0) {
        inv.stderr.write(`Please choose either ${CHOICES}\n`);
        return 1;
      }
      if (lists.length > 1) {
        inv.stderr.write(`Please choose only one of ${CHOICES}\n`);
        return 1;
      }
      const verbose = inv.options.verbose;
      const out = (name: string, description: string) =>
        inv.stdout.write(verbose ? `${name}:${description}\n` : `${name}\n`);
      const agent = conf.agent as string | undefined;
      const action = conf.action as string | undefined;
      switch (lists[0]) {
        case "bash":
        case "zsh":
          inv.stdout.write(completionScript(lists[0]));
          return 0;
        case "list_applications":
          for (const app of inv.applications()) out(app.name, app.description);
          return 0;
        case "list_discovery_methods":
          for (const entry of [...inv.registry.list("discovery")].sort((a, b) => (a.name < b.name ? -1 : 1)))
            out(entry.name, entry.description ?? "");
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
