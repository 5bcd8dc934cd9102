import { DdlDefinitionError } from "@phobos/errors";
import { describe, expect, test } from "vitest";
import {
  type AgentDdlSpec,
  defineAgentDdl,
  defineDataDdl,
  defineDdl,
  defineDiscoveryDdl,
  defineMetadataDdl,
} from "./define.js";
import type { DdlMetadata } from "./types.js";

const META: DdlMetadata = {
  name: "package",
  description: "Install and uninstall software packages",
  author: "R.I.Pienaar",
  license: "ASL 2.0",
  version: "4.2.0",
  url: "https://github.com/puppetlabs/mcollective-package-agent",
  timeout: 180,
};

function agent(actions: AgentDdlSpec["actions"], extra: Partial<AgentDdlSpec> = {}) {
  return defineAgentDdl({ metadata: META, actions, ...extra });
}

/** Runs a definition that must fail and returns its message. */
function failure(define: () => unknown): string {
  try {
    define();
  } catch (e) {
    expect(e).toBeInstanceOf(DdlDefinitionError);
    return (e as Error).message;
  }
  throw new Error("expected a DdlDefinitionError");
}

// Definitions arrive untyped from JSON and Ruby; tests reach those paths through `unknown`.
const loose = (v: unknown) => v as never;

describe("defineAgentDdl", () => {
  test("fills in the action name, display 'failed', empty inputs and outputs; returns frozen data", () => {
    const ddl = agent({
      status: {
        description: "Get the status of a package",
        display: "always",
        input: {
          package: {
            prompt: "Package Name",
            description: "Package",
            type: "string",
            validation: "shellsafe",
            maxlength: 90,
            optional: false,
          },
        },
        output: { ensure: { description: "Full package version", display_as: "Ensure" } },
        aggregate: [{ function: "summary", args: ["ensure"] }],
      },
      apt_update: { description: "Update the apt cache" },
    });
    expect(ddl.kind).toBe("agent");
    expect(ddl.actions.apt_update).toEqual({
      action: "apt_update",
      description: "Update the apt cache",
      display: "failed",
      input: {},
      output: {},
    });
    expect(ddl.actions.status?.action).toBe("status");
    expect(ddl.actions.status?.input.package).toEqual({
      prompt: "Package Name",
      description: "Package",
      type: "string",
      optional: false,
      validation: "shellsafe",
      maxlength: 90,
    });
    expect(Object.isFrozen(ddl)).toBe(true);
    expect(Object.isFrozen(ddl.actions.status?.input.package)).toBe(true);
    expect(Object.isFrozen(ddl.actions.status?.aggregate)).toBe(true);
  });

  test("keeps a RegExp validation usable and copies defaults so the author's objects stay theirs", () => {
    const mine = { a: [1] };
    const ddl = agent({
      x: {
        description: "x",
        input: {
          v: {
            prompt: "p",
            description: "d",
            type: "string",
            validation: /^a+$/,
            maxlength: 0,
            optional: true,
          },
        },
        output: { o: { description: "d", display_as: "O", default: mine } },
      },
    });
    expect(ddl.actions.x?.input.v?.validation).toBeInstanceOf(RegExp);
    expect((ddl.actions.x?.input.v?.validation as RegExp | undefined)?.test("aaa")).toBe(true);
    expect(ddl.actions.x?.output.o?.default).toEqual(mine);
    expect(ddl.actions.x?.output.o?.default).not.toBe(mine);
    expect(Object.isFrozen(mine)).toBe(false);
  });

  test("a null validation means none; a null default is no default", () => {
    const ddl = agent({
      x: {
        description: "x",
        input: {
          v: {
            prompt: "p",
            description: "d",
            type: "string",
            validation: null,
            maxlength: 0,
            optional: true,
            default: null,
          },
        },
      },
    });
    expect(ddl.actions.x?.input.v).toEqual({
      prompt: "p",
      description: "d",
      type: "string",
      optional: true,
      maxlength: 0,
    });
  });

  test("only string inputs keep validation and maxlength, only list inputs keep list (as DDL::Base stores them)", () => {
    const ddl = agent({
      x: {
        description: "x",
        input: {
          n: loose({
            prompt: "p",
            description: "d",
            type: "integer",
            optional: true,
            validation: "shellsafe",
            maxlength: 3,
            list: [1],
          }),
        },
      },
    });
    expect(ddl.actions.x?.input.n).toEqual({
      prompt: "p",
      description: "d",
      type: "integer",
      optional: true,
    });
  });

  describe("MCollective's rules, with its messages and where the mistake is", () => {
    const base = { prompt: "p", description: "d", optional: false };
    test.each([
      ["prompt", { description: "d", type: "integer", optional: false }, "Input needs a :prompt property"],
      [
        "description",
        { prompt: "p", type: "integer", optional: false },
        "Input needs a :description property",
      ],
      ["type", { prompt: "p", description: "d", optional: false }, "Input needs a :type property"],
      ["optional", { prompt: "p", description: "d", type: "integer" }, "Input needs a :optional property"],
      [
        "validation",
        { ...base, type: "string", maxlength: 1 },
        "Input type :string needs a :validation argument",
      ],
      [
        "maxlength",
        { ...base, type: "string", validation: "shellsafe" },
        "Input type :string needs a :maxlength argument",
      ],
      ["list", { ...base, type: "list" }, "Input type :list needs a :list argument"],
    ])("an input without %s", (_field, input, message) => {
      expect(failure(() => agent({ install: { description: "i", input: { package: loose(input) } } }))).toBe(
        `agent DDL 'package' action 'install' input 'package': ${message}`,
      );
    });

    test("an unknown input type names the known ones", () => {
      expect(
        failure(() => agent({ a: { description: "a", input: { x: loose({ ...base, type: "date" }) } } })),
      ).toBe(
        "agent DDL 'package' action 'a' input 'x': Input type :date is not a known type, use one of string, integer, float, number, boolean, list, hash, array, any",
      );
    });

    test("bad property values", () => {
      expect(
        failure(() =>
          agent({
            a: {
              description: "a",
              input: { x: loose({ ...base, type: "string", validation: 5, maxlength: 1 }) },
            },
          }),
        ),
      ).toMatch(/:validation should be a validator name or a RegExp, not 5$/);
      expect(
        failure(() =>
          agent({
            a: {
              description: "a",
              input: { x: loose({ ...base, type: "string", validation: "", maxlength: 1 }) },
            },
          }),
        ),
      ).toMatch(/:validation should be a validator name or a RegExp/);
      expect(
        failure(() =>
          agent({
            a: {
              description: "a",
              input: { x: loose({ ...base, type: "string", validation: null, maxlength: -1 }) },
            },
          }),
        ),
      ).toMatch(/:maxlength should be a whole number \(0: no limit\), not -1$/);
      expect(
        failure(() =>
          agent({ a: { description: "a", input: { x: loose({ ...base, type: "list", list: "a,b" }) } } }),
        ),
      ).toMatch(/:list should be an Array of the accepted values$/);
      expect(
        failure(() =>
          agent({
            a: { description: "a", input: { x: loose({ ...base, optional: "yes", type: "integer" }) } },
          }),
        ),
      ).toMatch(/:optional should be true or false, not yes$/);
      expect(
        failure(() =>
          agent({ a: { description: "a", input: { x: loose({ ...base, prompt: 3, type: "integer" }) } } }),
        ),
      ).toMatch(/input 'x': :prompt should be a String, not 3$/);
    });

    test.each([
      [{ display_as: "D" }, "Output ensure needs a description argument"],
      [{ description: "d" }, "Output ensure needs a display_as argument"],
    ])("an output without a required field", (output, message) => {
      expect(failure(() => agent({ status: { description: "s", output: { ensure: loose(output) } } }))).toBe(
        `agent DDL 'package' action 'status' output 'ensure': ${message}`,
      );
    });

    test("an action needs a description", () => {
      expect(failure(() => agent({ status: loose({}) }))).toBe(
        "agent DDL 'package' action 'status': Action needs a :description property",
      );
    });

    test("an action keyed differently from its action field", () => {
      expect(failure(() => agent({ status: loose({ description: "s", action: "other" }) }))).toMatch(
        /:action is 'other' but the action is keyed 'status'/,
      );
    });

    test("display must be ok, failed, always or flatten", () => {
      for (const display of ["ok", "failed", "always", "flatten"] as const) {
        expect(agent({ a: { description: "a", display } }).actions.a?.display).toBe(display);
      }
      expect(failure(() => agent({ a: { description: "a", display: loose("sometimes") } }))).toBe(
        "agent DDL 'package' action 'a': Display preference sometimes is not valid, should be :ok, :failed, :flatten or :always",
      );
    });

    test("aggregates name a function and an output", () => {
      const ok = agent({
        a: {
          description: "a",
          aggregate: [{ function: "average", args: ["rtt", { format: "%.2f" }], format: "%d" }],
        },
      });
      expect(ok.actions.a?.aggregate).toEqual([
        { function: "average", args: ["rtt", { format: "%.2f" }], format: "%d" },
      ]);
      expect(failure(() => agent({ a: { description: "a", aggregate: [loose({ args: ["x"] })] } }))).toBe(
        "agent DDL 'package' action 'a' aggregate: aggregate needs the name of an aggregate function",
      );
      expect(
        failure(() => agent({ a: { description: "a", aggregate: [{ function: "summary", args: [] }] } })),
      ).toBe(
        "agent DDL 'package' action 'a' aggregate summary: aggregate method for action 'a' missing a function parameter",
      );
      expect(failure(() => agent({ a: { description: "a", aggregate: [loose("summary(:x)")] } }))).toMatch(
        /Functions supplied to aggregate should be a hash$/,
      );
    });

    test.each(["name", "description", "author", "license", "version", "url", "timeout"])(
      "metadata without :%s",
      (key) => {
        const metadata = loose(Object.fromEntries(Object.entries(META).filter(([k]) => k !== key)));
        const name = key === "name" ? "?" : "package";
        expect(failure(() => defineAgentDdl({ metadata, actions: {} }))).toBe(
          `agent DDL '${name}' metadata: Metadata needs a :${key} property`,
        );
      },
    );

    test("metadata timeout must be a number of seconds", () => {
      expect(
        failure(() => defineAgentDdl({ metadata: loose({ ...META, timeout: "10" }), actions: {} })),
      ).toMatch(/:timeout should be a number of seconds, not 10$/);
    });

    test("requires: only :mcollective, and not newer than the MCollective Phobos speaks (2.12.5)", () => {
      expect(agent({}, { requires: { mcollective: "2.2.1" } }).requires).toEqual({ mcollective: "2.2.1" });
      expect(agent({}, { requires: { mcollective: "2.12.5" } }).requires).toEqual({ mcollective: "2.12.5" });
      expect(failure(() => agent({}, { requires: { mcollective: "2.13.0" } }))).toBe(
        "agent DDL 'package': Agent plugin 'package' requires MCollective version 2.13.0 or newer",
      );
      expect(failure(() => agent({}, { requires: loose({ ruby: "2.0" }) }))).toBe(
        "agent DDL 'package': Requirement ruby is not a valid requirement, only mcollective is supported",
      );
      expect(failure(() => agent({}, { requires: loose("2.2") }))).toMatch(/Requirement should be a hash/);
    });

    test("a source file is named in front of the message", () => {
      expect(
        failure(() => defineAgentDdl({ metadata: loose({}), actions: {} }, { where: "/x/agent/p.ddl" })),
      ).toBe("/x/agent/p.ddl: agent DDL '?' metadata: Metadata needs a :name property");
    });
  });
});

describe("defineDataDdl", () => {
  const query = {
    prompt: "File Name",
    description: "Valid File Name",
    type: "string" as const,
    validation: /.+/,
    maxlength: 120,
  };

  test("one dataquery whose input, if any, is `query` (optional may be left out)", () => {
    const ddl = defineDataDdl({
      metadata: { ...META, name: "File Stat" },
      dataquery: {
        description: "File stat information",
        input: { query },
        output: { size: { description: "File size", display_as: "Size" } },
      },
    });
    expect(ddl.dataquery.input.query?.optional).toBe(false);
    expect(ddl.dataquery.output.size).toEqual({ description: "File size", display_as: "Size" });
  });

  test("the only valid input name is query", () => {
    expect(
      failure(() =>
        defineDataDdl({
          metadata: META,
          dataquery: {
            description: "d",
            input: loose({ file: query }),
            output: { a: { description: "a", display_as: "A" } },
          },
        }),
      ),
    ).toBe(
      "data DDL 'package' dataquery input 'file': The only valid input name for a data query is 'query'",
    );
  });

  test("at least one output, and a description", () => {
    expect(
      failure(() => defineDataDdl({ metadata: META, dataquery: { description: "d", output: {} } })),
    ).toBe("data DDL 'package' dataquery: No output has been defined in the DDL for data plugin package");
    expect(failure(() => defineDataDdl({ metadata: META, dataquery: loose({ output: {} }) }))).toBe(
      "data DDL 'package' dataquery: Data queries need a :description",
    );
    expect(failure(() => defineDataDdl(loose({ metadata: META })))).toMatch(
      /Data queries need a :description/,
    );
  });
});

describe("defineDiscoveryDdl", () => {
  test("capabilities from classes, facts, identity, agents, compound", () => {
    const ddl = defineDiscoveryDdl({ metadata: META, discovery: { capabilities: ["identity", "classes"] } });
    expect(ddl.discovery.capabilities).toEqual(["identity", "classes"]);
  });

  test("empty or unknown capabilities are refused with MCollective's messages", () => {
    expect(failure(() => defineDiscoveryDdl({ metadata: META, discovery: { capabilities: [] } }))).toBe(
      "discovery DDL 'package' discovery: Discovery plugin capabilities can't be empty",
    );
    expect(
      failure(() =>
        defineDiscoveryDdl({ metadata: META, discovery: { capabilities: loose(["facts", "hosts"]) } }),
      ),
    ).toBe(
      "discovery DDL 'package' discovery: hosts is not a valid capability, valid capabilities are :classes, :facts, :identity, :agents and :compound",
    );
  });
});

describe("defineMetadataDdl and defineDdl", () => {
  test("metadata-only DDLs keep usage and requirements", () => {
    const ddl = defineMetadataDdl({ metadata: META, usage: "text", requires: { mcollective: "2.6.0" } });
    expect(ddl).toEqual({
      kind: "metadata",
      metadata: META,
      requires: { mcollective: "2.6.0" },
      usage: "text",
    });
  });

  test("defineDdl re-checks any model by its kind, and a defined DDL passes again unchanged", () => {
    const ddl = agent({
      a: {
        description: "a",
        input: {
          q: {
            prompt: "p",
            description: "d",
            type: "string",
            validation: "shellsafe",
            maxlength: 5,
            optional: true,
          },
        },
      },
    });
    expect(defineDdl(ddl)).toEqual(ddl);
    expect(failure(() => defineDdl(loose({ kind: "widget" })))).toBe("Unknown DDL kind widget");
  });
});
