import { existsSync, readFileSync } from "node:fs";
import { RubyFloat, RubyRegex } from "@phobos/ruby";
import { describe, expect, test } from "vitest";
import { alignText } from "./align-text.js";
import { defineAgentDdl, defineDataDdl, defineMetadataDdl } from "./define.js";
import { readDdlFile } from "./read-file.js";
import { renderDdlHelp, renderPluginList } from "./render.js";

const CAPTURES = "/work/shared/wire/cli-outputs";
const LIBDIR = "/usr/lib/ruby/vendor_ruby/mcollective";
const PROVISION = "run `sh tooling/scripts/provision.sh`";

/**
 * What `mco` wrote to stdout in a capture: without the `$ mco …` line and the
 * `[exit …]` line the capture tool adds, and without Ruby's ERB deprecation
 * warnings, which went to stderr.
 */
function captured(name: string): string {
  const lines = readFileSync(`${CAPTURES}/${name}`, "utf8").split("\n");
  expect(lines[0]).toMatch(/^\$ mco /);
  const exit = lines.findLastIndex((l) => l.startsWith("[exit "));
  expect(exit).toBeGreaterThan(0);
  const body = lines.slice(1, exit).filter((l) => !/^\/usr\/lib\/ruby\/.*: warning: /.test(l));
  return `${body.join("\n")}\n`;
}

function debianDdl(path: string) {
  if (!existsSync(`${LIBDIR}/${path}`))
    throw new Error(`Debian's MCollective DDLs are missing: ${PROVISION}`);
  return readDdlFile(`${LIBDIR}/${path}`);
}

const META = {
  name: "demo",
  description: "Demo plugin",
  author: "Ann",
  license: "ASL 2.0",
  version: "1.0",
  url: "https://x",
  timeout: 5,
};

describe("renderDdlHelp against real `mco plugin doc` captures", () => {
  test("rpcutil (rpc-help.erb) matches 21-plugin-doc-rpcutil.txt byte for byte", async () => {
    expect(renderDdlHelp(await debianDdl("agent/rpcutil.ddl"))).toBe(captured("21-plugin-doc-rpcutil.txt"));
  });

  test("mc discovery (discovery-help.erb) matches 22-plugin-doc-mc.txt byte for byte", async () => {
    expect(renderDdlHelp(await debianDdl("discovery/mc.ddl"))).toBe(captured("22-plugin-doc-mc.txt"));
  });
});

describe("renderPluginList", () => {
  test("reproduces 20-plugin-doc.txt from the plugins' names and descriptions", async () => {
    const groups = [
      ["agent", ["agent/rpcutil.ddl"]],
      ["aggregate", ["aggregate/summary.ddl", "aggregate/average.ddl", "aggregate/sum.ddl"]],
      ["connector", ["connector/activemq.ddl", "connector/rabbitmq.ddl"]],
      [
        "data",
        ["data/agent_data.ddl", "data/collective_data.ddl", "data/fact_data.ddl", "data/fstat_data.ddl"],
      ],
      ["discovery", ["discovery/flatfile.ddl", "discovery/mc.ddl", "discovery/stdin.ddl"]],
      [
        "validator",
        ["array", "ipv4address", "ipv6address", "length", "regex", "shellsafe", "typecheck"].map(
          (v) => `validator/${v}_validator.ddl`,
        ),
      ],
    ] as const;
    const list = await Promise.all(
      groups.map(async ([type, paths]) => ({
        type,
        plugins: await Promise.all(
          paths.map(async (p) => {
            const name = (p.split("/")[1] as string)
              .replace(/\.ddl$/, "")
              .replace(new RegExp(`_${type}$`), "");
            return { name, description: (await debianDdl(p)).metadata.description };
          }),
        ),
      })),
    );
    expect(renderPluginList(list)).toBe(captured("20-plugin-doc.txt"));
  });

  test("lists load errors after the groups, in yellow when colour is on", () => {
    const errors = [{ type: "agent", name: "broken", message: "Metadata needs a :name property" }];
    expect(renderPluginList([{ type: "agent", plugins: [] }], { errors })).toBe(
      "Please specify a plugin. Available plugins are:\n\nAgents:\n\nPlugin Load Errors:\n  agent/broken              Metadata needs a :name property\n",
    );
    expect(renderPluginList([], { errors, color: true })).toContain(
      "\x1b[33mMetadata needs a :name property\x1b[0m\n",
    );
  });

  test("an unknown type is its own heading; long names are not cut", () => {
    const out = renderPluginList([
      { type: "Security Plugins", plugins: [{ name: "a".repeat(30), description: "d" }] },
    ]);
    expect(out).toContain(`Security Plugins:\n  ${"a".repeat(30)} d\n\n`);
  });
});

describe("rpc-help.erb details", () => {
  const ddl = defineAgentDdl({
    metadata: META,
    requires: { mcollective: "2.2.1" },
    usage: "Some usage",
    actions: {
      zeta: {
        description: "Last",
        display: "always",
        input: {
          mode: {
            prompt: "Mode",
            description: "M",
            type: "list",
            optional: true,
            list: ["a", "b"],
            default: "a",
          },
          count: { prompt: "Count", description: "C", type: "integer", optional: false, default: 0 },
          off: { prompt: "Off", description: "O", type: "boolean", optional: true, default: false },
          name: {
            prompt: "Name",
            description: "N",
            type: "string",
            optional: false,
            validation: "shellsafe",
            maxlength: 0,
          },
          re: {
            prompt: "Re",
            description: "R",
            type: "string",
            optional: false,
            validation: new RubyRegex("^a$", "i", true),
            maxlength: 3,
          },
          plain: {
            prompt: "P",
            description: "P",
            type: "string",
            optional: false,
            validation: /^x+$/,
            maxlength: 3,
          },
          none: {
            prompt: "None",
            description: "N",
            type: "string",
            optional: false,
            validation: null,
            maxlength: 1,
          },
        },
        output: {
          out: { description: "O", display_as: "Out", default: "" },
          f: { description: "F", display_as: "F", default: new RubyFloat(2) },
          h: { description: "H", display_as: "H", default: { a: [1, "x"] } },
        },
      },
      alpha: { description: "First", input: {}, output: {} },
    },
  });
  const text = renderDdlHelp(ddl);

  test("actions are sorted, underlined to their name's length plus 8", () => {
    expect(text).toContain("ACTIONS:\n========\n   alpha, zeta\n\n   alpha action:\n   -------------\n");
  });

  test("requirements and usage follow the metadata", () => {
    expect(text).toContain(
      "   Home Page: https://x\n\n   Requires MCollective 2.2.1 or newer\n\n   Some usage\n\nACTIONS:",
    );
  });

  test("inputs: sorted, validation printed as Ruby prints it, defaults only when truthy (0 and '' are)", () => {
    expect(text).toContain(
      "           count:\n              Description: C\n                   Prompt: Count\n                     Type: integer\n                 Optional: false\n            Default Value: 0\n\n",
    );
    expect(text).toContain("             Valid Values: a, b\n            Default Value: a\n");
    expect(text).toContain(
      "           off:\n              Description: O\n                   Prompt: Off\n                     Type: boolean\n                 Optional: true\n\n",
    );
    expect(text).toContain("               Validation: shellsafe\n                   Length: 0\n");
    expect(text).toContain("               Validation: (?i-mx:^a$)\n                   Length: 3\n");
    expect(text).toContain("               Validation: ^x+$\n");
    expect(text).toContain("               Validation: \n                   Length: 1\n");
  });

  test("outputs show Ruby's to_s of their defaults, an empty string included", () => {
    expect(text).toContain("               Display As: Out\n            Default Value: \n\n");
    expect(text).toContain("            Default Value: 2.0\n");
    expect(text).toContain('            Default Value: {"a"=>[1, "x"]}\n');
  });

  test("an action without inputs says so", () => {
    expect(text).toContain(
      "       INPUT:\n          This action does not have any inputs\n\n       OUTPUT:\n",
    );
  });
});

describe("data-help.erb and metadata-help.erb", () => {
  test("a data plugin without input", () => {
    const ddl = defineDataDdl({
      metadata: META,
      dataquery: {
        description: "Q",
        output: { b: { description: "B", display_as: "Bee" }, a: { description: "A", display_as: "Ay" } },
      },
    });
    expect(renderDdlHelp(ddl)).toBe(
      "demo\n====\n\nDemo plugin\n\n      Author: Ann\n     Version: 1.0\n     License: ASL 2.0\n     Timeout: 5\n   Home Page: https://x\n\n" +
        "QUERY FUNCTION INPUT:\n\n    This plugin does not take any input\n\nQUERY FUNCTION OUTPUT:\n\n" +
        "           a:\n              Description: A\n               Display As: Ay\n\n" +
        "           b:\n              Description: B\n               Display As: Bee\n\n",
    );
  });

  test("metadata-only plugins: the underline counts characters, not bytes", () => {
    const ddl = defineMetadataDdl({ metadata: { ...META, name: "Größe" } });
    expect(renderDdlHelp(ddl).split("\n").slice(0, 2)).toEqual(["Größe", "====="]);
  });
});

describe("alignText (Util.align_text)", () => {
  test("indents by the preamble and leaves short text alone", () => {
    expect(alignText("a\n  b", 80, 3)).toBe("   a\n     b");
  });

  test("wraps at the last space before the column limit, keeping the line's indentation", () => {
    const out = alignText(`  ${"word ".repeat(20)}`, 40, 3);
    for (const line of out.split("\n")) expect(line.length).toBeLessThanOrEqual(40);
    expect(out.split("\n")[1]).toMatch(/^ {5}word/);
  });

  test("too narrow a console returns the text untouched", () => {
    expect(alignText("abc", 3, 5)).toBe("abc");
  });

  test("a line with nowhere to break is left whole instead of failing", () => {
    expect(alignText("x".repeat(100), 80, 3)).toBe(`   ${"x".repeat(100)}`);
  });
});
