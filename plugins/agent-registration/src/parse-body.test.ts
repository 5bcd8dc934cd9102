import { RubyFloat, sym } from "@phobos/core";
import { describe, expect, it } from "vitest";
import { parseRegistrationBody } from "./parse-body.js";

const hash = (entries: [unknown, unknown][]) => new Map(entries as never);

describe("parseRegistrationBody", () => {
  it("reads Ruby's agentlist body, an Array of agent names", () => {
    expect(parseRegistrationBody(["discovery", "rpcutil", Buffer.from("package")])).toEqual({
      source: "agentlist",
      agents: ["discovery", "rpcutil", "package"],
    });
  });

  it.each([
    ["Symbol", sym],
    ["String", (k: string) => k],
  ])("reads a meta Hash with %s keys, normalizing facts as a node does", (_, key) => {
    const body = hash([
      [key("agentlist"), ["rpcutil"]],
      [
        key("facts"),
        hash([
          [key("osfamily"), "Debian"],
          [key("cpus"), 4],
          [key("load"), new RubyFloat(1)],
          [key("os"), hash([["release", hash([["major", 12]])]])],
        ]),
      ],
      [key("classes"), ["base", "role::web"]],
      [key("collectives"), ["mcollective", "eu"]],
      [key("identity"), "ignored.example.com"],
    ]);
    expect(parseRegistrationBody(body as never)).toEqual({
      source: "meta",
      agents: ["rpcutil"],
      facts: { osfamily: "Debian", cpus: "4", load: "1.0", os: { release: { major: "12" } } },
      classes: ["base", "role::web"],
      collectives: ["mcollective", "eu"],
    });
  });

  it("leaves out what a meta Hash sends as nil, so what is stored is kept", () => {
    expect(
      parseRegistrationBody(
        hash([
          [sym("agentlist"), ["rpcutil"]],
          [sym("classes"), null],
        ]) as never,
      ),
    ).toEqual({
      source: "meta",
      agents: ["rpcutil"],
    });
  });

  it("takes a version", () => {
    expect(parseRegistrationBody(hash([[sym("version"), "0.1.0"]]) as never)).toEqual({
      source: "meta",
      version: "0.1.0",
    });
  });

  it.each([
    [
      "a String",
      "hello",
      'a registration body is an Array of agent names or a meta Hash, got String "hello"',
    ],
    ["nil", null, "a registration body is an Array of agent names or a meta Hash, got nil nil"],
    ["an Integer", 42, "got Integer 42"],
    ["an agent list with an Integer", ["rpcutil", 5], "item 1 of the agent list is Integer 5, not a String"],
    [
      "a Hash of nothing it knows",
      hash([["foo", 1]]),
      "a registration Hash has none of :agentlist, :facts, :classes, :collectives, :version",
    ],
    ["facts that are an Array", hash([[sym("facts"), ["a"]]]), ':facts is a Hash, got Array ["a"]'],
    [
      "classes that are a String",
      hash([[sym("classes"), "base"]]),
      ':classes is an Array of Strings, got String "base"',
    ],
    ["a version that is an Integer", hash([[sym("version"), 2]]), ":version is a String, got Integer 2"],
  ])("refuses %s, naming what was wrong", (_, body, message) => {
    expect(() => parseRegistrationBody(body as never)).toThrow(message);
  });
});
