import { defineAgent, RpcAbortedError, rubyFloat, type ServerPluginContext } from "@phobos/core";
import { resolveHost } from "./hostname.js";
import { icmpPing, tcpConnect } from "./probes.js";
import { readSettings } from "./settings.js";

function createNettest(ctx: ServerPluginContext) {
  const settings = readSettings(ctx.settings);
  return {
    actions: {
      async ping(request, reply) {
        const address = await resolveHost(String(request.data.fqdn));
        if (address === undefined) throw new RpcAbortedError("Cannot resolve hostname");
        let rtt: number | undefined;
        try {
          rtt = await icmpPing(address, settings.pingTimeout, settings.ping);
        } catch (err) {
          ctx.log.error(`nettest#ping: ${(err as Error).message}`);
          throw new RpcAbortedError(`Cannot ping: ${(err as Error).message}`);
        }
        if (rtt === undefined) throw new RpcAbortedError("Cannot reach host");
        reply.data.rtt = rubyFloat(rtt);
      },
      async connect(request, reply) {
        const port = Number(request.data.port);
        if (!Number.isInteger(port) || port < 1 || port > 65535) {
          throw new RpcAbortedError(`port ${String(request.data.port)} is not between 1 and 65535`);
        }
        const address = await resolveHost(String(request.data.fqdn));
        if (address === undefined) throw new RpcAbortedError("Cannot resolve hostname");
        const outcome = await tcpConnect(address, port, settings.connectTimeout);
        reply.data.connect = outcome.connected;
        reply.data.connect_status = outcome.status;
        reply.data.connect_time = outcome.seconds === null ? null : rubyFloat(outcome.seconds);
      },
    },
  } satisfies import("@phobos/core").Agent;
}

/**
 * MCollective's nettest agent: an ICMP ping (through the system's `ping`)
 * or a TCP connect from each node to a host, for checking what every node
 * can reach.
 */
export default defineAgent({
  name: "nettest",
  description: "Agent to do network tests from a mcollective host",
  create: createNettest,
});
