import { cpuUsage } from "node:process";
import {
  defineAgent,
  fromNatural,
  RpcAbortedError,
  type RubyValue,
  rubyFloat,
  type ServerPluginContext,
} from "@phobos/core";

/** Structured facts travel with String keys, as Ruby's normalised facts do. */
const stringKeyed = (value: unknown): RubyValue => fromNatural(value, { keys: "string" });

function createRpcutil(ctx: ServerPluginContext) {
  const s = ctx.services;
  return {
    actions: {
      async inventory(_request, reply) {
        reply.data.agents = s.agents();
        reply.data.facts = stringKeyed(await s.facts());
        reply.data.version = s.version;
        reply.data.classes = await s.classes();
        reply.data.main_collective = s.mainCollective;
        reply.data.collectives = s.collectives;
        reply.data.data_plugins = s.dataSources();
      },
      async get_fact(request, reply) {
        const name = String(request.data.fact);
        const facts = await s.facts();
        reply.data.fact = name;
        reply.data.value = name in facts ? stringKeyed(facts[name]) : null;
      },
      async get_facts(request, reply) {
        const facts = await s.facts();
        const values = new Map<RubyValue, RubyValue>();
        for (const name of String(request.data.facts)
          .split(",")
          .map((f) => f.trim())) {
          values.set(name, name in facts ? stringKeyed(facts[name]) : null);
        }
        reply.data.values = values;
      },
      daemon_stats(_request, reply) {
        const stats = s.stats();
        const cpu = cpuUsage();
        reply.data.threads = ["#<Thread:main event loop run>"];
        reply.data.agents = s.agents();
        reply.data.pid = process.pid;
        // Process.times as Ruby reports it: seconds, always Floats
        reply.data.times = new Map<RubyValue, RubyValue>([
          [Symbol.for("utime"), rubyFloat(cpu.user / 1e6)],
          [Symbol.for("stime"), rubyFloat(cpu.system / 1e6)],
          [Symbol.for("cutime"), rubyFloat(0)],
          [Symbol.for("cstime"), rubyFloat(0)],
        ]);
        reply.data.configfile = s.configFile;
        reply.data.version = s.version;
        Object.assign(reply.data, {
          validated: stats.validated,
          unvalidated: stats.unvalidated,
          passed: stats.passed,
          filtered: stats.filtered,
          starttime: stats.starttime,
          total: stats.total,
          ttlexpired: stats.ttlexpired,
          replies: stats.replies,
        });
      },
      agent_inventory(_request, reply) {
        reply.data.agents = [...s.agents()].sort().map((agent) => {
          const meta = s.agentMetadata(agent);
          return {
            agent,
            license: meta?.license ?? "unknown",
            timeout: meta?.timeout ?? 10,
            description: meta?.description ?? "unknown",
            name: meta?.name ?? agent,
            url: meta?.url ?? "unknown",
            version: meta?.version ?? "unknown",
            author: meta?.author ?? "unknown",
          };
        });
      },
      get_config_item(request, reply) {
        const item = String(request.data.item);
        const found = s.configItem(item);
        if (!found.found) throw new RpcAbortedError(`Unknown config property ${item}`);
        reply.data.item = item;
        reply.data.value = found.value instanceof Map ? found.value : stringKeyed(found.value);
      },
      ping(_request, reply) {
        reply.data.pong = Math.floor(Date.now() / 1000);
      },
      collective_info(_request, reply) {
        reply.data.main_collective = s.mainCollective;
        reply.data.collectives = s.collectives;
      },
      async get_data(request, reply) {
        const source = String(request.data.source);
        const query =
          request.data.query === undefined || request.data.query === null ? null : String(request.data.query);
        Object.assign(reply.data, await s.queryData(source, query));
      },
    },
  } satisfies import("@phobos/core").Agent;
}

export default defineAgent({
  name: "rpcutil",
  description: "General helpful actions that expose stats and internals to SimpleRPC clients",
  create: createRpcutil,
});
