/**
 * The four built-in data plugins: core's data conformance suite for each,
 * then every one against MCollective 2.12.5's own plugin of the same name,
 * asked in one Ruby process with the same facts, collectives and agent
 * metadata: fstat on real files of every type, fact paths into hashes and
 * arrays (JSON), agent metadata, collective membership, and the errors.
 */
import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type DataDdl,
  type DdlMetadata,
  PluginError,
  RubyRegex,
  readDdlFile,
  transformDataInput,
  validateDataQuery,
} from "@phobos/core";
import { PROVISION_HINT, writeRubyFix } from "@phobos/interop";
import { dataResult, normalizeFacts } from "@phobos/server";
import { describeDataPlugin, openPlugin } from "@phobos/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import agentData from "./data/agent.js";
import agentDdl from "./data/agent-ddl.js";
import collectiveData from "./data/collective.js";
import collectiveDdl from "./data/collective-ddl.js";
import factData from "./data/fact.js";
import factDdl from "./data/fact-ddl.js";
import fstatData from "./data/fstat.js";
import fstatDdl from "./data/fstat-ddl.js";

const RUBY_DATA = fileURLToPath(new URL("./__fixtures__/ruby-data.rb", import.meta.url));
const COLLECTIVES = ["mcollective", "uk_collective"];
// JSON is YAML: the Ruby yaml fact source and this test read the same file.
const FACTS = {
  role: "web",
  ünïcode: "wért",
  quoted: 'say "hi" \\ bye',
  networking: {
    interfaces: { eth0: { ip: "10.0.0.1", up: true, mtu: 1500 } },
    dns: ["10.0.0.53", "10.0.0.54"],
  },
  disks: [{ name: "sda", size: 100 }, { name: "sdb" }],
  empty_list: [],
};

const metadata: DdlMetadata = {
  name: "rpcutil",
  description: "General helpful actions that expose stats and internals to SimpleRPC clients",
  author: "R.I.Pienaar <rip@devco.net>",
  license: "Apache License, Version 2.0",
  version: "1.0",
  url: "https://docs.puppetlabs.com/mcollective/",
  timeout: 10,
};
const services = {
  facts: async () => normalizeFacts(FACTS) as Record<string, never>,
  collectives: COLLECTIVES,
  agents: () => ["rpcutil"],
  agentMetadata: (agent: string) => (agent === "rpcutil" ? metadata : undefined),
};

describeDataPlugin({ definition: agentData, ddl: agentDdl, query: "rpcutil", services });
describeDataPlugin({ definition: collectiveData, ddl: collectiveDdl, query: "mcollective", services });
describeDataPlugin({ definition: factData, ddl: factDdl, query: "networking.interfaces.eth0", services });
describeDataPlugin({ definition: fstatData, ddl: fstatDdl, query: "/etc/hosts", services });

let dir: string;
let socket: Server;
let fixDir: string;
let factsFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "phobos-data-builtin-"));
  fixDir = await writeRubyFix(join(dir, "ruby-fix"));
  factsFile = join(dir, "facts.yaml");
  await writeFile(factsFile, JSON.stringify(FACTS));
  await writeFile(join(dir, "file.txt"), "some content\n\0binary\xff\n");
  await writeFile(join(dir, "empty.txt"), "");
  await writeFile(join(dir, "private.txt"), "secret", { mode: 0o600 });
  await mkdir(join(dir, "subdir"));
  await symlink(join(dir, "file.txt"), join(dir, "link"));
  await symlink(join(dir, "nowhere"), join(dir, "dangling"));
  socket = createServer();
  await new Promise<void>((resolve) => socket.listen(join(dir, "sock"), resolve));
  // Reading a file for its md5 may move its atime once (relatime): move it now, before
  // either implementation looks, so both see the same one.
  for (const f of ["file.txt", "empty.txt", "private.txt"]) await readFile(join(dir, f));
});

afterAll(async () => {
  await new Promise((r) => socket?.close(r));
  await rm(dir, { recursive: true, force: true });
});

type Answer = { result: Record<string, unknown> } | { error: string };

function askRuby(queries: { plugin: string; query: string }[]): Answer[] {
  const run = spawnSync("ruby", [RUBY_DATA, fixDir, factsFile, COLLECTIVES.join(",")], {
    input: queries.map((q) => JSON.stringify(q)).join("\n"),
    encoding: "utf8",
    env: { ...process.env, LANG: "C.UTF-8" },
  });
  if (run.error || run.status !== 0) {
    throw new Error(
      `Ruby MCollective could not be asked (${run.error?.message ?? run.stderr}): ${PROVISION_HINT}`,
    );
  }
  return run.stdout
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l) as Answer);
}

const plugins = {
  agent: { definition: agentData, ddl: agentDdl },
  collective: { definition: collectiveData, ddl: collectiveDdl },
  fact: { definition: factData, ddl: factDdl },
  fstat: { definition: fstatData, ddl: fstatDdl },
} as const;

/** The daemon's path for a query: DDL input conversion and validation, the plugin, Data::Result's defaults. */
async function askPhobos(plugin: keyof typeof plugins, query: string): Promise<Answer> {
  const { definition, ddl } = plugins[plugin];
  const running = await openPlugin({ definition, services }, "server", "node1");
  try {
    const argument = transformDataInput(ddl as DataDdl, query);
    validateDataQuery(ddl as DataDdl, argument);
    const answer = await running.instance.query(argument as string);
    return { result: JSON.parse(JSON.stringify(dataResult(ddl as DataDdl, answer))) };
  } catch (err) {
    // A PluginError names the plugin before the message; the message is the plugin's own.
    return { error: (err instanceof PluginError ? (err.cause as Error) : (err as Error)).message };
  } finally {
    running.close();
  }
}

/** Ruby's answer with the exception class dropped from errors, and `*_age` (a clock reading) set aside. */
function comparable(answer: Answer): { answer: Answer; ages: number[] } {
  if ("error" in answer) return { answer: { error: answer.error.replace(/^[\w:]+: /, "") }, ages: [] };
  const result = { ...answer.result };
  const ages: number[] = [];
  for (const key of ["mtime_age", "ctime_age", "atime_age"]) {
    if (typeof result[key] === "number") {
      ages.push(result[key] as number);
      result[key] = "(age)";
    }
  }
  return { answer: { result }, ages };
}

async function compare(plugin: keyof typeof plugins, queries: string[]) {
  const ruby = askRuby(queries.map((query) => ({ plugin, query })));
  for (const [i, query] of queries.entries()) {
    const phobos = comparable(await askPhobos(plugin, query));
    const reference = comparable(ruby[i] as Answer);
    expect({ query, ...phobos.answer }).toEqual({ query, ...reference.answer });
    // Ages are "now - mtime" read a moment apart: equal within a second or two.
    for (const [j, age] of phobos.ages.entries())
      expect(Math.abs(age - (reference.ages[j] ?? -99))).toBeLessThanOrEqual(2);
  }
}

describe("answers as MCollective's own data plugins give them", () => {
  it("fstat: a file, an empty file, a private one, a directory, a symlink, a dangling one, a socket, a device, nothing", async () => {
    await compare(
      "fstat",
      ["file.txt", "empty.txt", "private.txt", "subdir", "link", "dangling", "sock", "missing"]
        .map((f) => join(dir, f))
        .concat(["/dev/null"]),
    );
  });

  it("fact: plain facts, paths into hashes and arrays (as JSON), out of range, through a string, bad index", async () => {
    await compare("fact", [
      "role",
      "ünïcode",
      "quoted",
      "networking",
      "networking.interfaces.eth0",
      "networking.interfaces.eth0.up",
      "networking.dns",
      "networking.dns.1",
      "networking.dns.2",
      "networking.dns.-1",
      "disks.0.size",
      "disks.1.size",
      "empty_list",
      "role.sub",
      "networking.dns.first",
      "no_such_fact",
    ]);
  });

  it("agent: metadata of an agent this node runs, and an error for one it does not", async () => {
    const [meta] = askRuby([{ meta: "rpcutil" } as never]);
    expect((meta as { result: unknown }).result).toEqual(metadata);
    await compare("agent", ["rpcutil", "nosuch", "not a name!"]);
  });

  it("collective: member of each configured collective, not of others", async () => {
    await compare("collective", ["mcollective", "uk_collective", "us_collective"]);
  });
});

describe("the DDLs", () => {
  /** A DDL as plain data, each validation as Ruby prints it. */
  const plain = (ddl: unknown): unknown =>
    JSON.parse(
      JSON.stringify(ddl, (_key, value) =>
        value instanceof RegExp
          ? `regex ${value instanceof RubyRegex ? value.toRubyString() : value.source}`
          : value,
      ),
    );

  it.each(Object.entries(plugins))(
    "%s declares what MCollective 2.12.5's declares",
    async (name, { ddl }) => {
      const ruby = await readDdlFile(`/usr/lib/ruby/vendor_ruby/mcollective/data/${name}_data.ddl`, "data");
      const mine = plain(ddl) as { dataquery: { output: Record<string, unknown> } };
      // The agent plugin's `agent` output: Ruby's returns it without declaring it.
      if (name === "agent") delete mine.dataquery.output.agent;
      expect(mine).toEqual(plain(ruby));
    },
  );
});
