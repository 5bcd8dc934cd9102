import { readFileSync } from "node:fs";
import { defineAgentDdl, type RubyValue, sym } from "@phobos/core";
import type { RpcResult } from "../../rpc-client.js";

/**
 * A capture of the real `mco` (wire/cli-outputs): the command line, then
 * stdout, then `[exit N, T s wall]`. Returns stdout only.
 */
export function goldenStdout(name: string): string {
  const text = readFileSync(new URL(`./cli-outputs/${name}`, import.meta.url), "utf8");
  const lines = text.split("\n");
  lines.shift();
  const exit = lines.findIndex((l) => l.startsWith("[exit "));
  return `${(exit >= 0 ? lines.slice(0, exit) : lines).join("\n")}${exit >= 0 ? "\n" : ""}`;
}

/** The part of a golden after the progress bar line (`\r0 / 4\r1 / 4…`) and its newline. */
export function afterProgress(stdout: string): string {
  const at = stdout.indexOf("\r");
  const end = stdout.indexOf("\n", at);
  return stdout.slice(end + 1);
}

export function result(
  sender: string,
  action: string,
  data: [string, RubyValue][],
  status: [number, string] = [0, "OK"],
): RpcResult {
  const raw = new Map<unknown, unknown>(data.map(([k, v]) => [sym(k), v]));
  const natural: Record<string, unknown> = {};
  for (const [k, v] of data) natural[k] = v;
  return {
    agent: "rpcutil",
    action,
    sender,
    statuscode: status[0],
    statusmsg: status[1],
    data: natural,
    raw,
  };
}

const out = (description: string, display_as: string) => ({ description, display_as });

/** The parts of rpcutil's DDL the printers read. */
export const rpcutilDdl = defineAgentDdl({
  metadata: {
    name: "rpcutil",
    description: "General helpful actions that expose stats and internals to SimpleRPC clients",
    author: "R.I.Pienaar <rip@devco.net>",
    license: "Apache License, Version 2.0",
    version: "1.0",
    url: "https://docs.puppetlabs.com/mcollective/",
    timeout: 10,
  },
  actions: {
    collective_info: {
      description: "Info about the main and sub collectives",
      display: "always",
      output: {
        main_collective: out("The main Collective", "Main Collective"),
        collectives: out("All Collectives", "All Collectives"),
      },
      aggregate: [{ function: "summary", args: ["collectives"] }],
    },
    get_fact: {
      description: "Retrieve a single fact from the fact store",
      display: "always",
      input: {
        fact: {
          prompt: "The name of the fact",
          description: "The fact to retrieve",
          type: "string",
          validation: /^[\w\-.]+$/,
          optional: false,
          maxlength: 40,
        },
      },
      output: {
        fact: out("The name of the fact being returned", "Fact"),
        value: out("The value of the fact", "Value"),
      },
      aggregate: [{ function: "summary", args: ["value"] }],
    },
    daemon_stats: {
      description: "Get statistics from the running daemon",
      display: "always",
      output: {
        threads: out("List of threads active in the daemon", "Threads"),
        agents: out("List of agents loaded", "Agents"),
        pid: out("Process ID of the daemon", "PID"),
        times: out("Processor time consumed by the daemon", "Times"),
        validated: out("Messages that passed security validation", "Security Validated"),
        unvalidated: out("Messages that failed security validation", "Failed Security"),
        passed: out("Passed filter checks", "Passed Filter"),
        filtered: out("Didn't pass filter checks", "Failed Filter"),
        starttime: out("Time the server started", "Start Time"),
        total: out("Total messages received", "Total Messages"),
        replies: out("Replies sent back to clients", "Replies"),
        configfile: out("Config file used to start the daemon", "Config File"),
        version: out("MCollective Version", "Version"),
        ttlexpired: out("Messages that did pass TTL checks", "TTL Expired"),
      },
      aggregate: [
        { function: "summary", args: ["version"] },
        { function: "summary", args: ["agents"] },
      ],
    },
    get_config_item: {
      description: "Get the active value of a specific config property",
      display: "always",
      input: {
        item: {
          prompt: "Configuration Item",
          description: "The item to retrieve from the server",
          type: "string",
          validation: /^.+$/,
          optional: false,
          maxlength: 50,
        },
      },
      output: {
        item: out("The config property being retrieved", "Property"),
        value: out("The value that is in use", "Value"),
      },
      aggregate: [{ function: "summary", args: ["value"] }],
    },
    get_data: {
      description: "Get data from a data plugin",
      display: "always",
      input: {
        source: {
          prompt: "Data Source",
          description: "The data plugin to retrieve information from",
          type: "string",
          validation: /^\w+$/,
          optional: false,
          maxlength: 50,
        },
      },
      output: {},
    },
    ping: {
      description: "Responds to requests for PING with PONG",
      display: "always",
      output: { pong: out("The local timestamp", "Timestamp") },
    },
  },
});
