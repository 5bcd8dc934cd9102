import type { BroadcastEnd, DiscoveryClient, DiscoveryDdl, DiscoveryMethod, RubyValue } from "@phobos/core";
import { emptyFilter, type Filter } from "@phobos/core";
import { type Check, ensure, show } from "./check.js";
import { ddlCheck } from "./ddl-checks.js";
import { definitionChecks, type SuiteOptions, withPlugin } from "./harness.js";
import { describeChecks } from "./register.js";

export interface DiscoverySuiteOptions extends SuiteOptions<"discovery"> {
  /** What the method may broadcast through (see createFakeDiscoveryClient). */
  client: DiscoveryClient;
  ddl?: DiscoveryDdl;
  filter?: Filter;
  /** Seconds; 2 by default. */
  timeout?: number;
  /** `--do` values. */
  options?: string[];
  /** The client's input, for methods that read it (stdin discovery). */
  stdin?: string;
}

interface BroadcastCall extends BroadcastEnd {
  agent: string;
  body: RubyValue;
  filter: Filter;
  timeout: number;
  limit: number;
}

/**
 * A DiscoveryClient that answers every broadcast with `identities`, honouring `limit`; it records the
 * calls (with the window and expected nodes when given).
 */
export function createFakeDiscoveryClient(identities: readonly string[]): DiscoveryClient & {
  calls: BroadcastCall[];
} {
  const calls: BroadcastCall[] = [];
  return {
    calls,
    async broadcast(agent, body, filter, options) {
      calls.push({
        agent,
        body,
        filter,
        timeout: options.timeout,
        limit: options.limit,
        ...(options.window !== undefined ? { window: options.window } : {}),
        ...(options.expected !== undefined ? { expected: options.expected } : {}),
      });
      const answering = options.limit > 0 ? identities.slice(0, options.limit) : identities;
      for (const identity of answering) options.onReply(identity);
    },
  };
}

/**
 * The discovery contract: discover() turns a filter into distinct
 * identities, and never more than `limit` of them when one is set.
 */
export function discoveryChecks(options: DiscoverySuiteOptions): Check[] {
  const discover = (limit: number) =>
    withResult(options, (instance) =>
      instance.discover({
        filter: options.filter ?? emptyFilter(),
        timeout: options.timeout ?? 2,
        limit,
        options: options.options ?? [],
        client: options.client,
        ...(options.stdin !== undefined ? { stdin: () => Promise.resolve(options.stdin as string) } : {}),
      }),
    );
  const checks: Check[] = [...definitionChecks("discovery", options, "client")];
  if (options.ddl !== undefined) checks.push(ddlCheck(options.ddl, "discovery"));
  checks.push(
    {
      name: "discover() returns distinct identities",
      async run() {
        const found: unknown = await discover(0);
        ensure(Array.isArray(found), `discover() returned ${show(found)}, not an array`);
        for (const identity of found) {
          ensure(
            typeof identity === "string" && identity.length > 0,
            `discover() returned ${show(identity)} as an identity`,
          );
        }
        const repeated = found.filter((identity, i) => found.indexOf(identity) !== i);
        ensure(repeated.length === 0, `discover() returned ${show([...new Set(repeated)])} more than once`);
      },
    },
    {
      name: "discover() honours limit",
      async run() {
        const all = await discover(0);
        const limit = Math.max(1, all.length - 1);
        const some = await discover(limit);
        ensure(some.length <= limit, `with limit ${limit}, discover() returned ${some.length} identities`);
        const unknown = some.filter((identity) => !all.includes(identity));
        ensure(
          unknown.length === 0,
          `with a limit, discover() returned ${show(unknown)}, not found without one`,
        );
      },
    },
  );
  return checks;
}

export function describeDiscoveryPlugin(options: DiscoverySuiteOptions): void {
  describeChecks(`discovery plugin '${options.definition.name}' conformance`, discoveryChecks(options));
}

async function withResult<R>(
  options: DiscoverySuiteOptions,
  fn: (instance: DiscoveryMethod) => Promise<R>,
): Promise<R> {
  let result: R | undefined;
  await withPlugin(options, "client", async ({ instance }) => {
    result = await fn(instance);
  });
  return result as R;
}
