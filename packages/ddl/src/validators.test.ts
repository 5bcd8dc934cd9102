import { isIPv4, isIPv6 } from "node:net";
import { DdlValidationError, RpcStatus } from "@phobos/errors";
import { RubyFloat, RubyRegex, RubyString } from "@phobos/ruby";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { rubyIpFamily } from "./ip-address.js";
import {
  builtinValidators,
  checkType,
  createValidatorRegistry,
  mcollectiveValidators,
  validateValue,
} from "./validators.js";

const { shellsafe, ipv4address, ipv6address, regex, length, typecheck, array } = mcollectiveValidators;

function message(run: () => void): string {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(DdlValidationError);
    expect((e as DdlValidationError).statuscode).toBe(RpcStatus.INVALID_DATA);
    return (e as Error).message;
  }
  return "ok";
}

describe("shellsafe", () => {
  test.each([
    ["a`b", "`"],
    ["a$b", "$"],
    ["a;b", ";"],
    ["a|b", "|"],
    ["a&&b", "&&"],
    ["a>b", ">"],
    ["a<b", "<"],
  ])("%s → value should not have %s in it", (value, chr) => {
    expect(message(() => shellsafe(value))).toBe(`value should not have ${chr} in it`);
  });

  test("reports the first character in MCollective's order, not the string's", () => {
    expect(message(() => shellsafe("a;b|`"))).toBe("value should not have ` in it");
  });

  test("a single & and other punctuation are fine; a non-String is not (capital S, as Ruby says it)", () => {
    expect(message(() => shellsafe("a & b (c) 'd' \"e\" *"))).toBe("ok");
    expect(message(() => shellsafe(1))).toBe("value should be a String");
    expect(message(() => shellsafe(RubyString.utf8("ok")))).toBe("ok");
  });
});

describe("ipv4address and ipv6address (Ruby IPAddr acceptance)", () => {
  test.each([
    ["10.0.0.1", 4],
    ["10.0.0.1/24", 4],
    ["10.0.0.1/255.255.255.0", 4],
    ["01.2.3.4", undefined],
    ["10.0.0.1/33", undefined],
    ["::1", 6],
    ["[::1]", 6],
    ["fe80::1%eth0", 6],
    ["::ffff:1.2.3.4", 6],
    [" 10.0.0.1", undefined],
    ["", undefined],
  ])("%s → IPv%s", (s, family) => {
    expect(rubyIpFamily(s)).toBe(family);
  });

  test("messages", () => {
    expect(message(() => ipv4address("::1"))).toBe("value should be an ipv4 address");
    expect(message(() => ipv6address("10.0.0.1"))).toBe("value should be an ipv6 address");
    expect(message(() => ipv4address(167772161))).toBe("value should be an ipv4 address");
    expect(message(() => ipv4address("10.0.0.1/8"))).toBe("ok");
    expect(message(() => ipv6address("fe80::1%eth0/64"))).toBe("ok");
  });

  test("agrees with node:net on dotted quads; accepts no plain IPv6 address node refuses", () => {
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        expect(rubyIpFamily(ip)).toBe(isIPv4(ip) ? 4 : undefined);
      }),
    );
    fc.assert(
      fc.property(fc.ipV6(), (ip) => {
        if (rubyIpFamily(ip) === 6) expect(isIPv6(ip)).toBe(true);
      }),
    );
  });

  test("refuses what node:net accepts but IPAddr calls ambiguous: a v4 tail after too many groups", () => {
    expect(isIPv6("::0:0:0:0:0:0.0.0.0")).toBe(true);
    expect(rubyIpFamily("::0:0:0:0:0:0.0.0.0")).toBeUndefined();
  });

  test("never throws, whatever the input", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const family = rubyIpFamily(s);
        expect([4, 6, undefined]).toContain(family);
      }),
    );
  });
});

describe("regex, length, typecheck, array", () => {
  test("regex prints a String pattern as written and a Regexp literal as Ruby's to_s", () => {
    expect(message(() => regex("b", new RubyRegex("^a$")))).toBe("value should match ^a$");
    expect(message(() => regex("b", new RubyRegex("^a$", "", true)))).toBe("value should match (?-mix:^a$)");
    expect(message(() => regex("b", /^a$/))).toBe("value should match ^a$");
    expect(message(() => regex(1, /^a$/))).toBe("value should be a string");
  });

  test("regex uses a global RegExp without keeping state between calls", () => {
    const g = /a/g;
    expect(message(() => regex("a", g))).toBe("ok");
    expect(message(() => regex("a", g))).toBe("ok");
  });

  test("length counts characters, and 0 means unlimited", () => {
    expect(message(() => length("héllo", 5))).toBe("ok");
    expect(message(() => length("😀😀", 2))).toBe("ok");
    expect(message(() => length("abcdef", 5))).toBe("Input string is longer than 5 character(s)");
    expect(message(() => length("x".repeat(1000), 0))).toBe("ok");
  });

  test("typecheck follows Ruby's classes through the Marshal model", () => {
    expect(checkType(1, "integer")).toBe(true);
    expect(checkType(10n ** 30n, "integer")).toBe(true);
    expect(checkType(new RubyFloat(1), "integer")).toBe(false);
    expect(checkType(new RubyFloat(1), "float")).toBe(true);
    expect(checkType(1.5, "float")).toBe(true);
    expect(checkType(1, "float")).toBe(false);
    expect(checkType(1.5, "number")).toBe(true);
    expect(checkType(Symbol.for("s"), "string")).toBe(false);
    expect(checkType(RubyString.utf8("s"), "string")).toBe(true);
    expect(checkType(Buffer.from("s"), "string")).toBe(true);
    expect(checkType("true", "boolean")).toBe(false);
    expect(checkType(new Map(), "hash")).toBe(true);
    expect(checkType({}, "hash")).toBe(true);
    expect(checkType([], "hash")).toBe(false);
    expect(checkType([], "array")).toBe(true);
    expect(checkType(undefined, "any")).toBe(true);
    expect(checkType(1, "widget")).toBe(false);
    expect(message(() => typecheck("1", "integer"))).toBe("value should be a integer");
    expect(message(() => typecheck(1, "array"))).toBe("value should be an array");
  });

  test("array: membership by Ruby ==, message joins the list", () => {
    expect(message(() => array("a", ["a", "b"]))).toBe("ok");
    expect(message(() => array(1, [new RubyFloat(1)]))).toBe("ok");
    expect(message(() => array("c", ["a", "b", 1]))).toBe("value should be one of a, b, 1");
  });
});

describe("validateValue dispatch (Validator.validate)", () => {
  test("null and undefined validate nothing", () => {
    expect(message(() => validateValue(5, null))).toBe("ok");
    expect(message(() => validateValue(5, undefined))).toBe("ok");
  });

  test("type names typecheck, RegExps match, lists must contain the value", () => {
    expect(message(() => validateValue("x", "integer"))).toBe("value should be a integer");
    expect(message(() => validateValue("x", /y/))).toBe("value should match y");
    expect(message(() => validateValue("x", ["a"]))).toBe("value should be one of a");
  });

  test("built-in validator names", () => {
    expect(Object.keys(builtinValidators).sort()).toEqual(["ipv4address", "ipv6address", "shellsafe"]);
    expect(message(() => validateValue("a;b", "shellsafe"))).toBe("value should not have ; in it");
  });

  test("the built-ins that need an argument fail as Ruby does when only named", () => {
    for (const name of ["regex", "length", "typecheck", "array"]) {
      expect(message(() => validateValue("x", name))).toBe("wrong number of arguments (given 1, expected 2)");
    }
  });

  test("add-on validators come from the lookup; their errors keep their message and cause", () => {
    const registry = createValidatorRegistry();
    registry.register("package_name", (v) => {
      if (typeof v !== "string" || !/^[a-zA-Z.\-_\d]+$/.test(v))
        throw new Error(`${String(v)} is not a valid package name`);
    });
    expect(registry.names()).toEqual(["package_name"]);
    expect(message(() => validateValue("zsh", "package_name", registry.lookup))).toBe("ok");
    let caught: unknown;
    try {
      validateValue("z sh", "package_name", registry.lookup);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DdlValidationError);
    expect((caught as Error).message).toBe("z sh is not a valid package name");
    expect((caught as Error).cause).toBeInstanceOf(Error);
  });

  test("an unknown name is a clear error, in Ruby's words", () => {
    expect(message(() => validateValue("x", "service_name"))).toBe("Unknown validator: 'service_name'.");
    expect(message(() => validateValue("x", "service_name", () => undefined))).toBe(
      "Unknown validator: 'service_name'.",
    );
  });
});
