import { defineAgent, RpcAbortedError, type RpcReply, type ServerPluginContext } from "@phobos/core";
import { runCommand } from "@phobos/server";
import { describeFailedRun, sharedManager, type TriggeredRun } from "./manager.js";
import { parseServer, validName } from "./names.js";

const pad = (n: number) => String(n).padStart(2, "0");
/** Ruby's `strftime("%F %R")`. */
const shortTime = (d: Date) =>
  `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;

/** Fails the request with `message`, also put in the output the Ruby agent puts it in. */
function abort(reply: RpcReply, key: string, message: string): never {
  reply.data[key] = message;
  throw new RpcAbortedError(message);
}

function createPuppet(ctx: ServerPluginContext) {
  const s = ctx.settings;
  const mgr = sharedManager(s);
  const command = s.string("command", "puppet agent");
  const splaylimit = s.integer("splaylimit", 30);
  const splay = s.boolean("splay", true);
  const signalDaemon = s.boolean("signal_daemon", true);
  const allowServerOverride = s.boolean("allow_server_override", false);
  const allowManaged = s.boolean("resource_allow_managed_resources", false);
  const typeWhitelist = s.string("resource_type_whitelist");
  const typeBlacklist = s.string("resource_type_blacklist");
  const puppet = s.string("puppet_binary", "puppet");

  /** `create_common_puppet_cli`: the options a run gets, each checked. */
  function cliOptions(o: {
    noop?: boolean;
    tags: string[];
    environment?: string;
    server?: string;
    splay?: boolean;
    splaylimit?: number;
    use_cached_catalog?: boolean;
  }): string[] {
    const opts: string[] = [];
    const server = o.server === undefined ? undefined : parseServer(o.server);
    if (o.environment !== undefined && !validName(o.environment))
      throw new Error(`Invalid environment '${o.environment}' specified`);
    if (o.splaylimit !== undefined && !Number.isInteger(o.splaylimit))
      throw new Error(`Invalid splaylimit '${o.splaylimit}' specified`);
    for (const tag of o.tags) {
      if (!tag.split("::").every(validName)) throw new Error(`Invalid tag '${tag}' specified`);
    }
    if (o.tags.length > 0) opts.push("--tags", o.tags.join(","));
    if (o.splay === true) opts.push("--splay");
    if (o.splay === false) opts.push("--no-splay");
    if (o.splaylimit !== undefined) opts.push("--splaylimit", String(o.splaylimit));
    if (o.noop === true) opts.push("--noop");
    if (o.noop === false) opts.push("--no-noop");
    if (o.environment !== undefined) opts.push("--environment", o.environment);
    if (server) opts.push("--server", server.host);
    if (server?.port) opts.push("--masterport", server.port);
    if (o.use_cached_catalog === true) opts.push("--use_cached_catalog");
    if (o.use_cached_catalog === false) opts.push("--no-use_cached_catalog");
    return opts;
  }

  /**
   * The daemon log's line for a run runonce started, once it ends: Puppet
   * itself leaves no trace of a run that failed before applying a catalog.
   */
  function logRunEnd(run: TriggeredRun): void {
    const who = `Puppet run (pid ${run.pid}, '${run.command}') triggered by ${run.caller}`;
    if (run.exitcode === 0) {
      ctx.log.info(`${who} finished: exit code 0`);
      return;
    }
    const tail = run.tail ?? [];
    ctx.log.warn(
      `${who} ${run.signal ? `was killed by ${run.signal}` : `failed with exit code ${run.exitcode}`}${tail.length > 0 ? `; its last lines:\n${tail.map((line) => `\t${line}`).join("\n")}` : ""}`,
    );
  }

  return {
    actions: {
      async disable(request, reply) {
        const message =
          typeof request.data.message === "string"
            ? request.data.message
            : `Disabled via MCollective by ${request.caller} at ${shortTime(new Date())}`;
        try {
          reply.data.status = `Succesfully locked the Puppet agent: ${await mgr.disable(message)}`;
        } catch (err) {
          reply.data.status = `Could not disable Puppet: ${(err as Error).message}`;
          reply.fail(reply.data.status as string);
        }
        reply.data.enabled = !(await mgr.disabled());
      },

      async enable(_request, reply) {
        try {
          await mgr.enable();
          reply.data.status = "Succesfully enabled the Puppet agent";
        } catch (err) {
          reply.data.status = `Could not enable Puppet: ${(err as Error).message}`;
          reply.fail(reply.data.status as string);
        }
        reply.data.enabled = !(await mgr.disabled());
      },

      async last_run_summary(request, reply) {
        const summary = await mgr.loadSummary();
        const resources = summary.resources ?? {};
        const time = summary.time ?? {};
        reply.data.logs = request.data.logs === true ? await mgr.lastRunLogs() : {};
        reply.data.type_distribution = await mgr.typeDistribution();
        reply.data.out_of_sync_resources = resources.out_of_sync ?? 0;
        reply.data.failed_resources = resources.failed ?? 0;
        reply.data.corrected_resources = resources.corrective_change ?? 0;
        reply.data.changed_resources = resources.changed ?? 0;
        reply.data.total_resources = resources.total ?? 0;
        reply.data.total_time = time.total ?? 0;
        reply.data.config_retrieval_time = time.config_retrieval ?? 0;
        const lastrun = Math.trunc(Number(time.last_run ?? 0)) || 0;
        reply.data.lastrun = lastrun;
        reply.data.since_lastrun = Math.floor(Date.now() / 1000) - lastrun;
        reply.data.config_version = summary.version?.config ?? "unknown";
        // Inside `summary`, whose shape Puppet owns, so no output Ruby clients read changes.
        const failed = await mgr.failedTriggeredRun(lastrun);
        reply.data.summary = failed
          ? {
              ...summary,
              last_triggered_run: {
                failed: true,
                message: describeFailedRun(failed),
                started_at: failed.started_at,
                ...(failed.finished_at === undefined ? {} : { finished_at: failed.finished_at }),
                exitcode: failed.exitcode ?? null,
                tail: failed.tail ?? [],
              },
            }
          : summary;
      },

      async status(_request, reply) {
        Object.assign(reply.data, await mgr.status());
      },

      async resource(request, reply) {
        if (typeWhitelist !== undefined && typeBlacklist !== undefined) {
          throw new RpcAbortedError(
            "You cannot specify both puppet.resource_type_whitelist and puppet.resource_type_blacklist in the config file",
          );
        }
        const type = String(request.data.type).toLowerCase();
        const name = String(request.data.name);
        const resourceName = `${type.charAt(0).toUpperCase()}${type.slice(1)}[${name}]`;
        const namesWhitelist = s.string(`resource_name_whitelist.${type}`);
        const namesBlacklist = s.string(`resource_name_blacklist.${type}`);
        if (namesWhitelist !== undefined && namesBlacklist !== undefined) {
          throw new RpcAbortedError(
            `You cannot specify both puppet.resource_name_whitelist.${type} and puppet.resource_name_blacklist.${type} in the config file`,
          );
        }
        // No list at all allows no type: resources are opted in.
        const whitelist =
          typeWhitelist === "none" ? "" : (typeWhitelist ?? (typeBlacklist === undefined ? "" : undefined));
        if (typeBlacklist !== undefined) {
          if (typeBlacklist.split(",").includes(type))
            throw new RpcAbortedError(`The ${type} type is listed in the type blacklist`);
        } else if (whitelist !== undefined && !whitelist.split(",").includes(type)) {
          throw new RpcAbortedError(`The ${type} type is not listed in the type whitelist`);
        }
        if (namesBlacklist !== undefined) {
          if (namesBlacklist.split(",").includes(name))
            throw new RpcAbortedError(`The ${name} name is listed in the name blacklist`);
        } else if (namesWhitelist !== undefined && !namesWhitelist.split(",").includes(name)) {
          throw new RpcAbortedError(`The ${name} name is not listed in the name whitelist`);
        }
        if (!allowManaged && (await mgr.managingResource(resourceName))) {
          throw new RpcAbortedError(
            `Puppet is managing the resource '${resourceName}', refusing to create conflicting states`,
          );
        }
        const properties = Object.entries(request.data)
          .filter(([key]) => !["type", "name", "process_results"].includes(key))
          .map(([key, value]) => `${key}=${String(value)}`);
        const config = s.string("config");
        const argv = [
          puppet,
          "resource",
          ...(config ? ["--config", config] : []),
          "--color=false",
          type,
          name,
          ...properties,
        ];
        // The action's own deadline (the DDL's 20 s, through the signal
        // runCommand picks up) is what bounds this in the daemon: a fixed 15 s
        // cut Puppet's start short on a loaded host. The long cap is only a
        // backstop for a call made outside an action.
        const result = await runCommand(puppet, argv.slice(1), { timeoutMs: 120_000 });
        const logs = `${result.stdout}\n${result.stderr}`
          .split("\n")
          .filter((line) => /^(Notice|Warning|Error|Info): /.test(line));
        reply.data.result = logs.length === 0 ? "no output produced" : logs.join("\n");
        reply.data.changed = logs.some(
          (line) => line.startsWith("Notice: /") && line.includes(`${resourceName}/`),
        );
        if (result.exitcode !== 0 || logs.some((line) => line.startsWith("Error: "))) {
          throw new RpcAbortedError(`Failed to apply ${resourceName}: ${String(reply.data.result)}`);
        }
      },

      async runonce(request, reply) {
        const d = request.data;
        if (await mgr.disabled()) {
          const message = await mgr.lockMessage();
          abort(reply, "summary", message === "" ? "Puppet is disabled" : `Puppet is disabled: '${message}'`);
        }
        if (typeof d.server === "string" && !allowServerOverride) {
          abort(reply, "summary", "Passing 'server' option is not allowed in module configuration");
        }
        const status = await mgr.status();
        const args: Parameters<typeof cliOptions>[0] = {
          tags: typeof d.tags === "string" ? d.tags.split(",").map((t) => t.trim()) : [],
        };
        if (typeof d.noop === "boolean") args.noop = d.noop;
        if (typeof d.environment === "string") args.environment = d.environment;
        if (typeof d.server === "string") args.server = d.server;
        if (typeof d.use_cached_catalog === "boolean") args.use_cached_catalog = d.use_cached_catalog;
        if (!(status.daemon_present && signalDaemon)) {
          if (d.force === true) args.splay = false;
          else {
            args.splay = typeof d.splay === "boolean" ? d.splay : splay;
            if (typeof d.splaylimit === "number") args.splaylimit = d.splaylimit;
            else if (args.splay) args.splaylimit = splaylimit;
          }
        }
        let options: string[];
        try {
          if (status.applying) throw new Error("Puppet is currently applying a catalog, cannot run now");
          options = cliOptions(args);
          if (status.idling && signalDaemon && options.length > 0)
            throw new Error("Cannot specify any custom puppet options when the daemon is running");
        } catch (err) {
          abort(reply, "summary", (err as Error).message);
        }
        const pid = await mgr.daemonPid();
        if (status.idling && signalDaemon && pid !== undefined) {
          process.kill(pid, "SIGUSR1");
          reply.data.summary = "Signalled the running Puppet Daemon";
        } else {
          const argv = [
            ...command.split(/\s+/).filter(Boolean),
            "--onetime",
            "--no-daemonize",
            "--color=false",
            "--show_diff",
            "--verbose",
            ...options,
          ];
          const text = argv.join(" ");
          ctx.log.debug(`Initiating a puppet agent run using the command: ${text}`);
          try {
            await mgr.startTriggeredRun(argv, request.caller, logRunEnd);
          } catch (err) {
            ctx.log.warn(`Failed to execute ${text} - ${(err as Error).message}`);
            abort(reply, "summary", `Puppet command '${text}' had exit code 1, expected 0`);
          }
          reply.data.summary = `Started a Puppet run using the '${text}' command`;
        }
        reply.data.initiated_at = Math.floor(Date.now() / 1000);
      },
    },
  } satisfies import("@phobos/core").Agent;
}

/**
 * MCollective's puppet agent: runs Puppet once, enables and disables it
 * (Puppet's own lock file), reports its status and its last run from the
 * files Puppet writes, and manages single resources through
 * `puppet resource` within the configured type lists.
 */
export default defineAgent({
  name: "puppet",
  description: "Run Puppet agent, get its status, and enable/disable it",
  create: createPuppet,
});
