import { existsSync, readFileSync } from "node:fs";
import { Readable } from "node:stream";
import { readInputOnce } from "@phobos/client";
import { emptyFilter, type Filter, parseRubyDdl } from "@phobos/core";
import { createFakeDiscoveryClient, describeDiscoveryPlugin, openPlugin } from "@phobos/testing";
import { describe, expect, it } from "vitest";
import ddl from "./ddl.js";
import stdin from "./discovery.js";
import { hostsFromJson, parseStdinHosts } from "./parse-stdin.js";

/** What `mco rpc rpcutil ping -j` prints (Ruby's and Phobos's alike). */
const RPC_JSON = JSON.stringify([
  { agent: "rpcutil", action: "ping", sender: "node2", statuscode: 0, statusmsg: "OK", data: { pong: 1 } },
  { agent: "rpcutil", action: "ping", sender: "node1", statuscode: 0, statusmsg: "OK", data: { pong: 1 } },
  { agent: "rpcutil", action: "ping", sender: "node2", statuscode: 0, statusmsg: "OK", data: { pong: 1 } },
]);

describe("parseStdinHosts", () => {
  it("auto: JSON when the text starts with [, lines otherwise", () => {
    expect(parseStdinHosts(RPC_JSON)).toEqual(["node2", "node1"]);
    expect(parseStdinHosts("node1\nnode2\n")).toEqual(["node1", "node2"]);
    expect(parseStdinHosts(`  \n${RPC_JSON}`)).toEqual(["node2", "node1"]);
  });

  it("PuppetDB's certname works as well as mco's sender", () => {
    expect(hostsFromJson('[{"certname":"db1.example.com"},{"sender":"web1"}]')).toEqual([
      "db1.example.com",
      "web1",
    ]);
  });

  it("--do text and --do json force the format", () => {
    expect(() => parseStdinHosts("[not json]\n", "text")).toThrow("STDIN:1: '[not json]' is not an identity");
    expect(() => parseStdinHosts("node1\n", "json")).toThrow(/not valid JSON/);
    expect(() => parseStdinHosts("node1\n", "yaml")).toThrow(
      'stdin discovery plugin only knows the types auto/text/json, not "yaml"',
    );
  });

  it("refuses what cannot be a host list", () => {
    expect(() => parseStdinHosts(" \n\t\n")).toThrow(
      "data piped on STDIN contained only whitespace - could not discover hosts from it.",
    );
    expect(() => parseStdinHosts('{"sender":"x"}', "json")).toThrow("JSON hosts list is not an array");
    expect(() => parseStdinHosts('["x"]')).toThrow("JSON host list is not an array of Hashes (entry 1)");
    expect(() => parseStdinHosts('[{"name":"x"}]')).toThrow(
      "JSON host list does not have senders in it (entry 1)",
    );
    expect(() => parseStdinHosts('[{"sender":"a b"}]')).toThrow("'a b' is not an identity");
  });
});

describeDiscoveryPlugin({
  definition: stdin,
  ddl,
  // Stdin discovery never broadcasts: a client that answers nobody proves it.
  client: createFakeDiscoveryClient([]),
  stdin: "node1\nnode2\nnode3\n",
});

async function discover(input: (() => Promise<string>) | undefined, filter: Filter, options: string[] = []) {
  const plugin = await openPlugin({ definition: stdin }, "client", "mco");
  try {
    return await plugin.instance.discover({
      filter,
      timeout: 0,
      limit: 0,
      options,
      client: createFakeDiscoveryClient([]),
      ...(input ? { stdin: input } : {}),
    });
  } finally {
    plugin.close();
  }
}

describe("stdin discovery", () => {
  it("discovers the request's input, narrowed by -I", async () => {
    const input = readInputOnce(RPC_JSON);
    expect(await discover(input, { ...emptyFilter(), identity: ["/1$/"] }, ["auto"])).toEqual(["node1"]);
    expect(await discover(input, emptyFilter())).toEqual(["node2", "node1"]);
  });

  it("reads a stream given as input once, however often it discovers", async () => {
    const input = readInputOnce(Readable.from(["node1\n", "node2\n"]));
    expect(await discover(input, emptyFilter(), ["text"])).toEqual(["node1", "node2"]);
    expect(await discover(input, emptyFilter(), ["text"])).toEqual(["node1", "node2"]);
  });

  it("without input, says the client was given none", async () => {
    await expect(discover(undefined, emptyFilter())).rejects.toThrow(
      "the stdin discovery method needs the client's input, and this client was given none",
    );
  });

  it("has MCollective's stdin.ddl as its DDL", () => {
    const ruby = "/usr/lib/ruby/vendor_ruby/mcollective/discovery/stdin.ddl";
    if (!existsSync(ruby)) throw new Error(`${ruby} is missing: run \`sh tooling/scripts/provision.sh\``);
    expect(ddl).toEqual(parseRubyDdl(readFileSync(ruby, "utf8"), { file: ruby, kind: "discovery" }));
  });
});
