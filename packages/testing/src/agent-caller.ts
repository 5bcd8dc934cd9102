import type { AgentDdl, DecodedRequest, PluginDefinition } from "@phobos/core";
import {
  createLogger,
  emptyFilter,
  memorySink,
  RubyRegex,
  type RubyValue,
  rpcRequestToRuby,
  sym,
  toNatural,
} from "@phobos/core";
import { runAgentRequest } from "@phobos/server";
import { type OpenPlugin, openPlugin, type SuiteOptions } from "./harness.js";

/** An action's reply as `mco rpc -j` would show it. */
export interface AgentAnswer {
  statuscode: number;
  statusmsg: string;
  data: Record<string, unknown>;
}

export interface AgentCaller {
  plugin: OpenPlugin<"agent">;
  /** Runs one action the way the daemon does: DDL validation, defaults, timeout, error mapping. */
  call(action: string, data?: Record<string, unknown>): Promise<AgentAnswer>;
  close(): void;
}

/**
 * A running agent plugin to call in-process through the daemon's own request
 * path (`runAgentRequest`), for tests of an agent's behaviour beyond the
 * conformance suite.
 */
export async function openAgentCaller(
  options: SuiteOptions<"agent"> & {
    ddl: AgentDdl;
    /** Validator plugins the DDL names beyond the built-in ones (`nettest_fqdn`). */
    validators?: readonly PluginDefinition<"validator">[];
  },
): Promise<AgentCaller> {
  const plugin = await openPlugin(options, "server");
  const validators = new Map<string, OpenPlugin<"validator">>();
  for (const definition of options.validators ?? [])
    validators.set(definition.name, await openPlugin({ definition }, "server"));
  const validator = (wanted: string) => {
    const found = validators.get(wanted);
    return found ? (value: unknown) => found.instance.validate(value) : undefined;
  };
  const name = options.definition.name;
  const log = createLogger(memorySink());
  return {
    plugin,
    close: () => {
      plugin.close();
      for (const v of validators.values()) v.close();
    },
    async call(action, data = {}) {
      const request: DecodedRequest = {
        senderid: "client",
        requestid: "0123456789abcdef0123456789abcdef",
        filter: emptyFilter(),
        collective: "mcollective",
        agent: name,
        callerid: "uid=0",
        ttl: 60,
        msgtime: Math.floor(Date.now() / 1000),
        body: rpcRequestToRuby({
          agent: name,
          action,
          caller: "uid=0",
          data: { ...data, process_results: true },
        }),
      };
      const body = (await runAgentRequest({ name, instance: plugin.instance, ddl: options.ddl }, request, {
        log,
        validator,
      })) as Map<RubyValue, RubyValue>;
      return {
        statuscode: body.get(sym("statuscode")) as number,
        statusmsg: String(body.get(sym("statusmsg"))),
        data: toNatural(body.get(sym("data")) as RubyValue) as Record<string, unknown>,
      };
    },
  };
}

/**
 * A DDL as plain data, regexes as their Ruby text: a DDL written in
 * TypeScript and the Ruby `.ddl` a Ruby mco reads compare equal with
 * `toEqual` when they declare the same interface.
 */
export function comparableDdl(ddl: unknown): unknown {
  return JSON.parse(
    JSON.stringify(ddl, (_key, v) =>
      v instanceof RegExp ? `regex ${v instanceof RubyRegex ? v.toRubyString() : v.source}` : v,
    ),
  );
}
