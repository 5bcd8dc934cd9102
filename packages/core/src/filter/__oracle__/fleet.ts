/**
 * The nodes of the oracle table, and a NodeView over each that answers data
 * queries the way Debian's agent, collective, fact and fstat data plugins do
 * (the real TypeScript data plugins live elsewhere; this stand-in lets the
 * matcher be compared with Ruby on its own).
 */
import { createHash } from "node:crypto";
import { existsSync, lstatSync, readFileSync, statSync } from "node:fs";
import { compileRubyRegexp, rubyKernelInteger } from "@phobos/ruby";
import type { Facts, FactValue } from "../fact-value.js";
import type { NodeView } from "../node-view.js";

export interface AgentMeta {
  license: string;
  timeout: number;
  description: string;
  url: string;
  version: string;
  author: string;
}

export interface FleetNode {
  identity: string;
  facts: Facts;
  classes: string[];
  agents: Record<string, AgentMeta>;
  collectives: string[];
}

function meta(version: string, timeout = 10, author = "R.I.Pienaar"): AgentMeta {
  return {
    license: "ASL 2.0",
    timeout,
    description: "test agent",
    url: "https://example.com",
    version,
    author,
  };
}

export const FLEET: FleetNode[] = [
  {
    identity: "web1.example.com",
    facts: {
      operatingsystem: "Debian",
      role: "web",
      datacenter: "dc1",
      memorysize_mb: "2048",
      version: "10",
      load: "1.5",
      zero: "010",
      empty: "",
      spaced: "hello world",
      tags: ["prod", "frontend"],
      networking: { ip: "10.0.0.1", interfaces: { eth0: { mac: "aa:bb" } } },
      nested_list: [["a"], "b"],
    },
    classes: ["base", "apache", "mcollective::server", "role::web"],
    agents: { rpcutil: meta("1.0"), package: meta("4.2.0", 180) },
    collectives: ["mcollective", "eu_collective"],
  },
  {
    identity: "db1.example.com",
    facts: {
      operatingsystem: "Debian",
      role: "db",
      datacenter: "dc2",
      memorysize_mb: "512",
      version: "9",
      load: "0.25",
      zero: "09",
      multi: "12\nabc",
      tags: ["prod"],
    },
    classes: ["base", "mysql"],
    agents: { rpcutil: meta("1.0") },
    collectives: ["mcollective"],
  },
  {
    identity: "web2.other.net",
    facts: {
      operatingsystem: "CentOS",
      role: "web",
      datacenter: "dc1",
      memorysize_mb: "1024.5",
      version: "9a",
      load: "12",
      tags: [],
      networking: {},
    },
    classes: ["base", "nginx", "Apache", "role::web"],
    agents: { rpcutil: meta("1.1"), puppet: meta("2.0", 5, "puppetlabs") },
    collectives: ["mcollective", "us_collective"],
  },
  { identity: "bare", facts: {}, classes: [], agents: {}, collectives: ["mcollective"] },
  {
    identity: "node5",
    facts: {
      role: ["web", "db"],
      operatingsystem: "Ubuntu",
      memorysize_mb: "4096",
      networking: { integer: "1" },
    },
    classes: ["role::db", "ROLE::WEB"],
    agents: { rpcutil: meta("1.0"), nettest: meta("3.1", 20, "rip") },
    collectives: ["mcollective"],
  },
];

const DATA_INPUTS: Record<string, { maxlength: number; validation: string }> = {
  agent: { maxlength: 20, validation: "^[\\w\\_]+$" },
  collective: { maxlength: 256, validation: "." },
  fact: { maxlength: 256, validation: "." },
  fstat: { maxlength: 120, validation: ".+" },
};

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

function strftime(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function fstat(path: string): Record<string, unknown> {
  const result: Record<string, unknown> = {
    name: path,
    output: "not present",
    type: "unknown",
    mode: "0000",
    present: 0,
    size: 0,
    mtime: 0,
    ctime: 0,
    atime: 0,
    mtime_seconds: 0,
    ctime_seconds: 0,
    atime_seconds: 0,
    md5: 0,
    uid: 0,
    gid: 0,
  };
  if (!existsSync(path)) return result;
  const link = lstatSync(path);
  const stat = link.isSymbolicLink() ? link : statSync(path);
  Object.assign(result, { output: "present", present: 1, size: stat.size, uid: stat.uid, gid: stat.gid });
  for (const [key, time] of [
    ["mtime", stat.mtime],
    ["ctime", stat.ctime],
    ["atime", stat.atime],
  ] as const) {
    const seconds = Math.floor(time.getTime() / 1000);
    result[key] = strftime(time);
    result[`${key}_seconds`] = seconds;
    result[`${key}_age`] = Math.floor(Date.now() / 1000) - seconds;
  }
  result.mode = stat.mode.toString(8);
  if (stat.isFile()) result.md5 = createHash("md5").update(readFileSync(path)).digest("hex");
  if (stat.isDirectory()) result.type = "directory";
  if (stat.isFile()) result.type = "file";
  if (stat.isSymbolicLink()) result.type = "symlink";
  return result;
}

function factQuery(facts: Facts, path: string): Record<string, unknown> {
  const result: Record<string, unknown> = { exists: false, value: false, value_encoding: false };
  let node: FactValue = facts;
  const levels = path.split(".");
  while (levels.at(-1) === "") levels.pop();
  for (const level of levels) {
    if (Array.isArray(node)) {
      const index = Number(rubyKernelInteger(level));
      if (index >= node.length) return result;
      const element: FactValue | undefined = index < 0 ? node[node.length + index] : node[index];
      node = element ?? null;
    } else if (node !== null && typeof node === "object") {
      if (!Object.hasOwn(node, level)) return result;
      node = node[level] as FactValue;
    } else {
      return result;
    }
  }
  result.exists = true;
  if (node !== null && typeof node === "object") {
    result.value = JSON.stringify(node);
    result.value_encoding = "application/json";
  } else {
    result.value = node;
    result.value_encoding = "text/plain";
  }
  return result;
}

export function nodeView(node: FleetNode): NodeView {
  return {
    identity: node.identity,
    fact: (name) => (Object.hasOwn(node.facts, name) ? node.facts[name] : undefined),
    classes: () => node.classes,
    agents: () => Object.keys(node.agents),
    data: async (rawName, argument) => {
      const name = rawName.toLowerCase();
      const input = DATA_INPUTS[name];
      if (!input) return undefined;
      if (
        typeof argument !== "string" ||
        argument.length > input.maxlength ||
        !compileRubyRegexp(input.validation).test(argument)
      ) {
        throw new Error(`Cannot validate input query: ${argument}`);
      }
      switch (name) {
        case "agent": {
          const agent = node.agents[argument];
          if (!agent) throw new Error(`No agent called ${argument} found`);
          return { agent: argument, ...agent };
        }
        case "collective":
          return { member: node.collectives.includes(argument) };
        case "fact":
          return factQuery(node.facts, argument);
        default:
          return fstat(argument);
      }
    },
  };
}
