import { readFileSync, statSync } from "node:fs";
import { ConfigError, defineFacts, type Facts, type FactsSource, type PluginContext } from "@phobos/core";
import { load } from "js-yaml";
import { DisallowedClassError, PSYCH_SCHEMA } from "./psych-schema.js";

/**
 * `factsource = yaml`: facts from one or more YAML files (`plugin.yaml`,
 * separated by `:`), merged in order. A file that is missing or does not
 * parse is reported and skipped; if nothing is left the load fails and core
 * keeps serving the last good facts.
 */
function createYamlFacts(ctx: PluginContext): FactsSource {
  const files = ctx.settings
    .required("")
    .split(":")
    .filter((f) => f !== "");
  if (files.length === 0) throw new ConfigError("names no YAML files", { key: "plugin.yaml" });
  const mtimes = new Map<string, number>();

  const mtime = (file: string): number => {
    try {
      return statSync(file).mtimeMs;
    } catch {
      return -1;
    }
  };

  return {
    async load(): Promise<Facts> {
      const facts: Facts = {};
      const problems: string[] = [];
      for (const file of files) {
        mtimes.set(file, mtime(file));
        let text: string;
        try {
          text = readFileSync(file, "utf8");
        } catch (err) {
          problems.push(`Can't find YAML file to load: ${file} (${(err as NodeJS.ErrnoException).code})`);
          continue;
        }
        try {
          const data = load(text, { filename: file, schema: PSYCH_SCHEMA });
          if (data === null || data === undefined) continue;
          if (typeof data !== "object" || Array.isArray(data)) {
            problems.push(`${file} does not hold a mapping of fact names to values`);
            continue;
          }
          Object.assign(facts, data);
        } catch (err) {
          const why = (err as Error).message.split("\n")[0];
          problems.push(
            `Failed to load yaml facts from ${file}: ${err instanceof DisallowedClassError ? `${err.name}: ${why}` : why}`,
          );
        }
      }
      for (const p of problems) ctx.log.error(p);
      if (Object.keys(facts).length === 0) {
        throw new Error(
          `Got empty facts from ${files.join(", ")}${problems.length ? `: ${problems.join("; ")}` : ""}`,
        );
      }
      return facts;
    },
    changed(): boolean {
      return files.some((file) => mtime(file) !== (mtimes.get(file) ?? -2));
    },
  };
}

export default defineFacts({
  name: "yaml",
  description: "Facts from YAML files listed in plugin.yaml, reloaded when they change",
  create: createYamlFacts,
});
