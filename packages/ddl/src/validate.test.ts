import { DdlValidationError, RpcStatus } from "@phobos/errors";
import { RubyFloat, RubyRegex } from "@phobos/ruby";
import { describe, expect, test } from "vitest";
import { defineAgentDdl, defineDataDdl } from "./define.js";
import type { DataDdl, DdlMetadata } from "./types.js";
import {
  convertCliArgument,
  defaultOutputs,
  setDefaultInputs,
  transformDataInput,
  validateDataQuery,
  validateRpcRequest,
} from "./validate.js";
import { createValidatorRegistry } from "./validators.js";

const META: DdlMetadata = {
  name: "demo",
  description: "d",
  author: "a",
  license: "l",
  version: "1",
  url: "u",
  timeout: 10,
};

const ddl = defineAgentDdl({
  metadata: META,
  actions: {
    install: {
      description: "Install",
      input: {
        package: {
          prompt: "Package",
          description: "P",
          type: "string",
          validation: "shellsafe",
          maxlength: 10,
          optional: false,
        },
        version: {
          prompt: "Version",
          description: "V",
          type: "string",
          validation: new RubyRegex("^[\\d.]+$"),
          maxlength: 0,
          optional: true,
        },
        mode: {
          prompt: "Mode",
          description: "M",
          type: "list",
          list: ["fast", "safe"],
          optional: true,
          default: "safe",
        },
        force: { prompt: "Force", description: "F", type: "boolean", optional: true },
        count: { prompt: "Count", description: "C", type: "integer", optional: false, default: 1 },
        ratio: { prompt: "Ratio", description: "R", type: "float", optional: true },
        size: { prompt: "Size", description: "S", type: "number", optional: true },
        options: { prompt: "Options", description: "O", type: "hash", optional: true },
        names: { prompt: "Names", description: "N", type: "array", optional: true },
        extra: { prompt: "Extra", description: "E", type: "any", optional: true },
      },
      output: {
        status: { description: "Status", display_as: "Status", default: "unknown" },
        list: { description: "List", display_as: "List", default: [{ a: 1 }] },
        none: { description: "None", display_as: "None" },
      },
    },
    ping: { description: "Ping" },
  },
});

function message(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(DdlValidationError);
    expect((e as DdlValidationError).statuscode).toBe(RpcStatus.INVALID_DATA);
    return (e as Error).message;
  }
  return "ok";
}

const valid = { package: "zsh", count: 2 };

describe("validateRpcRequest", () => {
  test("an undeclared action", () => {
    expect(message(() => validateRpcRequest(ddl, "purge", {}))).toBe(
      "Attempted to call action purge for demo but it's not declared in the DDL",
    );
    expect(message(() => validateRpcRequest(ddl, "toString", {}))).toMatch(
      /^Attempted to call action toString/,
    );
  });

  test("a missing required input; an undefined value counts as missing", () => {
    expect(message(() => validateRpcRequest(ddl, "install", { count: 1 }))).toBe(
      "Action install needs a package argument",
    );
    expect(message(() => validateRpcRequest(ddl, "install", { package: undefined, count: 1 }))).toBe(
      "Action install needs a package argument",
    );
  });

  test("inputs are checked in declaration order, first failure wins", () => {
    expect(message(() => validateRpcRequest(ddl, "install", { package: "a;b" }))).toBe(
      "Cannot validate input package: value should not have ; in it",
    );
  });

  test("string inputs: type, then length, then validation", () => {
    expect(message(() => validateRpcRequest(ddl, "install", { ...valid, package: 5 }))).toBe(
      "Cannot validate input package: value should be a string",
    );
    expect(message(() => validateRpcRequest(ddl, "install", { ...valid, package: "a;".repeat(6) }))).toBe(
      "Cannot validate input package: Input string is longer than 10 character(s)",
    );
    expect(message(() => validateRpcRequest(ddl, "install", { ...valid, version: "1.x" }))).toBe(
      "Cannot validate input version: value should match ^[\\d.]+$",
    );
    expect(message(() => validateRpcRequest(ddl, "install", { ...valid, version: "1.2" }))).toBe("ok");
  });

  test("a present nil is validated, not skipped", () => {
    expect(message(() => validateRpcRequest(ddl, "install", { ...valid, version: null }))).toBe(
      "Cannot validate input version: value should be a string",
    );
  });

  test("list, boolean, integer, float and number inputs", () => {
    expect(message(() => validateRpcRequest(ddl, "install", { ...valid, mode: "slow" }))).toBe(
      "Cannot validate input mode: value should be one of fast, safe",
    );
    expect(message(() => validateRpcRequest(ddl, "install", { ...valid, force: "true" }))).toBe(
      "Cannot validate input force: value should be a boolean",
    );
    expect(message(() => validateRpcRequest(ddl, "install", { ...valid, count: 1.5 }))).toBe(
      "Cannot validate input count: value should be a integer",
    );
    expect(message(() => validateRpcRequest(ddl, "install", { ...valid, ratio: 1 }))).toBe(
      "Cannot validate input ratio: value should be a float",
    );
    expect(message(() => validateRpcRequest(ddl, "install", { ...valid, ratio: new RubyFloat(1) }))).toBe(
      "ok",
    );
    expect(message(() => validateRpcRequest(ddl, "install", { ...valid, size: "3" }))).toBe(
      "Cannot validate input size: value should be a number",
    );
    expect(message(() => validateRpcRequest(ddl, "install", { ...valid, size: 3n }))).toBe("ok");
  });

  test("hash, array and any inputs (Phobos checks what MCollective 2.12 cannot)", () => {
    expect(
      message(() =>
        validateRpcRequest(ddl, "install", { ...valid, options: { a: 1 }, names: ["x"], extra: 1 }),
      ),
    ).toBe("ok");
    expect(message(() => validateRpcRequest(ddl, "install", { ...valid, options: new Map() }))).toBe("ok");
    expect(message(() => validateRpcRequest(ddl, "install", { ...valid, options: [1] }))).toBe(
      "Cannot validate input options: value should be a hash",
    );
    expect(message(() => validateRpcRequest(ddl, "install", { ...valid, names: "x" }))).toBe(
      "Cannot validate input names: value should be an array",
    );
  });

  test("undeclared inputs pass through, as in MCollective", () => {
    expect(validateRpcRequest(ddl, "install", { ...valid, process_results: true, anything: [] })).toBe(true);
  });

  test("add-on validators are found through the lookup", () => {
    const custom = defineAgentDdl({
      metadata: META,
      actions: {
        start: {
          description: "s",
          input: {
            service: {
              prompt: "S",
              description: "S",
              type: "string",
              validation: "service_name",
              maxlength: 90,
              optional: false,
            },
          },
        },
      },
    });
    expect(message(() => validateRpcRequest(custom, "start", { service: "sshd" }))).toBe(
      "Cannot validate input service: Unknown validator: 'service_name'.",
    );
    const registry = createValidatorRegistry({
      service_name: (v) => {
        if (!/^[a-zA-Z.\-_\d:@]+$/.test(String(v)))
          throw new Error(`${String(v)} is not a valid service name`);
      },
    });
    expect(message(() => validateRpcRequest(custom, "start", { service: "sshd" }, registry.lookup))).toBe(
      "ok",
    );
    expect(message(() => validateRpcRequest(custom, "start", { service: "ss hd" }, registry.lookup))).toBe(
      "Cannot validate input service: ss hd is not a valid service name",
    );
  });
});

describe("setDefaultInputs (set_default_input_arguments)", () => {
  test("fills only required inputs with a non-nil default; optional inputs never get theirs", () => {
    const data = setDefaultInputs(ddl, "install", { package: "zsh" });
    expect(data).toEqual({ package: "zsh", count: 1 });
    expect(data).not.toHaveProperty("mode");
  });

  test("given values win, and the request object itself is updated", () => {
    const data: Record<string, unknown> = { package: "zsh", count: 7 };
    expect(setDefaultInputs(ddl, "install", data)).toBe(data);
    expect(data.count).toBe(7);
  });

  test("a false default is still a default; an unknown action changes nothing", () => {
    const d = defineAgentDdl({
      metadata: META,
      actions: {
        a: {
          description: "a",
          input: { b: { prompt: "p", description: "d", type: "boolean", optional: false, default: false } },
        },
      },
    });
    expect(setDefaultInputs(d, "a", {})).toEqual({ b: false });
    expect(setDefaultInputs(d, "zzz", {})).toEqual({});
  });
});

describe("defaultOutputs (Reply#initialize_data)", () => {
  test("every declared output, its default or null", () => {
    expect(defaultOutputs(ddl, "install")).toEqual({ status: "unknown", list: [{ a: 1 }], none: null });
    expect(defaultOutputs(ddl, "ping")).toEqual({});
  });

  test("defaults are deep copies: changing a reply cannot change the DDL", () => {
    const reply = defaultOutputs(ddl, "install");
    (reply.list as { a: number }[])[0]!.a = 99;
    expect(defaultOutputs(ddl, "install").list).toEqual([{ a: 1 }]);
    expect(Object.isFrozen(reply.list)).toBe(false);
  });

  test("an undeclared action gives an empty reply, as MCollective leaves it", () => {
    expect(defaultOutputs(ddl, "nope")).toEqual({});
  });
});

describe("data queries (Data.ddl_validate, ddl_transform_input)", () => {
  const output = { size: { description: "Size", display_as: "Size" } };
  const fstat = defineDataDdl({
    metadata: { ...META, name: "File Stat" },
    dataquery: {
      description: "stat",
      input: {
        query: {
          prompt: "File",
          description: "F",
          type: "string",
          validation: new RubyRegex(".+", "", true),
          maxlength: 120,
        },
      },
      output,
    },
  });
  const numeric = (type: "boolean" | "integer" | "number" | "float", optional = false): DataDdl =>
    defineDataDdl({
      metadata: META,
      dataquery: {
        description: "n",
        input: { query: { prompt: "p", description: "d", type, optional } },
        output,
      },
    });
  const noInput = defineDataDdl({
    metadata: { ...META, name: "Agent" },
    dataquery: { description: "n", output },
  });

  test("the argument is validated as input `query`", () => {
    expect(validateDataQuery(fstat, "/etc/hosts")).toBe(true);
    expect(message(() => validateDataQuery(fstat, ""))).toBe(
      "Cannot validate input query: value should match (?-mix:.+)",
    );
    expect(message(() => validateDataQuery(fstat, null))).toBe(
      "Cannot validate input query: value should be a string",
    );
  });

  test("a nil argument is fine when the query input is optional", () => {
    expect(validateDataQuery(numeric("integer", true), undefined)).toBe(true);
    expect(message(() => validateDataQuery(numeric("integer"), undefined))).toBe(
      "Cannot validate input query: value should be a integer",
    );
  });

  test("a plugin without input refuses an argument", () => {
    expect(validateDataQuery(noInput, null)).toBe(true);
    expect(message(() => validateDataQuery(noInput, "x"))).toBe(
      "No data plugin argument was declared in the Agent DDL but an input was supplied",
    );
  });

  test("transformDataInput converts booleans and numbers, and leaves what does not convert", () => {
    expect(transformDataInput(numeric("boolean"), "yes")).toBe(true);
    expect(transformDataInput(numeric("boolean"), "perhaps")).toBe("perhaps");
    expect(transformDataInput(numeric("integer"), "12")).toBe(12);
    expect(transformDataInput(numeric("float"), "1.0")).toEqual(new RubyFloat(1));
    expect(transformDataInput(numeric("number"), "-3")).toBe("-3");
    expect(transformDataInput(fstat, "12")).toBe("12");
    expect(transformDataInput(numeric("integer"), 12)).toBe(12);
  });
});

describe("convertCliArgument (mco rpc key=value)", () => {
  test("booleans and numbers are converted; failures read as MCollective's", () => {
    expect(convertCliArgument(ddl, "install", "force", "yes")).toBe(true);
    expect(convertCliArgument(ddl, "install", "force", "F")).toBe(false);
    expect(message(() => convertCliArgument(ddl, "install", "force", "perhaps"))).toBe(
      "perhaps does not look like a boolean argument",
    );
    expect(convertCliArgument(ddl, "install", "count", "10")).toBe(10);
    expect(convertCliArgument(ddl, "install", "count", "1.5")).toBe(1.5);
    expect(convertCliArgument(ddl, "install", "ratio", "2.0")).toEqual(new RubyFloat(2));
    expect(convertCliArgument(ddl, "install", "size", "99999999999999999999")).toBe(99999999999999999999n);
    expect(message(() => convertCliArgument(ddl, "install", "count", "-1"))).toBe(
      "-1 does not look like a number",
    );
  });

  test("string, list, hash, array and any inputs stay text, as do unknown keys and actions", () => {
    expect(convertCliArgument(ddl, "install", "package", "42")).toBe("42");
    expect(convertCliArgument(ddl, "install", "mode", "fast")).toBe("fast");
    expect(convertCliArgument(ddl, "install", "options", '{"a":1}')).toBe('{"a":1}');
    expect(convertCliArgument(ddl, "install", "names", "a,b")).toBe("a,b");
    expect(convertCliArgument(ddl, "install", "extra", "true")).toBe("true");
    expect(convertCliArgument(ddl, "install", "unknown", "true")).toBe("true");
    expect(convertCliArgument(ddl, "nope", "force", "true")).toBe("true");
  });

  test("a converted value then fails validation where Ruby's would (1.5 for an integer)", () => {
    const count = convertCliArgument(ddl, "install", "count", "1.5");
    expect(message(() => validateRpcRequest(ddl, "install", { package: "zsh", count }))).toBe(
      "Cannot validate input count: value should be a integer",
    );
  });
});
