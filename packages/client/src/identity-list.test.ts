import { describe, expect, it } from "vitest";
import { NodeListError, parseNodeList, selectIdentities } from "./identity-list.js";

describe("parseNodeList", () => {
  it("takes one identity a line, trimmed; skips blank lines and # comments", () => {
    expect(parseNodeList("node1\n\n# web\n  node2.example.com \r\nnode-3\n", "nodes.txt")).toEqual([
      "node1",
      "node2.example.com",
      "node-3",
    ]);
  });

  it("names file and line of anything that is not an identity", () => {
    expect(() => parseNodeList("node1\nnode 2\n", "/etc/nodes")).toThrow(
      new NodeListError(
        "/etc/nodes",
        2,
        "'node 2' is not an identity: identities can only match /^[\\w.-]+$/",
      ),
    );
    expect(() => parseNodeList("a;b", "x")).toThrow(/^x:1: 'a;b' is not an identity/);
  });
});

describe("selectIdentities", () => {
  const hosts = ["node1", "node2", "web1", "db1"];

  it("is the whole list without identity filters", () => {
    expect(selectIdentities(hosts, [])).toEqual(hosts);
  });

  it("takes names exactly and /regex/ with Ruby semantics, each once", () => {
    expect(selectIdentities(hosts, ["node2", "nodeX"])).toEqual(["node2"]);
    expect(selectIdentities(hosts, ["/^node/"])).toEqual(["node1", "node2"]);
    expect(selectIdentities(hosts, ["/1$/", "node1"])).toEqual(["node1", "web1", "db1"]);
  });
});
