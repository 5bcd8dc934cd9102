import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DdlDefinitionError } from "@phobos/errors";
import { RubyFloat, RubyRegex } from "@phobos/ruby";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { parseRubyDdl } from "./ruby-ddl.js";
import type { AgentDdl, DataDdl, DiscoveryDdl, MetadataDdl } from "./types.js";

const LIBDIR = "/usr/lib/ruby/vendor_ruby/mcollective";
const PROVISION = "run `sh tooling/scripts/provision.sh`";

const META = `metadata :name => "demo", :description => "Demo", :author => "Ann", :license => "ASL 2.0",
         :version => "1.0", :url => "https://example.com", :timeout => 10
`;

const agentDdl = (body: string) => parseRubyDdl(META + body, { file: "demo.ddl", kind: "agent" }) as AgentDdl;

function error(source: string, kind?: "agent" | "data" | "discovery" | "metadata"): string {
  try {
    parseRubyDdl(source, kind ? { file: "demo.ddl", kind } : { file: "demo.ddl" });
  } catch (e) {
    expect(e).toBeInstanceOf(DdlDefinitionError);
    return (e as Error).message;
  }
  throw new Error("expected a DdlDefinitionError");
}

describe("every DDL Debian ships parses", () => {
  const files = (() => {
    try {
      const walk = (dir: string): string[] =>
        readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
          d.isDirectory() ? walk(join(dir, d.name)) : d.name.endsWith(".ddl") ? [join(dir, d.name)] : [],
        );
      return walk(LIBDIR);
    } catch {
      return [];
    }
  })();

  test("they are there", () => {
    if (files.length === 0) throw new Error(`no DDLs under ${LIBDIR}: ${PROVISION}`);
    expect(files.length).toBeGreaterThanOrEqual(20);
  });

  test.each(files)("%s", (file) => {
    const type = file.split("/").at(-2) as string;
    const kind =
      ({ agent: "agent", data: "data", discovery: "discovery" } as Record<string, string>)[type] ??
      "metadata";
    const ddl = parseRubyDdl(readFileSync(file, "utf8"), { file });
    expect(ddl.kind).toBe(kind);
    expect(ddl.metadata.name).not.toBe("");
  });
});

describe("the DSL as real DDLs write it", () => {
  test("metadata, requires, action with display, inputs, outputs and summarize", () => {
    const ddl = agentDdl(`
requires :mcollective => "2.2.1"

action "status", :description => "Get the status of a package" do
    display :always

    input :package,
          :prompt      => "Package Name",
          :description => "Package to retrieve the status of",
          :type        => :string,
          :validation  => :shellsafe,
          :optional    => false,
          :maxlength   => 90

    output :ensure,
           :description => "Full package version",
           :display_as  => "Ensure",
           :default     => "unknown"

    summarize do
      aggregate summary(:ensure)
      aggregate average(:rtt, :format => "%.2f")
      aggregate summary(:arch), :format => "%s"
      aggregate boolean_summary(:enabled, {:true => "enabled", :false => "disabled"})
    end
end
`);
    expect(ddl.requires).toEqual({ mcollective: "2.2.1" });
    const status = ddl.actions.status;
    expect(status?.display).toBe("always");
    expect(status?.input.package).toEqual({
      prompt: "Package Name",
      description: "Package to retrieve the status of",
      type: "string",
      optional: false,
      validation: "shellsafe",
      maxlength: 90,
    });
    expect(status?.output.ensure).toEqual({
      description: "Full package version",
      display_as: "Ensure",
      default: "unknown",
    });
    expect(status?.aggregate).toEqual([
      { function: "summary", args: ["ensure"] },
      { function: "average", args: ["rtt", { format: "%.2f" }] },
      { function: "summary", args: ["arch"], format: "%s" },
      { function: "boolean_summary", args: ["enabled", { true: "enabled", false: "disabled" }] },
    ]);
  });

  test("String validations and Regexp literals are both patterns, with Ruby's text", () => {
    const ddl = agentDdl(`
action "a", :description => "A" do
  input :s, :prompt => "S", :description => "S", :type => :string, :validation => '^[\\w\\-\\.]+$', :optional => true, :maxlength => 40
  input :r, :prompt => "R", :description => "R", :type => :string, :validation => /^[\\w\\_]+$/i, :optional => true, :maxlength => 20
end
`);
    const s = ddl.actions.a?.input.s?.validation as RubyRegex;
    const r = ddl.actions.a?.input.r?.validation as RubyRegex;
    expect(s).toBeInstanceOf(RubyRegex);
    expect([s.rubySource, s.toRubyString()]).toEqual(["^[\\w\\-\\.]+$", "^[\\w\\-\\.]+$"]);
    expect([r.rubySource, r.toRubyString()]).toEqual(["^[\\w\\_]+$", "(?i-mx:^[\\w\\_]+$)"]);
    expect(r.test("ABC_1")).toBe(true);
  });

  test("Ruby 1.9 hash syntax, parentheses, trailing commas, comments, line continuation, %w and defaults", () => {
    const ddl = agentDdl(`
# A comment
action("yum_clean", description: "Clean the YUM cache") do # trailing comment
  input(:mode,
        prompt: "Yum clean mode",
        description: 'One of the various supported clean modes',
        type: :list,
        optional: true,
        list: %w[all headers packages],
        default: "all",
       )
  output :output, :description => "Output from YUM", \\
         :display_as => "Output", :default => {:lines => [1, 2.0, nil, true],}
end
`);
    const action = ddl.actions.yum_clean;
    expect(action?.input.mode).toEqual({
      prompt: "Yum clean mode",
      description: "One of the various supported clean modes",
      type: "list",
      optional: true,
      default: "all",
      list: ["all", "headers", "packages"],
    });
    expect(action?.output.output?.default).toEqual({ lines: [1, new RubyFloat(2), null, true] });
  });

  test("loops over arrays with interpolation and string methods (package.ddl, agent_data.ddl)", () => {
    const ddl = agentDdl(`
["install", "update"].each do |act|
  action act, :description => "#{act.capitalize} a package" do
    input :package, :prompt => "Package Name", :description => "Package to #{act}",
          :type => :string, :validation => :shellsafe, :optional => false, :maxlength => 90
    [:epoch, :arch].each { |item| output item, :description => "Package #{item}", :display_as => item.to_s.capitalize }
  end
end
`);
    expect(Object.keys(ddl.actions)).toEqual(["install", "update"]);
    expect(ddl.actions.update?.description).toBe("Update a package");
    expect(ddl.actions.update?.input.package?.description).toBe("Package to update");
    expect(ddl.actions.install?.output).toEqual({
      epoch: { description: "Package epoch", display_as: "Epoch" },
      arch: { description: "Package arch", display_as: "Arch" },
    });
  });

  test("local variables, hashes iterated with |k, v|, +, * and method chains", () => {
    const ddl = agentDdl(`
common = {:prompt => "P", :optional => true}
outputs = {:a => "Alpha", :b => "Beta"}
action "x", :description => "X " + "y" * 2 do
  outputs.each do |name, label|
    output name, :description => label.downcase, :display_as => label.upcase
  end
  input :n, common.merge(:description => "N", :type => :integer, :default => 1 + 2)
end
`);
    expect(ddl.actions.x?.description).toBe("X yy");
    expect(ddl.actions.x?.output.b).toEqual({ description: "beta", display_as: "BETA" });
    expect(ddl.actions.x?.input.n).toEqual({
      prompt: "P",
      description: "N",
      type: "integer",
      optional: true,
      default: 3,
    });
  });

  test("conditionals, comparisons and sub as package.ddl and service.ddl use them", () => {
    const ddl = agentDdl(`
["install", "update", "stop"].each do |act|
  action act, :description => "#{act.capitalize}" do
    if act == 'install'
      input :version, :prompt => "V", :description => "Version to #{act}", :type => :integer, :optional => true
    elsif act != "update" && !false
      output :status, :description => "after #{act.sub(/p$/, 'pp')}ing", :display_as => "S"
    else
      display :always
    end
    display :ok unless act == "update" or act == "stop"
    output :n, :description => act.gsub("t", "T"), :display_as => "N" if not act.include?("z")
  end
end
`);
    expect(Object.keys(ddl.actions.install?.input ?? {})).toEqual(["version"]);
    expect(ddl.actions.install?.display).toBe("ok");
    expect(ddl.actions.update?.display).toBe("always");
    expect(ddl.actions.stop?.output.status?.description).toBe("after stopping");
    expect(ddl.actions.stop?.display).toBe("failed");
    expect(ddl.actions.stop?.output.n?.description).toBe("sTop");
  });

  test("a heredoc usage and a metadata-only DDL", () => {
    const ddl = parseRubyDdl(`${META}
usage <<-USAGE
  Line one
    indented
USAGE
`) as MetadataDdl;
    expect(ddl.kind).toBe("metadata");
    expect(ddl.usage).toBe("  Line one\n    indented\n");
  });

  test("data DDL: one dataquery, input :query without :optional", () => {
    const ddl = parseRubyDdl(
      `${META}
dataquery :description => "File stat information" do
  input :query, :prompt => "File Name", :description => "Valid File Name", :type => :string,
        :validation => /.+/, :maxlength => 120
  output :size, :description => "File size", :display_as => "Size"
end
`,
      { file: "x/data/fstat_data.ddl" },
    ) as DataDdl;
    expect(ddl.kind).toBe("data");
    expect(ddl.dataquery.description).toBe("File stat information");
    expect(ddl.dataquery.input.query?.optional).toBe(false);
    expect(Object.keys(ddl.dataquery.output)).toEqual(["size"]);
  });

  test("discovery DDL: capabilities as a list or as arguments", () => {
    const one = parseRubyDdl(`${META}\ndiscovery do\n  capabilities :identity\nend\n`) as DiscoveryDdl;
    const many = parseRubyDdl(
      `${META}\ndiscovery do\n  capabilities [:classes, :facts], :agents\nend\n`,
    ) as DiscoveryDdl;
    expect(one.discovery.capabilities).toEqual(["identity"]);
    expect(many.discovery.capabilities).toEqual(["classes", "facts", "agents"]);
  });

  test("an action declared twice keeps its first description and gains the second block's entities", () => {
    const ddl = agentDdl(`
action "a", :description => "first" do
  output :x, :description => "X", :display_as => "X"
end
action "a", :description => "second" do
  output :y, :description => "Y", :display_as => "Y"
end
`);
    expect(ddl.actions.a?.description).toBe("first");
    expect(Object.keys(ddl.actions.a?.output ?? {})).toEqual(["x", "y"]);
  });
});

describe("MCollective's errors, at the line that caused them", () => {
  test.each([
    [
      `action "a", :description => "A" do\n  input :x, :prompt => "P", :description => "D", :type => :string, :optional => true\nend`,
      "demo.ddl:4: agent DDL 'demo' action 'a' input 'x': Input type :string needs a :validation argument",
    ],
    [
      `action "a", :description => "A" do\n  input :x, :prompt => "P", :description => "D", :type => :integer\nend`,
      "demo.ddl:4: agent DDL 'demo' action 'a' input 'x': Input needs a :optional property",
    ],
    [
      `action "a", :description => "A" do\n\n  output :x, :description => "D"\nend`,
      "demo.ddl:5: agent DDL 'demo' action 'a' output 'x': Output x needs a display_as argument",
    ],
    [
      `action "a", :description => "A" do\n  display :sometimes\nend`,
      "demo.ddl:4: agent DDL 'demo' action 'a': Display preference sometimes is not valid, should be :ok, :failed, :flatten or :always",
    ],
    [
      `action "a", :description => "A" do\n  display "always"\nend`,
      "demo.ddl:4: agent DDL 'demo' action 'a': Display preference always is not valid, should be :ok, :failed, :flatten or :always",
    ],
    [
      `action "a", :desc => "A" do\nend`,
      "demo.ddl:3: agent DDL 'demo' action 'a': Action needs a :description property",
    ],
    [
      `input :x, :prompt => "P"`,
      "demo.ddl:3: agent DDL 'demo': Cannot figure out what entity input x belongs to",
    ],
    [
      `action "a", :description => "A" do\n  summarize do\n    aggregate summary(:x), "%s"\n  end\nend`,
      "demo.ddl:5: agent DDL 'demo' action 'a': Formats supplied to aggregation functions should be a hash",
    ],
    [
      `action "a", :description => "A" do\n  summarize do\n    aggregate summary(:x), :fmt => "%s"\n  end\nend`,
      "demo.ddl:5: agent DDL 'demo' action 'a': Formats supplied to aggregation functions must have a :format key",
    ],
    [
      `action "a", :description => "A" do\n  aggregate "summary"\nend`,
      "demo.ddl:4: agent DDL 'demo' action 'a': Functions supplied to aggregate should be a hash",
    ],
    [
      `requires :mcollective => "9.0"`,
      "demo.ddl:3: agent DDL 'demo': Agent plugin 'demo' requires MCollective version 9.0 or newer",
    ],
    [
      `requires :ruby => "1.9"`,
      "demo.ddl:3: agent DDL 'demo': Requirement ruby is not a valid requirement, only mcollective is supported",
    ],
    [
      `action "a", :description => "A" do\n  shenanigans :x\nend`,
      "demo.ddl:4: agent DDL 'demo' action 'a': undefined local variable or method `shenanigans' (not part of the DDL language)",
    ],
  ])("%#", (body, message) => {
    expect(error(META + body, "agent")).toBe(message);
  });

  test("data and discovery rules", () => {
    expect(error(`${META}dataquery :description => "d" do\n  input :file, :prompt => "F"\nend`, "data")).toBe(
      "demo.ddl:4: data DDL 'demo' dataquery: The only valid input name for a data query is 'query'",
    );
    expect(error(`${META}dataquery :description => "d" do\nend\ndataquery :description => "e"`, "data")).toBe(
      "demo.ddl:5: data DDL 'demo': Data queries can only have one definition",
    );
    expect(error(`${META}dataquery :desc => "d"`, "data")).toBe(
      "demo.ddl:3: data DDL 'demo': Data queries need a :description",
    );
    expect(error(META, "data")).toBe(
      "demo.ddl: data DDL 'demo': No dataquery has been defined in the DDL for data plugin demo",
    );
    expect(error(`${META}discovery do\n  capabilities :classes, :hosts\nend`, "discovery")).toBe(
      "demo.ddl:4: discovery DDL 'demo' discovery: hosts is not a valid capability, valid capabilities are :classes, :facts, :identity, :agents and :compound",
    );
    expect(error(`${META}discovery do\n  capabilities []\nend`, "discovery")).toBe(
      "demo.ddl:4: discovery DDL 'demo' discovery: Discovery plugin capabilities can't be empty",
    );
    expect(error(`${META}discovery do\nend\ndiscovery do\nend`, "discovery")).toBe(
      "demo.ddl:5: discovery DDL 'demo': Discovery plugins can only have one definition",
    );
  });

  test("a method of another kind of DDL", () => {
    expect(error(`${META}action "a", :description => "A"`, "data")).toBe(
      "demo.ddl:3: data DDL 'demo': undefined method `action' (not available in a data DDL)",
    );
    expect(error(`${META}action "a", :description => "A" do\nend\ndataquery :description => "d"`)).toBe(
      "demo.ddl:5: agent DDL 'demo': undefined method `dataquery' (not available in an agent DDL)",
    );
  });

  test("a DDL without metadata", () => {
    expect(error(`action "a", :description => "A" do\nend`)).toBe(
      "demo.ddl: agent DDL 'demo' metadata: Metadata needs a :name property",
    );
  });

  test.each([
    ["while true\nend", "demo.ddl:3: loops (while) are not part of the DDL language"],
    ["def x\nend", "demo.ddl:3: method definitions (def) are not part of the DDL language"],
    ["x = File.read('/etc/passwd')", "demo.ddl:3: constants (File) are not part of the DDL language"],
    ["@x = 1", "demo.ddl:3: variables like @x are not part of the DDL language"],
    ["x = 1 while false", "demo.ddl:3: statement modifiers (while) are not part of the DDL language"],
    ["x = 1 << 2", "demo.ddl:3: the operator '<<' is not part of the DDL language"],
    ["x = 1 == 1 == 1", "demo.ddl:3: chained comparisons are not part of the DDL language"],
    ['"a".send(:eval, "1")', 'demo.ddl:3: undefined method `send\' for "a":String'],
    ["[1].each do |x|\n", "demo.ddl:4: unexpected end of file (missing 'end' or closing bracket?)"],
    ["x = (1", "demo.ddl:3: unexpected end of file (missing 'end' or closing bracket?)"],
    ["{:a => 1 :b}", "demo.ddl:3: expected ',' or '}' in a hash, found a symbol"],
    ["x = 1\nend", "demo.ddl:4: unexpected 'end'"],
  ])("unsupported Ruby: %j", (body, message) => {
    expect(error(META + body)).toBe(message);
  });
});

describe("method names from the file are never looked up on Object.prototype", () => {
  test("toString and constructor are unknown methods, not DDL words", () => {
    expect(error(`${META}toString`)).toBe(
      "demo.ddl:3: metadata DDL 'demo': undefined local variable or method `toString' (not part of the DDL language)",
    );
    expect(error(`${META}constructor 1`)).toMatch(/undefined local variable or method `constructor'/);
  });
});

test("a __proto__ key in a default stays data", () => {
  const ddl = agentDdl(`action "a", :description => "A" do
  output :o, :description => "O", :display_as => "O", :default => {"__proto__" => {"polluted" => true}}
end`);
  const value = ddl.actions.a?.output.o?.default as Record<string, unknown>;
  expect(Object.keys(value)).toEqual(["__proto__"]);
  expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

describe("parseRubyDdl on arbitrary input", () => {
  const pieces = fc.constantFrom(
    META,
    'action "a", :description => "A" do\n',
    "end\n",
    "input :x, ",
    ":prompt => 'p', ",
    ":type => :string, ",
    ":validation => /a(/, ",
    ":maxlength => 5",
    "output :o, :description => 'o', :display_as => 'O'\n",
    "summarize do\n aggregate summary(:o)\n",
    "[1, 2].each do |i|\n",
    "if i == 1\n",
    "else\n",
    "x = ",
    "#{",
    '"',
    "(",
    ")",
    "{",
    "}",
    ",",
    "\n",
    " ",
    "dataquery :description => 'd' do\n",
    "discovery do\n capabilities :facts\n",
    "usage <<-EOU\n text\nEOU\n",
    "display :always\n",
    "x.to_s.capitalize",
    "1 + ",
    "nil",
  );

  test("only ever returns a DDL or throws DdlDefinitionError", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 120 }),
          fc.array(pieces, { maxLength: 25 }).map((p) => p.join("")),
        ),
        fc.constantFrom(undefined, "agent", "data", "discovery", "metadata"),
        (source, kind) => {
          try {
            const ddl = parseRubyDdl(source, kind ? { file: "f.ddl", kind } : { file: "f.ddl" });
            expect(Object.isFrozen(ddl)).toBe(true);
          } catch (e) {
            if (!(e instanceof DdlDefinitionError)) throw e;
            expect(e.message).toMatch(/^f\.ddl/);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

test("pathological nesting is a DdlDefinitionError, not a crash", () => {
  expect(error(`${META}x = ${"[".repeat(100000)}`)).toBe("demo.ddl: nested too deeply to read");
});
