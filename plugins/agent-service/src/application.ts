import { type ApplicationInvocation, defineApplication, type RpcResult, readAnswer } from "@phobos/client";
import { isEmptyFilter, rubyToS, UsageError } from "@phobos/core";

export const SERVICE_ACTIONS = ["start", "stop", "restart", "status"];

const USAGE = `mco service <SERVICE> <ACTION>

ACTION can be one of the following :

    start   - start service
    stop    - stop service
    restart - restart or reload service
    status  - determine the current staus of the remote service
`;

/** `<service> <action>` or `<action> <service>`. */
export function parseServiceArguments(args: string[]): { action: string; service: string } {
  if (args.length < 2) throw new UsageError("Please specify service name and action");
  if (SERVICE_ACTIONS.includes(args[0] as string)) {
    const action = args.shift() as string;
    return { action, service: args.shift() as string };
  }
  if (SERVICE_ACTIONS.includes(args[1] as string)) {
    const service = args.shift() as string;
    return { service, action: args.shift() as string };
  }
  throw new UsageError("Action has to be one of start, stop, restart or status");
}

async function confirmUnfiltered(inv: ApplicationInvocation): Promise<boolean> {
  if (!isEmptyFilter(inv.options.filter) || inv.configuration.yes === true) return true;
  inv.stdout.write("Do you really want to operate on services unfiltered? (y/n): ");
  // A line typed at the terminal, or the first piped in (Ruby's STDIN.gets).
  const answer = (await readAnswer()).trim();
  return /^(?:y|yes)$/i.test(answer);
}

/**
 * A node's line, or nothing when it is where the action should leave it:
 * a successful start or restart is `running`, a stop `stopped`; status
 * always shows; failures show their message.
 */
export function serviceLine(action: string, result: RpcResult, verbose: boolean): string | undefined {
  if (result.statuscode !== 0) return result.statusmsg;
  const status = rubyToS(result.data.status);
  if (verbose || action === "status") return status;
  if ((action === "start" || action === "restart") && status === "running") return undefined;
  if (action === "stop" && status === "stopped") return undefined;
  return status;
}

/** `%<width>s: %s` with the width of the longest sender plus three, as the Ruby application prints. */
function nodeLines(results: readonly RpcResult[], line: (result: RpcResult) => string | undefined): string {
  if (results.length === 0) return "";
  const width = Math.max(...results.map((r) => [...r.sender].length)) + 3;
  let text = "";
  for (const result of results) {
    const value = line(result);
    if (value !== undefined) text += `${result.sender.padStart(width)}: ${value}\n`;
  }
  return `${text}\n`;
}

/**
 * `mco service <service> <action>`: the action on every node the filter
 * selects, a line for each node not where it should be (every node for
 * status), then the summary of states and the statistics.
 */
export default defineApplication({
  name: "service",
  description: "Manages system services",
  create: () => ({
    usage: [USAGE],
    options: [
      { name: "yes", description: "Assume yes on any prompts", arguments: ["--yes", "-y"], type: "bool" },
    ],
    async run(inv) {
      const { action, service } = parseServiceArguments(inv.args);
      if (action !== "status" && !(await confirmUnfiltered(inv))) return 1;
      const client = await inv.rpcClient("service");
      const { results } = await client.call(action, { service });
      inv.stdout.write(nodeLines(results, (r) => serviceLine(action, r, inv.options.verbose)));
      inv.printrpcstats(client.stats, {
        summarize: true,
        caption: `${action} Service results`,
        ddl: client.ddl,
      });
      return inv.haltCode(client.stats);
    },
  }),
});
