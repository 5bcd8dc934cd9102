import {
  defineAgent,
  RpcAbortedError,
  RpcError,
  type RpcReply,
  type RpcRequest,
  type ServerPluginContext,
  UnknownRpcError,
} from "@phobos/core";
import ddl from "./ddl.js";
import { type ServiceProvider, type ServiceState, selectServiceProvider } from "./providers/index.js";

/** Commands are killed a little before the daemon gives up on the action, so the client hears why. */
export const COMMAND_TIMEOUT_MS = Math.max(1, ddl.metadata.timeout - 5) * 1000;

type Change = "start" | "stop" | "restart";
const EXPECTED: Record<Change, ServiceState> = { start: "running", stop: "stopped", restart: "running" };

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The state after a change: init scripts may return before their daemon
 * is up (or gone), so a state that is not yet the expected one is looked
 * at again once, half a second later, as MCollective's provider waited.
 */
async function settledState(provider: ServiceProvider, service: string, expected: ServiceState) {
  const first = await provider.status(service);
  if (first === expected) return first;
  await pause(500);
  return provider.status(service);
}

/**
 * start, stop, restart or status of one service, the reply's `status`
 * always holding its state afterwards. Starting a running service (or
 * stopping a stopped one) is refused as MCollective's puppet provider
 * refused it; a failed command ends with the init system's own words.
 */
export async function serviceAction(
  provider: ServiceProvider,
  action: Change | "status",
  service: string,
  reply: RpcReply,
): Promise<void> {
  if (action === "status") {
    reply.data.status = await provider.status(service);
    return;
  }
  if (action !== "restart") {
    const before = await provider.status(service);
    if (before === EXPECTED[action]) {
      reply.data.status = before;
      throw new RpcAbortedError(`Could not ${action} '${service}': Service is already ${before}`);
    }
  }
  const run = await provider[action](service);
  reply.data.status = await settledState(provider, service, EXPECTED[action]);
  if (run.error) throw new UnknownRpcError(`Could not ${action} '${service}': ${run.error}`);
}

function createServiceAgent(ctx: ServerPluginContext) {
  const handler =
    (action: Change | "status") =>
    async (request: RpcRequest, reply: RpcReply): Promise<void> => {
      try {
        await serviceAction(
          selectServiceProvider(ctx.settings, COMMAND_TIMEOUT_MS),
          action,
          String(request.data.service),
          reply,
        );
      } catch (err) {
        if (err instanceof RpcError) throw err;
        throw new UnknownRpcError(err instanceof Error ? err.message : String(err), { cause: err });
      }
    };
  return {
    actions: {
      status: handler("status"),
      start: handler("start"),
      stop: handler("stop"),
      restart: handler("restart"),
    },
  } satisfies import("@phobos/core").Agent;
}

export default defineAgent({
  name: "service",
  description: "Start and stop system services",
  create: createServiceAgent,
});
