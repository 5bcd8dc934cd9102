import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { DdlDefinitionError } from "@phobos/errors";
import { RubyRegex } from "@phobos/ruby";
import { describe, expect, test } from "vitest";
import { defineDiscoveryDdl, defineMetadataDdl } from "./define.js";
import { AGENT_DDL_SCHEMA, DATA_DDL_SCHEMA, parseJsonDdl, stringifyJsonDdl, toJsonDdl } from "./json-ddl.js";
import { parseRubyDdl } from "./ruby-ddl.js";
import type { AgentDdl, DataDdl } from "./types.js";
import { validateRpcRequest } from "./validate.js";

const fixture = (path: string) =>
  readFileSync(fileURLToPath(new URL(`./__fixtures__/libdir/mcollective/${path}`, import.meta.url)), "utf8");

function error(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(DdlDefinitionError);
    return (e as Error).message;
  }
  throw new Error("expected a DdlDefinitionError");
}

describe("reading Choria-style agent DDLs", () => {
  const ddl = parseJsonDdl(fixture("agent/webapp.json"), { file: "webapp.json" }) as AgentDdl;

  test("actions come keyed by name, in the document's order, with their fields", () => {
    expect(ddl.kind).toBe("agent");
    expect(ddl.metadata).toEqual({
      name: "webapp",
      description: "Deploys and inspects a web application",
      author: "Phobos tests",
      license: "Apache-2.0",
      version: "0.3.0",
      url: "https://example.com/webapp",
      timeout: 30,
    });
    expect(Object.keys(ddl.actions)).toEqual(["deploy", "status"]);
    expect(ddl.actions.status).toEqual({
      action: "status",
      description: "Report the running release",
      display: "ok",
      input: {},
      output: {},
    });
    expect(ddl.actions.deploy?.aggregate).toEqual([
      { function: "summary", args: ["status"] },
      { function: "average", args: ["duration", { format: "%.1f" }] },
    ]);
    expect(ddl.actions.deploy?.output.status).toEqual({
      description: "Deployment status",
      display_as: "Status",
      default: "pending",
      type: "string",
    });
  });

  test("Choria's type spellings: Hash, Array and '' (any)", () => {
    const input = ddl.actions.deploy?.input;
    expect([input?.settings?.type, input?.hosts?.type, input?.anything?.type]).toEqual([
      "hash",
      "array",
      "any",
    ]);
  });

  test("a name-like validation names a validator; anything else is a pattern matched Ruby's way", () => {
    const input = ddl.actions.deploy?.input;
    expect(input?.target?.validation).toBe("ipv4address");
    const release = input?.release?.validation;
    expect(release).toBeInstanceOf(RubyRegex);
    expect((release as RubyRegex).toRubyString()).toBe("^[\\w.\\-]+$");
    expect(() => validateRpcRequest(ddl, "deploy", { release: "1.2.3" })).not.toThrow();
    expect(() => validateRpcRequest(ddl, "deploy", { release: "1.2.3", target: "::1" })).toThrow(
      "Cannot validate input target: value should be an ipv4 address",
    );
  });

  test("a data DDL: metadata, query and output", () => {
    const data = parseJsonDdl(fixture("data/release_data.json")) as DataDdl;
    expect(data.kind).toBe("data");
    expect(data.dataquery.description).toBe("The deployed release");
    expect(data.dataquery.input.query?.validation).toBe("shellsafe");
    expect(Object.keys(data.dataquery.output)).toEqual(["release"]);
  });

  test("errors name the file", () => {
    expect(error(() => parseJsonDdl("{", { file: "bad.json" }))).toMatch(/^bad\.json: not valid JSON: /);
    expect(error(() => parseJsonDdl("[]", { file: "bad.json" }))).toBe(
      "bad.json: a JSON DDL must be an object",
    );
    expect(
      error(() =>
        parseJsonDdl({ $schema: AGENT_DDL_SCHEMA, metadata: {}, actions: [{}] }, { file: "bad.json" }),
      ),
    ).toBe('bad.json: actions[0] needs an "action" name');
    const noMaxlength = JSON.parse(fixture("agent/webapp.json"));
    noMaxlength.actions[0].input.release.type = "date";
    expect(error(() => parseJsonDdl(noMaxlength, { file: "w.json" }))).toMatch(
      /^w\.json: agent DDL 'webapp' action 'deploy' input 'release': Input type :date is not a known type/,
    );
    expect(error(() => parseJsonDdl(fixture("agent/webapp.json"), { file: "w.json", kind: "data" }))).toBe(
      "w.json: expected a data DDL but this is an agent DDL",
    );
    const badPattern = JSON.parse(fixture("agent/webapp.json"));
    badPattern.actions[0].input.release.validation = "(?<x";
    expect(error(() => parseJsonDdl(badPattern, { file: "w.json" }))).toMatch(
      /^w\.json: action 'deploy' input 'release': /,
    );
  });
});

describe("writing JSON DDLs", () => {
  test("an agent: the Choria layout, with the schema URL", () => {
    const ddl = parseRubyDdl(
      `metadata :name => "demo", :description => "D", :author => "A", :license => "L", :version => "1", :url => "U", :timeout => 2
action "run", :description => "Run" do
  display :always
  input :cmd, :prompt => "C", :description => "Cmd", :type => :string, :validation => '^\\w+$', :optional => false, :maxlength => 10
  input :any, :prompt => "A", :description => "Any", :type => :any, :optional => true
  output :out, :description => "Out", :display_as => "Out", :default => ""
  summarize do
    aggregate summary(:out), :format => "%s"
  end
end
`,
      { kind: "agent" },
    );
    expect(toJsonDdl(ddl)).toEqual({
      $schema: AGENT_DDL_SCHEMA,
      metadata: {
        name: "demo",
        description: "D",
        author: "A",
        license: "L",
        version: "1",
        url: "U",
        timeout: 2,
      },
      actions: [
        {
          action: "run",
          input: {
            cmd: {
              prompt: "C",
              description: "Cmd",
              type: "string",
              default: null,
              optional: false,
              validation: "^\\w+$",
              maxlength: 10,
            },
            any: { prompt: "A", description: "Any", type: "", default: null, optional: true },
          },
          output: { out: { description: "Out", display_as: "Out", default: "" } },
          display: "always",
          description: "Run",
          aggregate: [{ function: "summary", args: ["out"], format: "%s" }],
        },
      ],
    });
  });

  test("round trips: JSON written from a model reads back as the same model", () => {
    const webapp = parseJsonDdl(fixture("agent/webapp.json"));
    expect(parseJsonDdl(stringifyJsonDdl(webapp))).toEqual(webapp);
    const data = parseJsonDdl(fixture("data/release_data.json"));
    expect(toJsonDdl(data)).toMatchObject({ $schema: DATA_DDL_SCHEMA, description: "The deployed release" });
    expect(parseJsonDdl(stringifyJsonDdl(data))).toEqual(data);
    const meta = {
      name: "m",
      description: "d",
      author: "a",
      license: "l",
      version: "1",
      url: "u",
      timeout: 1,
    };
    const discovery = defineDiscoveryDdl({ metadata: meta, discovery: { capabilities: ["identity"] } });
    expect(parseJsonDdl(stringifyJsonDdl(discovery))).toEqual(discovery);
    const plain = defineMetadataDdl({ metadata: meta, usage: "u", requires: { mcollective: "2.6.0" } });
    expect(parseJsonDdl(stringifyJsonDdl(plain))).toEqual(plain);
  });

  test("a value JSON cannot hold is a clear error", () => {
    const meta = {
      name: "m",
      description: "d",
      author: "a",
      license: "l",
      version: "1",
      url: "u",
      timeout: 1,
    };
    const ddl = parseJsonDdl({
      $schema: AGENT_DDL_SCHEMA,
      metadata: meta,
      actions: [
        {
          action: "a",
          description: "a",
          input: {},
          output: { o: { description: "o", display_as: "O", default: 10n } },
        },
      ],
    });
    expect(error(() => stringifyJsonDdl(ddl))).toMatch(/^m: cannot write as JSON: /);
  });
});

test("an action or input named __proto__ is kept as data", () => {
  const meta = { name: "m", description: "d", author: "a", license: "l", version: "1", url: "u", timeout: 1 };
  const ddl = parseJsonDdl(
    `{"$schema": "${AGENT_DDL_SCHEMA}", "metadata": ${JSON.stringify(meta)}, "actions": [{"action": "__proto__", "description": "p",
      "input": {"__proto__": {"prompt": "p", "description": "d", "type": "integer", "optional": true}}, "output": {}}]}`,
  ) as AgentDdl;
  expect(Object.keys(ddl.actions)).toEqual(["__proto__"]);
  expect(Object.getPrototypeOf(ddl.actions)).toBe(Object.prototype);
  expect(Object.keys(Object.getOwnPropertyDescriptor(ddl.actions, "__proto__")?.value.input)).toEqual([
    "__proto__",
  ]);
});
