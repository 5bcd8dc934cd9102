/**
 * RpcClient's decisions (what it sends, to whom, how it counts) against a
 * fake messaging client that answers for the nodes it is asked about. The
 * wire itself is covered end to end by apps/mco's suites.
 */

import type { PluginRegistry } from "@phobos/core";
import {
  configFromText,
  createLogger,
  defineAgentDdl,
  emptyFilter,
  type Filter,
  memorySink,
  rpcReplyToRuby,
} from "@phobos/core";
import { describe, expect, it } from "vitest";
import type { Discoverer } from "./discoverer.js";
import type { MessagingClient, RequestSpec, RequestStats } from "./messaging.js";
import { type RpcCallReporter, RpcClient, type RpcClientOptions } from "./rpc-client.js";

const ddl = defineAgentDdl({
  metadata: {
    name: "echo",
    description: "test agent",
    author: "t",
    license: "t",
    version: "1",
    url: "https://example.com/",
    timeout: 7,
  },
  actions: {
    ping: { description: "p", display: "always", output: { pong: { description: "p", display_as: "Pong" } } },
    fail: { description: "f", display: "always", output: {} },
  },
});

class FakeMessaging {
  collective = "mcollective";
  replyTo: string | undefined;
  readonly security = { callerId: () => "uid=0" };
  readonly requests: RequestSpec[] = [];
  /** Nodes that never answer. */
  silent = new Set<string>();
  #id = 0;

  async request(spec: RequestSpec): Promise<RequestStats> {
    this.requests.push(spec);
    const requestid = spec.requestid ?? `req${++this.#id}`;
    const targets = Array.isArray(spec.expect) ? spec.expect : [];
    let responses = 0;
    if (!spec.noReplies) {
      for (const node of targets) {
        if (this.silent.has(node)) continue;
        responses++;
        const failed = (spec.body as Map<unknown, unknown>).get(Symbol.for("action")) === "fail";
        spec.onReply?.(
          {
            senderid: node,
            requestid,
            senderagent: spec.agent,
            msgtime: 0,
            body: rpcReplyToRuby(
              failed
                ? { statuscode: 1, statusmsg: "nope", data: {} }
                : { statuscode: 0, statusmsg: "OK", data: { pong: 1 } },
            ),
          },
          { body: new Uint8Array(), headers: {} },
        );
      }
    }
    return {
      requestid,
      responses,
      noresponsefrom: [],
      unexpectedresponsefrom: [],
      starttime: Date.now(),
      blocktime: 0.001,
      totaltime: 0.001,
    };
  }
}

function fakeDiscoverer(nodes: string[]) {
  const calls: { limit: number }[] = [];
  const d = {
    method: "mc",
    options: [] as string[],
    get forcesDirect() {
      return this.method !== "mc";
    },
    calls,
    ddl: async () => ({ metadata: { timeout: 2 } }),
    forceMethodByFilter: () => false,
    validateCompound: async () => {},
    timeout: async (given: number) => given,
    discover: async (_filter: Filter, _timeout: number, limit = 0) => {
      calls.push({ limit });
      return limit > 0 ? nodes.slice(0, limit) : [...nodes];
    },
  };
  return d;
}

function client(
  options: Partial<RpcClientOptions> & { nodes?: string[]; discovered?: string[]; configText?: string } = {},
) {
  const messaging = new FakeMessaging();
  const discoverer = fakeDiscoverer(options.discovered ?? ["n1", "n2", "n3"]);
  const events: string[] = [];
  const reporter: RpcCallReporter = {
    discovering: (method, timeout) => events.push(`discovering ${method} ${timeout}`),
    discovered: (count) => events.push(`discovered ${count}`),
    noNodes: () => events.push("noNodes"),
    started: (total) => events.push(`started ${total}`),
    progress: (received, total) => events.push(`${received}/${total}`),
    finished: (batched) => events.push(`finished${batched ? " batched" : ""}`),
  };
  const { discovered: _d, configText, ...rest } = options;
  const rpc = new RpcClient({
    agent: "echo",
    ddl,
    config: configFromText(configText ?? ""),
    registry: {} as PluginRegistry,
    messaging: messaging as unknown as MessagingClient,
    discoverer: discoverer as unknown as Discoverer,
    log: createLogger(memorySink()),
    reporter,
    ...rest,
  });
  return { rpc, messaging, discoverer, events };
}

describe("RpcClient", () => {
  it("discovers, then addresses up to direct_addressing_threshold nodes directly", async () => {
    const { rpc, messaging, events } = client({ verbose: true });
    await rpc.discover();
    const { results, stats } = await rpc.call("ping", {});
    expect(results.map((r) => r.sender)).toEqual(["n1", "n2", "n3"]);
    expect(messaging.requests).toHaveLength(1);
    expect(messaging.requests[0]).toMatchObject({
      nodes: ["n1", "n2", "n3"],
      expect: ["n1", "n2", "n3"],
      timeout: 9,
    });
    expect(messaging.requests[0]?.filter.agent).toEqual(["echo"]);
    expect(stats).toMatchObject({
      discovered: 3,
      responses: 3,
      okcount: 3,
      failcount: 0,
      noresponsefrom: [],
    });
    expect(events).toEqual([
      "discovering mc 2",
      "discovered 3",
      "started 3",
      "1/3",
      "2/3",
      "3/3",
      "finished",
    ]);
  });

  it("broadcasts to more nodes than the threshold", async () => {
    const { rpc, messaging } = client({ configText: "direct_addressing_threshold = 2\n" });
    await rpc.call("ping", {});
    expect(messaging.requests[0]?.nodes).toBeUndefined();
    expect(messaging.requests[0]?.expect).toEqual(["n1", "n2", "n3"]);
  });

  it("-t overrides the DDL timeout plus the discovery timeout", async () => {
    const { rpc, messaging } = client({ timeout: 3 });
    await rpc.call("ping", {});
    expect(messaging.requests[0]?.timeout).toBe(3);
  });

  it("counts who did not answer and what failed", async () => {
    const { rpc, messaging } = client();
    messaging.silent.add("n2");
    const { stats } = await rpc.call("fail", {});
    expect(stats).toMatchObject({ responses: 2, failcount: 2, okcount: 0, noresponsefrom: ["n2"] });
  });

  it("-I names without regexes: no discovery, straight to them", async () => {
    const filter = { ...emptyFilter(), identity: ["n9", "n8"] };
    const { rpc, messaging, discoverer, events } = client({ filter, verbose: true });
    await rpc.call("ping", {});
    expect(discoverer.calls).toEqual([]);
    expect(messaging.requests[0]?.nodes).toEqual(["n9", "n8"]);
    expect(events[0]).toBe("started 2");
  });

  it("--limit N with rpclimitmethod first: discovery stops at N, the call names them in its filter", async () => {
    const { rpc, messaging, discoverer } = client({ limit: 2 });
    const { stats } = await rpc.call("ping", {});
    expect(discoverer.calls).toEqual([{ limit: 2 }]);
    expect(messaging.requests[0]?.nodes).toEqual(["n1", "n2"]);
    expect(messaging.requests[0]?.filter.identity).toEqual(["/^(n1|n2)$/"]);
    expect(stats.discovered).toBe(2);
  });

  it("--limit N% picks from the whole discovery, and asking again recounts it (2 / 4 hosts)", async () => {
    const { rpc, messaging } = client({ limit: "50%", discovered: ["a", "b", "c", "d"] });
    await rpc.call("ping", {});
    expect(messaging.requests[0]?.nodes).toEqual(["a", "b"]);
    expect(rpc.stats.discovered).toBe(2);
    await rpc.discover();
    expect(rpc.stats.discovered).toBe(4);
    expect(rpc.stats.responses).toBe(2);
  });

  it("--limit with random and a seed picks as Ruby's srand/rand would, from the sorted list", async () => {
    const { rpc, messaging } = client({
      limit: 2,
      limitMethod: "random",
      limitSeed: 7,
      discovered: ["d", "b", "a", "c"],
    });
    await rpc.call("ping", {});
    expect(messaging.requests[0]?.nodes).toHaveLength(2);
    const again = client({ limit: 2, limitMethod: "random", limitSeed: 7, discovered: ["c", "a", "d", "b"] });
    await again.rpc.call("ping", {});
    expect(again.messaging.requests[0]?.nodes).toEqual(messaging.requests[0]?.nodes);
  });

  it("--batch: one request id, each batch direct, the sleep counted after every batch", async () => {
    const { rpc, messaging, events } = client({ batchSize: 2, batchSleep: 0.01 });
    const { results, stats } = await rpc.call("ping", {});
    expect(messaging.requests.map((r) => r.nodes)).toEqual([["n1", "n2"], ["n3"]]);
    expect(new Set(messaging.requests.map((r) => r.requestid)).size).toBe(1);
    expect(results).toHaveLength(3);
    expect(stats.blocktime).toBeCloseTo(0.022, 3);
    expect(events.at(-1)).toBe("finished batched");
  });

  it("--batch 50% sizes batches from the discovery", async () => {
    const { rpc, messaging } = client({ batchSize: "50%", batchSleep: 0, discovered: ["a", "b", "c"] });
    await rpc.call("ping", {});
    expect(messaging.requests.map((r) => r.nodes)).toEqual([["a", "b"], ["c"]]);
  });

  it("--no-results: one fire-and-forget request, broadcast when nothing was discovered", async () => {
    const { rpc, messaging, discoverer } = client();
    const outcome = await rpc.call("ping", {}, undefined, { processResults: false });
    expect(outcome.requestid).toBe("req1");
    expect(discoverer.calls).toEqual([]);
    expect(messaging.requests[0]).toMatchObject({ noReplies: true });
    expect(messaging.requests[0]?.nodes).toBeUndefined();
    const body = messaging.requests[0]?.body as Map<unknown, unknown>;
    expect((body.get(Symbol.for("data")) as Map<unknown, unknown>).get(Symbol.for("process_results"))).toBe(
      false,
    );
  });

  it("nothing discovered: no request, the reporter says so, the bar still closes", async () => {
    const { rpc, messaging, events } = client({ discovered: [] });
    const { stats } = await rpc.call("ping", {});
    expect(messaging.requests).toEqual([]);
    expect(events).toEqual(["noNodes", "finished"]);
    expect(stats.discovered).toBe(0);
  });

  it("no progress events when the bar is off", async () => {
    const { rpc, events } = client({ progress: false });
    await rpc.call("ping", {});
    expect(events).toEqual([]);
  });

  it("--sort orders results by sender", async () => {
    const { rpc } = client({ sort: true, discovered: ["c", "a", "b"] });
    const { results } = await rpc.call("ping", {});
    expect(results.map((r) => r.sender)).toEqual(["a", "b", "c"]);
  });

  it("stdin discovery replaces only a default discovery method", () => {
    const chosen = client({ discoveryMethodChosen: true });
    expect(chosen.rpc.detectStdinDiscovery(true)).toBe(false);
    const piped = client();
    expect(piped.rpc.detectStdinDiscovery(false)).toBe(false);
    expect(piped.rpc.detectStdinDiscovery(true)).toBe(true);
    expect(piped.discoverer.method).toBe("stdin");
    expect(piped.discoverer.options).toEqual(["auto"]);
  });

  it("validates inputs against the DDL before anything is sent", async () => {
    const { rpc, messaging } = client();
    await expect(rpc.call("nosuch", {})).rejects.toThrow(/not declared in the DDL/);
    expect(messaging.requests).toEqual([]);
  });
});
