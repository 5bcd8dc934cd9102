import { type ApplicationInvocation, defineApplication, type RpcResult, readAnswer } from "@phobos/client";
import { isEmptyFilter, rubyToS, UsageError } from "@phobos/core";

/** Actions that take no package. */
export const GLOBAL_ACTIONS = [
  "count",
  "md5",
  "yum_clean",
  "yum_checkupdates",
  "apt_update",
  "checkupdates",
  "apt_checkupdates",
];
export const PACKAGE_ACTIONS = ["install", "uninstall", "purge", "update", "status"];
const VALID_ACTIONS = [...PACKAGE_ACTIONS, ...GLOBAL_ACTIONS];
/** What reads only: no "operate unfiltered?" question. */
const HARMLESS = ["status", "count", "md5"];

const USAGE = `mco package [OPTIONS] [FILTERS] <ACTION> <PACKAGE>
Usage: mco package <PACKAGE> <install|uninstall|purge|update|status>
       mco package <count|md5>

The ACTION can be one of the following:

    install          - install PACKAGE
    uninstall        - uninstall PACKAGE
    purge            - uninstall PACKAGE and purge related config files
    update           - update PACKAGE
    status           - determine whether PACKAGE is installed and report its version
    count            - determine number of packages installed
    md5              - determine md5 of package list
    yum_clean        - clean the yum cache
    yum_checkupdates - display available updates from yum
    apt_update       - update all available packages
    apt_checkupdates - display available updates from apt
    checkupdates     - display available updates

`;

/** `<action> <package>` or `<package> <action>`; global actions stand alone. */
export function parsePackageArguments(args: string[]): { action: string; package?: string } {
  if (args.length < 2 && !GLOBAL_ACTIONS.includes(args[0] ?? "")) {
    throw new UsageError("Please specify package name and action");
  }
  if (VALID_ACTIONS.includes(args[0] ?? "")) {
    const action = args.shift() as string;
    const pkg = GLOBAL_ACTIONS.includes(action) ? undefined : args.shift();
    return pkg === undefined ? { action } : { action, package: pkg };
  }
  if (VALID_ACTIONS.includes(args[1] ?? "")) {
    const pkg = args.shift() as string;
    return { action: args.shift() as string, package: pkg };
  }
  throw new UsageError(`Action has to be one of ${VALID_ACTIONS.join(", ")}`);
}

/**
 * Asks before changing every node there is, as MCollective did; `--yes`
 * (or any filter) skips the question. Returns false when the answer is no.
 */
export async function confirmUnfiltered(inv: ApplicationInvocation, what: string): Promise<boolean> {
  if (!isEmptyFilter(inv.options.filter) || inv.configuration.yes === true) return true;
  inv.stdout.write(`Do you really want to operate on ${what} unfiltered? (y/n): `);
  // A line typed at the terminal, or the first piped in (Ruby's STDIN.gets).
  const answer = (await readAnswer()).trim();
  return /^(?:y|yes)$/i.test(answer);
}

/** `%<width>s: %s` with the width of the longest sender plus three, as the Ruby applications print. */
export function nodeLines(
  results: readonly RpcResult[],
  line: (result: RpcResult) => string | undefined,
): string {
  if (results.length === 0) return "";
  const width = Math.max(...results.map((r) => [...r.sender].length)) + 3;
  let text = "";
  for (const result of results) {
    const value = line(result);
    if (value !== undefined) text += `${result.sender.padStart(width)}: ${value}\n`;
  }
  return `${text}\n`;
}

/** One node's line for `action`, or nothing when the action's summary says it all. */
function packageLine(action: string, result: RpcResult, verbose: boolean): string | undefined {
  if (result.statuscode !== 0) return result.statusmsg;
  const data = result.data;
  const reportsOutput = action === "count" || action === "md5";
  if (verbose) return rubyToS(reportsOutput ? data.output : data.ensure);
  if (action === "status") {
    return data.ensure === "absent"
      ? "absent"
      : `${rubyToS(data.name)}-${rubyToS(data.ensure)}.${rubyToS(data.arch)}`;
  }
  return reportsOutput ? rubyToS(data.output) : undefined;
}

/**
 * `mco package`: one package action on every node the filter selects, a
 * line per node (its version for `status`, its failure for any action),
 * then the summaries of versions and architectures and the statistics.
 */
export default defineApplication({
  name: "package",
  description: "Install, uninstall, update, purge and perform other actions to packages",
  create: () => ({
    usage: [USAGE],
    options: [
      { name: "yes", description: "Assume yes on any prompts", arguments: ["--yes", "-y"], type: "bool" },
      {
        name: "version",
        description: "Optional VERSION to pass to install",
        arguments: ["--version VERSION"],
        type: "string",
      },
    ],
    async run(inv) {
      const { action, package: pkg } = parsePackageArguments(inv.args);
      if (!HARMLESS.includes(action) && !(await confirmUnfiltered(inv, "packages"))) return 1;

      const client = await inv.rpcClient("package");
      const args: Record<string, unknown> = {};
      if (pkg !== undefined) args.package = pkg;
      if (typeof inv.configuration.version === "string") args.version = inv.configuration.version;
      const { results } = await client.call(action, args);
      inv.stdout.write(nodeLines(results, (r) => packageLine(action, r, inv.options.verbose)));
      inv.printrpcstats(client.stats, {
        summarize: true,
        caption: `${action} Package results`,
        ddl: client.ddl,
      });
      return inv.haltCode(client.stats);
    },
  }),
});
