import { describe, expect, it } from "vitest";
import { isCompound, PolicySyntaxError, parseGroups, parsePolicy } from "./policy-file.js";

const FILE = "/etc/mcollective/policies/puppet.policy";

function syntaxError(text: string): PolicySyntaxError {
  try {
    parsePolicy(text, FILE);
  } catch (error) {
    if (error instanceof PolicySyntaxError) return error;
    throw error;
  }
  throw new Error("expected a PolicySyntaxError");
}

describe("parsePolicy", () => {
  it("reads the policy files MCollective's documentation shows", () => {
    const policy = parsePolicy(
      [
        "# /etc/mcollective/policies/puppet.policy",
        "policy default deny",
        "allow\tcert=admin\t*\t*\t*",
        "allow\tcert=acme-devs\t*\tcustomer=acme\tacme::devserver",
        "allow\tcert=acme-devs\tenable disable status\tcustomer=acme\t*",
        "allow\tcert=puppet-admins\trestart\t(puppet().enabled=false and environment=production) or environment=development",
        "",
      ].join("\n"),
      FILE,
    );
    expect(policy.defaultEffect).toBe("deny");
    expect(policy.rules.map((r) => [r.line, r.effect, r.callers, r.actions])).toEqual([
      [3, "allow", ["cert=admin"], "*"],
      [4, "allow", ["cert=acme-devs"], "*"],
      [5, "allow", ["cert=acme-devs"], ["enable", "disable", "status"]],
      [6, "allow", ["cert=puppet-admins"], ["restart"]],
    ]);
    expect(policy.rules[1]?.facts).toEqual({ kind: "list", items: ["customer=acme"] });
    expect(policy.rules[1]?.classes).toEqual({ kind: "list", items: ["acme::devserver"] });
    const compound = policy.rules[3]?.facts;
    expect(compound?.kind).toBe("compound");
    expect(policy.rules[3]?.classes).toEqual({ kind: "any" });
  });

  it("takes several tabs between fields, CRLF line ends and a trailing comment on the default", () => {
    const policy = parsePolicy(
      "policy default allow # for now\r\ndeny\t\tuid=500\t\t\t*\t\t\t\t*\t\t*\r\n",
      FILE,
    );
    expect(policy.defaultEffect).toBe("allow");
    expect(policy.rules).toHaveLength(1);
    expect(policy.rules[0]?.callers).toEqual(["uid=500"]);
  });

  it("reports what Ruby's plugin silently skipped, with the file and line", () => {
    expect(syntaxError("policy default deny\nallow cert=admin * * *\n").message).toBe(
      `${FILE}:2: rule fields must be separated by tabs, not spaces`,
    );
    expect(syntaxError("policy default alow\n").message).toBe(
      `${FILE}:1: 'policy default alow': the default is allow or deny`,
    );
    expect(syntaxError("\n\nallow\tcert=a\t*\n").message).toMatch(
      new RegExp(`^${FILE}:3: a rule has 4 or 5 tab-separated fields .* this one has 3$`),
    );
    expect(syntaxError("allow\tcert=a\t*\t*\t*\textra\n").message).toMatch(/:1: a rule has 4 or 5 .* has 6$/);
    expect(syntaxError("permit\tcert=a\t*\t*\t*\n").message).toMatch(/:1: cannot parse 'permit/);
    expect(syntaxError("policy default deny\npolicy default allow\n").message).toMatch(
      /:2: a second 'policy default' line \(the first is line 1\)/,
    );
    expect(syntaxError("allow\tcert=a\t*\twebserver\t*\n").message).toMatch(
      /:1: 'webserver' in the facts column is not fact=value/,
    );
    expect(syntaxError("allow\tcert=a\t*\t*\trole=web\n").message).toMatch(
      /:1: 'role=web' in the classes column is a fact/,
    );
    expect(syntaxError("allow\tcert=a\t*\t(role=web and\t*\n").message).toMatch(
      /:1: the facts column is not a valid -S expression/,
    );
  });

  it("knows a -S expression from a list, as ActionPolicy#is_compound? does", () => {
    expect(isCompound("foo=bar and bar=foo")).toBe(true);
    expect(isCompound("!rspec")).toBe(true);
    expect(isCompound("data('field').value=othervalue")).toBe(true);
    expect(isCompound("f1=v1 f1=v2")).toBe(false);
    expect(isCompound("class1 class2 /class*/")).toBe(false);
  });
});

describe("parseGroups", () => {
  it("reads `name caller caller` lines", () => {
    const groups = parseGroups(
      "# admins\nsysadmin cert=sa1 cert=sa2\n\nsingle cert=one\nempty\n",
      "/p/groups",
    );
    expect([...groups]).toEqual([
      ["sysadmin", ["cert=sa1", "cert=sa2"]],
      ["single", ["cert=one"]],
    ]);
  });

  it("reports a line that is not one", () => {
    expect(() => parseGroups("sys/admin cert=a\n", "/p/groups")).toThrow(
      "/p/groups:1: 'sys/admin cert=a' is not in the format",
    );
  });
});
