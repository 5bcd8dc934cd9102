import { type ApplicationInvocation, defineApplication, type RpcResult, readAnswer } from "@phobos/client";
import { isEmptyFilter, rubyFloat, rubyToS, UsageError } from "@phobos/core";
import { commandLine } from "./command-line.js";

/** Choria's `mco shell` subcommands for background jobs, which this agent does not have. */
const JOB_COMMANDS = ["start", "watch", "list", "kill", "status", "tail"];

const USAGE = `mco shell [OPTIONS] [FILTERS] [run] [--shell] <COMMAND> [ARGS]

  mco shell run uptime
  mco shell -W role=web run -- ls -l /etc/nginx
  mco shell --shell run 'ps aux | grep [n]ginx'

The command runs on every selected node as an argument vector (no shell
expands or interprets anything in it) unless --shell is given, when the
node runs it with /bin/sh -c. Put -- before a command that has options.
`;

/**
 * The command line to send: `run` (Choria's subcommand) is optional, and
 * Choria's job subcommands are refused rather than run as commands of the
 * same name (`mco shell kill 123` must never mean /bin/kill on every node).
 * Without `--shell` the words are quoted so the node reads back exactly
 * these words; with it they are joined as the operator typed them.
 */
export function parseShellArguments(args: readonly string[], shell: boolean): string {
  let words = [...args];
  if (words[0] === "run") words = words.slice(1);
  else if (JOB_COMMANDS.includes(words[0] ?? "")) {
    throw new UsageError(
      `Background jobs ('mco shell ${words[0]}') are not supported by this shell agent, only run; to run a command named ${words[0]}, write 'mco shell run ${words[0]} …'`,
    );
  }
  if (words.length === 0) throw new UsageError("Please specify a command to run");
  return shell ? words.join(" ") : commandLine(words);
}

async function confirmUnfiltered(inv: ApplicationInvocation): Promise<boolean> {
  if (!isEmptyFilter(inv.options.filter) || inv.configuration.yes === true) return true;
  inv.stdout.write("Do you really want to run this command unfiltered? (y/n): ");
  // From the terminal when there is one: inv.readStdin() is empty there.
  return /^(?:y|yes)$/i.test((await readAnswer()).trim());
}

/**
 * One node's block, as Choria's `mco shell run` lays it out (sender, stdout,
 * `    STDERR:` and stderr when there is any), always with its exit code, a
 * note when output was cut, and the node's error instead for a failure.
 */
export function nodeBlock(result: RpcResult): string {
  if (result.statuscode !== 0) return `${result.sender}: ERROR: ${result.statusmsg}\n\n`;
  const text = (value: unknown) => {
    const s = value === undefined || value === null ? "" : rubyToS(value);
    return s === "" || s.endsWith("\n") ? s : `${s}\n`;
  };
  let block = `${result.sender}:\n${text(result.data.stdout)}`;
  const stderr = text(result.data.stderr);
  if (stderr !== "") block += `    STDERR:\n${stderr}`;
  block += `exitcode: ${rubyToS(result.data.exitcode)}\n`;
  if (result.data.truncated === true) block += "(output cut at the node's plugin.shell.max_output)\n";
  return `${block}\n`;
}

/**
 * `mco shell [run] <command>`: the command on every node the filter selects
 * (asking first when there is no filter), then each node's exit code,
 * stdout and stderr in name order, and the statistics.
 */
export default defineApplication({
  name: "shell",
  description: "Run commands on every node, one reply a host",
  create: () => ({
    usage: [USAGE],
    options: [
      {
        name: "shell",
        description: "Run the command through /bin/sh -c on each node",
        arguments: ["--shell"],
        type: "bool",
      },
      {
        name: "command_timeout",
        description: "Seconds the command may run on each node (at most the node's plugin.shell.timeout)",
        arguments: ["--command-timeout SECONDS"],
        type: "float",
      },
      {
        name: "user",
        description: "Run the command as USER (the node must allow it in plugin.shell.allowed_users)",
        arguments: ["--user USER"],
      },
      { name: "yes", description: "Assume yes on any prompts", arguments: ["--yes", "-y"], type: "bool" },
    ],
    async run(inv) {
      const shell = inv.configuration.shell === true;
      const command = parseShellArguments(inv.args.splice(0), shell);
      if (!(await confirmUnfiltered(inv))) return 1;
      const request: Record<string, unknown> = { command };
      if (shell) request.shell = true;
      // A Float on the wire whatever its value, as the DDL's :float input wants (Ruby's 5.0, not 5).
      if (inv.configuration.command_timeout !== undefined)
        request.timeout = rubyFloat(Number(inv.configuration.command_timeout));
      if (inv.configuration.user !== undefined) request.user = inv.configuration.user;
      const client = await inv.rpcClient("shell");
      const { results } = await client.call("run", request);
      if (inv.options.outputFormat === "json") inv.printrpc(results, { ddl: client.ddl });
      else {
        const sorted = [...results].sort((a, b) => (a.sender < b.sender ? -1 : a.sender > b.sender ? 1 : 0));
        for (const result of sorted) inv.stdout.write(nodeBlock(result));
        inv.printrpcstats(client.stats, {
          summarize: true,
          caption: `Ran command: ${command}`,
          ddl: client.ddl,
        });
      }
      return inv.haltCode(client.stats);
    },
  }),
});
