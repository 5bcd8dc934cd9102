/**
 * Selection over stored nodes: core's matcher decides (its own tests and
 * the e2e comparison with --dm mc cover the filter rules); these check what
 * the registry adds around it — stale nodes, collectives, data functions,
 * and nodes a filter cannot be judged on.
 */
import { emptyFilter, type Filter, parseCompound, parseFactFilter } from "@phobos/core";
import { describe, expect, it } from "vitest";
import { type StoredNode, selectNodes } from "./select-nodes.js";

const node = (identity: string, more: Partial<StoredNode> = {}): StoredNode => ({
  identity,
  facts: {},
  classes: [],
  agents: ["rpcutil"],
  collectives: ["mcollective"],
  stale: false,
  ...more,
});

const NODES: StoredNode[] = [
  node("web1", {
    facts: { role: "web", networking: { ip: "10.0.0.1" }, ips: ["10.0.0.1", "192.168.0.1"] },
    classes: ["base", "role::web"],
    agents: ["rpcutil", "package"],
  }),
  node("web2", { facts: { role: "web", networking: { ip: "10.0.0.2" } }, stale: true }),
  node("db1", { facts: { role: "db" }, collectives: ["mcollective", "dbs"] }),
  node("old1", { facts: { role: "web" }, collectives: [] }),
];

const filter = (more: Partial<Filter>): Filter => ({ ...emptyFilter(), ...more });

describe("selecting stored nodes", () => {
  it("leaves stale nodes out unless asked, and sorts identities", async () => {
    expect((await selectNodes(NODES, emptyFilter())).identities).toEqual(["db1", "old1", "web1"]);
    expect((await selectNodes(NODES, emptyFilter(), { includeStale: true })).identities).toEqual([
      "db1",
      "old1",
      "web1",
      "web2",
    ]);
  });

  it("looks facts up as the daemons do: flat names, dotted paths, Array elements", async () => {
    const by = async (expression: string) =>
      (await selectNodes(NODES, filter({ fact: [parseFactFilter(expression)] }), { includeStale: true }))
        .identities;
    expect(await by("role=web")).toEqual(["old1", "web1", "web2"]);
    expect(await by("networking.ip=/^10\\.0\\.0\\./")).toEqual(["web1", "web2"]);
    expect(await by("ips=192.168.0.1")).toEqual(["web1"]);
  });

  it("keeps to the targeted collective; a node that never said its collectives stays in", async () => {
    const { identities } = await selectNodes(NODES, filter({ collective: "dbs" }));
    expect(identities).toEqual(["db1", "old1"]);
  });

  it("judges classes, agents and -S statements on what each node reported", async () => {
    expect((await selectNodes(NODES, filter({ cf_class: ["/role::/"] }))).identities).toEqual(["web1"]);
    expect((await selectNodes(NODES, filter({ agent: ["package"] }))).identities).toEqual(["web1"]);
    const compound = parseCompound("role=web and not base");
    expect((await selectNodes(NODES, filter({ compound: [compound] }))).identities).toEqual(["old1"]);
  });

  it("refuses data functions, naming each", async () => {
    const compound = parseCompound('fstat("/etc/hosts").size>0 or agent("package").version=1.0');
    await expect(selectNodes(NODES, filter({ compound: [compound] }))).rejects.toThrow(
      'The registry discovery method cannot evaluate the -S functions fstat("/etc/hosts").size, agent("package").version: data plugins run on the daemons; use --dm mc for this filter',
    );
  });

  it("leaves out a node the filter cannot be judged on, and says why", async () => {
    const nested = [node("a", { facts: { disks: [{ size: "1" }] } }), node("b", { facts: { disks: "2" } })];
    const { identities, errors } = await selectNodes(nested, filter({ fact: [parseFactFilter("disks>1")] }));
    expect(identities).toEqual(["b"]);
    expect([...errors]).toEqual([["cannot compare a nested fact with >", 1]]);
  });
});
