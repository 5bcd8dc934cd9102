import { type DataValue, defineData, type RpcReply } from "@phobos/core";
import { serviceAction } from "../agent.js";
import { selectServiceProvider } from "../providers/index.js";
import ddl from "./service-ddl.js";

/**
 * `service('ssh').status=running` in `-S` filters and action policies. A
 * service the init system cannot answer for is logged and gives no
 * outputs, so comparisons with it are false.
 */
export default defineData({
  name: "service",
  description: "Checks the status of a service",
  create: (ctx) => ({
    async query(argument): Promise<Record<string, DataValue>> {
      const service = String(argument);
      const reply: RpcReply = { data: {}, statuscode: 0, statusmsg: "OK", fail() {} };
      try {
        await serviceAction(
          selectServiceProvider(ctx.settings, ddl.metadata.timeout * 1000),
          "status",
          service,
          reply,
        );
      } catch (err) {
        ctx.log.warn(`Could not get status for service ${service}: ${(err as Error).message}`);
        return {};
      }
      return { status: String(reply.data.status) };
    },
  }),
});
