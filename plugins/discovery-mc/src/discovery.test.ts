/**
 * mc discovery: core's discovery conformance suite, what it asks the client
 * to broadcast (a "ping" to the discovery agent, carrying the filter, for
 * the discovery timeout), how it counts replies, and its DDL against
 * MCollective 2.12.5's discovery/mc.ddl.
 */
import { emptyFilter, type Filter, readDdlFile } from "@phobos/core";
import { createFakeDiscoveryClient, describeDiscoveryPlugin, openPlugin } from "@phobos/testing";
import { describe, expect, it } from "vitest";
import mcDdl from "./ddl.js";
import mc from "./discovery.js";

const filter: Filter = {
  ...emptyFilter(),
  fact: [{ fact: "role", value: "web", operator: "==" }],
  agent: ["rpcutil"],
};

describeDiscoveryPlugin({
  definition: mc,
  ddl: mcDdl,
  client: createFakeDiscoveryClient(["node1", "node2", "node3"]),
  filter,
});

async function discover(client: ReturnType<typeof createFakeDiscoveryClient>, limit = 0, timeout = 2) {
  const plugin = await openPlugin({ definition: mc }, "client", "mco");
  try {
    return await plugin.instance.discover({ filter, timeout, limit, options: [], client });
  } finally {
    plugin.close();
  }
}

describe("mc discovery", () => {
  it('broadcasts "ping" to the discovery agent with the filter, the timeout and the limit', async () => {
    const client = createFakeDiscoveryClient(["node1", "node2"]);
    expect(await discover(client, 0, 3)).toEqual(["node1", "node2"]);
    expect(client.calls).toEqual([{ agent: "discovery", body: "ping", filter, timeout: 3, limit: 0 }]);
  });

  it("lists each replying node once, in arrival order, even when one answers twice", async () => {
    const client = createFakeDiscoveryClient(["node2", "node1", "node2", "node3", "node1"]);
    expect(await discover(client)).toEqual(["node2", "node1", "node3"]);
  });

  it("with a limit, hands it to the client and returns no more than it", async () => {
    const client = createFakeDiscoveryClient(["a", "b", "c", "d"]);
    expect(await discover(client, 2)).toEqual(["a", "b"]);
    expect(client.calls[0]?.limit).toBe(2);
  });

  it("hands the request's end (sliding window, expected nodes) to the broadcast", async () => {
    const client = createFakeDiscoveryClient(["node1", "node2"]);
    const plugin = await openPlugin({ definition: mc }, "client", "mco");
    try {
      const end = { window: 0.3, expected: ["node1", "node2", "node3"] };
      await plugin.instance.discover({ filter, timeout: 2, limit: 0, options: [], client, end });
    } finally {
      plugin.close();
    }
    expect(client.calls[0]).toMatchObject({ window: 0.3, expected: ["node1", "node2", "node3"], timeout: 2 });
  });

  it("no replies: no nodes", async () => {
    expect(await discover(createFakeDiscoveryClient([]))).toEqual([]);
  });

  it("its DDL declares what MCollective 2.12.5's discovery/mc.ddl declares", async () => {
    const ruby = await readDdlFile("/usr/lib/ruby/vendor_ruby/mcollective/discovery/mc.ddl", "discovery");
    expect(JSON.parse(JSON.stringify(mcDdl))).toEqual(JSON.parse(JSON.stringify(ruby)));
  });
});
