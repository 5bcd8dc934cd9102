import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { explainActiveMqError } from "./connector.js";
import {
  broadcastDestination,
  decode64,
  directedDestination,
  directedSelector,
  encode64,
  messageHeaders,
  replyDestination,
} from "./destinations.js";

const naming = { agentsMultiplex: false, identity: "refclient", pid: 26933 };

describe("ActiveMQ destinations (connector/activemq.rb make_target, WIRE.md §3)", () => {
  it("broadcasts go to one topic per collective and agent, or one per collective with agents_multiplex", () => {
    expect(broadcastDestination(naming, "mcollective", "discovery")).toBe(
      "/topic/mcollective.discovery.agent",
    );
    expect(broadcastDestination(naming, "dc1", "rpcutil")).toBe("/topic/dc1.rpcutil.agent");
    expect(broadcastDestination({ ...naming, agentsMultiplex: true }, "mcollective", "rpcutil")).toBe(
      "/topic/mcollective.agents",
    );
  });

  it("directed requests share the collective's nodes queue; each daemon selects its own identity", () => {
    expect(directedDestination("mcollective")).toBe("/queue/mcollective.nodes");
    expect(directedSelector("node1")).toBe("mc_identity = 'node1'");
  });

  it("each request has its reply queue: <collective>.reply.<identity>_<pid>.<request sequence>", () => {
    expect(replyDestination(naming, "mcollective", 1)).toBe("/queue/mcollective.reply.refclient_26933.1");
    expect(replyDestination(naming, "dc1", 2)).toBe("/queue/dc1.reply.refclient_26933.2");
  });
});

describe("ActiveMQ headers (headers_for)", () => {
  // 01-ping.txt of wire/scenarios/activemq-psk: sent at 1795531697 s, ttl 60.
  const now = 1795531697_400;

  it("a broadcast request: timestamp, expires, reply-to, mc_sender, in Ruby's order", () => {
    const headers = messageHeaders({
      priority: 0,
      ttl: 60,
      sender: "refclient",
      replyTo: "/queue/mcollective.reply.refclient_26933.1",
      now,
    });
    expect(Object.entries(headers)).toEqual([
      ["timestamp", "1795531697000"],
      ["expires", "1795531767000"],
      ["reply-to", "/queue/mcollective.reply.refclient_26933.1"],
      ["mc_sender", "refclient"],
    ]);
  });

  it("a directed request adds mc_identity; a priority above 0 comes first", () => {
    const headers = messageHeaders({
      priority: 7,
      ttl: 30,
      sender: "c",
      replyTo: "/queue/x",
      node: "node2",
      now,
    });
    expect(Object.keys(headers)).toEqual([
      "priority",
      "timestamp",
      "expires",
      "reply-to",
      "mc_identity",
      "mc_sender",
    ]);
    expect(headers.priority).toBe("7");
    expect(headers.mc_identity).toBe("node2");
    expect(headers.expires).toBe(String((1795531697 + 30 + 10) * 1000));
  });

  it("a reply: timestamp, expires and mc_sender only", () => {
    expect(messageHeaders({ priority: 0, ttl: 60, sender: "node2", now })).toEqual({
      timestamp: "1795531697000",
      expires: "1795531767000",
      mc_sender: "node2",
    });
  });
});

describe("plugin.activemq.base64", () => {
  it("encodes as Ruby's Base64.encode64 does, and decodes what Ruby encodes", () => {
    const bytes = randomBytes(200);
    const ruby = execFileSync("ruby", ["-rbase64", "-e", "print Base64.encode64(STDIN.read)"], {
      input: bytes,
    });
    expect(Buffer.from(encode64(bytes)).toString("latin1")).toBe(ruby.toString("latin1"));
    expect(Buffer.from(decode64(ruby))).toEqual(bytes);
  });
});

describe("ActiveMQ errors an operator meets", () => {
  it("a refused login points at the credentials", () => {
    expect(explainActiveMqError("User name [mcollective] or password is invalid.")).toMatch(
      /plugin\.activemq\.pool\.N\.user\/password \(or STOMP_USER\/STOMP_PASSWORD\)/,
    );
  });

  it("a refused destination points at the authorization entries", () => {
    expect(
      explainActiveMqError("User mcollective is not authorized to read from: topic://other.rpcutil.agent"),
    ).toMatch(/does not let this user read topic:\/\/other\.rpcutil\.agent: MCollective needs/);
    expect(explainActiveMqError("something else")).toBeUndefined();
  });
});
