/**
 * `--help` against what Debian's MCollective 2.12.5 prints for the same
 * applications (24-help-rpc.txt from wire/cli-outputs; the others captured
 * with `mco help <app>` from the same installation).
 */
import { readFileSync } from "node:fs";
import * as builtin from "@phobos/application-builtin";
import { configFromText, type PluginDefinition } from "@phobos/core";
import { describe, expect, it } from "vitest";
import { withEarlyEndOptions } from "../__fixtures__/help/early-end-options.js";
import { applicationHelp } from "./command-line.js";

const config = configFromText("");

function golden(name: string): string {
  const text = readFileSync(new URL(`../__fixtures__/help/${name}`, import.meta.url), "utf8");
  if (!text.startsWith("$ ")) return text;
  const lines = text.split("\n");
  return `${lines
    .slice(
      1,
      lines.findIndex((l) => l.startsWith("[exit ")),
    )
    .join("\n")}\n`;
}

async function help(definition: PluginDefinition<"application">): Promise<string> {
  const app = await definition.create({} as never);
  return applicationHelp(
    {
      description: definition.description,
      usage: app.usage,
      options: app.options,
      excludeSections: app.excludeSections,
    },
    config,
    "/etc/mcollective/client.cfg",
  );
}

describe("mco help <app> / mco <app> --help", () => {
  it("rpc: 24-help-rpc.txt byte for byte", async () => {
    expect(await help(builtin.rpc)).toBe(withEarlyEndOptions(golden("24-help-rpc.txt")));
  });

  const apps: [string, PluginDefinition<"application">][] = [
    ["ping", builtin.ping],
    ["find", builtin.find],
    ["facts", builtin.facts],
    ["inventory", builtin.inventory],
    ["plugin", builtin.plugin],
    ["completion", builtin.completion],
    ["describe_filter", builtin.describeFilter],
    ["help", builtin.help],
  ];
  for (const [name, definition] of apps) {
    it(`${name}: as Ruby prints it`, async () => {
      let expected = withEarlyEndOptions(golden(`help-${name}.txt`));
      // Phobos's completion also takes -a for --agent, as mco rpc does, lists the discovery
      // methods and prints the scripts that call it.
      if (name === "completion")
        expected = expected
          .replace("        --agent AGENT  ", "    -a, --agent AGENT  ")
          .replace(
            "List all known applications\n",
            [
              "List all known applications",
              "        --list-discovery-methods     List all installed discovery methods",
              "        --bash                       Print the bash completion script for this mco",
              "        --zsh                        Print the zsh completion script for this mco",
              "",
            ].join("\n"),
          );
      expect(await help(definition)).toBe(expected);
    });
  }
});
