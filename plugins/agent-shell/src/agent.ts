import { userInfo } from "node:os";
import {
  CommandError,
  ConfigError,
  defineAgent,
  InvalidRpcDataError,
  RpcAbortedError,
  type RpcReply,
  rubyToS,
  type ServerPluginContext,
} from "@phobos/core";
import { runCommand } from "@phobos/server";
import { commandArgv } from "./command-line.js";
import ddl from "./ddl.js";

/** Commands end a little before the daemon gives up on the action, so the client hears why. */
export const MAX_TIMEOUT_S = ddl.metadata.timeout - 5;
export const DEFAULT_TIMEOUT_S = 60;
export const DEFAULT_MAX_OUTPUT = 256 * 1024;
const PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** A user as the system's account database (NSS: files, LDAP…) knows it. */
export interface Account {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/** `getent passwd NAME`: the account, or undefined when there is none. */
export async function lookupAccount(name: string): Promise<Account | undefined> {
  const result = await runCommand("getent", ["passwd", name], { timeoutMs: 10_000 });
  if (result.exitcode === 2) return undefined;
  const [user, , uid, gid, , home] = result.stdout.split("\n")[0]?.split(":") ?? [];
  if (result.exitcode !== 0 || user === undefined || home === undefined) {
    throw new Error(`getent passwd ${name} failed (exit ${result.exitcode}): ${result.stderr.trim()}`);
  }
  return { name: user, uid: Number(uid), gid: Number(gid), home };
}

export interface ShellSettings {
  /** Who commands run as; undefined: the daemon's own user. */
  user: string | undefined;
  /** Users a request may name besides `user`. */
  allowedUsers: string[];
  /** Default and longest command timeout, seconds. */
  timeout: number;
  /** Bytes kept of stdout and of stderr each. */
  maxOutput: number;
  allowShell: boolean;
}

/** The `plugin.shell.*` settings, each checked, a bad one a ConfigError naming its key. */
export function readShellSettings(s: ServerPluginContext["settings"]): ShellSettings {
  const timeout = s.number("timeout", DEFAULT_TIMEOUT_S);
  if (!(timeout > 0 && timeout <= MAX_TIMEOUT_S)) {
    throw new ConfigError(`${timeout} is not a timeout in seconds above 0 and at most ${MAX_TIMEOUT_S}`, {
      ...s.where("timeout"),
      key: s.fullKey("timeout"),
    });
  }
  const maxOutput = s.integer("max_output", DEFAULT_MAX_OUTPUT);
  if (maxOutput <= 0) {
    throw new ConfigError(`${maxOutput} is not a positive number of bytes`, {
      ...s.where("max_output"),
      key: s.fullKey("max_output"),
    });
  }
  const list = s.string("allowed_users", "");
  return {
    user: s.string("user") || undefined,
    allowedUsers: list
      .split(",")
      .map((u) => u.trim())
      .filter(Boolean),
    timeout,
    maxOutput,
    allowShell: s.boolean("allow_shell", true),
  };
}

/** The account a request runs as: the configured one, or one it names that the settings allow. */
async function accountFor(settings: ShellSettings, requested: unknown): Promise<Account | undefined> {
  const own = settings.user ?? userInfo().username;
  const name = typeof requested === "string" && requested !== "" ? requested : own;
  if (name !== own && !settings.allowedUsers.includes(name)) {
    throw new RpcAbortedError(
      `Running commands as '${name}' is not allowed here: commands run as '${own}'${settings.allowedUsers.length > 0 ? ` or one of ${settings.allowedUsers.join(", ")}` : ""} (plugin.shell.allowed_users)`,
    );
  }
  if (name === userInfo().username) return undefined;
  const account = await lookupAccount(name);
  if (account === undefined) throw new RpcAbortedError(`No such user '${name}' on this node`);
  return account;
}

function timeoutFor(settings: ShellSettings, requested: unknown): number {
  if (requested === undefined || requested === null) return settings.timeout;
  const t = Number(requested);
  // Choria's 0 waits for ever; here it is the node's own limit.
  if (t === 0) return settings.timeout;
  if (!Number.isFinite(t) || t < 0)
    throw new InvalidRpcDataError(`timeout ${rubyToS(requested)} is not a number of seconds`);
  if (t > settings.timeout) {
    throw new RpcAbortedError(
      `timeout ${t} is longer than this node allows (plugin.shell.timeout = ${settings.timeout})`,
    );
  }
  return t;
}

/**
 * The environment a command gets: none of the daemon's (which may hold
 * `MCOLLECTIVE_PSK` and other secrets), only a standard PATH, LC_ALL=C
 * and the account's HOME, USER and LOGNAME.
 */
function commandEnv(account: Account | undefined): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const key of Object.keys(process.env)) env[key] = undefined;
  const me = userInfo();
  const name = account?.name ?? me.username;
  return { ...env, PATH, HOME: account?.home ?? me.homedir, USER: name, LOGNAME: name };
}

/**
 * `run`: the request's command, as an argument vector (or through
 * `/bin/sh -c` when it asks for a shell and the node allows one), as the
 * configured user, in `/`, under a timeout, its output capped; the exit
 * code, output and whether it succeeded in Choria's outputs.
 */
export async function runShellCommand(
  settings: ShellSettings,
  data: Record<string, unknown>,
  reply: RpcReply,
  signal?: AbortSignal,
): Promise<void> {
  const command = String(data.command ?? "");
  const useShell = data.shell === true;
  if (useShell && !settings.allowShell) {
    throw new RpcAbortedError("Commands may not run through a shell here (plugin.shell.allow_shell = false)");
  }
  const argv = useShell ? ["/bin/sh", "-c", command] : commandArgv(command);
  const timeout = timeoutFor(settings, data.timeout);
  const account = await accountFor(settings, data.user);
  reply.data.success = false;
  reply.data.exitcode = null;
  try {
    const result = await runCommand(argv[0] as string, argv.slice(1), {
      timeoutMs: timeout * 1000,
      env: commandEnv(account),
      cwd: "/",
      maxOutputBytes: settings.maxOutput,
      ...(account === undefined ? {} : { uid: account.uid, gid: account.gid }),
      ...(signal === undefined ? {} : { signal }),
    });
    reply.data.stdout = result.stdout;
    reply.data.stderr = result.stderr;
    reply.data.exitcode = result.exitcode;
    reply.data.success = result.exitcode === 0;
    reply.data.truncated = result.truncated === true;
  } catch (err) {
    if (!(err instanceof CommandError)) throw err;
    if (err.timedOut)
      throw new RpcAbortedError(`${command} did not finish within ${timeout}s and was killed`);
    const code = (err.cause as NodeJS.ErrnoException | undefined)?.code;
    if (code === "ENOENT") throw new RpcAbortedError(`Cannot run ${argv[0]}: no such command`);
    if (code === "EACCES") throw new RpcAbortedError(`Cannot run ${argv[0]}: permission denied`);
    throw new RpcAbortedError(err.message, { cause: err });
  }
}

function createShellAgent(ctx: ServerPluginContext) {
  const settings = readShellSettings(ctx.settings);
  return {
    actions: {
      async run(request, reply) {
        ctx.log.info(
          `shell#run for ${request.caller}${request.data.shell === true ? " (through /bin/sh -c)" : ""}: ${String(request.data.command)}`,
        );
        await runShellCommand(settings, request.data, reply, request.signal);
      },
    },
  } satisfies import("@phobos/core").Agent;
}

/**
 * A distributed shell: Choria's `shell` agent's `run` action. Off unless
 * `plugin.shell.activate_agent` is true (see the README for why).
 */
export default defineAgent({
  name: "shell",
  description: "Run commands with the local shell",
  activate: (ctx) => ctx.settings.boolean("activate_agent", false),
  create: createShellAgent,
});
