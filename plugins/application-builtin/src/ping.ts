import { defineApplication, nodeListReport } from "@phobos/client";
import { sparkline } from "./sparkline.js";

/**
 * `mco ping`: a `ping` to the discovery agent of every node the filter
 * selects; each answer is printed as it arrives with its round trip, then
 * the statistics. It waits the whole timeout, as nobody knows how many
 * nodes there are, unless told when to stop: once no reply came for the
 * discovery window (`--discovery-window`), or once every node the
 * `discovery_expected` method lists answered (those that did not are named).
 * When `-t` is left at its default the discovery timeout is added to it, as
 * MCollective does.
 */
export default defineApplication({
  name: "ping",
  description: "Ping all nodes",
  create: () => ({
    options: [
      {
        name: "graph",
        description: "Shows a graph of ping distribution",
        arguments: ["--graph", "-g"],
        default: false,
        type: "bool",
      },
    ],
    async run(inv) {
      const { options, config } = inv;
      let timeout = options.timeout;
      if (timeout === 5) timeout += options.disctimeout ?? config.discoveryTimeout ?? 0;
      const messaging = await inv.messaging();
      const discoverer = await inv.discoverer();
      await discoverer.validateCompound(options.filter);
      const wait = await discoverer.timeout(timeout, options.filter);
      const expected = await discoverer.expectedNodes(options.filter);

      const times: number[] = [];
      const start = performance.now();
      const outcome = await messaging.request({
        agent: "discovery",
        body: "ping",
        filter: options.filter,
        timeout: wait,
        quietWindow: discoverer.window,
        ...(expected ? { expect: expected } : {}),
        onReply: (reply) => {
          const ms = performance.now() - start;
          times.push(ms);
          inv.stdout.write(`${reply.senderid.padEnd(40)} time=${ms.toFixed(2)} ms\n`);
          return undefined;
        },
      });

      inv.stdout.write("\n\n---- ping statistics ----\n");
      if (times.length > 0) {
        const sum = times.reduce((a, b) => a + b, 0);
        const graph = inv.configuration.graph === true || config.pluginConf.has("rpc.graph");
        inv.stdout.write(
          `${times.length} replies max: ${Math.max(...times).toFixed(2)} min: ${Math.min(...times).toFixed(2)} avg: ${(sum / times.length).toFixed(2)} ${graph ? sparkline(times) : ""}\n`,
        );
      } else {
        inv.stdout.write("No responses received\n");
      }
      if (outcome.noresponsefrom.length > 0) {
        inv.stdout.write(`\n${nodeListReport("No response from:", outcome.noresponsefrom, inv.color)}\n`);
      }
      return inv.haltCode({ discoverytime: 0, responses: outcome.responses });
    },
  }),
});
