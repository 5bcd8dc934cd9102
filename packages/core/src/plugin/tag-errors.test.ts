import {
  ConnectorError,
  InvalidRpcDataError,
  MarshalError,
  PluginError,
  RpcAbortedError,
  SecurityError,
} from "@phobos/errors";
import { describe, expect, it } from "vitest";
import { tagPluginErrors } from "./tag-errors.js";

async function caught(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected a throw");
}

describe("tagPluginErrors", () => {
  it("re-tags a sync throw with type, name and hook, keeping the cause", async () => {
    const boom = new TypeError("cannot read x");
    const facts = tagPluginErrors(
      {
        load(): never {
          throw boom;
        },
      },
      "facts",
      "yaml",
    );
    const err = (await caught(() => facts.load())) as PluginError;
    expect(err).toBeInstanceOf(PluginError);
    expect(err.message).toBe("facts plugin 'yaml' failed in load: cannot read x");
    expect(err).toMatchObject({ pluginType: "facts", pluginName: "yaml", hook: "load", code: "PLUGIN" });
    expect(err.cause).toBe(boom);
  });

  it("re-tags async rejections, and non-Error throws", async () => {
    const audit = tagPluginErrors(
      {
        async audit() {
          throw "disk full";
        },
      },
      "audit",
      "logfile",
    );
    const err = (await caught(() => audit.audit())) as PluginError;
    expect(err.message).toBe("audit plugin 'logfile' failed in audit: disk full");
    expect(err.cause).toBe("disk full");
  });

  it.each([
    new SecurityError("invalid-signature", "bad hash"),
    new RpcAbortedError("nope"),
    new InvalidRpcDataError("bad input"),
    new ConnectorError("refused"),
    new MarshalError("bad type byte", 3),
  ])("lets the contract error %s through unchanged", async (error) => {
    const security = tagPluginErrors(
      {
        decodeRequest(): never {
          throw error;
        },
      },
      "security",
      "psk",
    );
    expect(await caught(() => security.decodeRequest())).toBe(error);
  });

  it("keeps sync methods sync and calls them on the real instance (private fields work)", () => {
    class Counter {
      #n = 0;
      get count() {
        return this.#n;
      }
      bump() {
        this.#n++;
        return this.#n;
      }
    }
    const counter = tagPluginErrors(new Counter(), "registration", "counter");
    expect(counter.bump()).toBe(1);
    expect(counter.count).toBe(1);
    expect(counter).toBeInstanceOf(Counter);
  });

  it("works on frozen instances", () => {
    const validator = tagPluginErrors(
      Object.freeze({
        validate(value: unknown) {
          if (value !== "ok") throw new Error(`${String(value)} is not ok`);
        },
      }),
      "validator",
      "ok",
    );
    expect(() => validator.validate("ok")).not.toThrow();
    expect(() => validator.validate("no")).toThrow("validator plugin 'ok' failed in validate: no is not ok");
  });

  it("tags agent actions by name, and lets RpcErrors through", async () => {
    const agent = tagPluginErrors(
      {
        actions: {
          crash(): never {
            throw new Error("oops");
          },
          abort(): never {
            throw new RpcAbortedError("aborted on purpose");
          },
        },
      },
      "agent",
      "package",
    );
    const err = (await caught(() => agent.actions.crash?.())) as PluginError;
    expect(err.message).toBe("agent plugin 'package' failed in actions.crash: oops");
    expect(await caught(() => agent.actions.abort?.())).toBeInstanceOf(RpcAbortedError);
  });

  it("tags the runs an aggregate starts", () => {
    const aggregate = tagPluginErrors(
      {
        start: () => ({
          process(): never {
            throw new Error("not a number");
          },
          result: () => ({ type: "numeric" as const, value: 0, output: "x" }),
        }),
      },
      "aggregate",
      "sum",
    );
    const run = aggregate.start();
    expect(() => run.process()).toThrow("aggregate plugin 'sum' failed in process: not a number");
  });

  it("does not tag an error twice", async () => {
    const inner = new PluginError({ pluginType: "data", pluginName: "fstat", hook: "query" }, new Error("x"));
    const agent = tagPluginErrors(
      {
        actions: {
          run(): never {
            throw inner;
          },
        },
      },
      "agent",
      "rpcutil",
    );
    expect(await caught(() => agent.actions.run?.())).toBe(inner);
  });
});
