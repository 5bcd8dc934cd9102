import { defineApplication, readAnswer } from "@phobos/client";
import { isEmptyFilter, type RubyValue, rubyFormat, rubyToS, stringToNumber, UsageError } from "@phobos/core";

const USAGE = `mco nettest <ping|connect> <HOST NAME> [PORT]

The ACTION can be one of the following:

    ping    - return round-trip time between this and remote host
    connect - check connectivity of remote host on specific port
`;

/**
 * `mco nettest ping HOST` / `mco nettest connect HOST PORT`: the test from
 * every node the filter selects, one line per node, then the summary
 * (min/max/average round trip, or how many could connect). Without a
 * filter it asks first, as MCollective's does.
 */
export default defineApplication({
  name: "nettest",
  description: "Network tests from a mcollective host",
  create: () => ({
    usage: [USAGE],
    async run(inv) {
      if (inv.args.length < 2) throw new UsageError("Please specify an action and optional arguments");
      const [action = "", host = "", port] = inv.args.splice(0, 3);
      if (action !== "ping" && action !== "connect")
        throw new UsageError("Action can only to be ping or connect");
      const args: Record<string, unknown> = { fqdn: host };
      if (action === "connect") {
        if (port === undefined) throw new UsageError("connect needs a PORT");
        try {
          args.port = stringToNumber(port);
        } catch {
          throw new UsageError(`PORT '${port}' is not a number`);
        }
      }

      if (isEmptyFilter(inv.options.filter)) {
        inv.stdout.write("Do you really want to perform network tests unfiltered? (y/n): ");
        const answer = (await readAnswer()).trim();
        if (!/^(?:y|yes)$/i.test(answer)) return 1;
      }

      const client = await inv.rpcClient("nettest");
      const { results } = await client.call(action, args);
      const verbose = inv.options.verbose;
      for (const result of results) {
        const value = (result.data.rtt ?? result.data.connect ?? null) as RubyValue;
        if (result.statuscode === 0) {
          const label = action === "ping" ? "time" : "status";
          inv.stdout.write(
            verbose
              ? rubyFormat(`%-40s ${label} = %s\t\t%s\n`, [result.sender, rubyToS(value), result.statusmsg])
              : rubyFormat(`%-40s ${label} = %s\n`, [result.sender, rubyToS(value)]),
          );
        } else {
          inv.stdout.write(rubyFormat("%-40s %s \t\t%s\n", [result.sender, value, result.statusmsg]));
        }
      }
      inv.stdout.write("\n");
      inv.printrpcstats(client.stats, {
        summarize: true,
        caption: `${action} Nettest results`,
        ddl: client.ddl,
      });
      return inv.haltCode(client.stats);
    },
  }),
});
