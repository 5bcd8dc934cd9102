/**
 * The rpcutil and discovery agents: core's agent conformance suite (every
 * action run), their DDLs against MCollective 2.12.5's own, and the
 * replies a Phobos daemon builds (core's runAgentRequest over this agent)
 * compared value for value, by Ruby `inspect`, with what a Ruby
 * mcollectived reading the same server.cfg sends: every get_config_item
 * key, facts, inventory, collectives, agents.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import {
  type AgentDdl,
  configItem,
  createLogger,
  type DecodedRequest,
  emptyFilter,
  inspect,
  loadConfig,
  memorySink,
  PROTOCOL_VERSION,
  type RubyValue,
  readDdlFile,
  rpcRequestToRuby,
  sym,
} from "@phobos/core";
import { PROVISION_HINT, type RubyFleet, startRubyFleet } from "@phobos/interop";
import { normalizeFacts, runAgentRequest } from "@phobos/server";
import { comparableDdl, createStubServices, describeAgentPlugin, openPlugin } from "@phobos/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import rpcutil from "./agent.js";
import rpcutilDdl from "./ddl.js";
import discovery from "./discovery-agent.js";
import discoveryDdl from "./discovery-ddl.js";

const FACTS = {
  role: "web",
  osfamily: "Debian",
  mcollective: 1,
  networking: { ip: "10.0.0.7", dns: ["10.0.0.53"] },
};
const CLASSES = ["base", "role::web"];
const DATA_PLUGINS = ["agent_data", "collective_data", "fact_data", "fstat_data"];

const stubServices = {
  facts: async () => normalizeFacts(FACTS) as Record<string, never>,
  classes: async () => CLASSES,
  agents: () => ["discovery", "rpcutil"],
  agentMetadata: (agent: string) =>
    agent === "rpcutil" ? rpcutilDdl.metadata : agent === "discovery" ? discoveryDdl.metadata : undefined,
  dataSources: () => DATA_PLUGINS,
  queryData: async (source: string, query: string | null) => ({ source, query }),
  configItem: (name: string) =>
    name === "identity" ? { found: true, value: "test.example.com" } : { found: false },
};

describeAgentPlugin({
  definition: rpcutil,
  ddl: rpcutilDdl,
  services: stubServices,
  samples: {
    inventory: { data: {}, statuscode: 0 },
    get_fact: [
      { data: { fact: "role" }, statuscode: 0 },
      { data: { fact: "no_such_fact" }, statuscode: 0 },
    ],
    get_facts: { data: { facts: "role, osfamily,nope" }, statuscode: 0 },
    daemon_stats: { data: {}, statuscode: 0 },
    agent_inventory: { data: {}, statuscode: 0 },
    get_config_item: [
      { data: { item: "identity" }, statuscode: 0 },
      { data: { item: "no_such_item" }, statuscode: 1 },
    ],
    ping: { data: {}, statuscode: 0 },
    collective_info: { data: {}, statuscode: 0 },
    // get_data declares no outputs: it answers with whatever the data plugin has (checked below).
  },
});
describeAgentPlugin({ definition: discovery, ddl: discoveryDdl, services: stubServices, samples: {} });

describe("the DDLs", () => {
  it("rpcutil declares what MCollective 2.12.5's rpcutil.ddl declares", async () => {
    const ruby = await readDdlFile("/usr/lib/ruby/vendor_ruby/mcollective/agent/rpcutil.ddl", "agent");
    expect(comparableDdl(rpcutilDdl)).toEqual(comparableDdl(ruby));
  });
});

describe("get_data", () => {
  it("answers with everything the data source gives, status 0", async () => {
    const plugin = await openPlugin({ definition: rpcutil, services: stubServices }, "server", "n1");
    const reply = { data: {}, statuscode: 0, statusmsg: "OK", fail() {} } as never as Parameters<
      NonNullable<(typeof plugin.instance.actions)["get_data"]>
    >[1];
    await plugin.instance.actions.get_data?.(
      {
        agent: "rpcutil",
        action: "get_data",
        data: { source: "fstat", query: "/etc/hosts" },
        sender: "c",
        caller: "uid=0",
        requestid: "r",
        time: 0,
        signal: new AbortController().signal,
      },
      reply,
    );
    expect(reply.data).toEqual({ source: "fstat", query: "/etc/hosts" });
    plugin.close();
  });
});

describe("replies, compared with a Ruby mcollectived on the same server.cfg", () => {
  let fleet: RubyFleet;

  beforeAll(async () => {
    fleet = await startRubyFleet({
      vhostPrefix: "phobos-rpcutil",
      nodes: [{ identity: "ruby1", facts: FACTS, classes: CLASSES }],
    });
  });

  afterAll(async () => {
    await fleet?.dispose();
  });

  type Answer = { statuscode: number; statusmsg: string; data: Record<string, string> };

  /** Ruby's replies, each output as Ruby inspects it, from one Ruby client process. */
  function ruby(requests: { action: string; args?: Record<string, unknown> }[]): Answer[] {
    const run = spawnSync(
      "ruby",
      [
        fileURLToPath(new URL("./__fixtures__/ruby-rpcutil.rb", import.meta.url)),
        fleet.clientConfig,
        "ruby1",
      ],
      {
        input: requests.map((r) => JSON.stringify(r)).join("\n"),
        encoding: "utf8",
        env: { ...process.env, LANG: "C.UTF-8" },
      },
    );
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

  /** The Phobos daemon's replies to the same requests: runAgentRequest over rpcutil, with the node's config. */
  async function phobos(requests: { action: string; args?: Record<string, unknown> }[]): Promise<Answer[]> {
    const config = loadConfig(fleet.node("ruby1").configFile);
    const services = createStubServices({
      ...stubServices,
      identity: config.identity,
      configFile: config.configFile,
      version: PROTOCOL_VERSION,
      collectives: config.collectives,
      mainCollective: config.mainCollective,
      configItem: (name) => configItem(config, name),
    });
    const plugin = await openPlugin({ definition: rpcutil, services }, "server", config.identity);
    const answers: Answer[] = [];
    try {
      for (const { action, args = {} } of requests) {
        const request: DecodedRequest = {
          senderid: "client",
          requestid: "0123456789abcdef0123456789abcdef",
          filter: emptyFilter(),
          collective: "mcollective",
          agent: "rpcutil",
          callerid: "uid=0",
          ttl: 60,
          msgtime: Math.floor(Date.now() / 1000),
          body: rpcRequestToRuby({
            agent: "rpcutil",
            action,
            caller: "uid=0",
            data: { ...args, process_results: true },
          }),
        };
        const body = (await runAgentRequest(
          { name: "rpcutil", instance: plugin.instance, ddl: rpcutilDdl as AgentDdl },
          request,
          { log: createLogger(memorySink()), validator: () => undefined },
        )) as Map<RubyValue, RubyValue>;
        const data = body.get(sym("data")) as Map<RubyValue, RubyValue>;
        answers.push({
          statuscode: body.get(sym("statuscode")) as number,
          statusmsg: String(body.get(sym("statusmsg"))),
          data: Object.fromEntries(
            [...data].map(([k, v]) => [Symbol.keyFor(k as symbol) ?? String(k), inspect(v)]),
          ),
        });
      }
    } finally {
      plugin.close();
    }
    return answers;
  }

  async function compare(requests: { action: string; args?: Record<string, unknown> }[]) {
    const [expected, actual] = [ruby(requests), await phobos(requests)];
    const label = (answers: Answer[]) =>
      answers.map((a, i) => ({
        request: `${requests[i]?.action} ${JSON.stringify(requests[i]?.args ?? {})}`,
        ...a,
      }));
    expect(label(actual)).toEqual(label(expected));
  }

  // Every reader Ruby's Config has (what `respond_to?` finds), plus ones it has not.
  const ITEMS = [
    "mode",
    "daemonize",
    "pluginconf",
    "configured",
    "logfile",
    "keeplogs",
    "max_log_size",
    "loglevel",
    "logfacility",
    "identity",
    "connector",
    "securityprovider",
    "factsource",
    "registration",
    "registerinterval",
    "classesfile",
    "rpcauditprovider",
    "rpcaudit",
    "configdir",
    "rpcauthprovider",
    "rpcauthorization",
    "color",
    "configfile",
    "rpclimitmethod",
    "logger_type",
    "fact_cache_time",
    "collectives",
    "main_collective",
    "ssl_cipher",
    "registration_collective",
    "direct_addressing",
    "direct_addressing_threshold",
    "ttl",
    "default_discovery_method",
    "default_discovery_options",
    "publish_timeout",
    "threaded",
    "soft_shutdown",
    "activate_agents",
    "registration_splay",
    "discovery_timeout",
    "soft_shutdown_timeout",
    "connection_timeout",
    "default_batch_size",
    "default_batch_sleep_time",
    "no_such_item",
  ];

  it("get_config_item: every config key the Ruby daemon knows, with the same value, and the same refusal", async () => {
    await compare(ITEMS.map((item) => ({ action: "get_config_item", args: { item } })));
  });

  it("get_config_item libdir: the configured libdirs (Ruby 3.1's daemon sends no reply: its $LOAD_PATH will not Marshal)", async () => {
    const [answer] = await phobos([{ action: "get_config_item", args: { item: "libdir" } }]);
    const config = loadConfig(fleet.node("ruby1").configFile);
    expect(answer).toEqual({
      statuscode: 0,
      statusmsg: "OK",
      data: { item: '"libdir"', value: inspect(config.libdir) },
    });
  });

  it("get_fact, get_facts, collective_info, agent_inventory and inventory", async () => {
    await compare([
      { action: "get_fact", args: { fact: "role" } },
      { action: "get_fact", args: { fact: "mcollective" } },
      { action: "get_fact", args: { fact: "networking" } },
      { action: "get_fact", args: { fact: "networking.ip" } },
      { action: "get_fact", args: { fact: "no_such_fact" } },
      { action: "get_facts", args: { facts: "role,osfamily, no_such_fact" } },
      { action: "collective_info" },
      { action: "agent_inventory" },
      { action: "inventory" },
    ]);
  });
});

describe("the discovery agent", () => {
  it('answers "ping" with "pong", and anything else as Ruby does', async () => {
    const plugin = await openPlugin({ definition: discovery, services: stubServices }, "server", "n1");
    const answer = (payload: RubyValue) => plugin.instance.handleRaw?.(payload, {} as DecodedRequest);
    expect(answer("ping")).toBe("pong");
    expect(answer(Buffer.from("ping"))).toBe("pong");
    expect(answer("pong")).toBe("Unknown Request: pong");
    expect(answer(new Map<RubyValue, RubyValue>([[sym("agent"), "rpcutil"]]))).toBe(
      'Unknown Request: {:agent=>"rpcutil"}',
    );
    plugin.close();
  });
});
