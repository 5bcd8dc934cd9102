import {
  defineAgent,
  type PluginSettings,
  RpcError,
  type RpcReply,
  type RpcRequest,
  type ServerPluginContext,
  UnknownRpcError,
} from "@phobos/core";
import ddl from "./ddl.js";
import {
  aptOptions,
  aptUpdate,
  type CheckUpdates,
  createAptProvider,
  createYumProvider,
  isAbsent,
  type ManagerRun,
  type PackageProvider,
  type PackageStatus,
  selectPackageProvider,
  yumClean,
} from "./providers/index.js";

/**
 * Commands are killed a little before the daemon gives up on the action, so
 * the client hears what was running rather than only that time ran out.
 */
export const COMMAND_TIMEOUT_MS = Math.max(1, ddl.metadata.timeout - 5) * 1000;

type Change = "install" | "update" | "uninstall" | "purge";

/** Why a change is refused before anything runs, as MCollective's puppet provider said it. */
function refusal(action: Change, status: PackageStatus, version: string | undefined): string | undefined {
  switch (action) {
    case "install":
      return !isAbsent(status) && version === undefined ? "Package is already installed" : undefined;
    case "update":
    case "uninstall":
      return isAbsent(status) ? "Package is not present on the system" : undefined;
    case "purge":
      // A removed package still has its configuration to purge; only one dpkg forgot is gone.
      return status.ensure === "purged" ? "Package is not present on the system" : undefined;
  }
}

function setStatus(reply: RpcReply, status: PackageStatus): void {
  for (const [key, value] of Object.entries(status)) reply.data[key] = String(value);
}

/**
 * The shared step of install, update, uninstall, purge and status (and of
 * the `package` data plugin): look the package up, maybe change it, report
 * its state afterwards. A refusal or a failed command ends the action with
 * the package's state still in the reply.
 */
export async function packageAction(
  provider: PackageProvider,
  action: Change | "status",
  pkg: string,
  reply: RpcReply,
  version?: string,
): Promise<void> {
  const before = await provider.status(pkg);
  if (action === "status") {
    setStatus(reply, before);
    return;
  }
  const refused = refusal(action, before, version);
  if (refused) {
    setStatus(reply, before);
    throw new UnknownRpcError(refused);
  }
  const run: ManagerRun =
    action === "install" ? await provider.install(pkg, version) : await provider[action](pkg);
  setStatus(reply, await provider.status(pkg));
  if (run.error) throw new UnknownRpcError(run.error);
  reply.data.output = run.output;
}

function setRun(reply: RpcReply, run: ManagerRun): void {
  reply.data.exitcode = run.exitcode;
  reply.data.output = run.output;
}

function setCheck(reply: RpcReply, check: CheckUpdates, withManager: boolean): void {
  reply.data.exitcode = check.exitcode;
  reply.data.output = check.output;
  reply.data.outdated_packages = check.outdated_packages;
  if (withManager) reply.data.package_manager = check.package_manager;
}

type Handler = (request: RpcRequest, reply: RpcReply) => Promise<void>;

/** A provider's own failure (no apt-get, dpkg broken) reaches the client as an RPC error with its words. */
function guarded(actions: Record<string, Handler>): Record<string, Handler> {
  return Object.fromEntries(
    Object.entries(actions).map(([name, handler]) => [
      name,
      async (request: RpcRequest, reply: RpcReply) => {
        try {
          await handler(request, reply);
        } catch (err) {
          if (err instanceof RpcError) throw err;
          throw new UnknownRpcError(err instanceof Error ? err.message : String(err), { cause: err });
        }
      },
    ]),
  );
}

function createPackageAgent(ctx: ServerPluginContext) {
  const settings: PluginSettings = ctx.settings;
  const provider = () => selectPackageProvider(settings, COMMAND_TIMEOUT_MS);
  const change =
    (action: Change | "status") =>
    async (request: RpcRequest, reply: RpcReply): Promise<void> => {
      const version = request.data.version;
      await packageAction(
        provider(),
        action,
        String(request.data.package),
        reply,
        typeof version === "string" ? version : undefined,
      );
    };
  return {
    actions: guarded({
      install: change("install"),
      update: change("update"),
      uninstall: change("uninstall"),
      purge: change("purge"),
      status: change("status"),
      async count(_request, reply) {
        setRun(reply, await provider().count());
      },
      async md5(_request, reply) {
        setRun(reply, await provider().md5());
      },
      async yum_clean(request, reply) {
        const mode =
          typeof request.data.mode === "string"
            ? request.data.mode
            : settings.string("yum_clean_mode", "all");
        setRun(reply, await yumClean(mode, { timeoutMs: COMMAND_TIMEOUT_MS }));
      },
      async apt_update(_request, reply) {
        setRun(reply, await aptUpdate(aptOptions(settings, COMMAND_TIMEOUT_MS)));
      },
      async checkupdates(_request, reply) {
        setCheck(reply, await provider().checkupdates(), true);
      },
      async apt_checkupdates(_request, reply) {
        setCheck(
          reply,
          await createAptProvider(aptOptions(settings, COMMAND_TIMEOUT_MS)).checkupdates(),
          false,
        );
      },
      async yum_checkupdates(_request, reply) {
        setCheck(reply, await createYumProvider({ timeoutMs: COMMAND_TIMEOUT_MS }).checkupdates(), false);
      },
    }),
  } satisfies import("@phobos/core").Agent;
}

export default defineAgent({
  name: "package",
  description: "Install and uninstall software packages",
  create: createPackageAgent,
});
