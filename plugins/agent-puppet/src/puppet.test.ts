/**
 * The puppet plugins in-process against a real Puppet 7: its state files
 * come from `puppet apply` of a small manifest in a private directory
 * (paths found through `puppet config print --config`), runonce starts a
 * real run through the configurable command, resource runs `puppet
 * resource`. Then the conformance suites of the aggregate, data plugins and
 * validators.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { aggregateText } from "@phobos/client";
import { buildPluginContext, createLogger, createPlugin, memorySink, type RpcReply } from "@phobos/core";
import {
  createStubServices,
  describeAggregatePlugin,
  describeValidatorPlugin,
  eventually,
  openPlugin,
} from "@phobos/testing";
import { load } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPuppetSite, type PuppetSite } from "./__fixtures__/puppet-site.js";
import puppet from "./agent.js";
import booleanSummary from "./aggregates/boolean-summary.js";
import puppetData from "./data/puppet.js";
import resourceData from "./data/resource.js";
import ddl from "./ddl.js";
import { secondsToHuman } from "./manager.js";
import resourceValidator from "./validators/puppet-resource.js";
import serverValidator from "./validators/puppet-server-address.js";
import tagsValidator from "./validators/puppet-tags.js";
import variableValidator from "./validators/puppet-variable.js";

let work: string;
let site: PuppetSite;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "phobos-puppet-"));
  site = await createPuppetSite(join(work, "site"));
  await site.apply();
}, 180_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

const settings = (extra: Record<string, string> = {}) => ({
  config: site.config,
  command: site.command,
  splay: "false",
  ...extra,
});

async function call(action: string, data: Record<string, unknown>, extra: Record<string, string> = {}) {
  const plugin = await openPlugin({ definition: puppet, settings: settings(extra) }, "server", "n1");
  const spec = ddl.actions[action];
  const reply: RpcReply = {
    data: Object.fromEntries(Object.entries(spec?.output ?? {}).map(([k, o]) => [k, o.default ?? null])),
    statuscode: 0,
    statusmsg: "OK",
    fail(message, statuscode = 1) {
      reply.statuscode = statuscode;
      reply.statusmsg = message;
    },
  };
  try {
    await plugin.instance.actions[action]?.(
      {
        signal: new AbortController().signal,
        agent: "puppet",
        action,
        data,
        sender: "c",
        caller: "uid=0",
        requestid: "r",
        time: 0,
      },
      reply,
    );
  } catch (err) {
    const e = err as { statuscode?: number; message: string };
    reply.fail(e.message, e.statuscode ?? 5);
  } finally {
    plugin.close();
  }
  return reply;
}

/** Puppet runs take their time on a loaded machine: the bound only stops a hang. */
const waitFor = (check: () => Promise<boolean>, what: string) =>
  eventually(async () => ((await check()) ? true : undefined), what, 60_000);

describe("state from a real Puppet run", () => {
  it("last_run_summary: the counters and times of last_run_summary.yaml", async () => {
    const yaml = load(await site.summary()) as Record<string, Record<string, number>>;
    const reply = await call("last_run_summary", {});
    expect(reply.statuscode).toBe(0);
    expect(reply.data).toMatchObject({
      total_resources: yaml.resources?.total,
      changed_resources: yaml.resources?.changed,
      out_of_sync_resources: yaml.resources?.out_of_sync,
      failed_resources: 0,
      config_retrieval_time: yaml.time?.config_retrieval,
      total_time: yaml.time?.total,
      lastrun: yaml.time?.last_run,
      config_version: yaml.version?.config,
      logs: {},
    });
    expect(reply.data.changed_resources).toBe(2);
  });

  it("last_run_summary logs=true: the log lines of last_run_report.yaml", async () => {
    const reply = await call("last_run_summary", { logs: true });
    const logs = reply.data.logs as { level: string; msg: string }[];
    expect(logs.some((l) => l.level === "notice" && /Applied catalog/.test(l.msg))).toBe(true);
  });

  it("status: enabled, stopped, the last run and how long ago", async () => {
    const reply = await call("status", {});
    expect(reply.data).toMatchObject({
      applying: false,
      enabled: true,
      daemon_present: false,
      idling: false,
      status: "stopped",
      disable_message: "",
    });
    expect(reply.data.message).toMatch(
      /^Currently stopped; last completed run (\d+ minutes )?\d\d seconds ago$/,
    );
  });

  it("disable with a message, status shows it, a second disable fails, enable", async () => {
    const off = await call("disable", { message: "maintenance window" });
    expect(off.data).toEqual({
      status: "Succesfully locked the Puppet agent: maintenance window",
      enabled: false,
    });
    expect(JSON.parse(await readFile(site.lockfile, "utf8"))).toEqual({
      disabled_message: "maintenance window",
    });
    const status = await call("status", {});
    expect(status.data).toMatchObject({
      enabled: false,
      status: "disabled",
      disable_message: "maintenance window",
    });
    const again = await call("disable", {});
    expect([again.statuscode, again.statusmsg]).toEqual([1, "Could not disable Puppet: Already disabled"]);
    const run = await call("runonce", {});
    expect([run.statuscode, run.statusmsg]).toEqual([1, "Puppet is disabled: 'maintenance window'"]);
    const on = await call("enable", {});
    expect(on.data).toEqual({ status: "Succesfully enabled the Puppet agent", enabled: true });
    expect(existsSync(site.lockfile)).toBe(false);
    const twice = await call("enable", {});
    expect(twice.statusmsg).toBe("Could not enable Puppet: Already enabled");
  });

  it("disable without a message: who and when", async () => {
    const off = await call("disable", {});
    expect(off.data.status).toMatch(
      /^Succesfully locked the Puppet agent: Disabled via MCollective by uid=0 at \d{4}-\d\d-\d\d \d\d:\d\d$/,
    );
    await call("enable", {});
  });

  it("runonce --tags: a real Puppet run of only the tagged resources", async () => {
    await rm(join(site.dir, "alpha.txt"), { force: true });
    await rm(join(site.dir, "beta.txt"), { force: true });
    const before = await site.finishedRuns();
    const reply = await call("runonce", { tags: "alpha", noop: false });
    expect(reply.statuscode).toBe(0);
    expect(reply.data.summary).toBe(
      `Started a Puppet run using the '${site.command} --onetime --no-daemonize --color=false --show_diff --verbose --tags alpha --no-splay --no-noop' command`,
    );
    expect(reply.data.initiated_at).toBeGreaterThan(0);
    await waitFor(async () => (await site.finishedRuns()) > before, "the run's last_run_summary.yaml");
    expect(existsSync(join(site.dir, "alpha.txt"))).toBe(true);
    expect(existsSync(join(site.dir, "beta.txt"))).toBe(false);
  });

  it("a triggered run that fails: the daemon logs its exit code and last lines, status and last_run_summary tell", async () => {
    const failing = join(site.dir, "failing-puppet.sh");
    await writeFile(
      failing,
      [
        "#!/bin/sh",
        "echo \"Info: Using environment 'production'\"",
        "echo 'Error: Could not run: No more routes to ca' >&2",
        "exit 1",
        "",
      ].join("\n"),
      { mode: 0o755 },
    );
    const plugin = await openPlugin(
      { definition: puppet, settings: settings({ command: failing }) },
      "server",
      "n1",
    );
    const reply: RpcReply = {
      data: {},
      statuscode: 0,
      statusmsg: "OK",
      fail(message, statuscode = 1) {
        reply.statuscode = statuscode;
        reply.statusmsg = message;
      },
    };
    try {
      await plugin.instance.actions.runonce?.(
        {
          signal: new AbortController().signal,
          agent: "puppet",
          action: "runonce",
          data: {},
          sender: "c",
          caller: "uid=0",
          requestid: "r",
          time: 0,
        },
        reply,
      );
      // Puppet started fine, as far as the request can tell: the failure comes later.
      expect(reply.statuscode).toBe(0);
      await waitFor(
        async () => plugin.log.lines.some((l) => l.message.includes("failed with exit code 1")),
        "the daemon's log line for the failed run",
      );
    } finally {
      plugin.close();
    }
    const line = plugin.log.lines.find((l) => l.message.includes("failed with exit code 1"));
    expect(line?.level).toBe("warn");
    expect(line?.message).toMatch(
      new RegExp(
        `^Puppet run \\(pid \\d+, '${failing} --onetime [^']*'\\) triggered by uid=0 failed with exit code 1; its last lines:\n\tInfo: Using environment 'production'\n\tError: Could not run: No more routes to ca$`,
      ),
    );
    const why =
      /the run triggered (\d+ minutes )?\d\d seconds ago failed \(exit code 1\): Error: Could not run: No more routes to ca$/;
    const status = await call("status", {});
    expect(status.data.message).toMatch(
      new RegExp(`^Currently stopped; last completed run .* ago; ${why.source}`),
    );
    const summary = await call("last_run_summary", {});
    const triggered = (summary.data.summary as Record<string, Record<string, unknown>>).last_triggered_run;
    expect(triggered).toMatchObject({
      failed: true,
      exitcode: 1,
      tail: ["Info: Using environment 'production'", "Error: Could not run: No more routes to ca"],
    });
    expect(triggered?.message).toMatch(why);

    // A run that works puts things right.
    const before = await site.finishedRuns();
    expect((await call("runonce", {})).statuscode).toBe(0);
    await waitFor(async () => (await site.finishedRuns()) > before, "the good run");
    await waitFor(async () => {
      const { data } = await call("status", {});
      return /^Currently stopped; last completed run (\d+ minutes )?\d\d seconds ago$/.test(
        String(data.message),
      );
    }, "status without the failure");
    const after = await call("last_run_summary", {});
    expect(after.data.summary).not.toHaveProperty("last_triggered_run");
  });

  it("runonce refuses bad options before running, and a server without allow_server_override", async () => {
    const env = await call("runonce", { environment: "bad-env" });
    expect([env.statuscode, env.statusmsg]).toEqual([1, "Invalid environment 'bad-env' specified"]);
    const server = await call("runonce", { server: "puppet:8140" });
    expect(server.statusmsg).toBe("Passing 'server' option is not allowed in module configuration");
    const missing = await call("runonce", {}, { command: "/nonexistent/puppet agent" });
    expect(missing.statusmsg).toMatch(
      /^Puppet command '\/nonexistent\/puppet agent --onetime .*' had exit code 1, expected 0$/,
    );
  });
});

describe("resource", () => {
  it("no type list: every type refused", async () => {
    const r = await call("resource", { type: "file", name: join(work, "r1") });
    expect([r.statuscode, r.statusmsg]).toEqual([1, "The file type is not listed in the type whitelist"]);
  });

  it("whitelisted: applied through puppet resource, changed", async () => {
    const file = join(work, "r2");
    const r = await call(
      "resource",
      { type: "file", name: file, ensure: "present", content: "hi" },
      { resource_type_whitelist: "file,package" },
    );
    expect([r.statuscode, r.statusmsg]).toEqual([0, "OK"]);
    expect(r.data.changed).toBe(true);
    expect(String(r.data.result)).toContain(`File[${file}]/ensure`);
    expect(await readFile(file, "utf8")).toBe("hi");
  });

  it("blacklisted, both lists, name lists", async () => {
    const black = await call("resource", { type: "exec", name: "x" }, { resource_type_blacklist: "exec" });
    expect(black.statusmsg).toBe("The exec type is listed in the type blacklist");
    const both = await call(
      "resource",
      { type: "file", name: "/x" },
      { resource_type_blacklist: "exec", resource_type_whitelist: "file" },
    );
    expect(both.statusmsg).toBe(
      "You cannot specify both puppet.resource_type_whitelist and puppet.resource_type_blacklist in the config file",
    );
    const names = await call(
      "resource",
      { type: "file", name: "/etc/passwd" },
      { resource_type_whitelist: "file", "resource_name_whitelist.file": "/tmp/ok" },
    );
    expect(names.statusmsg).toBe("The /etc/passwd name is not listed in the name whitelist");
  });
});

describe("data plugins", () => {
  it("puppet(): the agent's state", async () => {
    const plugin = await openPlugin({ definition: puppetData, settings: settings() }, "server");
    try {
      expect(await plugin.instance.query(null)).toMatchObject({
        enabled: true,
        applying: false,
        status: "stopped",
      });
    } finally {
      plugin.close();
    }
  });

  it("resource(): the last run, under the agent's plugin.puppet.* settings", async () => {
    const ctx = buildPluginContext({
      type: "data",
      name: "resource",
      pluginSettings: new Map([["plugin.puppet.config", site.config]]),
      log: createLogger(memorySink("debug")),
      identity: "n1",
      mode: "server",
      services: createStubServices(),
    });
    const instance = await createPlugin(resourceData, ctx);
    const answer = await instance.query("file[/nowhere]");
    expect(answer).toMatchObject({ managed: false, failed_resources: 0 });
    expect(Number(answer.total_resources)).toBeGreaterThan(0);
  });
});

describe("boolean_summary and the status text", () => {
  describeAggregatePlugin({
    definition: booleanSummary,
    output: "enabled",
    args: [{ true: "enabled", false: "disabled" }],
    values: [true, false, true, null],
    expected: {
      type: "collection",
      value: new Map([
        ["enabled", 2],
        ["disabled", 1],
      ]),
    },
  });

  it("prints as MCollective's summaries do", async () => {
    const plugin = await openPlugin({ definition: booleanSummary }, "client", "mco");
    const run = plugin.instance.start({ output: "enabled", args: [{ true: "enabled", false: "disabled" }] });
    for (const v of [true, true, false]) run.process(v);
    plugin.close();
    expect(aggregateText(run.result())).toBe("enabled = 2\ndisabled = 1");
  });

  it("seconds_to_human", () => {
    expect(secondsToHuman(5)).toBe("05 seconds");
    expect(secondsToHuman(125)).toBe("2 minutes 05 seconds");
    expect(secondsToHuman(3 * 3600 + 61)).toBe("3 hours 1 minutes 01 seconds");
    expect(secondsToHuman(86400 + 1)).toBe("1 day 0 hours 0 minutes 01 seconds");
    expect(secondsToHuman(3 * 86400)).toBe("3 days 0 hours 0 minutes 00 seconds");
  });
});

describeValidatorPlugin({
  definition: variableValidator,
  valid: ["production", "a", "dev_1"],
  invalid: ["bad-env", "1", "a b", 3],
});
describeValidatorPlugin({
  definition: tagsValidator,
  valid: ["alpha", "role::web,base"],
  invalid: ["a;b", "bad tag", "x::-"],
});
describeValidatorPlugin({
  definition: serverValidator,
  valid: ["puppet", "puppet.example.com:8140", "10.0.0.1:8140", "[::1]:8140"],
  invalid: ["bad_host:8140", "puppet:http", "a;b"],
});
describeValidatorPlugin({
  definition: resourceValidator,
  valid: ["file[/etc/hosts]", "package[vim]"],
  invalid: ["file", "/etc/hosts", 1],
});
