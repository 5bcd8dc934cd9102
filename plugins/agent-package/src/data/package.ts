import { type DataValue, defineData, type RpcReply } from "@phobos/core";
import { packageAction } from "../agent.js";
import { ABSENT, selectPackageProvider } from "../providers/index.js";
import ddl from "./package-ddl.js";

/**
 * `package('nano').installed=true` in `-S` filters and action policies: the
 * package agent's `status`, reduced to the installed version (or absent /
 * purged) and whether it is installed. A package system that cannot answer
 * is logged and gives no outputs, so comparisons with it are false.
 */
export default defineData({
  name: "package",
  description: "Checks the status of a package",
  create: (ctx) => ({
    async query(argument) {
      const pkg = String(argument);
      const reply: RpcReply = { data: {}, statuscode: 0, statusmsg: "OK", fail() {} };
      try {
        const provider = selectPackageProvider(ctx.settings, ddl.metadata.timeout * 1000);
        await packageAction(provider, "status", pkg, reply);
      } catch (err) {
        ctx.log.warn(`Could not get status for package ${pkg}: ${(err as Error).message}`);
        return {};
      }
      const ensure = String(reply.data.ensure);
      const result: Record<string, DataValue> = {
        status: ensure,
        installed: !(ABSENT as readonly string[]).includes(ensure),
      };
      return result;
    },
  }),
});
