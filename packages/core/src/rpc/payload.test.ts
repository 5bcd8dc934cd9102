import { defineAgentDdl, validateRpcRequest } from "@phobos/ddl";
import { dump, load, RubyFloat, rubyFloat } from "@phobos/ruby";
import { describe, expect, it } from "vitest";
import { rpcRequestFromRuby, rpcRequestToRuby } from "./payload.js";

const ddl = defineAgentDdl({
  metadata: {
    name: "shell",
    description: "d",
    author: "a",
    license: "l",
    version: "1",
    url: "u",
    timeout: 10,
  },
  actions: {
    run: {
      description: "d",
      input: { timeout: { prompt: "T", description: "T", type: "float", optional: true } },
      output: {},
    },
  },
});

describe("rpcRequestFromRuby", () => {
  it("keeps an integral Float input a Float, so a :float input of 30.0 passes the DDL's typecheck", () => {
    const wire = load(
      dump(
        rpcRequestToRuby({ agent: "shell", action: "run", caller: "c", data: { timeout: rubyFloat(30) } }),
      ),
    );
    const { data } = rpcRequestFromRuby(wire);
    expect(data.timeout).toBeInstanceOf(RubyFloat);
    expect(Number(data.timeout)).toBe(30);
    expect(() => validateRpcRequest(ddl, "run", data)).not.toThrow();
  });

  it("an Integer stays a number and is refused for a :float input, as Ruby's typecheck refuses it", () => {
    const wire = load(
      dump(rpcRequestToRuby({ agent: "shell", action: "run", caller: "c", data: { timeout: 30 } })),
    );
    const { data } = rpcRequestFromRuby(wire);
    expect(data.timeout).toBe(30);
    expect(() => validateRpcRequest(ddl, "run", data)).toThrow(
      "Cannot validate input timeout: value should be a float",
    );
  });
});
